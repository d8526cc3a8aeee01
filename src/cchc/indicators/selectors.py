"""Reads of the indicators: a plan's targets beside the measured rates and the values reported
by hand, their status for a period, trends and the dossiers behind a rate.

Everything is scoped to what the acting user may see (``targets_visible_to``); the numbers come
from ``cchc.procedures.metrics`` (DESIGN.md §4.3).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.access import get_scope
from cchc.core.models import Agency, Role, User
from cchc.indicators.models import Indicator, ReportedValue, Target, TargetKind
from cchc.plans.models import Plan

MET = "met"
AT_RISK = "at_risk"
MISSED = "missed"
NO_DATA = "no_data"
STATUS_LABELS = {
    MET: gettext_lazy("Met"),
    AT_RISK: gettext_lazy("At risk"),
    MISSED: gettext_lazy("Missed"),
    NO_DATA: gettext_lazy("No data"),
}
STATUS_BADGES = {
    MET: "text-bg-success",
    AT_RISK: "text-bg-warning",
    MISSED: "text-bg-danger",
    NO_DATA: "text-bg-secondary",
}
ON_TIME_RATE = "on_time_rate"
POINT_ITEMS = {
    "publicity": gettext_lazy("Publicity and transparency"),
    "timeliness": gettext_lazy("Timeliness"),
    "online_service": gettext_lazy("Online public services"),
    "online_payment": gettext_lazy("Online payment"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "digitization": gettext_lazy("Digitisation"),
}
RATE_LABELS = {
    "on_time_rate": gettext_lazy("Dossiers handled on time"),
    "online_rate": gettext_lazy("Dossiers received online"),
    "digitization_rate": gettext_lazy("Dossiers digitised"),
    "online_payment_rate": gettext_lazy("Fees paid online"),
    "procedures_online_rate": gettext_lazy("Procedures offered online"),
    "time_reduction_coverage": gettext_lazy("Procedures with reduced time limits"),
    "handling_satisfaction_rate": gettext_lazy("Satisfaction with the handling"),
    "feedback_on_time_rate": gettext_lazy("Feedback answered on time"),
}


# --- status ----------------------------------------------------------------------------------


def status_of(
    value: Decimal | None,
    target: Decimal | None,
    *,
    margin: Decimal,
    higher_is_better: bool = True,
) -> str:
    """Met when the value reaches the target; at risk when it falls short by at most ``margin``;
    missed otherwise. For "lower is better" indicators the comparison is reversed."""
    if value is None or target is None:
        return NO_DATA
    if higher_is_better:
        if value >= target:
            return MET
        return AT_RISK if value >= target - margin else MISSED
    if value <= target:
        return MET
    return AT_RISK if value <= target + margin else MISSED


def _number(value: Decimal) -> str:
    from django.utils.formats import number_format

    whole = value.to_integral_value()
    return number_format(whole if value == whole else value.normalize())


def thresholds_text(indicator: Indicator | None, target: Decimal | None, unit: str = "") -> str:
    """The thresholds as people read them: "≥ 95 % met; 90–95 % at risk; < 90 % missed"."""
    if indicator is None or target is None:
        return ""
    unit = unit or indicator.unit
    margin = indicator.at_risk_margin
    if indicator.higher_is_better:
        return _(
            "≥ %(target)s %(unit)s met; %(low)s–%(target)s %(unit)s at risk; "
            "< %(low)s %(unit)s missed"
        ) % {
            "target": _number(target),
            "low": _number(target - margin),
            "unit": unit,
        }
    return _(
        "≤ %(target)s %(unit)s met; %(target)s–%(high)s %(unit)s at risk; "
        "> %(high)s %(unit)s missed"
    ) % {
        "target": _number(target),
        "high": _number(target + margin),
        "unit": unit,
    }


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # year, quarter, month, custom
    start: dt.date
    end: dt.date
    label: str


def period_of(
    *,
    year: int,
    kind: str = "year",
    quarter: int | None = None,
    month: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Period:
    """The period chosen on the page; anything incomplete falls back to the whole year."""
    if kind == "quarter" and quarter in (1, 2, 3, 4):
        first = dt.date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        last = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(kind, first, last, _("Quarter %(q)s/%(year)s") % {"q": quarter, "year": year})
    if kind == "month" and month is not None and 1 <= month <= 12:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        return Period(kind, dt.date(year, month, 1), last, f"{month:02d}/{year}")
    if kind == "custom" and start is not None and end is not None and start <= end:
        return Period(kind, start, end, f"{start:%d/%m/%Y} – {end:%d/%m/%Y}")
    return Period(
        "year", dt.date(year, 1, 1), dt.date(year, 12, 31), _("Year %(year)s") % {"year": year}
    )


def up_to(period: Period, today: dt.date) -> Period:
    """The period cut at today: what has not happened yet is not measured (an open dossier
    would otherwise be judged at a future end)."""
    if period.start <= today < period.end:
        return Period(period.kind, period.start, today, period.label)
    return period


def year_to_date(year: int, today: dt.date) -> Period:
    """From 1 January to today (or the whole year once it is over)."""
    end = min(dt.date(year, 12, 31), today)
    end = max(end, dt.date(year, 1, 1))
    return Period("year", dt.date(year, 1, 1), end, _("Year %(year)s to date") % {"year": year})


# --- scope -----------------------------------------------------------------------------------


def indicator_agencies(user: User) -> list[Agency]:
    """The agencies whose indicators the user may read (not the province nodes)."""
    scope = get_scope(user)
    qs = Agency.objects.filter(kind="agency").order_by("name")
    if not scope.is_admin:
        qs = qs.filter(pk__in=scope.readable_agency_ids)
    return list(qs)


def targets_visible_to(user: User) -> QuerySet[Target]:
    scope = get_scope(user)
    qs = Target.objects.select_related("indicator", "plan", "plan__agency")
    return qs if scope.is_admin else qs.filter(plan__agency_id__in=scope.readable_agency_ids)


def can_report(user: User, agency_id: int) -> bool:
    """Coordinators of the agency and system administrators report values by hand."""
    scope = get_scope(user)
    return scope.is_admin or scope.has_role(agency_id, Role.COORDINATOR)


def access_target(*, actor: User, target_id: int) -> Target:
    """The target, if the actor may read its plan's agency; 404 otherwise."""
    target = targets_visible_to(actor).filter(pk=target_id).first()
    if target is None:
        raise Http404
    return target


# --- the board -------------------------------------------------------------------------------


@dataclass
class TargetRow:
    target: Target
    indicator: Indicator | None
    value: Decimal | None  # measured or reported, for the period
    source: str  # "measured", "reported" or ""
    reported: ReportedValue | None
    status: str
    thresholds: str

    @property
    def is_rank(self) -> bool:
        return self.target.kind == TargetKind.RANK

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def rate(self) -> str:
        return self.indicator.measured_rate if self.indicator else ""

    @property
    def unit(self) -> str:
        return self.target.unit or (self.indicator.unit if self.indicator else "")

    @property
    def label(self) -> str:
        if self.indicator is not None:
            return self.indicator.name
        return self.target.ranking or self.target.text


@dataclass
class PointRow:
    item: str
    rate: str
    value: Decimal | None
    threshold: Decimal | None
    points: Decimal | None
    max_points: Decimal
    first: bool = True
    span: int = 1

    @property
    def item_label(self) -> str:
        return str(POINT_ITEMS.get(self.item, self.item))

    @property
    def rate_label(self) -> str:
        return str(RATE_LABELS.get(self.rate, self.rate))


@dataclass
class Board:
    agency: Agency | None
    plan: Plan | None
    period: Period
    rows: list[TargetRow] = field(default_factory=list)
    points: list[PointRow] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    rates: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def value_rows(self) -> list[TargetRow]:
        return [r for r in self.rows if not r.is_rank]

    @property
    def rank_rows(self) -> list[TargetRow]:
        return [r for r in self.rows if r.is_rank]

    points_total_value: Decimal | None = None
    points_max_value: Decimal | None = None


def measured(agency_id: int, start: dt.date, end: dt.date) -> Any:
    """The metrics of an agency for a period (``cchc.procedures.metrics.compute``)."""
    from cchc.procedures import metrics

    return metrics.compute(agency_ids=[agency_id], start=start, end=end)


def _latest_reported(targets: list[Target], period: Period) -> dict[int, ReportedValue]:
    """Per target, the latest value reported for a period ending within [start, end] — or, when
    none does, the latest one reported before the end."""
    found: dict[int, ReportedValue] = {}
    rows = ReportedValue.objects.filter(target__in=targets, period_start__lte=period.end).order_by(
        "target_id", "-period_end", "-reported_at"
    )
    fallback: dict[int, ReportedValue] = {}
    for row in rows:
        if row.period_end >= period.start and row.target_id not in found:
            found[row.target_id] = row
        fallback.setdefault(row.target_id, row)
    return {**fallback, **found}


def target_rows(
    targets: list[Target], rates: dict[str, Decimal | None], period: Period
) -> list[TargetRow]:
    reported = _latest_reported(targets, period)
    rows = []
    for target in targets:
        indicator = target.indicator
        rate = indicator.measured_rate if indicator is not None else ""
        value: Decimal | None = None
        source = ""
        report = reported.get(target.pk)
        if rate and target.kind == TargetKind.VALUE:
            value = rates.get(rate)
            source = "measured" if value is not None else ""
        if value is None and report is not None:
            value, source = report.value, "reported"
        if target.kind == TargetKind.VALUE and indicator is not None:
            status = status_of(
                value,
                target.value,
                margin=indicator.at_risk_margin,
                higher_is_better=indicator.higher_is_better,
            )
            thresholds = thresholds_text(indicator, target.value, target.unit)
        else:
            status, thresholds = NO_DATA, ""
        rows.append(
            TargetRow(
                target=target,
                indicator=indicator,
                value=value,
                source=source,
                reported=report,
                status=status,
                thresholds=thresholds,
            )
        )
    return rows


def point_rows(metrics: Any) -> list[PointRow]:
    """The service-quality points of the period, one row per rule (an item may have several,
    e.g. online service offered and used); the item's points are on its first row."""
    from cchc.procedures.metrics import point_rules

    rows = []
    seen: set[str] = set()
    for rule in point_rules(metrics.start, metrics.end):
        first = rule.item not in seen
        seen.add(rule.item)
        rows.append(
            PointRow(
                item=rule.item,
                rate=rule.rate,
                value=metrics.rates.get(rule.rate) if rule.rate else None,
                threshold=rule.threshold,
                points=metrics.points.get(rule.item) if first else None,
                max_points=rule.max_points,
                first=first,
            )
        )
    for row in rows:
        row.span = sum(1 for other in rows if other.item == row.item) if row.first else 0
    return rows


def plan_targets(plan: Plan | None) -> list[Target]:
    if plan is None:
        return []
    return list(plan.targets.select_related("indicator").order_by("kind", "id"))


def board(*, user: User, agency: Agency | None, year: int, period: Period) -> Board:
    """The indicators page: the year's plan's targets with their values for the period."""
    result = Board(agency=agency, plan=None, period=period)
    if agency is None or not get_scope(user).can_read_agency(agency.pk):
        return result
    result.plan = Plan.objects.filter(agency=agency, year=year).first()
    metrics = measured(agency.pk, period.start, period.end)
    result.rates = dict(metrics.rates)
    result.counts = dict(metrics.counts)
    result.points_total_value = metrics.points.get("total")
    result.points_max_value = metrics.points.get("max_total")
    result.points = point_rows(metrics)
    result.rows = target_rows(plan_targets(result.plan), result.rates, period)
    return result


def service_quality_summary(
    *, user: User, agency: Agency | None, year: int, today: dt.date
) -> Board | None:
    """The dashboard's card row: the year-to-date values of the rate-backed targets."""
    if agency is None or not get_scope(user).can_read_agency(agency.pk):
        return None
    plan = Plan.objects.filter(agency=agency, year=year).first()
    targets = [
        t
        for t in plan_targets(plan)
        if t.kind == TargetKind.VALUE and t.indicator is not None and t.indicator.measured_rate
    ]
    if not targets:
        return None
    period = year_to_date(year, today)
    metrics = measured(agency.pk, period.start, period.end)
    return Board(
        agency=agency,
        plan=plan,
        period=period,
        rows=target_rows(targets, dict(metrics.rates), period),
        rates=dict(metrics.rates),
    )


# --- a target's page -------------------------------------------------------------------------


@dataclass
class Trend:
    labels: list[str]
    values: list[float | None]
    target: float | None
    rows: list[tuple[str, Decimal | None, str]]  # month, value, status

    def as_chart(self, label: str, target_label: str, unit: str) -> dict[str, Any]:
        return {
            "type": "line",
            "label": label,
            "labels": self.labels,
            "values": self.values,
            "target": self.target,
            "target_label": target_label,
            "unit": unit,
        }


def trend(*, target: Target, year: int, today: dt.date) -> Trend:
    """The twelve months of the year of a rate-backed target (empty for the others); months
    that have not begun have no value."""
    from cchc.procedures import metrics

    indicator = target.indicator
    labels = [f"{m:02d}/{year}" for m in range(1, 13)]
    if indicator is None or not indicator.measured_rate or target.kind != TargetKind.VALUE:
        return Trend(labels=labels, values=[None] * 12, target=None, rows=[])
    series = metrics.monthly_series(target.plan.agency_id, year, indicator.measured_rate)
    values = [
        None if v is None or dt.date(year, month, 1) > today else v
        for month, v in enumerate(series, 1)
    ]
    rows = [
        (
            label,
            value,
            status_of(
                value,
                target.value,
                margin=indicator.at_risk_margin,
                higher_is_better=indicator.higher_is_better,
            ),
        )
        for label, value in zip(labels, values, strict=True)
    ]
    return Trend(
        labels=labels,
        values=[None if v is None else float(v) for v in values],
        target=None if target.value is None else float(target.value),
        rows=rows,
    )


@dataclass
class LateRow:
    code: str
    dossier_id: int
    procedure: str
    unit: str
    received_at: dt.datetime
    due_at: dt.datetime
    finished_at: dt.datetime | None  # None: still open at the end of the period
    days_late: int
    apology: bool  # a letter was issued
    apology_in_time: bool  # … at least one day before the deadline


def late_dossiers(*, target: Target, period: Period) -> list[LateRow]:
    """The dossiers that make an on-time rate fall short, for the drill-down and its export
    (``cchc.procedures.metrics.late_dossiers``: most days late first)."""
    from cchc.procedures import metrics

    if target.indicator is None or target.indicator.measured_rate != ON_TIME_RATE:
        return []
    rows = []
    for late in metrics.late_dossiers(target.plan.agency_id, period.start, period.end):
        dossier = late.dossier
        rows.append(
            LateRow(
                code=dossier.code,
                dossier_id=dossier.pk,
                procedure=f"{dossier.procedure.code} {dossier.procedure.name}",
                unit=dossier.unit.name if dossier.unit else "",
                received_at=dossier.received_at,
                due_at=dossier.due_at,
                finished_at=late.effective_end if late.finished else None,
                days_late=late.days_late,
                apology=bool(dossier.apologies.all()),
                apology_in_time=late.apology_in_time,
            )
        )
    return rows


def reported_values(target: Target) -> QuerySet[ReportedValue]:
    return target.reported_values.select_related("reported_by").order_by(
        "-period_end", "-reported_at"
    )
