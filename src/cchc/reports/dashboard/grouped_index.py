"""The reform index of many agencies at once for the province's comparison table: the stored
totals of each agency's assessment of the year (self-assessed, appraised, final) and its
projected index (``cchc.scoring.forecast.forecast_many``), in a fixed number of queries whatever
the number of agencies.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cchc.core.models import Agency
from cchc.procedures.metrics import Metrics
from cchc.scoring.arithmetic import ZERO, percent_of, score_tree
from cchc.scoring.forecast import forecast_many
from cchc.scoring.models import Assessment, AssessmentStatus, Criterion, RankingBand
from cchc.scoring.ranking import bands_on, pick_band
from cchc.surveys.selectors import Tally


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


def _assessments(agency_ids: list[int], year: int) -> dict[int, Assessment]:
    """Per agency, its assessment of the year: the highest version, then the latest, when there
    are several (as ``forecast.forecast_frameworks`` picks the framework of the forecast)."""
    found: dict[int, Assessment] = {}
    rows = (
        Assessment.objects.filter(agency_id__in=agency_ids, framework__year=year)
        .select_related("framework")
        .order_by("agency_id", "-framework__version", "-pk")
    )
    for assessment in rows:
        found.setdefault(assessment.agency_id, assessment)
    return found


def _maxima(framework_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each framework's maximum (the sum of its areas' maxima, ``arithmetic.score_tree``)."""
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(framework_id__in=list(framework_ids)):
        criteria[criterion.framework_id].append(criterion)
    return {pk: score_tree(rows, {}).max_points for pk, rows in criteria.items()}


def _stored(assessment: Assessment, top: Decimal, bands: Sequence[RankingBand]) -> dict:
    """The totals kept on the assessment when its rounds closed, as index %."""
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
    of_year = _assessments(ids, year)
    maxima = _maxima({a.framework_id for a in of_year.values()})
    year_bands = bands_on(dt.date(year, 12, 31)) if of_year else []
    projections = forecast_many(
        agencies=Agency.objects.filter(pk__in=ids),
        year=year,
        today=today,
        metrics=metrics,
        survey=survey,
    )
    found: dict[int, IndexFigures] = {}
    for pk in ids:
        figures = IndexFigures()
        assessment = of_year.get(pk)
        if assessment is not None:
            top = maxima.get(assessment.framework_id, ZERO)
            for key, value in _stored(assessment, top, year_bands).items():
                setattr(figures, key, value)
        projected = projections.get(pk)
        if projected is not None and projected.has_basis:
            # Nothing could be projected yet: the forecast page shows no index either.
            figures.forecast_percent = projected.totals.percent
            figures.forecast_band = projected.band.code if projected.band else ""
        found[pk] = figures
    return found
