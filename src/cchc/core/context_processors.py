from django.http import HttpRequest

from cchc.core.access import get_scope


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = get_scope(user)
    return {
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        "is_system_admin": scope.is_admin,
        "can_see_province": scope.is_admin or scope.is_appraiser(),
    }
