"""The arithmetic of the reform index (DESIGN.md §4.6): leaf scores, threshold tables, the
roll-up of a framework's tree, the index % and its ranking band, and the automatic measures.

Rules (the tests work examples of each):

- Every figure is a ``Decimal`` with two decimals, rounded half away from zero (ROUND_HALF_UP)
  exactly: 2/3 point → 0.67, an index of 87.333… % → 87.33, 89.995 % → 90.00 (band A).
- A leaf's score is clamped to [0, maximum]; a bonus or penalty leaf to [0, cap] (its maximum
  when it has no cap). A leaf not scored yet (None) counts 0 and is counted as unscored.
- A parent's points are the sum of its children, bonus children included, minus its penalty
  children, clamped to [0, the parent's maximum]: a bonus makes up points lost elsewhere in the
  same parent, never more than the parent's maximum; a penalty never takes a parent below 0.
- The framework's maximum is the sum of its areas' maxima (bonus and penalty areas add nothing);
  its points follow the parent rule over the areas. Index % = points ÷ maximum × 100, None when
  the maximum is 0.
- A threshold table is a list of (from rate, points): the highest "from" at or below the measured
  value applies; below every row, 0; no value measured, None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, Sum
from django.utils import timezone

if TYPE_CHECKING:  # pragma: no cover
    from cchc.core.models import Agency
    from cchc.scoring.models import AssessmentItem, Criterion, RankingBand

ZERO = Decimal("0.00")
ADDITIVE = ("bonus", "penalty")  # methods whose maxima do not count in the parent's maximum
MEASURED = ("auto", "survey")  # methods whose points are computed
ROUNDS = ("self", "appraisal", "final")
PLAN_PROGRESS = "plan_progress"
SURVEY_OVERALL = "overall"


# --- rounding ----------------------------------------------------------------------------------


def _fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a score is a number, not a boolean")
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        # The shortest decimal that reads back as the float: 2.675 is rounded as 2.675.
        return Fraction(repr(value))
    return Fraction(Decimal(str(value).strip()))


def round2(value: Any) -> Decimal:
    """``value`` (Decimal, int, float, Fraction or numeric text) rounded to 2 decimals, half away
    from zero, exactly."""
    scaled = _fraction(value) * 100
    quotient, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        quotient += 1
    return Decimal(quotient if scaled >= 0 else -quotient).scaleb(-2)


def percent_of(points: Any, max_points: Any) -> Decimal | None:
    """points ÷ maximum × 100, rounded to 2 decimals; None when the maximum is 0."""
    top = _fraction(max_points)
    if top <= 0:
        return None
    return round2(_fraction(points) * 100 / top)


# --- leaves ------------------------------------------------------------------------------------


def band_points(value: Decimal | None, bands: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """The points of the highest band whose ``min_rate`` is at or below ``value``; 0.00 below
    every band (or with no bands); None when nothing was measured."""
    if value is None:
        return None
    measured = _fraction(value)
    best: tuple[Fraction, Decimal] | None = None
    for min_rate, points in bands:
        floor = _fraction(min_rate)
        if floor <= measured and (best is None or floor > best[0]):
            best = (floor, round2(points))
    return ZERO if best is None else best[1]


def leaf_limit(criterion: Criterion) -> Decimal:
    """The most a leaf may score: its cap for bonus and penalty (its maximum without a cap)."""
    if criterion.method in ADDITIVE and criterion.cap is not None:
        return round2(criterion.cap)
    return round2(criterion.max_points)


def clamp_leaf(criterion: Criterion, score: Decimal | None) -> Decimal | None:
    """``score`` rounded and clamped to [0, the leaf's limit]; None stays None."""
    if score is None:
        return None
    return min(max(round2(score), ZERO), leaf_limit(criterion))


# --- the tree ----------------------------------------------------------------------------------


@dataclass
class NodeScore:
    criterion_id: int
    code: str
    title: str
    max_points: Decimal
    method: str
    points: Decimal | None
    percent: Decimal | None
    children: list[NodeScore] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def is_additive(self) -> bool:
        """A bonus or penalty node (its maximum is not part of its parent's)."""
        return self.method in ADDITIVE

    @property
    def is_penalty(self) -> bool:
        return self.method == "penalty"

    def walk(self) -> Iterable[NodeScore]:
        """This node and every node below it, depth first in order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Totals:
    points: Decimal
    max_points: Decimal
    percent: Decimal | None
    areas: list[NodeScore]
    scored: int
    unscored: int

    def walk(self) -> Iterable[NodeScore]:
        for area in self.areas:
            yield from area.walk()

    def by_code(self) -> dict[str, NodeScore]:
        return {node.code: node for node in self.walk()}


def _combine(children: list[NodeScore]) -> Decimal:
    total = ZERO
    for child in children:
        if child.points is None:
            continue
        total += -child.points if child.is_penalty else child.points
    return total


def _clamp(value: Decimal, top: Decimal) -> Decimal:
    return min(max(value, ZERO), max(top, ZERO))


def score_tree(criteria: Iterable[Criterion], leaf_scores: Mapping[int, Decimal | None]) -> Totals:
    """Roll the leaves' scores up the tree of ``criteria`` (one framework's rows, any order).

    ``leaf_scores`` maps a leaf criterion's id to its score (None or missing: not scored yet).
    Nodes come out in (position, id) order; a parent's ``points`` is never None (0 when nothing
    below it is scored); a leaf's ``points`` is None while it is not scored.
    """
    rows = sorted(criteria, key=lambda c: (c.position, c.pk))
    ids = {c.pk for c in rows}
    children_of: dict[int | None, list[Criterion]] = {}
    for c in rows:
        parent = c.parent_id if c.parent_id in ids else None
        children_of.setdefault(parent, []).append(c)
    counts = {"scored": 0, "unscored": 0}

    def build(criterion: Criterion, trail: frozenset[int]) -> NodeScore:
        kids = [
            build(child, trail | {child.pk})
            for child in children_of.get(criterion.pk, [])
            if child.pk not in trail
        ]
        top = round2(criterion.max_points)
        if kids:
            points: Decimal | None = _clamp(_combine(kids), leaf_limit(criterion))
        else:
            points = clamp_leaf(criterion, leaf_scores.get(criterion.pk))
            counts["scored" if points is not None else "unscored"] += 1
        additive = criterion.method in ADDITIVE
        return NodeScore(
            criterion_id=criterion.pk,
            code=criterion.code,
            title=criterion.title,
            max_points=top,
            method=criterion.method,
            points=points,
            percent=None if additive or points is None else percent_of(points, top),
            children=kids,
        )

    areas = [build(c, frozenset({c.pk})) for c in children_of.get(None, [])]
    max_points = sum((a.max_points for a in areas if not a.is_additive), ZERO)
    points = _clamp(_combine(areas), max_points)
    return Totals(
        points=points,
        max_points=max_points,
        percent=percent_of(points, max_points),
        areas=areas,
        scored=counts["scored"],
        unscored=counts["unscored"],
    )


# --- rounds ------------------------------------------------------------------------------------


def _self_value(item: AssessmentItem) -> Decimal | None:
    if item.self_score is not None:
        return item.self_score
    if item.criterion.method in MEASURED:
        return item.measured_points
    return None


def item_score(item: AssessmentItem, round: str) -> Decimal | None:
    """The score of one item in a round, with the fall-backs of :func:`effective_scores`."""
    if round not in ROUNDS:
        raise ValueError(f"unknown round {round!r}; expected one of {ROUNDS}")
    value = _self_value(item)
    if round in ("appraisal", "final") and item.appraisal_score is not None:
        value = item.appraisal_score
    if round == "final" and item.final_score is not None:
        value = item.final_score
    return value


def effective_scores(items: Iterable[AssessmentItem], round: str) -> dict[int, Decimal | None]:
    """Per criterion id, the score of the round: "self" — the proposed score, else the computed
    points of an automatic or survey leaf; "appraisal" — the appraisers' score, else the self
    value; "final" — the final score, else the appraisal value. (Select the items with their
    criterion to avoid a query each.)"""
    return {item.criterion_id: item_score(item, round) for item in items}


# --- ranking bands -----------------------------------------------------------------------------


def band_for(percent: Decimal | None, on: dt.date | None = None) -> RankingBand | None:
    """The ranking band of an index %: the highest ``min_percent`` at or below it among the
    bands valid on ``on`` (today by default); None without a percent or a matching band."""
    from cchc.scoring.models import RankingBand

    if percent is None:
        return None
    on = on or timezone.localdate()
    return (
        RankingBand.objects.filter(min_percent__lte=percent)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-min_percent", "id")
        .first()
    )


# --- automatic measures ------------------------------------------------------------------------


def rate_keys() -> tuple[str, ...]:
    """The rate keys an automatic criterion may name (the service metrics, DESIGN.md §4.3)."""
    from cchc.procedures.metrics import RATE_KEYS

    return tuple(RATE_KEYS)


def auto_sources() -> tuple[str, ...]:
    """Every source an automatic criterion may name."""
    return (*rate_keys(), PLAN_PROGRESS)


def measure_period(year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period measured for ``year``: 1 January to 31 December, or to today while the year
    is running (so a forecast measures what happened so far)."""
    today = today or timezone.localdate()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if start <= today < end:
        end = today
    return start, end


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _rate(source: str, agency: Agency, start: dt.date, end: dt.date) -> tuple[Decimal | None, dict]:
    from cchc.procedures import metrics

    result = metrics.compute(agency_ids=[agency.pk], start=start, end=end)
    return result.rates.get(source), {"counts": dict(result.counts)}


def _plan_progress(agency: Agency, year: int) -> tuple[Decimal | None, dict]:
    """The weighted progress of the tasks listed in the agency's plan of ``year`` (top level,
    as on the plans dashboard), to 2 decimals."""
    from cchc.plans.models import Task, TaskStatus

    tasks = Task.objects.filter(plan__agency=agency, plan__year=year, parent__isnull=True)
    agg = tasks.aggregate(w=Sum("weight"), wp=Sum(F("weight") * F("progress")))
    detail = {
        "tasks": tasks.count(),
        "done": tasks.filter(status=TaskStatus.DONE).count(),
    }
    if not agg["w"]:
        return None, detail
    return round2(Fraction(Decimal(agg["wp"])) / Fraction(Decimal(agg["w"]))), detail


def _survey(
    source: str, agency: Agency, start: dt.date, end: dt.date
) -> tuple[Decimal | None, dict]:
    from cchc.surveys import selectors as surveys

    result = surveys.compute(agency, start, end)
    detail: dict[str, Any] = {"responses": result.responses}
    if source == SURVEY_OVERALL:
        return result.index, detail
    for aspect in result.aspects:
        if aspect.code == source:
            detail["aspect"] = aspect.name
            detail["answers"] = aspect.tally.answers
            detail["satisfied"] = aspect.tally.satisfied
            return aspect.rate, detail
    detail["error"] = "unknown survey aspect"
    return None, detail


def measure(
    criterion: Criterion, *, agency: Agency, year: int, today: dt.date | None = None
) -> tuple[Decimal | None, Decimal | None, dict]:
    """For an automatic or survey criterion: (the measured value, the points it earns through
    the criterion's threshold bands, the data behind it as plain JSON). Anything else, or a
    source that is not known: (None, None, detail)."""
    start, end = measure_period(year, today)
    source = criterion.source
    detail: dict[str, Any] = {
        "source": source,
        "method": criterion.method,
        "from": start.isoformat(),
        "to": end.isoformat(),
    }
    value: Decimal | None = None
    if criterion.method == "auto" and source in rate_keys():
        value, more = _rate(source, agency, start, end)
    elif criterion.method == "auto" and source == PLAN_PROGRESS:
        value, more = _plan_progress(agency, year)
    elif criterion.method == "survey" and source:
        value, more = _survey(source, agency, start, end)
    else:
        more = {"error": "not measured"}
    detail.update(more)
    bands = [(b.min_rate, b.points) for b in criterion.bands.all()]
    detail["bands"] = [[_number(m), _number(p)] for m, p in sorted(bands, reverse=True)]
    points = clamp_leaf(criterion, band_points(value, bands))
    detail["value"] = _number(value)
    detail["points"] = _number(points)
    return value, points, detail
