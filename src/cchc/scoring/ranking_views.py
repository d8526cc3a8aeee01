"""Pages of the ranking by the reform index, the forecast during the year, and the evidence
package of an assessment (built by a background job).

- ``scoring_ranking``: appraisers and administrators see the province's table and charts;
  anyone else sees their own agency's position against the anonymised distribution.
- ``scoring_ranking_xlsx``: the table as a workbook, for appraisers and administrators (403).
- ``scoring_forecast``: the projected index of an agency the person reads (404 otherwise).
- ``scoring_package`` (GET a page, POST start the job), ``scoring_package_ready`` and
  ``scoring_package_download``: the ZIP for the person who started it (404 for anyone else).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cchc.core.access import access_agency, agencies_visible_to
from cchc.core.jobs import access_job
from cchc.core.models import Agency, AgencyKind, Job, JobStatus, User
from cchc.core.views import parse_int
from cchc.scoring import forecast as forecasting
from cchc.scoring import ranking as ranking_selectors
from cchc.scoring.access import access_assessment
from cchc.scoring.arithmetic import round2
from cchc.scoring.models import Assessment, Level
from cchc.scoring.package import SCORING_PACKAGE, package_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_PACKAGES = 5


def _year(request: HttpRequest, default: int) -> int:
    year = parse_int(request.GET.get("year"))
    return year if year is not None and 2000 <= year <= 2100 else default


def _level(request: HttpRequest, default: str) -> str:
    level = request.GET.get("level") or ""
    return level if level in Level.values else default


def _years(current: int) -> list[int]:
    years = set(ranking_selectors.years_with_assessments())
    years.update({current, timezone.localdate().year})
    return sorted(years, reverse=True)


def _default_year() -> int:
    years = ranking_selectors.years_with_assessments()
    return years[0] if years else timezone.localdate().year


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


# --- ranking ------------------------------------------------------------------------------------


def _province_context(user: User, year: int, level: str) -> dict[str, Any]:
    table = ranking_selectors.ranking_table(user=user, year=year, level=level)
    ranked = [row for row in table.rows if row.percent is not None]
    chart = {
        "type": "ranking",
        "labels": [row.agency_name for row in ranked],
        "values": [_number(row.percent) for row in ranked],
        "provisional": [row.provisional for row in ranked],
        "label": _("Index (%)"),
        "provisional_label": _("provisional"),
        "bands": [
            {"code": band.code, "min": _number(band.min_percent)}
            for band in table.bands
            if band.min_percent > 0
        ],
        "band_label": _("Band %(code)s from %(min)s %%"),
    }
    averages = []
    for header in table.areas:
        values = [v for row in table.rows if (v := row.area_percent(header.code)) is not None]
        averages.append((header, round2(sum(values) / len(values)) if values else None))
    area_chart = {
        "type": "areas",
        "labels": [header.code for header, _average in averages],
        "titles": [header.title for header, _average in averages],
        "datasets": [
            {"label": _("Province average (%)"), "values": [_number(a) for _h, a in averages]}
        ],
    }
    return {
        "table": table,
        "rows": [(row, table.area_cells(row)) for row in table.rows],
        "chart": chart,
        "area_averages": averages,
        "area_chart": area_chart,
    }


def _own_context(user: User, agency: Agency, year: int, level: str) -> dict[str, Any]:
    position = ranking_selectors.own_position(user=user, agency=agency, year=year, level=level)
    own_percent = position.row.percent if position.row else None
    own_bin = None
    if own_percent is not None:
        step = ranking_selectors.HISTOGRAM_STEP
        own_bin = min(int(own_percent // step), len(position.others.bins) - 1)
    histogram = {
        "type": "histogram",
        "labels": [label for label, _count in position.others.bins],
        "values": [count for _label, count in position.others.bins],
        "highlight": own_bin,
        "label": _("Other agencies"),
        "highlight_label": _("Your agency"),
    }
    area_chart = {
        "type": "areas",
        "labels": [area.code for area in position.areas],
        "titles": [area.title for area in position.areas],
        "datasets": [
            {"label": _("Your agency (%)"), "values": [_number(a.own) for a in position.areas]},
            {
                "label": _("Province average (%)"),
                "values": [_number(a.average) for a in position.areas],
            },
        ],
    }
    return {
        "position": position,
        "histogram": histogram,
        "area_chart": area_chart,
        "own_bin": own_bin,
    }


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    user = request.user
    province = ranking_selectors.can_see_province(user)
    agencies = [] if province else ranking_selectors.own_agencies(user)
    agency = None
    if agencies:
        asked = parse_int(request.GET.get("agency"))
        agency = next((a for a in agencies if a.pk == asked), agencies[0])
    year = _year(request, _default_year())
    level = _level(request, ranking_selectors.default_level_for(agency, year))
    context: dict[str, Any] = {
        "province_view": province,
        "agencies": agencies,
        "agency": agency,
        "year": year,
        "level": level,
        "years": _years(year),
        "levels": Level.choices,
    }
    if province:
        context.update(_province_context(user, year, level))
    elif agency is not None:
        context.update(_own_context(user, agency, year, level))
    return render(request, "scoring/ranking.html", context)


@login_required
@require_GET
def ranking_xlsx(request: HttpRequest) -> HttpResponse:
    if not ranking_selectors.can_see_province(request.user):
        raise PermissionDenied
    year = _year(request, _default_year())
    level = _level(request, Level.DEPARTMENT)
    table = ranking_selectors.ranking_table(user=request.user, year=year, level=level)
    content = ranking_selectors.ranking_workbook(table)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"xep-hang-chi-so-cchc-{year}-{level}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- forecast -----------------------------------------------------------------------------------


def _forecast_agencies(user: User) -> list[Agency]:
    agencies = agencies_visible_to(user).filter(kind=AgencyKind.AGENCY)
    return sorted(agencies, key=lambda a: ranking_selectors.name_key(a.name))


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    user = request.user
    asked = parse_int(request.GET.get("agency"))
    if request.GET.get("agency") and asked is None:
        raise Http404
    agencies = _forecast_agencies(user)
    if asked is not None:
        agency: Agency | None = access_agency(actor=user, agency_id=asked)
    else:
        own = ranking_selectors.own_agencies(user)
        agency = own[0] if own else None
    today = timezone.localdate()
    year = _year(request, today.year)
    level = request.GET.get("level") or None
    if level not in (None, *Level.values):
        level = None
    result = None
    if agency is not None:
        result = forecasting.forecast(user=user, agency=agency, year=year, level=level)
    context: dict[str, Any] = {
        "agencies": agencies,
        "agency": agency,
        "year": year,
        "years": sorted({today.year - 1, today.year, year}, reverse=True),
        "forecast": result,
        "today": today,
    }
    if result is not None:
        areas = [a for a in result.totals.areas if not a.is_additive]
        context["areas"] = areas
        context["area_chart"] = {
            "type": "areas",
            "labels": [a.code for a in areas],
            "titles": [a.title for a in areas],
            "datasets": [
                {"label": _("Projected (%)"), "values": [_number(a.percent) for a in areas]}
            ],
        }
    return render(request, "scoring/forecast.html", context)


# --- evidence package ---------------------------------------------------------------------------


def _package_job(actor: User, job_id: int) -> tuple[Job, Assessment]:
    """The package job (404 for anyone but the person who started it and the administrators)
    and its assessment, which the person must still be allowed to read."""
    job = access_job(actor=actor, job_id=job_id)
    if job.kind != SCORING_PACKAGE:
        raise Http404
    assessment_id = parse_int(str((job.params or {}).get("assessment", "")))
    if assessment_id is None:
        raise Http404
    try:
        assessment = access_assessment(actor=actor, assessment_id=assessment_id)
    except PermissionDenied as exc:
        raise Http404 from exc
    return job, assessment


@login_required
@require_http_methods(["GET", "POST"])
def package(request: HttpRequest, assessment_pk: int) -> HttpResponse:
    assessment = access_assessment(actor=request.user, assessment_id=assessment_pk)
    if request.method == "POST":
        job = package_start(
            actor=request.user, assessment=assessment, language=request.LANGUAGE_CODE
        )
        return redirect("job_detail", job.pk)
    recent = Job.objects.filter(
        created_by=request.user, kind=SCORING_PACKAGE, params__assessment=assessment.pk
    )[:RECENT_PACKAGES]
    return render(
        request,
        "scoring/package.html",
        {"assessment": assessment, "agency": assessment.agency, "recent_jobs": recent},
    )


@login_required
@require_GET
def package_ready(request: HttpRequest, job_id: int) -> HttpResponse:
    job, assessment = _package_job(request.user, job_id)
    if not job.is_finished:
        return redirect("job_detail", job.pk)
    result = job.result or {}
    return render(
        request,
        "scoring/package_ready.html",
        {
            "job": job,
            "assessment": assessment,
            "agency": assessment.agency,
            "result": result,
            "available": job.status == JobStatus.SUCCEEDED and bool(result.get("path")),
        },
    )


@login_required
@require_GET
def package_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job, _assessment = _package_job(request.user, job_id)
    result = job.result or {}
    path = result.get("path") if job.status == JobStatus.SUCCEEDED else None
    if not path:
        return redirect("scoring_package_ready", job.pk)
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError):
        messages.error(request, _("The package file is no longer available; build it again."))
        return redirect("scoring_package_ready", job.pk)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=result.get("filename") or "ho-so-chi-so-cchc.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
