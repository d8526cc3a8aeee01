"""The dashboards' pages and the JSON their charts are drawn from.

- ``dashboard_agency`` / ``dashboard_agency_data``: one agency's dashboard, for any reader of
  the agency (404 for anyone else; the person's own agency by default).
- ``dashboard_province`` / ``dashboard_province_data``: the province's comparison table, for
  appraisers (Sở Nội vụ) and administrators; 403 for everyone else, as the ranking's export.

Every figure of a page is in its tables; the charts repeat them from the JSON.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cchc.core.models import User
from cchc.core.views import parse_int
from cchc.plans.selectors import plans_visible_to
from cchc.reports.dashboard import selectors
from cchc.reports.dashboard.payloads import agency_payload, province_payload
from cchc.scoring.ranking import can_see_province


def _year(request: HttpRequest) -> int:
    year = parse_int(request.GET.get("year"))
    return year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year


def _years(user: User, year: int) -> list[int]:
    years = set(plans_visible_to(user).values_list("year", flat=True))
    today = timezone.localdate()
    return sorted(years | {today.year, year}, reverse=True)


def _json(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


# --- the agency's dashboard -----------------------------------------------------------------


def _agency_dashboard(request: HttpRequest) -> tuple[list, selectors.AgencyDashboard | None]:
    asked = request.GET.get("agency") or None
    agency_id = parse_int(asked)
    if asked is not None and agency_id is None:
        raise Http404
    agencies = selectors.dashboard_agencies(request.user)
    agency = selectors.agency_for(request.user, agency_id, agencies)
    if agency is None:
        return agencies, None
    data = selectors.agency_dashboard(
        user=request.user, agency=agency, year=_year(request), today=timezone.localdate()
    )
    return agencies, data


@login_required
@require_GET
def agency(request: HttpRequest) -> HttpResponse:
    agencies, data = _agency_dashboard(request)
    year = data.year if data else _year(request)
    return render(
        request,
        "reports/dashboard/agency.html",
        {
            "d": data,
            "agencies": agencies,
            "year": year,
            "years": _years(request.user, year),
        },
    )


@login_required
@require_GET
def agency_data(request: HttpRequest) -> HttpResponse:
    _agencies, data = _agency_dashboard(request)
    if data is None:
        raise Http404
    return _json(agency_payload(data))


# --- the province's comparison table ---------------------------------------------------------


def _province_dashboard(request: HttpRequest) -> selectors.ProvinceDashboard:
    if not can_see_province(request.user):
        raise PermissionDenied
    return selectors.province_dashboard(
        user=request.user,
        year=_year(request),
        today=timezone.localdate(),
        sort=request.GET.get("sort") or "name",
        descending=request.GET.get("dir") == "desc",
    )


@login_required
@require_GET
def province(request: HttpRequest) -> HttpResponse:
    data = _province_dashboard(request)
    columns = [
        {
            "key": key,
            "descending": not data.descending if key == data.sort else key != "name",
            "active": key == data.sort,
        }
        for key in selectors.SORT_KEYS
    ]
    return render(
        request,
        "reports/dashboard/province.html",
        {
            "d": data,
            "year": data.year,
            "years": _years(request.user, data.year),
            "sort_links": {c["key"]: c for c in columns},
        },
    )


@login_required
@require_GET
def province_data(request: HttpRequest) -> HttpResponse:
    return _json(province_payload(_province_dashboard(request)))
