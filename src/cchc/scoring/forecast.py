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

The total, index % and band follow the framework's arithmetic (``arithmetic.score_tree``);
the band is that of the bands in force on the day of the projection, and only once something
could be projected (``Forecast.has_basis``).
Points being lost = the leaf's maximum − its projected points, largest first.

``forecast`` projects one agency for its own page, measuring each automatic and survey criterion
as the assessment does (``arithmetic.measure``). ``forecast_many`` projects many agencies at once
for the province's comparison table, in a number of queries that does not grow with the
agencies: the same figures read grouped by agency. Both go through the same steps below
(``_project`` for a leaf, ``_projected`` for the tree), so the rules above live once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, F, Prefetch, Q, Sum
from django.http import Http404
from django.utils import timezone

from cchc.core.access import get_scope
from cchc.core.models import Agency, User
from cchc.plans.models import Task, TaskStatus
from cchc.procedures.metrics import Metrics, compute_by_agency
from cchc.scoring.arithmetic import (
    ADDITIVE,
    MEASURED,
    PLAN_PROGRESS,
    SURVEY_OVERALL,
    ZERO,
    Totals,
    band_points,
    clamp_leaf,
    leaf_limit,
    measure,
    measure_period,
    rate_keys,
    round2,
    score_tree,
)
from cchc.scoring.frameworks import framework_for
from cchc.scoring.models import (
    Assessment,
    Criterion,
    Framework,
    Level,
    RankingBand,
    ThresholdBand,
)
from cchc.scoring.ranking import bands_on, pick_band
from cchc.surveys.selectors import Tally, answers_in, grouped_tallies, index_of

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


# What measuring a criterion gives: (the measured value, the points it earns, the data behind it).
Measurement = tuple[Decimal | None, Decimal | None, dict[str, Any]]


# --- what the projection rests on ----------------------------------------------------------------


def forecast_frameworks(
    agency_ids: Iterable[int], year: int, level: str | None = None
) -> dict[int, Framework | None]:
    """Per agency, the framework it will be scored on: its assessment's, when one is open for
    the year (of ``level`` when given; the highest version, then the latest, when there are
    several); else the year's framework in use (``frameworks.framework_for``) for ``level``, or
    without it for the level of the agency's latest assessment (department when it has none,
    as ``ranking.default_level_for``)."""
    ids = sorted(set(agency_ids))
    assessments = (
        Assessment.objects.filter(agency_id__in=ids, framework__year__lte=year)
        .select_related("framework")
        .order_by("agency_id", "-framework__year", "-framework__version", "-pk")
    )
    if level:
        assessments = assessments.filter(framework__year=year, framework__level=level)
    of_year: dict[int, Framework] = {}
    level_of: dict[int, str] = {}
    for assessment in assessments:
        level_of.setdefault(assessment.agency_id, assessment.framework.level)
        if assessment.framework.year == year:
            of_year.setdefault(assessment.agency_id, assessment.framework)
    in_use: dict[str, Framework | None] = {}
    chosen: dict[int, Framework | None] = {}
    for pk in ids:
        if pk in of_year:
            chosen[pk] = of_year[pk]
            continue
        wanted = level or level_of.get(pk, Level.DEPARTMENT)
        if wanted not in in_use:
            in_use[wanted] = framework_for(year, wanted)
        chosen[pk] = in_use[wanted]
    return chosen


def forecast_framework(agency: Agency, year: int, level: str | None = None) -> Framework | None:
    """The framework the agency will be scored on (``forecast_frameworks``)."""
    return forecast_frameworks([agency.pk], year, level)[agency.pk]


def as_of_date(year: int, today: dt.date) -> dt.date:
    """Today while the year runs; its last day once it is over; its first day before it."""
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def area_tasks_by_agency(
    agency_ids: Iterable[int], year: int, as_of: dt.date
) -> dict[int, dict[int, AreaTasks]]:
    """Per agency and plan area number: the tasks due by ``as_of`` (not cancelled, no
    occurrences of their own) and how many are done. An agency without such tasks is absent."""
    rows = (
        Task.objects.filter(
            plan__agency_id__in=list(agency_ids),
            plan__year=year,
            children__isnull=True,
            due_date__isnull=False,
            due_date__lte=as_of,
        )
        .exclude(status=TaskStatus.CANCELLED)
        .values("plan__agency_id", "area__number")
        .annotate(due=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)))
        .order_by("plan__agency_id", "area__number")
    )
    found: dict[int, dict[int, AreaTasks]] = defaultdict(dict)
    for row in rows:
        number = row["area__number"]
        found[row["plan__agency_id"]][number] = AreaTasks(
            number=number, due=row["due"], done=row["done"]
        )
    return dict(found)


def area_tasks(agency: Agency, year: int, as_of: dt.date) -> dict[int, AreaTasks]:
    """``area_tasks_by_agency`` for one agency."""
    return area_tasks_by_agency([agency.pk], year, as_of).get(agency.pk, {})


def _criteria_by_framework(framework_ids: Iterable[int]) -> dict[int, list[Criterion]]:
    """The criteria of each framework, their threshold bands prefetched (two queries)."""
    found: dict[int, list[Criterion]] = defaultdict(list)
    rows = Criterion.objects.filter(framework_id__in=list(framework_ids)).prefetch_related(
        Prefetch("bands", queryset=ThresholdBand.objects.order_by("-min_rate"))
    )
    for criterion in rows:
        found[criterion.framework_id].append(criterion)
    return found


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


# --- the projection: the rules of the module docstring, for one agency or many ------------------


def _project(
    criterion: Criterion,
    *,
    measured: Callable[[Criterion], Measurement],
    tasks: dict[int, AreaTasks],
    area_number: int,
) -> tuple[Decimal | None, str, Decimal | None, dict[str, Any]]:
    """(projected points, basis, measured value, the data behind it) of one leaf."""
    if criterion.method in ADDITIVE:
        return ZERO, BASIS_NOT_FORECAST, None, {}
    if criterion.method in MEASURED:
        value, points, detail = measured(criterion)
        if value is None:
            return None, BASIS_NO_DATA, None, detail
        return points, BASIS_MEASURED, value, detail
    area = tasks.get(area_number)
    if area is None or area.share is None:
        return None, BASIS_NO_TASKS, None, {}
    projected = round2(Fraction(leaf_limit(criterion)) * area.share)
    return projected, BASIS_TASKS, None, {}


def _projected(
    *,
    agency: Agency,
    year: int,
    framework: Framework,
    criteria: list[Criterion],
    as_of: dt.date,
    tasks: dict[int, AreaTasks],
    measured: Callable[[Criterion], Measurement],
    bands: Callable[[], Sequence[RankingBand]],
) -> Forecast:
    """The agency's forecast from its framework's criteria, its plan's area tasks and a way to
    measure its automatic and survey criteria; ``bands`` gives the ranking bands in force on
    ``as_of``, highest first (read only when something could be projected)."""
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    numbers = _area_numbers(criteria)
    codes_by_number: dict[int, str] = {}
    for c in criteria:
        if c.parent_id is None:
            codes_by_number.setdefault(numbers[c.pk], c.code)
    lines: dict[int, ForecastLine] = {}
    for criterion in criteria:
        if criterion.pk in parents:
            continue
        number = numbers[criterion.pk]
        projected, basis, value, detail = _project(
            criterion, measured=measured, tasks=tasks, area_number=number
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
            measured_value=value,
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
        result.band = pick_band(totals.percent, bands())
    return result


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
    return _projected(
        agency=agency,
        year=year,
        framework=framework,
        criteria=_criteria_by_framework([framework.pk]).get(framework.pk, []),
        as_of=as_of,
        tasks=area_tasks(agency, year, as_of),
        measured=lambda criterion: measure(criterion, agency=agency, year=year, today=as_of),
        bands=lambda: bands_on(as_of),
    )


# --- many agencies at once -----------------------------------------------------------------------


@dataclass(frozen=True)
class YearSoFar:
    """What the automatic and survey criteria of one agency read over the year so far, read for
    many agencies together; ``value`` picks a criterion's figure as ``arithmetic.measure``
    does."""

    metrics: Metrics | None = None
    plan_progress: Decimal | None = None
    survey: Mapping[str, Tally] = field(default_factory=dict)

    def value(self, criterion: Criterion) -> Decimal | None:
        source = criterion.source
        if criterion.method == "auto" and source in rate_keys():
            return self.metrics.rates.get(source) if self.metrics is not None else None
        if criterion.method == "auto" and source == PLAN_PROGRESS:
            return self.plan_progress
        if criterion.method == "survey" and source:
            if source == SURVEY_OVERALL:
                return index_of(dict(self.survey))
            tally = self.survey.get(source)
            return tally.rate if tally is not None else None
        return None

    def measure(self, criterion: Criterion) -> Measurement:
        """(value, points through the criterion's threshold bands, no detail)."""
        value = self.value(criterion)
        floors = [(band.min_rate, band.points) for band in criterion.bands.all()]
        return value, clamp_leaf(criterion, band_points(value, floors)), {}


def plan_progress_by_agency(agency_ids: Iterable[int], year: int) -> dict[int, Decimal | None]:
    """The automatic measure ``plan_progress`` per agency (``arithmetic._plan_progress``): the
    weighted progress of the top-level tasks of its plan of ``year``, to 2 decimals."""
    rows = (
        Task.objects.filter(
            plan__agency_id__in=list(agency_ids), plan__year=year, parent__isnull=True
        )
        .values("plan__agency_id")
        .annotate(w=Sum("weight"), wp=Sum(F("weight") * F("progress")))
        .order_by()
    )
    return {
        row["plan__agency_id"]: round2(Fraction(Decimal(row["wp"])) / Fraction(Decimal(row["w"])))
        if row["w"]
        else None
        for row in rows
    }


def forecast_many(
    *,
    agencies: Iterable[Agency],
    year: int,
    today: dt.date,
    level: str | None = None,
    metrics: Mapping[int, Metrics] | None = None,
    survey: Mapping[int, Mapping[str, Tally]] | None = None,
) -> dict[int, Forecast | None]:
    """Per agency id, what ``forecast`` gives for the agency (None without a framework), in a
    number of queries that does not grow with the agencies. The lines carry no ``detail``.

    Not scoped: the callers pass the agencies the reader may see. ``metrics``
    (``procedures.metrics.compute_by_agency``) and ``survey`` (``surveys.selectors.
    grouped_tallies`` by ``response__agency_id``) may be given when the caller has read them
    already; they must cover ``arithmetic.measure_period(year, as_of_date(year, today))``."""
    by_id = {agency.pk: agency for agency in agencies}
    if not by_id:
        return {}
    ids = sorted(by_id)
    frameworks = forecast_frameworks(ids, year, level)
    found: dict[int, Forecast | None] = dict.fromkeys(ids)
    chosen = {pk: framework for pk, framework in frameworks.items() if framework is not None}
    if not chosen:
        return found
    projected = sorted(chosen)
    as_of = as_of_date(year, today)
    start, end = measure_period(year, as_of)
    if metrics is None:
        metrics = compute_by_agency(agency_ids=projected, start=start, end=end)
    if survey is None:
        survey = grouped_tallies(answers_in(projected, start, end), "response__agency_id")
    criteria = _criteria_by_framework({framework.pk for framework in chosen.values()})
    tasks = area_tasks_by_agency(projected, year, as_of)
    progress = plan_progress_by_agency(projected, year)
    in_force = bands_on(as_of)
    for pk, framework in chosen.items():
        figures = YearSoFar(
            metrics=metrics.get(pk), plan_progress=progress.get(pk), survey=survey.get(pk, {})
        )
        found[pk] = _projected(
            agency=by_id[pk],
            year=year,
            framework=framework,
            criteria=criteria.get(framework.pk, []),
            as_of=as_of,
            tasks=tasks.get(pk, {}),
            measured=figures.measure,
            bands=lambda: in_force,
        )
    return found
