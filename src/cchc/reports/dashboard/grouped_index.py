"""The reform index of many agencies at once for the province's comparison table: the stored
totals of each agency's assessment of the year (self-assessed, appraised, final) and the
projected index of ``cchc.scoring.forecast``, in a fixed number of queries whatever the number
of agencies.

The projection applies the rules of ``cchc.scoring.forecast`` (its module docstring) to figures
read for all agencies together: the service metrics of ``grouped_metrics``, the survey tallies
grouped by agency, the plan's tasks grouped by agency and area. ``forecast.forecast`` remains the
reference for one agency; the tests hold both equal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, F, Prefetch, Q, Sum

from cchc.plans.models import Task, TaskStatus
from cchc.procedures.metrics import RATE_KEYS, Metrics
from cchc.scoring.arithmetic import (
    ADDITIVE,
    MEASURED,
    PLAN_PROGRESS,
    SURVEY_OVERALL,
    ZERO,
    band_points,
    clamp_leaf,
    leaf_limit,
    percent_of,
    round2,
    score_tree,
)
from cchc.scoring.forecast import AreaTasks, _area_numbers, as_of_date
from cchc.scoring.frameworks import framework_for
from cchc.scoring.models import (
    Assessment,
    AssessmentStatus,
    Criterion,
    Framework,
    Level,
    RankingBand,
    ThresholdBand,
)
from cchc.scoring.ranking import bands_on, pick_band
from cchc.surveys.selectors import Tally, index_of


@dataclass
class IndexFigures:
    """One agency's reform index figures of the year (percentages of the framework maximum)."""

    status: str = ""  # the assessment's status, "" without an assessment
    status_label: str = ""
    self_percent: Decimal | None = None
    appraised_percent: Decimal | None = None  # the final index once final
    final: bool = False
    band_code: str = ""  # final band, else the appraised one (provisional)
    forecast_percent: Decimal | None = None
    forecast_band: str = ""


def _criteria(framework_ids: Iterable[int]) -> dict[int, list[Criterion]]:
    found: dict[int, list[Criterion]] = defaultdict(list)
    rows = Criterion.objects.filter(framework_id__in=list(framework_ids)).prefetch_related(
        Prefetch("bands", queryset=ThresholdBand.objects.order_by("-min_rate"))
    )
    for criterion in rows:
        found[criterion.framework_id].append(criterion)
    return found


def _frameworks(
    agency_ids: list[int], year: int
) -> tuple[dict[int, Assessment], dict[int, Framework | None]]:
    """Per agency: its assessment of the year (if any), and the framework its forecast uses —
    the assessment's, else the year's framework of the level of its latest assessment
    (department by default), as ``forecast.forecast_framework`` chooses it."""
    assessments = (
        Assessment.objects.filter(agency_id__in=agency_ids, framework__year__lte=year)
        .select_related("framework")
        .order_by("agency_id", "-framework__year", "-framework__version", "-pk")
    )
    of_year: dict[int, Assessment] = {}
    level_of: dict[int, str] = {}
    for assessment in assessments:
        level_of.setdefault(assessment.agency_id, assessment.framework.level)
        if assessment.framework.year == year:
            of_year.setdefault(assessment.agency_id, assessment)
    by_level: dict[str, Framework | None] = {}
    chosen: dict[int, Framework | None] = {}
    for pk in agency_ids:
        if pk in of_year:
            chosen[pk] = of_year[pk].framework
            continue
        level = level_of.get(pk, Level.DEPARTMENT)
        if level not in by_level:
            by_level[level] = framework_for(year, level)
        chosen[pk] = by_level[level]
    return of_year, chosen


def _area_tasks(agency_ids: list[int], year: int, as_of: dt.date) -> dict[int, dict]:
    """``forecast.area_tasks`` for every agency: per agency and plan area, the tasks due by
    ``as_of`` (not cancelled, no occurrences of their own) and how many are done."""
    rows = (
        Task.objects.filter(
            plan__agency_id__in=agency_ids,
            plan__year=year,
            children__isnull=True,
            due_date__isnull=False,
            due_date__lte=as_of,
        )
        .exclude(status=TaskStatus.CANCELLED)
        .values("plan__agency_id", "area__number")
        .annotate(due=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)))
        .order_by()
    )
    found: dict[int, dict[int, AreaTasks]] = defaultdict(dict)
    for row in rows:
        number = row["area__number"]
        found[row["plan__agency_id"]][number] = AreaTasks(
            number=number, due=row["due"], done=row["done"]
        )
    return found


def _plan_progress(agency_ids: list[int], year: int) -> dict[int, Decimal | None]:
    """The automatic measure ``plan_progress`` (``arithmetic._plan_progress``) per agency: the
    weighted progress of the plan's top-level tasks, to 2 decimals."""
    rows = (
        Task.objects.filter(plan__agency_id__in=agency_ids, plan__year=year, parent__isnull=True)
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


def _measured(
    criterion: Criterion,
    metrics: Metrics | None,
    progress: Decimal | None,
    survey: dict[str, Tally],
) -> Decimal | None:
    """The value ``arithmetic.measure`` would read for an automatic or survey criterion."""
    source = criterion.source
    if criterion.method == "auto" and source in RATE_KEYS:
        return metrics.rates.get(source) if metrics is not None else None
    if criterion.method == "auto" and source == PLAN_PROGRESS:
        return progress
    if criterion.method == "survey" and source:
        if source == SURVEY_OVERALL:
            return index_of(survey)
        tally = survey.get(source)
        return tally.rate if tally is not None else None
    return None


def _projection(
    criteria: list[Criterion],
    *,
    tasks: dict[int, AreaTasks],
    metrics: Metrics | None,
    progress: Decimal | None,
    survey: dict[str, Tally],
    bands: list[RankingBand],
) -> tuple[Decimal | None, str]:
    """(index %, band code) projected as ``forecast.forecast`` projects them; (None, "") when
    no criterion could be projected (``Forecast.has_basis``)."""
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    numbers = _area_numbers(criteria)
    scores: dict[int, Decimal | None] = {}
    has_basis = False
    for criterion in criteria:
        if criterion.pk in parents:
            continue
        projected: Decimal | None
        if criterion.method in ADDITIVE:
            projected = ZERO
        elif criterion.method in MEASURED:
            value = _measured(criterion, metrics, progress, survey)
            floors = [(b.min_rate, b.points) for b in criterion.bands.all()]
            projected = None if value is None else clamp_leaf(criterion, band_points(value, floors))
        else:
            area = tasks.get(numbers[criterion.pk])
            share = area.share if area is not None else None
            projected = None if share is None else round2(Fraction(leaf_limit(criterion)) * share)
        scores[criterion.pk] = projected
        has_basis = has_basis or (projected is not None and criterion.method not in ADDITIVE)
    if not has_basis:
        # Nothing could be projected yet: the forecast page shows no index either.
        return None, ""
    percent = score_tree(criteria, scores).percent
    band = pick_band(percent, bands)
    return percent, band.code if band else ""


def _stored(assessment: Assessment, criteria: list[Criterion], bands: list[RankingBand]) -> dict:
    """The totals kept on the assessment when its rounds closed, as index %."""
    top = score_tree(criteria, {}).max_points
    final = assessment.status == AssessmentStatus.FINAL
    appraised = None
    if final:
        appraised = assessment.final_percent
        if appraised is None and assessment.final_total is not None:
            appraised = percent_of(assessment.final_total, top)
    elif assessment.appraisal_total is not None:
        appraised = percent_of(assessment.appraisal_total, top)
    band = assessment.band if final and assessment.band else ""
    if not band and appraised is not None:
        picked = pick_band(appraised, bands)
        band = picked.code if picked else ""
    return {
        "status": assessment.status,
        "status_label": str(assessment.get_status_display()),
        "self_percent": None
        if assessment.self_total is None
        else percent_of(assessment.self_total, top),
        "appraised_percent": appraised,
        "final": final,
        "band_code": band,
    }


def index_by_agency(
    *,
    agency_ids: list[int],
    year: int,
    today: dt.date,
    metrics: dict[int, Metrics],
    survey: dict[int, dict[str, Tally]],
) -> dict[int, IndexFigures]:
    """Per agency: its assessment's stored figures and its projected index as of ``today``
    (``metrics`` and ``survey`` cover 1 January to that day, as the forecast measures)."""
    ids = sorted(set(agency_ids))
    if not ids:
        return {}
    as_of = as_of_date(year, today)
    of_year, frameworks = _frameworks(ids, year)
    framework_ids = {f.pk for f in frameworks.values() if f is not None}
    framework_ids |= {a.framework_id for a in of_year.values()}
    criteria = _criteria(framework_ids)
    tasks = _area_tasks(ids, year, as_of)
    progress = _plan_progress(ids, year)
    forecast_bands = bands_on(as_of)
    year_bands = bands_on(dt.date(year, 12, 31))
    found: dict[int, IndexFigures] = {}
    for pk in ids:
        figures = IndexFigures()
        assessment = of_year.get(pk)
        if assessment is not None:
            for key, value in _stored(
                assessment, criteria[assessment.framework_id], year_bands
            ).items():
                setattr(figures, key, value)
        framework = frameworks.get(pk)
        if framework is not None:
            figures.forecast_percent, figures.forecast_band = _projection(
                criteria[framework.pk],
                tasks=tasks.get(pk, {}),
                metrics=metrics.get(pk),
                progress=progress.get(pk),
                survey=survey.get(pk, {}),
                bands=forecast_bands,
            )
        found[pk] = figures
    return found
