"""Reads of the province's ranking by the reform index (DESIGN.md §4.6), scoped to the reader.

Which assessments are ranked: those of the year and level that are final, and — marked as
provisional — those appraised but not final yet (``appraised`` and ``explained``), whose index is
the appraisal round's. A final assessment's points, index % and band are the ones kept when it
was finalised; the per-area figures are rolled up from its items with the same arithmetic.

Ranks are "1, 1, 3": agencies with the same index % share a rank and are listed by name; the
next rank skips as many places as were shared.

Who sees what: appraisers (of the province) and administrators see the whole table with names.
Anyone else sees only their own agency's row and position ("3rd of 12") against the
distribution of the other agencies' index, without names (:func:`own_position`).
"""

from __future__ import annotations

import datetime as dt
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from cchc.core.access import AGENCY_READERS, get_scope
from cchc.core.models import Agency, User
from cchc.scoring.arithmetic import effective_scores, round2, score_tree
from cchc.scoring.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    Criterion,
    Level,
    RankingBand,
)

RANKED = (AssessmentStatus.FINAL, AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED)
PROVISIONAL = (AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED)
HISTOGRAM_STEP = 10  # the anonymised distribution is drawn in bins of 10 percentage points


# --- helpers ------------------------------------------------------------------------------------


def name_key(name: str) -> tuple[str, str]:
    """A sort key for Vietnamese names: letters without tone marks (đ after d), then the name
    itself to break ties, so that "Sở Tài chính" comes before "Sở Tư pháp" before "Sở Y tế"."""
    folded = unicodedata.normalize("NFD", name.casefold().replace("đ", "d{"))
    base = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return base, name


def bands_on(on: dt.date) -> list[RankingBand]:
    """The ranking bands in force on ``on``, highest first."""
    return list(
        RankingBand.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-min_percent", "id")
    )


def pick_band(percent: Decimal | None, bands: Sequence[RankingBand]) -> RankingBand | None:
    """The band of an index % among ``bands`` (highest first): the rule of
    ``arithmetic.band_for`` without a query per agency."""
    if percent is None:
        return None
    return next((band for band in bands if band.min_percent <= percent), None)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def can_see_province(user: User) -> bool:
    """Appraisers of Sở Nội vụ and administrators see the province's table with names."""
    scope = get_scope(user)
    return scope.is_admin or scope.is_appraiser()


def own_agencies(user: User) -> list[Agency]:
    """The agencies the user works in (any reading role), by name."""
    scope = get_scope(user)
    ids = [aid for aid, roles in scope.roles.items() if roles & AGENCY_READERS]
    return sorted(Agency.objects.filter(pk__in=ids), key=lambda a: name_key(a.name))


def province_agency_ids(agency: Agency) -> set[int]:
    """Every agency below the agency's province (the province's ranking is among them)."""
    province = agency.province
    found = {province.pk}
    frontier = {province.pk}
    while frontier:
        frontier = (
            set(Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        )
        found |= frontier
    return found


# --- the table ----------------------------------------------------------------------------------


@dataclass
class AreaScore:
    code: str
    title: str
    points: Decimal | None
    max_points: Decimal
    percent: Decimal | None


@dataclass
class RankingRow:
    assessment_id: int
    agency_id: int
    agency_code: str
    agency_name: str
    status: str
    status_label: str
    provisional: bool
    points: Decimal
    max_points: Decimal
    percent: Decimal | None
    band_code: str
    band_name: str
    areas: list[AreaScore]
    previous_percent: Decimal | None = None
    rank: int | None = None

    @property
    def change(self) -> Decimal | None:
        """Percentage points gained (+) or lost (−) since last year's final index."""
        if self.percent is None or self.previous_percent is None:
            return None
        return round2(self.percent - self.previous_percent)

    def area_percent(self, code: str) -> Decimal | None:
        for area in self.areas:
            if area.code == code:
                return area.percent
        return None


@dataclass
class AreaHeader:
    code: str
    title: str
    max_points: Decimal


@dataclass
class Ranking:
    year: int
    level: str
    rows: list[RankingRow]
    areas: list[AreaHeader]
    bands: list[RankingBand]
    band_counts: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def provisional_count(self) -> int:
        return sum(1 for row in self.rows if row.provisional)

    def area_cells(self, row: RankingRow) -> list[Decimal | None]:
        return [row.area_percent(header.code) for header in self.areas]


def _assessments(year: int, level: str, agency_ids: Iterable[int] | None) -> list[Assessment]:
    qs = Assessment.objects.filter(
        framework__year=year, framework__level=level, status__in=RANKED
    ).select_related("agency", "framework")
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    items = AssessmentItem.objects.select_related("criterion").only(
        "assessment_id",
        "criterion_id",
        "criterion__method",
        "self_score",
        "measured_points",
        "appraisal_score",
        "final_score",
    )
    return list(qs.prefetch_related(Prefetch("items", queryset=items)))


def _criteria_of(framework_ids: set[int]) -> dict[int, list[Criterion]]:
    by_framework: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(framework_id__in=framework_ids).only(
        "id",
        "framework_id",
        "parent_id",
        "code",
        "title",
        "max_points",
        "method",
        "cap",
        "position",
    ):
        by_framework[criterion.framework_id].append(criterion)
    return by_framework


def _previous_percents(agency_ids: set[int], year: int, level: str) -> dict[int, Decimal]:
    """Each agency's final index % of the year before (a framework of the same level)."""
    found: dict[int, Decimal] = {}
    previous = _assessments(year - 1, level, agency_ids)
    if not previous:
        return found
    criteria = _criteria_of({a.framework_id for a in previous})
    for assessment in previous:
        if assessment.status != AssessmentStatus.FINAL:
            continue
        percent = assessment.final_percent
        if percent is None:
            scores = effective_scores(assessment.items.all(), "final")
            percent = score_tree(criteria[assessment.framework_id], scores).percent
        if percent is not None:
            found[assessment.agency_id] = percent
    return found


def _row(
    assessment: Assessment, criteria: list[Criterion], bands: Sequence[RankingBand]
) -> RankingRow:
    final = assessment.status == AssessmentStatus.FINAL
    round_ = "final" if final else "appraisal"
    totals = score_tree(criteria, effective_scores(assessment.items.all(), round_))
    points, percent = totals.points, totals.percent
    if final and assessment.final_percent is not None:
        percent = assessment.final_percent
        points = assessment.final_total if assessment.final_total is not None else points
    band = pick_band(percent, bands)
    band_code = assessment.band if final and assessment.band else (band.code if band else "")
    band_name = next((b.name for b in bands if b.code == band_code), "")
    return RankingRow(
        assessment_id=assessment.pk,
        agency_id=assessment.agency_id,
        agency_code=assessment.agency.code,
        agency_name=assessment.agency.name,
        status=assessment.status,
        status_label=str(assessment.get_status_display()),
        provisional=not final,
        points=points,
        max_points=totals.max_points,
        percent=percent,
        band_code=band_code,
        band_name=band_name,
        areas=[
            AreaScore(a.code, a.title, a.points, a.max_points, a.percent)
            for a in totals.areas
            if not a.is_additive
        ],
    )


def rank_rows(rows: list[RankingRow]) -> list[RankingRow]:
    """Sort by index % (highest first; no index last), then by name; equal % share a rank."""

    def key(row: RankingRow) -> tuple:
        missing = row.percent is None
        return (missing, -(row.percent or Decimal(0)), name_key(row.agency_name))

    ordered = sorted(rows, key=key)
    previous: Decimal | None = None
    rank = 0
    for place, row in enumerate(ordered, 1):
        if row.percent is None:
            row.rank = None
            continue
        if previous is None or row.percent != previous:
            rank = place
            previous = row.percent
        row.rank = rank
    return ordered


def _headers(assessments: list[Assessment], criteria: dict[int, list[Criterion]]) -> list:
    """The area columns: the areas of the newest framework among the ranked assessments, then
    any area code only an older version has."""
    headers: dict[str, AreaHeader] = {}
    frameworks = sorted({a.framework for a in assessments}, key=lambda f: (-f.version, -f.pk))
    for framework in frameworks:
        rows = sorted(criteria[framework.pk], key=lambda c: (c.position, c.pk))
        for criterion in rows:
            if criterion.parent_id is None and criterion.method not in ("bonus", "penalty"):
                headers.setdefault(
                    criterion.code,
                    AreaHeader(criterion.code, criterion.title, round2(criterion.max_points)),
                )
    return list(headers.values())


def build_ranking(*, year: int, level: str, agency_ids: Iterable[int] | None) -> Ranking:
    """The ranking among ``agency_ids`` (None: every agency). Not scoped: callers decide who may
    see it (:func:`ranking_table`, :func:`own_position`)."""
    assessments = _assessments(year, level, agency_ids)
    criteria = _criteria_of({a.framework_id for a in assessments})
    bands = bands_on(year_end(year))
    rows = [_row(a, criteria[a.framework_id], bands) for a in assessments]
    previous = _previous_percents({r.agency_id for r in rows}, year, level)
    for row in rows:
        row.previous_percent = previous.get(row.agency_id)
    rows = rank_rows(rows)
    counts: dict[str, int] = {band.code: 0 for band in bands}
    for row in rows:
        if row.band_code:
            counts[row.band_code] = counts.get(row.band_code, 0) + 1
    return Ranking(
        year=year,
        level=level,
        rows=rows,
        areas=_headers(assessments, criteria),
        bands=bands,
        band_counts=counts,
    )


def ranking_table(*, user: User, year: int, level: str) -> Ranking:
    """The province's table for an appraiser (the agencies their scope covers) or an
    administrator (every agency). Anyone else gets an empty table: use :func:`own_position`."""
    scope = get_scope(user)
    if scope.is_admin:
        return build_ranking(year=year, level=level, agency_ids=None)
    if not scope.is_appraiser():
        return Ranking(year=year, level=level, rows=[], areas=[], bands=bands_on(year_end(year)))
    return build_ranking(year=year, level=level, agency_ids=scope.readable_agency_ids)


# --- the anonymised view ------------------------------------------------------------------------


@dataclass
class Distribution:
    """The index % of the other ranked agencies, without names: summary figures and bins."""

    values: list[Decimal]
    bins: list[tuple[str, int]]

    @property
    def count(self) -> int:
        return len(self.values)

    def _quantiles(self) -> list[Decimal] | None:
        if len(self.values) < 2:
            return None
        cuts = statistics.quantiles([float(v) for v in self.values], n=4, method="inclusive")
        return [round2(c) for c in cuts]

    @property
    def minimum(self) -> Decimal | None:
        return min(self.values) if self.values else None

    @property
    def maximum(self) -> Decimal | None:
        return max(self.values) if self.values else None

    @property
    def median(self) -> Decimal | None:
        if not self.values:
            return None
        return round2(statistics.median(self.values))

    @property
    def quartiles(self) -> list[Decimal] | None:
        return self._quantiles()

    @property
    def mean(self) -> Decimal | None:
        if not self.values:
            return None
        return round2(sum(self.values) / len(self.values))


def distribution(values: Iterable[Decimal]) -> Distribution:
    ordered = sorted(values)
    bins: list[tuple[str, int]] = []
    for low in range(0, 100, HISTOGRAM_STEP):
        high = low + HISTOGRAM_STEP
        last = high >= 100
        count = sum(1 for v in ordered if low <= v < high or (last and v == 100))
        label = f"{low}–{high}" if last else f"{low}–<{high}"
        bins.append((label, count))
    return Distribution(values=ordered, bins=bins)


@dataclass
class AreaComparison:
    code: str
    title: str
    own: Decimal | None
    average: Decimal | None  # mean of the ranked agencies (own included), no names


@dataclass
class OwnPosition:
    agency: Agency
    year: int
    level: str
    row: RankingRow | None
    total: int  # agencies ranked in the province
    others: Distribution
    areas: list[AreaComparison]
    bands: list[RankingBand]

    @property
    def rank(self) -> int | None:
        return self.row.rank if self.row else None


def own_position(*, user: User, agency: Agency, year: int, level: str) -> OwnPosition:
    """The agency's row and place in its province's ranking, with the other agencies' index as
    an anonymised distribution. The caller has checked that ``user`` may read ``agency``."""
    if not get_scope(user).can_read_agency(agency.pk):
        raise Http404
    ranking = build_ranking(year=year, level=level, agency_ids=province_agency_ids(agency))
    row = next((r for r in ranking.rows if r.agency_id == agency.pk), None)
    others = [r.percent for r in ranking.rows if r.agency_id != agency.pk and r.percent is not None]
    areas: list[AreaComparison] = []
    for header in ranking.areas:
        values = [value for r in ranking.rows if (value := r.area_percent(header.code)) is not None]
        areas.append(
            AreaComparison(
                code=header.code,
                title=header.title,
                own=row.area_percent(header.code) if row else None,
                average=round2(sum(values) / len(values)) if values else None,
            )
        )
    return OwnPosition(
        agency=agency,
        year=year,
        level=level,
        row=row,
        total=sum(1 for r in ranking.rows if r.rank is not None),
        others=distribution(others),
        areas=areas,
        bands=ranking.bands,
    )


def years_with_assessments() -> list[int]:
    return sorted(
        set(Assessment.objects.values_list("framework__year", flat=True).distinct()), reverse=True
    )


def default_level_for(agency: Agency | None, year: int) -> str:
    """The level of the agency's assessment of the year (or of its latest one); department
    otherwise."""
    if agency is not None:
        level = (
            Assessment.objects.filter(agency=agency, framework__year__lte=year)
            .order_by("-framework__year")
            .values_list("framework__level", flat=True)
            .first()
        )
        if level:
            return level
    return Level.DEPARTMENT


# --- export -------------------------------------------------------------------------------------


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def ranking_workbook(ranking: Ranking) -> bytes:
    """The ranking table as an XLSX workbook: one row per agency, numbers as numbers."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _("Ranking")[:31]
    level = str(dict(Level.choices).get(ranking.level, ranking.level))
    sheet.append([_("PAR INDEX ranking %(year)s") % {"year": ranking.year}, level])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    headers = [
        _("Rank"),
        _("Agency code"),
        _("Agency"),
        _("Status"),
        _("Points"),
        _("Maximum"),
        _("Index (%)"),
        _("Band"),
        *[_("Area %(code)s (%%)") % {"code": area.code} for area in ranking.areas],
        _("Previous year (%)"),
        _("Change (points of %)"),
    ]
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in ranking.rows:
        status = row.status_label
        if row.provisional:
            status = _("%(status)s (provisional)") % {"status": row.status_label}
        sheet.append(
            [
                row.rank,
                row.agency_code,
                row.agency_name,
                status,
                _float(row.points),
                _float(row.max_points),
                _float(row.percent),
                row.band_code,
                *[_float(value) for value in ranking.area_cells(row)],
                _float(row.previous_percent),
                _float(row.change),
            ]
        )
    widths = [8, 14, 40, 30, 10, 10, 12, 8, *[12] * len(ranking.areas), 14, 14]
    for number, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "D4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
