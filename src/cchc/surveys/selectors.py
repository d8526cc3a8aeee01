"""Reads of the surveys: the satisfaction figures of DESIGN.md §4.5 and who may see them.

The method (SIPAS-style, the survey's own figures as data):

* an answer is *satisfied* when its value is at or above the ``satisfied_from`` of the survey
  version it answers (4 on the shipped 5-point scale: "hài lòng" and "rất hài lòng");
* the satisfaction rate of an aspect = satisfied answers ÷ scale answers × 100, over the
  questions of that aspect; aspects are matched across versions by their code;
* the overall index = the mean of the aspect rates that have answers (each aspect weighs the
  same, however many questions it has);
* the same per question, per unit and per procedure (responses tied to a dossier carry its unit
  and procedure) and per month.

Rates are rounded once to 2 decimals, half up (``cchc.procedures.metrics.round2``); the index is
the mean of the rounded aspect rates — the figures people see — rounded the same way. No
answers gives ``None``, never 0 or 100. The period is [start, end], dates inclusive, local time.

The functions taking a queryset of answers are pure aggregations; ``satisfaction`` scopes the
queryset to the acting person first (404 for an agency outside their reach), and
``satisfaction_index`` serves the metrics and reports, which scope themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from cchc.core.access import get_scope
from cchc.core.models import Agency, Role, Unit, User
from cchc.procedures.metrics import local_zone, percent, period_bounds, round2
from cchc.procedures.models import Procedure
from cchc.surveys.models import Answer, Aspect, QuestionKind, Response, Survey

SATISFACTION_INDICATOR = "satisfaction"
_SATISFIED = Q(value__gte=F("response__survey__satisfied_from"))


@dataclass(frozen=True)
class Tally:
    satisfied: int = 0
    answers: int = 0

    @property
    def rate(self) -> Decimal | None:
        return percent(self.satisfied, self.answers)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.satisfied + other.satisfied, self.answers + other.answers)


@dataclass(frozen=True)
class AspectRate:
    code: str
    name: str
    tally: Tally

    @property
    def rate(self) -> Decimal | None:
        return self.tally.rate


@dataclass(frozen=True)
class QuestionRate:
    question_id: int
    aspect: str
    text: str
    version: int
    tally: Tally
    mean: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        return self.tally.rate


@dataclass(frozen=True)
class GroupRate:
    """A unit, a procedure or a month: its responses, its aspect rates (in the order of the
    result's aspects) and its index."""

    key: object
    label: str
    responses: int
    rates: list[Decimal | None]
    index: Decimal | None


@dataclass
class Satisfaction:
    agency: Agency
    start: dt.date
    end: dt.date
    responses: int
    aspects: list[AspectRate]
    index: Decimal | None
    questions: list[QuestionRate] = field(default_factory=list)
    units: list[GroupRate] = field(default_factory=list)
    procedures: list[GroupRate] = field(default_factory=list)
    months: list[GroupRate] = field(default_factory=list)
    target: Decimal | None = None
    target_year: int | None = None

    @property
    def target_met(self) -> bool | None:
        if self.target is None or self.index is None:
            return None
        return self.index >= self.target

    def chart(self, *, label: str, target_label: str) -> dict:
        """The monthly index for the line chart of ``cchc/app.js``."""
        return {
            "type": "line",
            "label": label,
            "labels": [row.label for row in self.months],
            "values": [None if row.index is None else float(row.index) for row in self.months],
            "target": None if self.target is None else float(self.target),
            "target_label": target_label,
            "unit": "%",
        }


# --- pure aggregation over a queryset of answers -------------------------------------------------


def scale_answers(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    return answers.filter(question__kind=QuestionKind.SCALE, value__isnull=False)


def aspect_tallies(answers: QuerySet[Answer]) -> dict[str, Tally]:
    """Satisfied and total scale answers per aspect code."""
    rows = (
        scale_answers(answers)
        .values(code=F("question__aspect__code"))
        .annotate(n=Count("id"), ok=Count("id", filter=_SATISFIED))
        .order_by()
    )
    return {row["code"]: Tally(row["ok"], row["n"]) for row in rows}


def grouped_tallies(answers: QuerySet[Answer], key: str) -> dict[object, dict[str, Tally]]:
    """Satisfied and total scale answers per value of ``key`` (a path from the answer, e.g.
    ``response__unit``) and aspect code."""
    rows = (
        scale_answers(answers)
        .values(group=F(key), code=F("question__aspect__code"))
        .annotate(n=Count("id"), ok=Count("id", filter=_SATISFIED))
        .order_by()
    )
    out: dict[object, dict[str, Tally]] = defaultdict(dict)
    for row in rows:
        out[row["group"]][row["code"]] = Tally(row["ok"], row["n"])
    return out


def mean_rate(rates: Iterable[Decimal | None]) -> Decimal | None:
    """The mean of the known rates, rounded to 2 decimals; None when none is known."""
    known = [Fraction(rate) for rate in rates if rate is not None]
    if not known:
        return None
    return round2(sum(known, Fraction(0)) / len(known))


def index_of(tallies: dict[str, Tally]) -> Decimal | None:
    return mean_rate(tally.rate for tally in tallies.values())


# --- the period and the agency --------------------------------------------------------------------


def answers_in(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> QuerySet[Answer]:
    first, last = period_bounds(start, end)
    return Answer.objects.filter(
        response__agency_id__in=list(agency_ids),
        response__submitted_at__gte=first,
        response__submitted_at__lte=last,
    )


def responses_in(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> QuerySet[Response]:
    first, last = period_bounds(start, end)
    return Response.objects.filter(
        agency_id__in=list(agency_ids), submitted_at__gte=first, submitted_at__lte=last
    )


def satisfaction_index(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> Decimal | None:
    """The overall satisfaction index of the agencies in [start, end] (the answers of all of
    them pooled per aspect), for the metrics and reports; None without answers."""
    return index_of(aspect_tallies(answers_in(agency_ids, start, end)))


def _aspect_names(agency: Agency, codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name) of the aspects in the order of the agency's latest version that has them;
    codes found only in older versions follow."""
    ordered: dict[str, str] = {}
    aspects = Aspect.objects.filter(survey__agency=agency).order_by(
        "-survey__version", "position", "id"
    )
    for code, name in aspects.values_list("code", "name"):
        ordered.setdefault(code, name)
    listed = list(ordered.items())
    listed += [(code, code) for code in sorted(set(codes) - set(ordered))]
    return listed


def _groups(
    answers: QuerySet[Answer],
    responses: QuerySet[Response],
    *,
    key: str,
    codes: list[str],
    labels: dict[object, str],
    by_responses: bool = False,
) -> list[GroupRate]:
    """One row per unit or procedure that has answers (responses not tied to a dossier have
    neither and are left out), by name or by number of responses."""
    tallies = grouped_tallies(answers, f"response__{key}")
    counts = {
        row[key]: row["n"] for row in responses.values(key).annotate(n=Count("id")).order_by()
    }
    rows = []
    for group, per_aspect in tallies.items():
        if group is None:
            continue
        rates = [per_aspect.get(code, Tally()).rate for code in codes]
        rows.append(
            GroupRate(
                key=group,
                label=labels.get(group, str(group)),
                responses=counts.get(group, 0),
                rates=rates,
                index=mean_rate(rates),
            )
        )
    if by_responses:
        return sorted(rows, key=lambda row: (-row.responses, row.label))
    return sorted(rows, key=lambda row: row.label)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _by_month(
    answers: QuerySet[Answer],
    responses: QuerySet[Response],
    *,
    start: dt.date,
    end: dt.date,
    codes: list[str],
) -> list[GroupRate]:
    zone = local_zone()
    month = TruncMonth("response__submitted_at", tzinfo=zone)
    rows = (
        scale_answers(answers)
        .annotate(month=month)
        .values("month", code=F("question__aspect__code"))
        .annotate(n=Count("id"), ok=Count("id", filter=_SATISFIED))
        .order_by()
    )
    tallies: dict[dt.date, dict[str, Tally]] = defaultdict(dict)
    for row in rows:
        first = row["month"]
        day = first.date() if isinstance(first, dt.datetime) else first
        tallies[day][row["code"]] = Tally(row["ok"], row["n"])
    counts: dict[dt.date, int] = defaultdict(int)
    for row in (
        responses.annotate(month=TruncMonth("submitted_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        first = row["month"]
        counts[first.date() if isinstance(first, dt.datetime) else first] += row["n"]
    out = []
    for first in _months(start, end):
        per_aspect = tallies.get(first, {})
        rates = [per_aspect.get(code, Tally()).rate for code in codes]
        out.append(
            GroupRate(
                key=first,
                label=f"{first:%m/%Y}",
                responses=counts.get(first, 0),
                rates=rates,
                index=mean_rate(rates),
            )
        )
    return out


def _questions(answers: QuerySet[Answer]) -> list[QuestionRate]:
    """Per question: its rate and its mean value, newest version first, in the survey's order."""
    rows = list(
        scale_answers(answers)
        .values(
            "question_id",
            "question__text",
            "question__position",
            "question__aspect__name",
            "question__aspect__position",
            "question__survey__version",
        )
        .annotate(n=Count("id"), ok=Count("id", filter=_SATISFIED), total=Sum("value"))
        .order_by("-question__survey__version", "question__aspect__position", "question__position")
    )
    return [
        QuestionRate(
            question_id=row["question_id"],
            aspect=row["question__aspect__name"] or "",
            text=row["question__text"],
            version=row["question__survey__version"],
            tally=Tally(row["ok"], row["n"]),
            mean=round2(Fraction(row["total"] or 0, row["n"])) if row["n"] else None,
        )
        for row in rows
    ]


def satisfaction_target(agency: Agency, year: int) -> Decimal | None:
    """The value of the satisfaction target (indicator ``satisfaction``) in the agency's plan of
    ``year``, if the plan has one."""
    from cchc.indicators.models import Target, TargetKind

    return (
        Target.objects.filter(
            plan__agency=agency,
            plan__year=year,
            indicator__code=SATISFACTION_INDICATOR,
            kind=TargetKind.VALUE,
            value__isnull=False,
        )
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )


def compute(agency: Agency, start: dt.date, end: dt.date) -> Satisfaction:
    """Every figure of the results page for one agency and period (not scoped: callers check
    access first)."""
    answers = answers_in([agency.pk], start, end)
    responses = responses_in([agency.pk], start, end)
    tallies = aspect_tallies(answers)
    names = _aspect_names(agency, tallies)
    aspects = [AspectRate(code, name, tallies.get(code, Tally())) for code, name in names]
    codes = [a.code for a in aspects]
    unit_names = dict(Unit.objects.filter(agency=agency).values_list("id", "name"))
    procedure_names = {
        pk: f"{code} {name}"
        for pk, code, name in Procedure.objects.filter(
            pk__in=responses.exclude(procedure__isnull=True).values("procedure_id")
        ).values_list("id", "code", "name")
    }
    return Satisfaction(
        agency=agency,
        start=start,
        end=end,
        responses=responses.count(),
        aspects=aspects,
        index=mean_rate(a.rate for a in aspects),
        questions=_questions(answers),
        units=_groups(answers, responses, key="unit", codes=codes, labels=unit_names),
        procedures=_groups(
            answers,
            responses,
            key="procedure",
            codes=codes,
            labels=procedure_names,
            by_responses=True,
        ),
        months=_by_month(answers, responses, start=start, end=end, codes=codes),
        target=satisfaction_target(agency, end.year),
        target_year=end.year,
    )


# --- access ---------------------------------------------------------------------------------


def results_agencies(user: User) -> list[Agency]:
    """The agencies whose survey results the person may read: every role of an agency reads
    its own; appraisers read the province's; the administrator all."""
    scope = get_scope(user)
    agencies = Agency.objects.filter(kind="agency").order_by("name")
    if not scope.is_admin:
        agencies = agencies.filter(pk__in=scope.readable_agency_ids)
    return list(agencies)


def access_results(*, actor: User, agency_id: int) -> Agency:
    """The agency, or 404 when it is missing or outside the person's reach."""
    scope = get_scope(actor)
    agency = Agency.objects.filter(pk=agency_id, kind="agency").first()
    if agency is None or not scope.can_read_agency(agency.pk):
        raise Http404
    return agency


def satisfaction(*, user: User, agency: Agency, start: dt.date, end: dt.date) -> Satisfaction:
    """The results of ``agency`` in [start, end] as ``user`` may read them (404 otherwise)."""
    access_results(actor=user, agency_id=agency.pk)
    return compute(agency, start, end)


def can_read_free_text(user: User, agency_id: int) -> bool:
    """Free-text answers are for the agency's reform coordinator and its leaders (and the
    administrator): citizens write what they like in them, names included."""
    scope = get_scope(user)
    return scope.is_admin or scope.has_role(agency_id, Role.COORDINATOR, Role.LEADER)


def free_texts(*, user: User, agency: Agency, start: dt.date, end: dt.date) -> QuerySet[Answer]:
    """The free-text answers of the period, newest first (empty for people who may not read
    them)."""
    access_results(actor=user, agency_id=agency.pk)
    if not can_read_free_text(user, agency.pk):
        return Answer.objects.none()
    return (
        answers_in([agency.pk], start, end)
        .filter(question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .select_related("question", "response")
        .order_by("-response__submitted_at", "-id")
    )


def latest_survey(agency: Agency) -> Survey | None:
    return Survey.objects.filter(agency=agency).order_by("-active", "-version").first()
