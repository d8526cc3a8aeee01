"""Frameworks of the reform index as data: which one applies to a year and level, the tree as
plain JSON, the checks a framework must pass, and the creation of a framework from checked rows
(shared by the starter and the XLSX import).

The checks work on ``Spec`` rows (one per criterion, its parent named by code) so that the same
rules refuse a bad spreadsheet row by row and report the problems of a framework edited in the
admin: codes unique and extending their parent's code ("1.2.a" under "1.2"); the maxima of a
parent's children add up to the parent's maximum (bonus and penalty children excluded); the areas
of a published framework add up to 100; an automatic criterion names a known source and has at
least one threshold band, each worth at most the criterion's maximum; a survey criterion names
"overall" or an aspect of the survey; bonus and penalty criteria are leaves with a cap.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.models import User
from cchc.scoring import arithmetic
from cchc.scoring.models import Criterion, Framework, FrameworkStatus, Level, Method, ThresholdBand

TOTAL = Decimal("100.00")
CODE_PATTERN = re.compile(r"^[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*$")
CODE_MAX_LENGTH = 20
SOURCE_MAX_LENGTH = 64
POINTS_LIMIT = Decimal("99999.99")  # max_digits 7, decimal_places 2


# --- selectors ---------------------------------------------------------------------------------


def framework_for(year: int, level: str) -> Framework | None:
    """The framework in use for ``year`` and ``level``: the published one of the highest
    version, else the latest version whatever its status; None when there is none."""
    frameworks = Framework.objects.filter(year=year, level=level)
    return (
        frameworks.filter(status=FrameworkStatus.PUBLISHED).order_by("-version").first()
        or frameworks.order_by("-version").first()
    )


def criteria_of(framework: Framework) -> list[Criterion]:
    """The framework's criteria in tree order (position, id), their bands prefetched."""
    return list(
        framework.criteria.order_by("position", "id").prefetch_related(
            Prefetch("bands", queryset=ThresholdBand.objects.order_by("-min_rate"))
        )
    )


def number(value: Decimal | None) -> int | float | None:
    """A points value for JSON: an int when whole (10), else a float (2.5)."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def framework_tree(framework: Framework) -> dict[str, Any]:
    """The framework as ``{"year", "level", "version", "title", "decision", "status",
    "is_template", "max", "areas": [{"code", "title", "max", "criteria": [{"code", "title",
    "max", "method", "children": [...]}]}]}`` (the ``scoring_framework --json`` shape)."""
    criteria = criteria_of(framework)
    children: dict[int | None, list[Criterion]] = {}
    for c in criteria:
        children.setdefault(c.parent_id, []).append(c)

    def node(c: Criterion) -> dict[str, Any]:
        return {
            "code": c.code,
            "title": c.title,
            "max": number(c.max_points),
            "method": c.method,
            "children": [node(child) for child in children.get(c.pk, [])],
        }

    areas = children.get(None, [])
    return {
        "year": framework.year,
        "level": framework.level,
        "version": framework.version,
        "title": framework.title,
        "decision": framework.decision,
        "status": framework.status,
        "is_template": framework.is_template,
        "max": number(
            sum((a.max_points for a in areas if a.method not in arithmetic.ADDITIVE), Decimal(0))
        ),
        "areas": [
            {
                "code": a.code,
                "title": a.title,
                "max": number(a.max_points),
                "criteria": [node(child) for child in children.get(a.pk, [])],
            }
            for a in areas
        ],
    }


# --- specs and their checks --------------------------------------------------------------------


@dataclass
class Spec:
    """One criterion as data, its parent named by code (None for an area)."""

    code: str
    title: str
    max_points: Decimal
    method: str = Method.MANUAL
    source: str = ""
    cap: Decimal | None = None
    bands: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    guidance: str = ""
    required_evidence: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: the criterion's code (None for the framework as a whole) and the
    field ("code", "title", "max_points", "method", "source", "cap", "bands")."""

    code: str | None
    field: str | None
    message: str
    index: int | None = None  # the spec's position in the list checked


def parent_code(code: str) -> str | None:
    """The parent's code derived from a code: "1.2.a" → "1.2", "1" → None."""
    head, dot, _tail = code.rpartition(".")
    return head if dot else None


def _fmt(value: Decimal) -> str:
    return str(arithmetic.round2(value))


def survey_sources() -> set[str]:
    """ "overall" and the aspect codes of the shipped questionnaire and of every survey."""
    from cchc.surveys.defaults import ASPECTS
    from cchc.surveys.models import Aspect

    codes = {arithmetic.SURVEY_OVERALL, *(a.code for a in ASPECTS)}
    codes.update(Aspect.objects.values_list("code", flat=True).distinct())
    return codes


def check_specs(specs: Sequence[Spec], *, published: bool) -> list[Problem]:
    """Every problem of a framework given as specs (in order); an empty list when it is sound."""
    problems: list[Problem] = []
    where: dict[str, int | None] = {"index": None}

    def add(problem: Problem) -> None:
        problems.append(replace(problem, index=where["index"]))

    if not specs:
        add(Problem(None, None, _("The framework has no criteria.")))
        return problems
    counts = Counter(s.code for s in specs)
    by_code = {s.code: s for s in specs}
    children: dict[str | None, list[Spec]] = {}
    for s in specs:
        children.setdefault(s.parent, []).append(s)
    methods = set(Method.values)
    auto_sources = set(arithmetic.auto_sources())
    aspects: set[str] | None = None

    for index, s in enumerate(specs):
        where["index"] = index
        code = s.code
        if not code:
            add(Problem(code, "code", _("The code is empty.")))
        elif len(code) > CODE_MAX_LENGTH or not CODE_PATTERN.match(code):
            add(
                Problem(
                    code,
                    "code",
                    _(
                        "The code “%(code)s” is not valid: use numbers or letters separated by "
                        "dots, e.g. 1, 1.2, 1.2.a (at most %(n)s characters)."
                    )
                    % {"code": code, "n": CODE_MAX_LENGTH},
                )
            )
        if counts[code] > 1:
            add(Problem(code, "code", _("The code “%(code)s” is used twice.") % {"code": code}))
        if s.parent is not None:
            if s.parent not in by_code:
                add(
                    Problem(
                        code,
                        "code",
                        _("The criterion “%(code)s” has no parent: there is no “%(parent)s”.")
                        % {"code": code, "parent": s.parent},
                    )
                )
            elif not code.startswith(s.parent + "."):
                add(
                    Problem(
                        code,
                        "code",
                        _("The code “%(code)s” does not extend its parent's code “%(parent)s”.")
                        % {"code": code, "parent": s.parent},
                    )
                )
        if not s.title.strip():
            add(Problem(code, "title", _("%(code)s: the title is empty.") % {"code": code}))
        if s.max_points < 0 or s.max_points > POINTS_LIMIT:
            add(
                Problem(
                    code,
                    "max_points",
                    _("%(code)s: the maximum must be between 0 and %(limit)s.")
                    % {"code": code, "limit": POINTS_LIMIT},
                )
            )
        elif s.max_points != arithmetic.round2(s.max_points):
            add(
                Problem(
                    code,
                    "max_points",
                    _("%(code)s: points have at most two decimals.") % {"code": code},
                )
            )
        if s.method not in methods:
            add(
                Problem(
                    code,
                    "method",
                    _("%(code)s: unknown scoring method “%(method)s” (use %(methods)s).")
                    % {"code": code, "method": s.method, "methods": ", ".join(Method.values)},
                )
            )
            continue
        has_children = bool(children.get(code)) and counts[code] == 1
        if has_children and s.method != Method.MANUAL:
            add(
                Problem(
                    code,
                    "method",
                    _(
                        "%(code)s: only a leaf (a criterion without sub-criteria) may be "
                        "automatic, from the survey, a bonus or a penalty."
                    )
                    % {"code": code},
                )
            )
        if s.method == Method.AUTO and s.source not in auto_sources:
            add(
                Problem(
                    code,
                    "source",
                    _("%(code)s: unknown data source “%(source)s” (use one of %(sources)s).")
                    % {
                        "code": code,
                        "source": s.source,
                        "sources": ", ".join(sorted(auto_sources)),
                    },
                )
            )
        if s.method == Method.SURVEY:
            aspects = survey_sources() if aspects is None else aspects
            if s.source not in aspects:
                add(
                    Problem(
                        code,
                        "source",
                        _("%(code)s: unknown survey source “%(source)s” (use one of %(sources)s).")
                        % {"code": code, "source": s.source, "sources": ", ".join(sorted(aspects))},
                    )
                )
        if s.method in (Method.MANUAL, Method.BONUS, Method.PENALTY) and s.source:
            add(
                Problem(
                    code,
                    "source",
                    _("%(code)s: only automatic and survey criteria have a data source.")
                    % {"code": code},
                )
            )
        for problem in (*_check_bands(s), *_check_cap(s)):
            add(problem)

    problems.extend(_check_sums(specs, children, counts, published=published))
    return problems


def _check_bands(s: Spec) -> list[Problem]:
    code = s.code
    measured = s.method in (Method.AUTO, Method.SURVEY)
    if not measured:
        if s.bands:
            return [
                Problem(
                    code,
                    "bands",
                    _("%(code)s: only automatic and survey criteria have thresholds.")
                    % {"code": code},
                )
            ]
        return []
    if not s.bands:
        return [
            Problem(
                code,
                "bands",
                _("%(code)s: an automatic or survey criterion needs at least one threshold.")
                % {"code": code},
            )
        ]
    problems = []
    rates = Counter(arithmetic.round2(rate) for rate, _points in s.bands)
    for rate, count in rates.items():
        if count > 1:
            problems.append(
                Problem(
                    code,
                    "bands",
                    _("%(code)s: the threshold %(rate)s appears twice.")
                    % {"code": code, "rate": _fmt(rate)},
                )
            )
    for rate, points in s.bands:
        if rate < 0 or rate > Decimal(9999):
            problems.append(
                Problem(
                    code,
                    "bands",
                    _("%(code)s: the threshold %(rate)s must be between 0 and 9999.")
                    % {"code": code, "rate": _fmt(rate)},
                )
            )
        if points < 0 or points > s.max_points:
            problems.append(
                Problem(
                    code,
                    "bands",
                    _(
                        "%(code)s: a threshold gives %(points)s points; it must be between 0 and "
                        "the maximum %(max)s."
                    )
                    % {"code": code, "points": _fmt(points), "max": _fmt(s.max_points)},
                )
            )
    return problems


def _check_cap(s: Spec) -> list[Problem]:
    code = s.code
    if s.method in (Method.BONUS, Method.PENALTY):
        if s.cap is None:
            return [
                Problem(
                    code,
                    "cap",
                    _("%(code)s: a bonus or penalty criterion needs a cap.") % {"code": code},
                )
            ]
        if s.cap <= 0 or s.cap > POINTS_LIMIT:
            return [
                Problem(
                    code,
                    "cap",
                    _("%(code)s: the cap must be more than 0.") % {"code": code},
                )
            ]
        return []
    if s.cap is not None:
        return [
            Problem(
                code,
                "cap",
                _("%(code)s: only bonus and penalty criteria have a cap.") % {"code": code},
            )
        ]
    return []


def _check_sums(
    specs: Sequence[Spec],
    children: dict[str | None, list[Spec]],
    counts: Counter,
    *,
    published: bool,
) -> list[Problem]:
    problems = []
    for index, s in enumerate(specs):
        kids = [k for k in children.get(s.code, []) if k.method not in arithmetic.ADDITIVE]
        if counts[s.code] != 1 or not children.get(s.code) or s.method in arithmetic.ADDITIVE:
            continue
        total = sum((k.max_points for k in kids), Decimal(0))
        if total != s.max_points:
            problems.append(
                Problem(
                    s.code,
                    "max_points",
                    _(
                        "%(code)s: the maxima of its sub-criteria add up to %(sum)s, not to its "
                        "maximum %(max)s."
                    )
                    % {"code": s.code, "sum": _fmt(total), "max": _fmt(s.max_points)},
                    index,
                )
            )
    areas = [a for a in children.get(None, []) if a.method not in arithmetic.ADDITIVE]
    total = sum((a.max_points for a in areas), Decimal(0))
    if not areas:
        problems.append(Problem(None, None, _("The framework has no scored area.")))
    elif published and total != TOTAL:
        problems.append(
            Problem(
                None,
                "max_points",
                _("The maxima of the areas add up to %(sum)s, not to 100.") % {"sum": _fmt(total)},
            )
        )
    return problems


def specs_of(criteria: Iterable[Criterion]) -> list[Spec]:
    """The specs of saved criteria (bands prefetched or not)."""
    rows = list(criteria)
    codes = {c.pk: c.code for c in rows}
    return [
        Spec(
            code=c.code,
            title=c.title,
            max_points=c.max_points,
            method=c.method,
            source=c.source,
            cap=c.cap,
            bands=[(b.min_rate, b.points) for b in c.bands.all()],
            guidance=c.guidance,
            required_evidence=c.required_evidence,
            parent=codes.get(c.parent_id, "?") if c.parent_id else None,
        )
        for c in rows
    ]


def framework_check(framework: Framework) -> list[str]:
    """The problems of a saved framework, as sentences; empty when it is sound. The areas must
    add up to 100 only once it is published."""
    criteria = criteria_of(framework)
    published = framework.status == FrameworkStatus.PUBLISHED
    problems = [p.message for p in check_specs(specs_of(criteria), published=published)]
    foreign = [c.code for c in criteria if c.parent_id and c.parent.framework_id != framework.pk]
    problems.extend(
        _("%(code)s: its parent belongs to another framework.") % {"code": code} for code in foreign
    )
    return problems


# --- writing -----------------------------------------------------------------------------------


class FrameworkError(ValueError):
    """A framework cannot be written; ``problems`` lists why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def next_version(year: int, level: str) -> int:
    top = Framework.objects.filter(year=year, level=level).aggregate(v=Max("version"))["v"]
    return (top or 0) + 1


def framework_create(
    *,
    actor: User | None,
    year: int,
    level: str,
    title: str,
    specs: Sequence[Spec],
    decision: str = "",
    status: str = FrameworkStatus.DRAFT,
    is_template: bool = False,
    version: int | None = None,
    action: str = "framework.create",
) -> Framework:
    """A new framework of ``specs`` (checked first; nothing is written when a check fails) as
    the next version of its year and level unless ``version`` is given."""
    problems = check_specs(specs, published=status == FrameworkStatus.PUBLISHED)
    if level not in Level.values:
        problems.insert(
            0, Problem(None, "level", _("Unknown level: %(level)s.") % {"level": level})
        )
    if problems:
        raise FrameworkError(problems)
    with transaction.atomic():
        framework = Framework.objects.create(
            year=year,
            level=level,
            version=version or next_version(year, level),
            title=_nfc(title),
            decision=_nfc(decision),
            status=status,
            is_template=is_template,
        )
        saved: dict[str, Criterion] = {}
        bands = []
        for position, s in enumerate(ordered_specs(specs), start=1):
            criterion = Criterion.objects.create(
                framework=framework,
                parent=saved[s.parent] if s.parent else None,
                code=s.code,
                title=_nfc(s.title),
                max_points=arithmetic.round2(s.max_points),
                method=s.method,
                source=s.source,
                cap=None if s.cap is None else arithmetic.round2(s.cap),
                guidance=_nfc(s.guidance),
                required_evidence=_nfc(s.required_evidence),
                position=position,
            )
            saved[s.code] = criterion
            bands.extend(
                ThresholdBand(
                    criterion=criterion,
                    min_rate=arithmetic.round2(rate),
                    points=arithmetic.round2(points),
                )
                for rate, points in s.bands
            )
        ThresholdBand.objects.bulk_create(bands)
        audit.record(
            actor=actor,
            action=action,
            obj=framework,
            agency=None,
            changes={"criteria": len(specs), "version": framework.version, "status": status},
        )
    return framework


def ordered_specs(specs: Sequence[Spec]) -> list[Spec]:
    """The specs with every parent before its children (depth first, keeping the given order
    among siblings); specs whose parent is missing come last, in their order."""
    children: dict[str | None, list[Spec]] = {}
    codes = {s.code for s in specs}
    for s in specs:
        children.setdefault(s.parent if s.parent in codes else None, []).append(s)
    out: list[Spec] = []
    seen: set[int] = set()

    def visit(s: Spec) -> None:
        if id(s) in seen:
            return
        seen.add(id(s))
        out.append(s)
        for child in children.get(s.code, []):
            visit(child)

    for s in children.get(None, []):
        visit(s)
    out.extend(s for s in specs if id(s) not in seen)
    return out
