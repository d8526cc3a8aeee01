"""API tokens: created and revoked here only. The raw token is returned once and never stored;
the database keeps its SHA-256 and a short prefix that lets a person recognise it in lists.

Every token expires (at most ``CCHC_TOKEN_MAX_DAYS`` after it is issued) and may be narrowed to
one agency and one role of its owner (``cchc.core.security.token_scope``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import Agency, ApiToken, Role, User

PREFIX_LENGTH = 12


def max_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.CCHC_TOKEN_MAX_DAYS)


def _check_scope(*, user: User, agency: Agency | None, role: str) -> None:
    """A token may be narrowed, never widened: its agency must be one the owner may read, and
    its role one the owner holds (there, if an agency is given). Read-only ("viewer") is always
    allowed, as it only takes rights away."""
    scope = get_scope(user)
    if role and role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if agency is not None and not scope.can_read_agency(agency.pk):
        raise ValidationError({"agency": _("The user has no access to this agency.")})
    if not role or role == Role.VIEWER:
        return
    if role == Role.ADMIN:
        if not scope.is_admin:
            raise ValidationError({"role": _("The user does not hold this role.")})
        return
    held = (
        scope.roles.get(agency.pk, set())
        if agency is not None
        else set().union(*scope.roles.values())
    )
    if role not in held:
        raise ValidationError({"role": _("The user does not hold this role.")})


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str = "",
    expires_at: dt.datetime | None = None,
    agency: Agency | None = None,
    role: str = "",
    actor: User | None = None,
) -> str:
    """Issue a bearer token for ``user`` and return the raw value (shown to the person once).

    Without ``expires_at`` the token lives the longest time allowed."""
    if not user.is_active:
        raise ValidationError({"user": _("The user is not active.")})
    if expires_at is None:
        expires_at = max_expiry()
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if expires_at > max_expiry() + dt.timedelta(minutes=1):
        raise ValidationError(
            {
                "expires_at": _("A token may live at most %(days)d days.")
                % {"days": settings.CCHC_TOKEN_MAX_DAYS}
            }
        )
    _check_scope(user=user, agency=agency, role=role)
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[:PREFIX_LENGTH],
        digest=ApiToken.digest_of(raw),
        expires_at=expires_at,
        agency=agency,
        role=role,
    )
    audit.record(
        actor=actor,
        action="token.create",
        obj=token,
        agency=agency,
        changes={
            "user": user,
            "name": token.name,
            "prefix": token.prefix,
            "expires_at": expires_at,
            "agency": agency,
            "role": role,
        },
    )
    return raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="token.revoke",
            obj=token,
            agency=None,
            changes={"user": token.user, "prefix": token.prefix},
        )
    return token
