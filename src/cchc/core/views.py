"""Pages of the whole site: dashboard, notifications and the audit trail of the user's scope."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.core.access import agencies_visible_to, get_scope
from cchc.core.forms import DashboardFilterForm, NotificationReadForm
from cchc.core.notifications import notifications_mark_read
from cchc.core.selectors import activity_visible_to, notifications_of
from cchc.plans import selectors


def parse_int(value: str | None) -> int | None:
    """An integer from a query parameter, or None for anything else (never an error page)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = parse_int(request.GET.get("year"))
    if year is not None and not 2000 <= year <= 2100:
        year = None
    data = selectors.dashboard(
        user=request.user, agency_id=parse_int(request.GET.get("agency")), year=year, today=today
    )
    years = set(selectors.plans_visible_to(request.user).values_list("year", flat=True))
    years |= {today.year, data.year}
    filter_form = DashboardFilterForm(
        initial={"agency": data.agency.pk if data.agency else "", "year": data.year},
        agencies=data.agencies,
        years=sorted(years, reverse=True),
    )
    chart = {
        "label": _("Progress (%)"),
        "labels": [f"II.{row.key}" for row in data.by_area],
        "titles": [row.label for row in data.by_area],
        "values": [float(row.progress or 0) for row in data.by_area],
    }
    return render(
        request,
        "core/dashboard.html",
        {
            "d": data,
            "filter_form": filter_form,
            "show_agency_filter": len(data.agencies) > 1,
            "chart": chart,
            "due_soon_days": settings.CCHC_DUE_SOON_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = NotificationReadForm(request.POST)
        if form.is_valid():
            notifications_mark_read(
                user=request.user,
                notification_id=None
                if form.cleaned_data["all"]
                else (form.cleaned_data["notification"] or 0),
            )
        return redirect("notifications")
    page = Paginator(notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
def activity(request: HttpRequest) -> HttpResponse:
    agencies = list(agencies_visible_to(request.user).filter(kind="agency").order_by("name"))
    agency_id = parse_int(request.GET.get("agency"))
    if agency_id is not None and not get_scope(request.user).can_read_agency(agency_id):
        agency_id = None
    entries = activity_visible_to(request.user, agency_id=agency_id)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/activity.html",
        {"page": page, "agencies": agencies, "agency_id": agency_id},
    )
