"""Pages of the indicators: the plan's targets against the measured rates, a target's trend and
the dossiers behind it, and the form to report a value by hand."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.forms import apply_service_errors
from cchc.core.models import Agency
from cchc.indicators import selectors, services
from cchc.indicators.forms import PeriodForm, ReportValueForm
from cchc.indicators.models import Target, TargetKind
from cchc.plans.selectors import plans_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LATE_PER_PAGE = 25


def _choose(request: HttpRequest) -> tuple[PeriodForm, Agency | None, int, selectors.Period]:
    """The agency, year and period chosen in the query string, with safe defaults: the only
    (or first) agency the person sees, the current year, the whole year. A bad value is
    ignored."""
    today = timezone.localdate()
    agencies = selectors.indicator_agencies(request.user)
    years = sorted(
        set(plans_visible_to(request.user).values_list("year", flat=True)) | {today.year},
        reverse=True,
    )
    data = request.GET.copy()
    form = PeriodForm(data, agencies=agencies, years=years)
    form.is_valid()
    chosen = form.cleaned_data
    agency = next((a for a in agencies if a.pk == chosen.get("agency")), None)
    if agency is None and agencies:
        agency = agencies[0]
    year = chosen.get("year") or today.year
    period = selectors.period_of(
        year=year,
        kind=chosen.get("period") or "year",
        quarter=chosen.get("quarter"),
        month=chosen.get("month"),
        start=chosen.get("start"),
        end=chosen.get("end"),
    )
    period = selectors.up_to(period, today)
    # Shown with what is used: the defaults in place of what was missing or wrong.
    data["agency"] = str(agency.pk) if agency else ""
    data["year"] = str(year)
    data["period"] = period.kind
    form = PeriodForm(data, agencies=agencies, years=years)
    form.is_valid()
    return form, agency, year, period


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    form, agency, year, period = _choose(request)
    board = selectors.board(user=request.user, agency=agency, year=year, period=period)
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "form": form,
            "board": board,
            "show_agency_filter": len(form.fields["agency"].choices) > 1,
            "period_query": request.GET.urlencode(),
        },
    )


def _period_for_target(request: HttpRequest, target: Target) -> selectors.Period:
    """The period of the page the person came from (same query string), within the plan's year;
    by default the year to date."""
    year = target.plan.year
    form = PeriodForm(request.GET, agencies=(), years=[year])
    form.is_valid()
    data = form.cleaned_data
    today = timezone.localdate()
    if data.get("period") in ("quarter", "month", "custom"):
        period = selectors.period_of(
            year=year,
            kind=data["period"],
            quarter=data.get("quarter"),
            month=data.get("month"),
            start=data.get("start"),
            end=data.get("end"),
        )
        return selectors.up_to(period, today)
    return selectors.year_to_date(year, today)


def _detail_context(
    request: HttpRequest, target: Target, report_form: ReportValueForm | None = None
) -> dict[str, Any]:
    period = _period_for_target(request, target)
    indicator = target.indicator
    measured = bool(indicator and indicator.measured_rate and target.kind == TargetKind.VALUE)
    rows: list[selectors.TargetRow] = []
    trend = None
    chart = None
    if measured:
        rates = dict(selectors.measured(target.plan.agency_id, period.start, period.end).rates)
        rows = selectors.target_rows([target], rates, period)
        trend = selectors.trend(target=target, year=target.plan.year, today=timezone.localdate())
        chart = trend.as_chart(
            label=indicator.name,
            target_label=_("Target"),
            unit=target.unit or indicator.unit,
        )
    else:
        rows = selectors.target_rows([target], {}, period)
    late = selectors.late_dossiers(target=target, period=period)
    late_page = Paginator(late, LATE_PER_PAGE).get_page(request.GET.get("page"))
    may_report = selectors.can_report(request.user, target.plan.agency_id) and not measured
    if may_report and report_form is None:
        report_form = ReportValueForm(
            initial={"period_start": period.start, "period_end": period.end}
        )
    return {
        "target": target,
        "plan": target.plan,
        "agency": target.plan.agency,
        "row": rows[0],
        "period": period,
        "measured": measured,
        "trend": trend,
        "chart": chart,
        "is_on_time": bool(indicator and indicator.measured_rate == selectors.ON_TIME_RATE),
        "late_page": late_page,
        "late_count": len(late),
        "reported_values": list(selectors.reported_values(target)[:20]),
        "may_report": may_report,
        "report_form": report_form,
        "query": request.GET.urlencode(),
    }


@login_required
def indicator_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    target = selectors.access_target(actor=request.user, target_id=target_id)
    return render(request, "indicators/indicator_detail.html", _detail_context(request, target))


@login_required
@require_POST
def indicator_report(request: HttpRequest, target_id: int) -> HttpResponse:
    target = selectors.access_target(actor=request.user, target_id=target_id)
    if not selectors.can_report(request.user, target.plan.agency_id):
        raise PermissionDenied
    form = ReportValueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reported_value_create(
                actor=request.user,
                target=target,
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=data["value"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The value was recorded."))
            return redirect(reverse("indicator_detail", args=[target.pk]) + "#reported")
    return render(
        request,
        "indicators/indicator_detail.html",
        _detail_context(request, target, report_form=form),
        status=400,
    )


def _apology_text(row: selectors.LateRow) -> str:
    if row.apology_in_time:
        return _("Yes")
    return _("Yes, issued late") if row.apology else _("No")


def _late_workbook(
    target: Target, period: selectors.Period, rows: list[selectors.LateRow]
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    font = Font(name="Times New Roman", size=12)
    bold = Font(name="Times New Roman", size=12, bold=True)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Late dossiers")[:31]
    sheet.append(
        [
            _("Late dossiers of %(agency)s, %(period)s")
            % {
                "agency": target.plan.agency.name,
                "period": period.label,
            }
        ]
    )
    sheet["A1"].font = bold
    headers = [
        _("No."),
        _("Dossier code"),
        _("Procedure"),
        _("Unit"),
        _("Received"),
        _("Due"),
        _("Finished"),
        _("Days late"),
        _("Apology letter"),
    ]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def local(value: dt.datetime | None) -> dt.datetime | None:
        return timezone.localtime(value).replace(tzinfo=None) if value is not None else None

    for number, row in enumerate(rows, 1):
        sheet.append(
            [
                number,
                row.code,
                row.procedure,
                row.unit,
                local(row.received_at),
                local(row.due_at),
                local(row.finished_at),
                row.days_late,
                _apology_text(row),
            ]
        )
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            cell.font = font
        for cell in line[4:7]:
            cell.number_format = "dd/mm/yyyy"
    for letter, width in zip("ABCDEFGHI", (6, 24, 60, 30, 12, 12, 12, 10, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
def indicator_late_xlsx(request: HttpRequest, target_id: int) -> HttpResponse:
    target = selectors.access_target(actor=request.user, target_id=target_id)
    period = _period_for_target(request, target)
    rows = selectors.late_dossiers(target=target, period=period)
    content = _late_workbook(target, period, rows)
    response = HttpResponse(content, content_type=XLSX)
    filename = (
        f"ho-so-tre-han-{target.plan.agency.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
