"""Report periods: ``parse_period("2026-H1")`` → the data window and due date of the period
rules in force (``ReportPeriodRule``, Công văn 581/BNV-CCHC), or an ad-hoc window
``2026-03-01..2026-05-31``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext as _

from cchc.reports.models import PeriodKind, ReportPeriodRule

ADHOC = "adhoc"
# The Vietnamese wording of each kind in the report's title ("… quý I năm 2026").
LABELS_VI = {
    PeriodKind.Q1: "quý I năm {year}",
    PeriodKind.H1: "6 tháng đầu năm {year}",
    PeriodKind.Q3: "quý III năm {year}",
    PeriodKind.YEAR: "năm {year}",
}
_SUFFIX = {"": PeriodKind.YEAR, "Q1": PeriodKind.Q1, "H1": PeriodKind.H1, "Q3": PeriodKind.Q3}
_NAMED = re.compile(r"^(?P<year>\d{4})(?:-(?P<suffix>Q1|H1|Q3))?$", re.IGNORECASE)
_RANGE = re.compile(r"^(?P<start>\d{4}-\d{2}-\d{2})\.\.(?P<end>\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str  # a PeriodKind value or "adhoc"
    year: int
    start: dt.date
    end: dt.date
    due: dt.date | None  # None for an ad-hoc period
    label_vi: str

    @property
    def code(self) -> str:
        if self.kind == ADHOC:
            return f"{self.start.isoformat()}..{self.end.isoformat()}"
        if self.kind == PeriodKind.YEAR:
            return str(self.year)
        return f"{self.year}-{self.kind.upper()}"

    def previous(self) -> Period:
        """The same kind of period a year earlier (an ad-hoc one: the window just before, of
        the same length)."""
        if self.kind == ADHOC:
            days = (self.end - self.start).days + 1
            end = self.start - dt.timedelta(days=1)
            return adhoc(end - dt.timedelta(days=days - 1), end)
        return period_of(self.kind, self.year - 1)


def rule_for(kind: str, on: dt.date) -> ReportPeriodRule:
    rule = (
        ReportPeriodRule.objects.filter(kind=kind)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by(F("valid_from").desc(nulls_last=True), "-id")
        .first()
    )
    if rule is None:
        raise ValueError(
            _("No report period rule of kind %(kind)s is in force in %(year)s.")
            % {"kind": kind, "year": on.year}
        )
    return rule


def period_of(kind: str, year: int) -> Period:
    rule = rule_for(kind, dt.date(year, 12, 31) if kind == PeriodKind.YEAR else dt.date(year, 1, 1))
    start = dt.date(year + rule.start_year_offset, rule.start_month, rule.start_day)
    end = dt.date(year, rule.end_month, rule.end_day)
    due = dt.date(year, rule.end_month, rule.due_day)
    return Period(
        kind=kind,
        year=year,
        start=start,
        end=end,
        due=due,
        label_vi=LABELS_VI[PeriodKind(kind)].format(year=year),
    )


def adhoc(start: dt.date, end: dt.date) -> Period:
    if start > end:
        raise ValueError(_("The start of the period is after its end."))
    return Period(
        kind=ADHOC,
        year=end.year,
        start=start,
        end=end,
        due=None,
        label_vi=f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
    )


def parse_period(text: str) -> Period:
    """``2026`` (year), ``2026-Q1``, ``2026-H1``, ``2026-Q3`` or ``2026-03-01..2026-05-31``."""
    value = (text or "").strip()
    named = _NAMED.match(value)
    if named:
        year = int(named["year"])
        if not 2000 <= year <= 2100:
            raise ValueError(_("The year %(year)s is out of range.") % {"year": year})
        return period_of(_SUFFIX[(named["suffix"] or "").upper()], year)
    ranged = _RANGE.match(value)
    if ranged:
        try:
            start = dt.date.fromisoformat(ranged["start"])
            end = dt.date.fromisoformat(ranged["end"])
        except ValueError as exc:
            raise ValueError(
                _("“%(value)s” contains a date that does not exist.") % {"value": value}
            ) from exc
        return adhoc(start, end)
    raise ValueError(
        _(
            "“%(value)s” is not a report period; write 2026 (year), 2026-Q1, 2026-H1, 2026-Q3 "
            "or 2026-03-01..2026-05-31."
        )
        % {"value": value}
    )
