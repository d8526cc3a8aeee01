"""Reads of the two dashboards (issue 7), scoped to the acting person.

* The agency's dashboard (its leader's page): plan progress per area and lead unit
  (``cchc.plans.selectors.dashboard``), the plan's targets with their year-to-date values and
  traffic lights (``cchc.indicators.selectors.board``), the dossier metrics month by month
  (``cchc.procedures.metrics.compute_periods``), citizens' feedback and satisfaction, and the
  projected reform index (``cchc.scoring.forecast``). Any reader of the agency; 404 for anyone else.
* The province's comparison table (Sở Nội vụ's page): every agency of the reader's province,
  one row each, read in a fixed number of queries (``cchc.procedures.metrics.compute_by_agency``,
  ``grouped_index``). Appraisers and administrators only
  (``cchc.scoring.ranking.can_see_province``).

Every figure comes from the selectors and metrics named above; this module decides no rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404

from cchc.core.access import access_agency, get_scope
from cchc.core.models import Agency, AgencyKind, User
from cchc.feedback.selectors import FeedbackCounts, feedback_counts
from cchc.indicators import selectors as indicators
from cchc.indicators.models import Target, TargetKind
from cchc.plans import selectors as plans
from cchc.plans.models import Task
from cchc.procedures import metrics as service_metrics
from cchc.reports.dashboard.grouped_index import IndexFigures, index_by_agency
from cchc.scoring import forecast as forecasting
from cchc.scoring.ranking import can_see_province, name_key, own_agencies
from cchc.surveys.selectors import (
    SATISFACTION_INDICATOR,
    answers_in,
    grouped_tallies,
    index_of,
    satisfaction_index,
)

# The series drawn month by month on the agency's dashboard (rates of DESIGN.md §4.3).
MONTHLY_RATES = ("on_time_rate", "online_rate", "digitization_rate", "online_payment_rate")
LOSING_LISTED = 5
# A shape for each light as well as a colour and a word (not colour alone, WCAG 1.4.1).
LIGHT_ICONS = {
    indicators.MET: "bi-check-circle-fill",
    indicators.AT_RISK: "bi-exclamation-triangle-fill",
    indicators.MISSED: "bi-x-circle-fill",
    indicators.NO_DATA: "bi-dash-circle",
}


@dataclass(frozen=True)
class Light:
    """A traffic light: green met, amber at risk, red missed — always with its word."""

    status: str

    @property
    def label(self) -> str:
        return str(indicators.STATUS_LABELS[self.status])

    @property
    def badge(self) -> str:
        return indicators.STATUS_BADGES[self.status]

    @property
    def icon(self) -> str:
        return LIGHT_ICONS[self.status]


def light_for(value: Decimal | None, target: Target | None) -> Light | None:
    """The light of a value against a plan's target, with the indicator's own margin; None
    when the plan sets no such target."""
    if target is None or target.indicator is None or target.value is None:
        return None
    indicator = target.indicator
    return Light(
        indicators.status_of(
            value,
            target.value,
            margin=indicator.at_risk_margin,
            higher_is_better=indicator.higher_is_better,
        )
    )


# --- which agency ---------------------------------------------------------------------------


def dashboard_agencies(user: User) -> list[Agency]:
    """The agencies (not the province nodes) whose dashboard the person may open, by name."""
    scope = get_scope(user)
    agencies = Agency.objects.filter(kind=AgencyKind.AGENCY)
    if not scope.is_admin:
        agencies = agencies.filter(pk__in=scope.readable_agency_ids)
    return sorted(agencies, key=lambda a: name_key(a.name))


def agency_for(user: User, agency_id: int | None, agencies: list[Agency]) -> Agency | None:
    """The agency asked for (404 when the person may not read it), else the person's own, else
    the first they may read."""
    if agency_id is not None:
        agency = access_agency(actor=user, agency_id=agency_id)
        if agency.kind != AgencyKind.AGENCY:
            raise Http404
        return agency
    own = own_agencies(user)
    if own:
        return own[0]
    return agencies[0] if agencies else None


# --- the agency's dashboard -----------------------------------------------------------------


@dataclass
class MonthRow:
    label: str  # 03/2026
    start: dt.date
    end: dt.date  # the month's last day, or today within the current month
    counts: dict[str, int] | None  # None: the month has not begun
    rates: dict[str, Decimal | None] = field(default_factory=dict)


@dataclass
class AgencyDashboard:
    agency: Agency
    year: int
    period: indicators.Period  # 1 January to today (or the whole year once over)
    plan: plans.Dashboard
    board: indicators.Board  # targets and year-to-date metrics
    months: list[MonthRow]
    feedback: FeedbackCounts
    satisfaction_index: Decimal | None
    forecast: forecasting.Forecast | None

    @property
    def targets(self) -> list[indicators.TargetRow]:
        return self.board.value_rows

    @property
    def losing(self) -> list[forecasting.ForecastLine]:
        return self.forecast.losing[:LOSING_LISTED] if self.forecast else []

    @property
    def forecast_areas(self) -> list:
        if self.forecast is None:
            return []
        return [area for area in self.forecast.totals.areas if not area.is_additive]


def monthly(agency: Agency, year: int, today: dt.date) -> list[MonthRow]:
    """The twelve months of the year, each measured as its own period (the current one up to
    today: what has not happened yet is not measured, ``indicators.selectors.up_to``)."""
    rows = []
    for month in range(1, 13):
        period = indicators.period_of(year=year, kind="month", month=month)
        row = MonthRow(label=period.label, start=period.start, end=period.end, counts=None)
        if period.start <= today:
            row.end = indicators.up_to(period, today).end
        rows.append(row)
    begun = [row for row in rows if row.start <= today]
    # One read for all the months (``compute_periods``: each equals ``compute`` of its month).
    measured = service_metrics.compute_periods(
        agency_ids=[agency.pk], periods=[(row.start, row.end) for row in begun]
    )
    for row, result in zip(begun, measured, strict=True):
        row.counts = dict(result.counts)
        row.rates = {key: result.rates[key] for key in MONTHLY_RATES}
    return rows


def agency_dashboard(*, user: User, agency: Agency, year: int, today: dt.date) -> AgencyDashboard:
    """Everything the agency's dashboard shows (404 for an agency the person may not read)."""
    if not get_scope(user).can_read_agency(agency.pk):
        raise Http404
    period = indicators.year_to_date(year, today)
    return AgencyDashboard(
        agency=agency,
        year=year,
        period=period,
        plan=plans.dashboard(user=user, agency_id=agency.pk, year=year, today=today),
        board=indicators.board(user=user, agency=agency, year=year, period=period),
        months=monthly(agency, year, today),
        feedback=feedback_counts(agency_ids=[agency.pk], start=period.start, end=period.end),
        satisfaction_index=satisfaction_index([agency.pk], period.start, period.end),
        forecast=forecasting.forecast(user=user, agency=agency, year=year, today=today),
    )


# --- the province's comparison table ---------------------------------------------------------

# Columns of the table that can be sorted (``ProvinceRow.value`` reads each of them).
SORT_KEYS = (
    "name",
    "progress",
    "overdue",
    "on_time_rate",
    "online_rate",
    "feedback_on_time_rate",
    "satisfaction_index",
    "self_percent",
    "appraised_percent",
    "forecast_percent",
)
# The rate of each column with a light, and how the plan's target for it is found: by the
# indicator's measured rate, or (satisfaction, measured by the surveys) by the indicator's code.
LIGHT_COLUMNS = {
    "on_time_rate": ("rate", "on_time_rate"),
    "online_rate": ("rate", "online_rate"),
    "feedback_on_time_rate": ("rate", "feedback_on_time_rate"),
    "satisfaction_index": ("code", SATISFACTION_INDICATOR),
}


@dataclass
class ProvinceRow:
    agency: Agency
    tasks: int
    done: int
    overdue: int
    progress: Decimal | None
    rates: dict[str, Decimal | None]  # the LIGHT_COLUMNS, year to date
    lights: dict[str, Light | None]
    index: IndexFigures

    def value(self, key: str) -> Any:
        if key == "name":
            return name_key(self.agency.name)
        if key in ("progress", "overdue"):
            return getattr(self, key)
        if key in self.rates:
            return self.rates[key]
        return getattr(self.index, key)

    @property
    def cells(self) -> list[tuple[str, Decimal | None, Light | None]]:
        """The rate columns in table order: (key, value, light)."""
        return [(key, self.rates[key], self.lights.get(key)) for key in LIGHT_COLUMNS]


@dataclass
class ProvinceDashboard:
    year: int
    period: indicators.Period
    rows: list[ProvinceRow]
    sort: str
    descending: bool


def province_agencies(user: User, year: int) -> list[Agency]:
    """The agencies of the province the person follows (every agency for the administrator),
    that existed during ``year`` (merged agencies keep their history)."""
    scope = get_scope(user)
    agencies = Agency.objects.filter(kind=AgencyKind.AGENCY).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=dt.date(year, 12, 31)),
        Q(valid_to__isnull=True) | Q(valid_to__gte=dt.date(year, 1, 1)),
    )
    if not scope.is_admin:
        agencies = agencies.filter(pk__in=scope.readable_agency_ids)
    return list(agencies)


def _targets(agency_ids: list[int], year: int) -> dict[int, dict[str, Target]]:
    """Per agency, the plan's value target behind each lit column (the first one set)."""
    found: dict[int, dict[str, Target]] = {pk: {} for pk in agency_ids}
    targets = (
        Target.objects.filter(
            plan__agency_id__in=agency_ids,
            plan__year=year,
            kind=TargetKind.VALUE,
            indicator__isnull=False,
            value__isnull=False,
        )
        .select_related("indicator", "plan")
        .order_by("id")
    )
    for target in targets:
        mine = found[target.plan.agency_id]
        for column, (by, key) in LIGHT_COLUMNS.items():
            matches = target.indicator.measured_rate if by == "rate" else target.indicator.code
            if matches == key:
                mine.setdefault(column, target)
    return found


def _sorted(rows: list[ProvinceRow], key: str, descending: bool) -> list[ProvinceRow]:
    """By the column, blanks last whichever the direction; then by name."""
    by_name = sorted(rows, key=lambda row: name_key(row.agency.name))
    known = [row for row in by_name if row.value(key) is not None]
    blank = [row for row in by_name if row.value(key) is None]
    return sorted(known, key=lambda row: row.value(key), reverse=descending) + blank


def province_dashboard(
    *, user: User, year: int, today: dt.date, sort: str = "name", descending: bool = False
) -> ProvinceDashboard:
    """One row per agency of the person's province; empty for anyone but appraisers and
    administrators (the views answer them 403)."""
    period = indicators.year_to_date(year, today)
    if sort not in SORT_KEYS:
        sort, descending = "name", False
    agencies = province_agencies(user, year) if can_see_province(user) else []
    ids = [a.pk for a in agencies]
    progress = {
        int(row.key): row
        for row in plans._grouped(
            Task.objects.filter(agency_id__in=ids, plan__year=year, parent__isnull=True),
            "agency_id",
            "agency__name",
            today,
        )
    }
    measured = service_metrics.compute_by_agency(agency_ids=ids, start=period.start, end=period.end)
    survey = grouped_tallies(answers_in(ids, period.start, period.end), "response__agency_id")
    index = index_by_agency(agency_ids=ids, year=year, today=today, metrics=measured, survey=survey)
    targets = _targets(ids, year)
    rows = []
    for agency in agencies:
        tasks = progress.get(agency.pk)
        metrics = measured.get(agency.pk)
        rates = {
            "on_time_rate": metrics.rates["on_time_rate"] if metrics else None,
            "online_rate": metrics.rates["online_rate"] if metrics else None,
            "feedback_on_time_rate": metrics.rates["feedback_on_time_rate"] if metrics else None,
            "satisfaction_index": index_of(survey.get(agency.pk, {})),
        }
        rows.append(
            ProvinceRow(
                agency=agency,
                tasks=tasks.tasks if tasks else 0,
                done=tasks.done if tasks else 0,
                overdue=tasks.overdue if tasks else 0,
                progress=tasks.progress if tasks else None,
                rates=rates,
                lights={
                    key: light_for(rates[key], targets[agency.pk].get(key)) for key in LIGHT_COLUMNS
                },
                index=index.get(agency.pk, IndexFigures()),
            )
        )
    return ProvinceDashboard(
        year=year,
        period=period,
        rows=_sorted(rows, sort, descending),
        sort=sort,
        descending=descending,
    )
