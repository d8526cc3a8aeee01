"""The projected reform index of an agency while the year runs, and where it is losing points.

How each leaf criterion is projected (the rules are shown on the page too):

* **automatic and survey criteria** are measured now, exactly as at year end but over the year
  so far (1 January to today; ``arithmetic.measure``), and scored through their threshold table;
* **manual criteria** follow the plan: a manual leaf is projected at
  ``maximum × (tasks done ÷ tasks due so far)``, counting the agency's plan tasks of the same
  year in the matching area — the plan's area II.*n* for the framework's *n*-th area (areas in
  their order) — that are due by today, not cancelled, and not split into occurrences (a
  recurring task counts through its occurrences). Without any task due yet in that area there
  is no basis: the leaf is left unprojected (it counts 0 in the total and is listed apart);
* **bonus and penalty** criteria are not forecast: they count 0.

The total, index % and band follow the framework's arithmetic (``arithmetic.score_tree``).
Points being lost = the leaf's maximum − its projected points, largest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from cchc.core.access import get_scope
from cchc.core.models import Agency, User
from cchc.plans.models import Task, TaskStatus
from cchc.scoring.arithmetic import (
    ADDITIVE,
    MEASURED,
    ZERO,
    Totals,
    band_for,
    leaf_limit,
    measure,
    round2,
    score_tree,
)
from cchc.scoring.frameworks import framework_for
from cchc.scoring.models import Assessment, Criterion, Framework, RankingBand
from cchc.scoring.ranking import default_level_for

# What a projection rests on (``ForecastLine.basis``).
BASIS_MEASURED = "measured"
BASIS_TASKS = "tasks"
BASIS_NO_TASKS = "no_tasks"
BASIS_NO_DATA = "no_data"
BASIS_NOT_FORECAST = "not_forecast"


@dataclass
class AreaTasks:
    """Plan tasks of one area due so far, and how many of them are done."""

    number: int
    due: int = 0
    done: int = 0

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.done, self.due) if self.due else None

    @property
    def percent(self) -> Decimal | None:
        share = self.share
        return None if share is None else round2(share * 100)


@dataclass
class ForecastLine:
    criterion_id: int
    code: str
    title: str
    method: str
    method_label: str
    area_code: str
    max_points: Decimal
    projected: Decimal | None
    basis: str
    measured_value: Decimal | None = None
    source: str = ""
    tasks: AreaTasks | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def lost(self) -> Decimal | None:
        if self.projected is None or self.method in ADDITIVE:
            return None
        return max(ZERO, self.max_points - self.projected)


@dataclass
class Forecast:
    agency: Agency
    year: int
    framework: Framework
    as_of: dt.date
    totals: Totals
    band: RankingBand | None
    lines: list[ForecastLine]
    area_tasks: dict[int, AreaTasks]

    @property
    def losing(self) -> list[ForecastLine]:
        """Leaves projected below their maximum, the most points lost first (then by code)."""
        lines = [line for line in self.lines if line.lost]
        return sorted(lines, key=lambda line: (-(line.lost or ZERO), line.code))

    @property
    def has_basis(self) -> bool:
        """Whether any criterion (bonus and penalty aside) could be projected at all."""
        return any(
            line.projected is not None and line.method not in ADDITIVE for line in self.lines
        )

    @property
    def unprojected(self) -> list[ForecastLine]:
        return [line for line in self.lines if line.projected is None]

    @property
    def lost_total(self) -> Decimal:
        return sum((line.lost or ZERO for line in self.lines), ZERO)


def forecast_framework(agency: Agency, year: int, level: str | None = None) -> Framework | None:
    """The framework the agency will be scored on: its assessment's, when one is open for the
    year; else the year's framework in use for its level (``frameworks.framework_for``)."""
    opened = Assessment.objects.filter(agency=agency, framework__year=year).select_related(
        "framework"
    )
    if level:
        opened = opened.filter(framework__level=level)
    assessment = opened.first()
    if assessment is not None:
        return assessment.framework
    return framework_for(year, level or default_level_for(agency, year))


def as_of_date(year: int, today: dt.date) -> dt.date:
    """Today while the year runs; its last day once it is over; its first day before it."""
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def area_tasks(agency: Agency, year: int, as_of: dt.date) -> dict[int, AreaTasks]:
    """Per plan area number: the tasks due by ``as_of`` (not cancelled, no occurrences of their
    own) and how many are done."""
    rows = (
        Task.objects.filter(
            plan__agency=agency,
            plan__year=year,
            children__isnull=True,
            due_date__isnull=False,
            due_date__lte=as_of,
        )
        .exclude(status=TaskStatus.CANCELLED)
        .values("area__number")
        .annotate(due=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)))
        .order_by("area__number")
    )
    return {
        r["area__number"]: AreaTasks(number=r["area__number"], due=r["due"], done=r["done"])
        for r in rows
    }


def _area_numbers(criteria: list[Criterion]) -> dict[int, int]:
    """Each criterion id → the number of the framework area it belongs to (1-based order)."""
    ordered = sorted(criteria, key=lambda c: (c.position, c.pk))
    by_id = {c.pk: c for c in ordered}
    roots = [c for c in ordered if c.parent_id is None or c.parent_id not in by_id]
    number_of_root = {c.pk: n for n, c in enumerate(roots, 1)}
    found: dict[int, int] = {}
    for criterion in ordered:
        node, seen = criterion, set()
        while node.parent_id in by_id and node.pk not in seen:
            seen.add(node.pk)
            node = by_id[node.parent_id]
        found[criterion.pk] = number_of_root.get(node.pk, 0)
    return found


def _project(
    criterion: Criterion,
    *,
    agency: Agency,
    year: int,
    as_of: dt.date,
    tasks: dict[int, AreaTasks],
    area_number: int,
) -> tuple[Decimal | None, str, dict[str, Any]]:
    if criterion.method in ADDITIVE:
        return ZERO, BASIS_NOT_FORECAST, {}
    if criterion.method in MEASURED:
        value, points, detail = measure(criterion, agency=agency, year=year, today=as_of)
        detail["measured_value"] = value
        if value is None:
            return None, BASIS_NO_DATA, detail
        return points, BASIS_MEASURED, detail
    area = tasks.get(area_number)
    if area is None or area.share is None:
        return None, BASIS_NO_TASKS, {}
    projected = round2(Fraction(leaf_limit(criterion)) * area.share)
    return projected, BASIS_TASKS, {}


def forecast(
    *,
    user: User,
    agency: Agency,
    year: int,
    level: str | None = None,
    today: dt.date | None = None,
) -> Forecast | None:
    """The agency's projected index for ``year``; None when no framework exists for it."""
    if not get_scope(user).can_read_agency(agency.pk):
        raise Http404
    framework = forecast_framework(agency, year, level)
    if framework is None:
        return None
    as_of = as_of_date(year, today or timezone.localdate())
    criteria = list(framework.criteria.prefetch_related("bands"))
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    numbers = _area_numbers(criteria)
    codes_by_number: dict[int, str] = {}
    for c in criteria:
        if c.parent_id is None:
            codes_by_number.setdefault(numbers[c.pk], c.code)
    tasks = area_tasks(agency, year, as_of)
    lines: dict[int, ForecastLine] = {}
    for criterion in criteria:
        if criterion.pk in parents:
            continue
        number = numbers[criterion.pk]
        projected, basis, detail = _project(
            criterion, agency=agency, year=year, as_of=as_of, tasks=tasks, area_number=number
        )
        lines[criterion.pk] = ForecastLine(
            criterion_id=criterion.pk,
            code=criterion.code,
            title=criterion.title,
            method=criterion.method,
            method_label=str(criterion.get_method_display()),
            area_code=codes_by_number.get(number, ""),
            max_points=leaf_limit(criterion),
            projected=projected,
            basis=basis,
            measured_value=detail.pop("measured_value", None),
            source=criterion.source,
            tasks=tasks.get(number) if basis in (BASIS_TASKS, BASIS_NO_TASKS) else None,
            detail=detail,
        )
    totals = score_tree(criteria, {pk: line.projected for pk, line in lines.items()})
    ordered = [lines[node.criterion_id] for node in totals.walk() if node.criterion_id in lines]
    result = Forecast(
        agency=agency,
        year=year,
        framework=framework,
        as_of=as_of,
        totals=totals,
        band=None,
        lines=ordered,
        area_tasks=tasks,
    )
    if result.has_basis:
        result.band = band_for(totals.percent, on=as_of)
    return result
