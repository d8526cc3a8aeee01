"""Service-quality metrics of DESIGN.md §4.3 (after Quyết định 766/QĐ-TTg and the national
portal's method) for a period, agency (or several), unit, field and procedure.

How ``compute`` reads them — never a scan of all dossiers:

* counts of received dossiers (received, online, digitised, fee-bearing, paid online, negative):
  sums of ``ReceivedRollup`` over the days of the period;
* dossiers finished within the period, and how many of them on time: sums of
  ``FinishedRollup`` (whether a dossier was on time once finished was stored on ingest by
  ``rules.on_time_when_finished``);
* dossiers still open at the end of the period (received by then, not finished by then): the
  *backlog*, read through the index (agency, finished_effective_at, received_at), judged as
  ``rules.is_on_time(d, end of the period)`` judges them. Those with a supplement requested
  within the period are loaded and passed to ``rules.is_on_time`` itself; for all others the
  rule reduces to "end of the period ≤ due_at" (or late with a second supplement round), which
  the database counts (``plain_clock``; the property tests hold it equal to ``rules``). The
  backlog also supplies the received dossiers whose paper result is not digitised yet, which
  count as digitised while they are unfinished (§4.3, digitisation).

``compute_by_agency`` reads the same for many agencies at once, one result per agency (the
province's comparison table): the same queries and helpers, grouped by agency, so that
``compute_by_agency(…)[pk]`` equals ``compute(agency_ids=[pk], …)``, in a number of queries that
does not grow with the agencies.

``compute_periods`` reads the same for several periods of the same agencies at once (the months
of the agency's dashboard): the rollups grouped by day in one query each, the catalogue, the
point rules, the parameters and the feedback read once, and only the backlog counts per period
end, so that ``compute_periods(…)[i]`` equals ``compute(…, start=periods[i][0], end=…[1])``.

The three are cached (``cchc.procedures.freshness``): an answer is kept until any of its inputs
changes — the agencies' rollups, dossiers, catalogue or feedback, or the province's rules — and
computed anew at the next read after that, by whichever process serves it.

``metrics_direct`` computes the same numbers straight from the dossier rows with ``rules``; it is
the reference the tests and the benchmark compare ``compute`` with, never used by pages.

Rounding: rates and points are computed exactly (fractions) and rounded once to 2 decimals,
half up (ROUND_HALF_UP: 12.345 → 12.35), as ``Decimal``. Points are computed from the rounded
rates (the figures people see), each item's points rounded, and the total is the sum of the
rounded items. A zero denominator gives ``None`` (JSON ``null``), never 0 or 100.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from cchc.procedures import freshness, rules
from cchc.procedures.models import (
    Channel,
    Dossier,
    FinishedRollup,
    MetricParameter,
    OnlineLevel,
    Procedure,
    ReceivedRollup,
    ServicePointRule,
)

COUNT_KEYS = (
    "received",
    "in_scope",
    "on_time",
    "late",
    "online",
    "digitized",
    "fee_bearing",
    "paid_online",
)
RATE_KEYS = (
    "on_time_rate",
    "online_rate",
    "digitization_rate",
    "online_payment_rate",
    "procedures_online_rate",
    "time_reduction_coverage",
    "handling_satisfaction_rate",
    "feedback_on_time_rate",
)
# A procedure "cuts its time" when its reduced limit is at most a share of the legal one; the
# share is the MetricParameter row "time_reduction_max_share" in force (65 % shipped, a cut of
# at least 35 %, DESIGN.md §4.3).
TIME_REDUCTION_PARAMETER = "time_reduction_max_share"


def metric_parameter(key: str, *, on: dt.date) -> Fraction:
    """The value of a legal figure in force on ``on`` (the latest row that started by then)."""
    return _parameter_on(_parameter_rows(key), key, on)


def _parameter_rows(key: str) -> list[tuple[dt.date | None, dt.date | None, Decimal]]:
    """Every row of a legal figure (a handful), latest start first, those without a start last."""
    return list(
        MetricParameter.objects.filter(key=key)
        .order_by(F("valid_from").desc(nulls_last=True), "-pk")
        .values_list("valid_from", "valid_to", "value")
    )


def _parameter_on(
    rows: list[tuple[dt.date | None, dt.date | None, Decimal]], key: str, on: dt.date
) -> Fraction:
    """The first of ``rows`` (see ``_parameter_rows``) in force on ``on``."""
    row = next(
        (
            value
            for valid_from, valid_to, value in rows
            if (valid_from is None or valid_from <= on) and (valid_to is None or valid_to >= on)
        ),
        None,
    )
    if row is None:
        raise ImproperlyConfigured(
            f"The metric parameter {key!r} has no row in force on {on:%d/%m/%Y}; "
            "add one in the administration (Metric parameters)."
        )
    return Fraction(row)


# paid_online values that count as paid online (1 national portal, 2 local gateway).
PAID_ONLINE_VALUES = (1, 2)
DEFAULT_MAX_TOTAL = Decimal("100.00")

_TIMES = (
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "status_at",
    "supplement_requested_at",
    "supplement_completed_at",
    "supplement_rounds",
)


class PeriodError(ValueError):
    """The period or a filter is not usable (the message is shown to people)."""


# --- periods and rounding ----------------------------------------------------------------------


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first and last instants of [start, end] in local time (Asia/Ho_Chi_Minh): 00:00 of
    ``start`` and 23:59:59.999999 of ``end``."""
    if start > end:
        raise PeriodError(_("The start of the period is after its end."))
    zone = local_zone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.max, tzinfo=zone),
    )


def round2(value: Fraction) -> Decimal:
    """``value`` rounded to 2 decimals, half away from zero (ROUND_HALF_UP), exactly."""
    scaled = value * 100
    quotient, remainder = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        quotient += 1
    return Decimal(quotient if scaled >= 0 else -quotient).scaleb(-2)


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator × 100 rounded to 2 decimals; None on a zero denominator."""
    if not denominator:
        return None
    return round2(Fraction(numerator * 100, denominator))


# --- the result ---------------------------------------------------------------------------------


@dataclass
class Metrics:
    start: dt.date
    end: dt.date
    counts: dict[str, int]
    rates: dict[str, Decimal | None]
    points: dict[str, Decimal | None]
    # Further numbers behind the rates: negative (received with a negative rating or feedback),
    # finished_in_period, open_at_end, procedures, procedures_online, procedures_time_reduced.
    details: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: ISO dates, ints, floats (from the Decimals) and nulls."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "counts": dict(self.counts),
            "rates": {key: _number(value) for key, value in self.rates.items()},
            "points": {key: _number(value) for key, value in self.points.items()},
        }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class _Tally:
    """The counts both ``compute`` and ``metrics_direct`` gather before the rates."""

    received: int = 0
    online: int = 0
    digitized: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    negative: int = 0
    finished_in_period: int = 0
    on_time_finished: int = 0
    open_at_end: int = 0
    on_time_open: int = 0


@dataclass
class _Catalogue:
    procedures: int = 0
    online: int = 0
    time_reduced: int = 0


# --- grouping: one result for all the agencies, or one per agency -------------------------------
#
# Every read below is grouped by ``_Scope.group``: None sums over all the agencies asked for
# (``compute``), ``BY_AGENCY`` sums per agency in the same query (``compute_by_agency``). Results
# are keyed by the group's value (None when not grouped); a group with no row is absent (zero).

BY_AGENCY = "agency_id"
_Group = int | None


@dataclass(frozen=True)
class _Scope:
    """What is measured: the agencies, the filters of ``compute`` and the grouping."""

    agency_ids: list[int]
    unit_id: int | None = None
    procedure_id: int | None = None
    field_name: str | None = None
    group: str | None = None


def _sums(rows: QuerySet, group: str | None, **aggregates: Any) -> dict[_Group, dict[str, Any]]:
    """``aggregates`` over ``rows``: one row under None, or one row per value of ``group``."""
    if group is None:
        return {None: rows.aggregate(**aggregates)}
    return {row[group]: row for row in rows.order_by().values(group).annotate(**aggregates)}


def _columns(names: tuple[str, ...], group: str | None) -> tuple[str, ...]:
    """``names`` followed by the group's column, when grouped."""
    return names if group is None else (*names, group)


def _group_of(row: tuple, names: tuple[str, ...], group: str | None) -> _Group:
    """The group's value of a row read with ``_columns(names, group)``."""
    return None if group is None else row[len(names)]


# --- rates and points (shared by compute and metrics_direct) -----------------------------------


def _feedback_rates(scope: _Scope, start: dt.date, end: dt.date) -> dict[_Group, Decimal | None]:
    """PAKN answered within its deadline ÷ PAKN due in the period × 100 (DESIGN.md §4.4), over
    the items ``cchc.feedback.selectors.due_in_period`` judges (imported here: the feedback app
    imports this module)."""
    from cchc.feedback.selectors import ANSWERED_ON_TIME, due_in_period

    counted = _sums(
        due_in_period(agency_ids=scope.agency_ids, start=start, end=end),
        scope.group,
        due=Count("pk"),
        on_time=Count("pk", filter=ANSWERED_ON_TIME),
    )
    return {key: percent(row["on_time"], row["due"]) for key, row in counted.items()}


def _feedback_rates_of_periods(
    scope: _Scope, periods: list[tuple[dt.date, dt.date]]
) -> list[Decimal | None]:
    """``_feedback_rates`` (not grouped) of each period, counted in one query: the items due
    within all of them, each counted under the periods its deadline falls in."""
    from cchc.feedback.selectors import ANSWERED_ON_TIME, due_in_period

    first = min(start for start, _end in periods)
    last = max(end for _start, end in periods)
    aggregates: dict[str, Any] = {}
    for index, (start, end) in enumerate(periods):
        within = Q(final_due_at__range=period_bounds(start, end))
        aggregates[f"due_{index}"] = Count("pk", filter=within)
        aggregates[f"on_time_{index}"] = Count("pk", filter=within & ANSWERED_ON_TIME)
    counted = due_in_period(agency_ids=scope.agency_ids, start=first, end=last).aggregate(
        **aggregates
    )
    return [
        percent(counted[f"on_time_{index}"], counted[f"due_{index}"])
        for index in range(len(periods))
    ]


_CATALOGUE_COLUMNS = ("online_level", "time_limit", "reduced_time_limit")


def _procedures(scope: _Scope, start: dt.date, end: dt.date) -> QuerySet[Procedure]:
    """Procedures of the agencies valid at some time in [start, end] (a unit filter does not
    apply: the catalogue is the agency's)."""
    procedures = Procedure.objects.filter(agency_id__in=scope.agency_ids).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end),
        Q(valid_to__isnull=True) | Q(valid_to__gte=start),
    )
    if scope.procedure_id is not None:
        procedures = procedures.filter(pk=scope.procedure_id)
    if scope.field_name is not None:
        procedures = procedures.filter(field=scope.field_name)
    return procedures.order_by()


def _count_procedure(catalogue: _Catalogue, row: tuple, max_share: Fraction) -> None:
    """Count a row whose first values are ``_CATALOGUE_COLUMNS`` into ``catalogue``."""
    level, limit, reduced_limit = row[: len(_CATALOGUE_COLUMNS)]
    catalogue.procedures += 1
    catalogue.online += level >= OnlineLevel.PARTIAL
    catalogue.time_reduced += (
        reduced_limit is not None
        and limit > 0
        and Fraction(reduced_limit) <= max_share * Fraction(limit)
    )


def _catalogues(scope: _Scope, start: dt.date, end: dt.date) -> dict[_Group, _Catalogue]:
    """Procedures of the agencies valid in the period (a unit filter does not apply: the
    catalogue is the agency's), offered online, with their time cut (the share in force at the
    end of the period, DESIGN.md §4.3)."""
    max_share = metric_parameter(TIME_REDUCTION_PARAMETER, on=end)
    found: dict[_Group, _Catalogue] = defaultdict(_Catalogue)
    rows = _procedures(scope, start, end).values_list(*_columns(_CATALOGUE_COLUMNS, scope.group))
    for row in rows:
        _count_procedure(found[_group_of(row, _CATALOGUE_COLUMNS, scope.group)], row, max_share)
    return found


def _catalogues_of_periods(
    scope: _Scope, periods: list[tuple[dt.date, dt.date]]
) -> list[_Catalogue]:
    """``_catalogues`` (not grouped) of each period, from one read of the procedures valid at
    some time in any of them and one of the parameter's rows."""
    first = min(start for start, _end in periods)
    last = max(end for _start, end in periods)
    rows = list(
        _procedures(scope, first, last).values_list(*_CATALOGUE_COLUMNS, "valid_from", "valid_to")
    )
    parameters = _parameter_rows(TIME_REDUCTION_PARAMETER)
    found = []
    for start, end in periods:
        max_share = _parameter_on(parameters, TIME_REDUCTION_PARAMETER, end)
        catalogue = _Catalogue()
        for row in rows:
            valid_from, valid_to = row[len(_CATALOGUE_COLUMNS) :]
            if (valid_from is None or valid_from <= end) and (
                valid_to is None or valid_to >= start
            ):
                _count_procedure(catalogue, row, max_share)
        found.append(catalogue)
    return found


def _handling_satisfaction(
    late: int, in_scope: int, negative: int, received: int
) -> Decimal | None:
    """100 − (late % of in scope + % of received with a negative rating or feedback); not
    below 0. None when either denominator is zero."""
    if not in_scope or not received:
        return None
    value = 100 - (Fraction(late * 100, in_scope) + Fraction(negative * 100, received))
    return round2(max(value, Fraction(0)))


@dataclass(frozen=True)
class _Rule:
    item: str
    rate: str
    max_points: Decimal
    threshold: Decimal | None


def _rule_rows(start: dt.date, end: dt.date) -> list[ServicePointRule]:
    """The point rules valid at some time in [start, end], by id."""
    return list(
        ServicePointRule.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        ).order_by("id")
    )


def _choose_rules(rows: list[ServicePointRule], start: dt.date, end: dt.date) -> list[_Rule]:
    """Of ``rows`` (by id), for each (item, rate), the row overlapping [start, end] that took
    effect last, in the order of the rows' ids."""
    chosen: dict[tuple[str, str], tuple[tuple[dt.date, int], ServicePointRule]] = {}
    for row in rows:
        if (row.valid_from is not None and row.valid_from > end) or (
            row.valid_to is not None and row.valid_to < start
        ):
            continue
        rank = (row.valid_from or dt.date.min, row.pk)
        key = (row.item, row.rate)
        if key not in chosen or rank > chosen[key][0]:
            chosen[key] = (rank, row)
    ordered = sorted(chosen.values(), key=lambda pair: pair[1].pk)
    return [_Rule(row.item, row.rate, row.max_points, row.threshold) for _rank, row in ordered]


def point_rules(start: dt.date, end: dt.date) -> list[_Rule]:
    """The point rules valid in the period: for each (item, rate), the row overlapping the period
    that took effect last. Items keep the order of the rows' ids (the migration's order)."""
    return _choose_rules(_rule_rows(start, end), start, end)


def points_for(
    rates: dict[str, Decimal | None], rule_rows: Iterable[_Rule]
) -> dict[str, Decimal | None]:
    """Points per item, plus ``total`` and ``max_total`` (DESIGN.md §4.3).

    Per rule: rate unknown → None; no threshold → rate ÷ 100 × max; else
    min(rate ÷ threshold, 1) × max. An item sums its rules (None when all are None)."""
    items: dict[str, Fraction | None] = {}
    max_total = Decimal(0)
    for rule in rule_rows:
        max_total += rule.max_points
        items.setdefault(rule.item, None)
        rate = rates.get(rule.rate) if rule.rate else None
        if rate is None:
            continue
        share = Fraction(rate) / 100
        if rule.threshold is not None:
            threshold = Fraction(rule.threshold)
            share = Fraction(1) if threshold <= 0 else min(Fraction(rate) / threshold, Fraction(1))
        value = share * Fraction(rule.max_points)
        items[rule.item] = (items[rule.item] or 0) + value
    points: dict[str, Decimal | None] = {
        item: None if value is None else round2(Fraction(value)) for item, value in items.items()
    }
    known = [value for value in points.values() if value is not None]
    points["total"] = sum(known, Decimal("0.00")) if known else None
    points["max_total"] = round2(Fraction(max_total)) if items else DEFAULT_MAX_TOTAL
    return points


def _metrics(
    tally: _Tally,
    catalogue: _Catalogue,
    feedback_rate: Decimal | None,
    *,
    start: dt.date,
    end: dt.date,
    rule_rows: list[_Rule],
) -> Metrics:
    in_scope = tally.finished_in_period + tally.open_at_end
    on_time = tally.on_time_finished + tally.on_time_open
    late = in_scope - on_time
    counts = {
        "received": tally.received,
        "in_scope": in_scope,
        "on_time": on_time,
        "late": late,
        "online": tally.online,
        "digitized": tally.digitized,
        "fee_bearing": tally.fee_bearing,
        "paid_online": tally.paid_online,
    }
    rates = {
        "on_time_rate": percent(on_time, in_scope),
        "online_rate": percent(tally.online, tally.received),
        "digitization_rate": percent(tally.digitized, tally.received),
        "online_payment_rate": percent(tally.paid_online, tally.fee_bearing),
        "procedures_online_rate": percent(catalogue.online, catalogue.procedures),
        "time_reduction_coverage": percent(catalogue.time_reduced, catalogue.procedures),
        "handling_satisfaction_rate": _handling_satisfaction(
            late, in_scope, tally.negative, tally.received
        ),
        "feedback_on_time_rate": feedback_rate,
    }
    return Metrics(
        start=start,
        end=end,
        counts=counts,
        rates=rates,
        points=points_for(rates, rule_rows),
        details={
            "negative": tally.negative,
            "finished_in_period": tally.finished_in_period,
            "open_at_end": tally.open_at_end,
            "procedures": catalogue.procedures,
            "procedures_online": catalogue.online,
            "procedures_time_reduced": catalogue.time_reduced,
        },
    )


def _results(
    tallies: dict[_Group, _Tally],
    keys: Iterable[_Group],
    scope: _Scope,
    start: dt.date,
    end: dt.date,
) -> dict[_Group, Metrics]:
    """The metrics of each of ``keys`` from its tally, its catalogue and its feedback."""
    catalogues = _catalogues(scope, start, end)
    feedback = _feedback_rates(scope, start, end)
    rule_rows = point_rules(start, end)
    return {
        key: _metrics(
            tallies.get(key, _Tally()),
            catalogues.get(key, _Catalogue()),
            feedback.get(key),
            start=start,
            end=end,
            rule_rows=rule_rows,
        )
        for key in keys
    }


# --- compute: from the rollups and the open backlog ---------------------------------------------


def _check_agencies(agency_ids: list[int]) -> list[int]:
    ids = sorted({int(pk) for pk in agency_ids})
    if not ids:
        raise PeriodError(_("Choose at least one agency."))
    return ids


def _keys(
    agency_ids: list[int],
    unit_id: int | None,
    procedure_id: int | None,
    field_name: str | None,
    *,
    unit_column: str,
) -> Q:
    """The filter of a rollup (``unit_column="unit_key"``) or of the dossiers (``"unit_id"``)."""
    keys = Q(agency_id__in=agency_ids)
    if unit_id is not None:
        keys &= Q(**{unit_column: unit_id})
    if procedure_id is not None:
        keys &= Q(procedure_id=procedure_id)
    if field_name is not None:
        keys &= Q(procedure__field=field_name)
    return keys


def _dossier_filter(
    agency_ids: list[int], unit_id: int | None, procedure_id: int | None, field_name: str | None
) -> Q:
    return _keys(agency_ids, unit_id, procedure_id, field_name, unit_column="unit_id")


def open_at_end(dossiers: Q, end_at: dt.datetime) -> list[QuerySet[Dossier]]:
    """The dossiers matching ``dossiers`` received by ``end_at`` and not finished by then (two
    querysets, each on the index (agency, finished_effective_at, received_at); SQLite would not
    use the index for the two conditions joined by OR). The index entry answers "received by
    the end" too, so only the backlog's rows are read: for a period long past (the previous
    year of a report) nearly every dossier finished after its end, and reading each of their
    rows to test received_at took seconds at a million dossiers on SQLite."""
    base = Dossier.objects.filter(dossiers, received_at__lte=end_at)
    return [
        base.filter(finished_effective_at__isnull=True),
        base.filter(finished_effective_at__gt=end_at),
    ]


def clock_may_pause(end_at: dt.datetime) -> Q:
    """A supplement requested within [received, end_at]: the pause rules of ``rules.is_on_time``
    apply, and the dossier is judged by it in Python."""
    return Q(supplement_requested_at__gte=F("received_at"), supplement_requested_at__lte=end_at)


def plain_clock(end_at: dt.datetime) -> Q:
    """No supplement requested within [received, end_at] and fewer rounds than make a dossier
    late: ``rules.is_on_time(d, end_at)`` is then exactly ``end_at <= due_at``, which the
    database counts (the property tests hold both ways of counting equal)."""
    return Q(supplement_rounds__lt=rules.LATE_SUPPLEMENT_ROUNDS) & (
        Q(supplement_requested_at__isnull=True)
        | Q(supplement_requested_at__lt=F("received_at"))
        | Q(supplement_requested_at__gt=end_at)
    )


def _add_backlog(
    tallies: dict[_Group, _Tally],
    backlog: QuerySet[Dossier],
    start_at: dt.datetime,
    end_at: dt.datetime,
    group: str | None,
    *,
    judge_paused: bool = True,
) -> None:
    """Count one part of the open backlog into ``tallies``: on time at ``end_at`` (by ``rules``),
    and the received dossiers whose paper result is not digitised yet (digitised so far).
    ``judge_paused=False`` leaves out those ``rules.is_on_time`` judges (``clock_may_pause``):
    ``compute_periods`` reads them once for all its period ends."""
    paused_clock = clock_may_pause(end_at) & Q(supplement_rounds__lt=rules.LATE_SUPPLEMENT_ROUNDS)
    counted = _sums(
        backlog,
        group,
        open=Count("id"),
        on_time_plain=Count("id", filter=plain_clock(end_at) & Q(due_at__gte=end_at)),
        pending=Count(
            "id",
            filter=Q(
                received_at__gte=start_at,
                components_digitized=True,
                result_digitized=False,
                procedure__paper_result=True,
            ),
        ),
        paused=Count("id", filter=paused_clock),
    )
    for key, row in counted.items():
        tally = tallies[key]
        tally.open_at_end += row["open"]
        tally.on_time_open += row["on_time_plain"]
        tally.digitized += row["pending"]
    if not judge_paused or not any(row["paused"] for row in counted.values()):
        return  # no dossier for rules.is_on_time: spare the read
    paused = backlog.filter(paused_clock)
    for row in paused.values_list(*_columns(_TIMES, group)).order_by().iterator(chunk_size=5000):
        tallies[_group_of(row, _TIMES, group)].on_time_open += rules.is_on_time(
            times_of(row), end_at
        )


def times_of(row: tuple) -> rules.DossierTimes:
    """``rules.DossierTimes`` from a row whose first values are ``_TIMES``."""
    return rules.DossierTimes(*row[: len(_TIMES)])


_RECEIVED_SUMS = ("received", "online", "digitized", "fee_bearing", "paid_online", "negative")


def _measure(
    keys: Iterable[_Group], scope: _Scope, start: dt.date, end: dt.date
) -> dict[_Group, Metrics]:
    """The metrics of each of ``keys`` from the rollups and the backlog open at the period's
    end, grouped by ``scope.group`` (a bounded number of queries, whatever the dossier count)."""
    start_at, end_at = period_bounds(start, end)
    filters = (scope.agency_ids, scope.unit_id, scope.procedure_id, scope.field_name)
    group = scope.group
    rollup = _keys(*filters, unit_column="unit_key") & Q(day__range=(start, end))
    tallies: dict[_Group, _Tally] = defaultdict(_Tally)
    received = _sums(
        ReceivedRollup.objects.filter(rollup),
        group,
        **{name: Sum(name, default=0) for name in _RECEIVED_SUMS},
    )
    for key, row in received.items():
        for name in _RECEIVED_SUMS:
            setattr(tallies[key], name, row[name])
    finished = _sums(
        FinishedRollup.objects.filter(rollup),
        group,
        finished=Sum("finished", default=0),
        on_time=Sum("on_time", default=0),
    )
    for key, row in finished.items():
        tallies[key].finished_in_period = row["finished"]
        tallies[key].on_time_finished = row["on_time"]
    for backlog in open_at_end(_dossier_filter(*filters), end_at):
        _add_backlog(tallies, backlog, start_at, end_at, group)
    return _results(tallies, keys, scope, start, end)


def compute(
    *,
    agency_ids: list[int],
    start: dt.date,
    end: dt.date,
    unit_id: int | None = None,
    procedure_id: int | None = None,
    field: str | None = None,
) -> Metrics:
    """Every count, rate and point of DESIGN.md §4.3 for the period, from the rollups and the
    backlog open at the period's end (a bounded number of queries, whatever the dossier count)."""
    scope = _Scope(_check_agencies(agency_ids), unit_id, procedure_id, field)
    return freshness.cached(
        "compute",
        scope.agency_ids,
        (start, end, unit_id, procedure_id, field),
        lambda: _measure([None], scope, start, end)[None],
    )


def compute_by_agency(*, agency_ids: list[int], start: dt.date, end: dt.date) -> dict[int, Metrics]:
    """Each agency's metrics for [start, end], keyed by its id: ``result[pk]`` equals
    ``compute(agency_ids=[pk], start=start, end=end)``, read by the same queries grouped by
    agency, so their number does not grow with the agencies or the dossiers (the province's
    comparison table). No agency gives ``{}`` without a query."""
    ids = sorted({int(pk) for pk in agency_ids})
    if not ids:
        return {}
    return freshness.cached(
        "compute_by_agency",
        ids,
        (start, end),
        lambda: _measure(ids, _Scope(ids, group=BY_AGENCY), start, end),
    )


def _paused_of_periods(
    dossiers: Q, ends: list[dt.datetime]
) -> list[tuple[rules.DossierTimes, dt.datetime | None]]:
    """The dossiers ``_add_backlog`` would judge by ``rules.is_on_time`` at any of ``ends`` (open
    at that end, a supplement requested within [received, end], fewer rounds than make one
    late), with their ``finished_effective_at``: one read (in the two parts of ``open_at_end``)
    instead of one per end, each end picking its own in Python."""
    first, last = min(ends), max(ends)
    base = Dossier.objects.filter(
        dossiers,
        received_at__lte=last,
        supplement_rounds__lt=rules.LATE_SUPPLEMENT_ROUNDS,
        supplement_requested_at__gte=F("received_at"),
        supplement_requested_at__lte=last,
    )
    found = []
    for part in (
        base.filter(finished_effective_at__isnull=True),
        base.filter(finished_effective_at__gt=first),
    ):
        rows = part.values_list(*_TIMES, "finished_effective_at").order_by()
        # Fetched at once, not through a server-side cursor: these are the few dossiers with a
        # supplement open at a month's end (some 1,500 a year for an agency of 25,000 dossiers).
        found.extend((times_of(row), row[len(_TIMES)]) for row in rows)
    return found


def compute_periods(
    *,
    agency_ids: list[int],
    periods: list[tuple[dt.date, dt.date]],
    unit_id: int | None = None,
    procedure_id: int | None = None,
    field: str | None = None,
) -> list[Metrics]:
    """The metrics of each of ``periods`` (start, end), in their order: ``result[i]`` equals
    ``compute(…, start=periods[i][0], end=periods[i][1])``. The rollups are read grouped by day
    in one query each and summed per period, the catalogue, point rules, parameter and feedback
    once for all the periods; only the backlog open at each period's end is counted per period
    (it differs at each end), through the index (agency, finished_effective_at, received_at).
    No period gives ``[]`` without a query."""
    scope = _Scope(_check_agencies(agency_ids), unit_id, procedure_id, field)
    if not periods:
        return []
    return freshness.cached(
        "compute_periods",
        scope.agency_ids,
        (tuple(periods), unit_id, procedure_id, field),
        lambda: _measure_periods(scope, periods),
    )


def _measure_periods(scope: _Scope, periods: list[tuple[dt.date, dt.date]]) -> list[Metrics]:
    """``compute_periods`` without the cache."""
    bounds = [period_bounds(start, end) for start, end in periods]
    first = min(start for start, _end in periods)
    last = max(end for _start, end in periods)
    filters = (scope.agency_ids, scope.unit_id, scope.procedure_id, scope.field_name)
    rollup = _keys(*filters, unit_column="unit_key") & Q(day__range=(first, last))
    received = _sums(
        ReceivedRollup.objects.filter(rollup),
        "day",
        **{name: Sum(name, default=0) for name in _RECEIVED_SUMS},
    )
    finished = _sums(
        FinishedRollup.objects.filter(rollup),
        "day",
        finished=Sum("finished", default=0),
        on_time=Sum("on_time", default=0),
    )
    catalogues = _catalogues_of_periods(scope, periods)
    feedback = _feedback_rates_of_periods(scope, periods)
    rule_rows = _rule_rows(first, last)
    paused = _paused_of_periods(_dossier_filter(*filters), [end_at for _s, end_at in bounds])
    results = []
    for index, (start, end) in enumerate(periods):
        tally = _Tally()
        for day, row in received.items():
            if start <= day <= end:
                for name in _RECEIVED_SUMS:
                    setattr(tally, name, getattr(tally, name) + row[name])
        for day, row in finished.items():
            if start <= day <= end:
                tally.finished_in_period += row["finished"]
                tally.on_time_finished += row["on_time"]
        start_at, end_at = bounds[index]
        for backlog in open_at_end(_dossier_filter(*filters), end_at):
            _add_backlog({None: tally}, backlog, start_at, end_at, None, judge_paused=False)
        for times, finished_at in paused:
            if (
                times.received_at <= end_at
                and (finished_at is None or finished_at > end_at)
                and times.received_at <= times.supplement_requested_at <= end_at
            ):
                tally.on_time_open += rules.is_on_time(times, end_at)
        results.append(
            _metrics(
                tally,
                catalogues[index],
                feedback[index],
                start=start,
                end=end,
                rule_rows=_choose_rules(rule_rows, start, end),
            )
        )
    return results


# --- the reference: straight from the dossiers --------------------------------------------------


def metrics_direct(
    *,
    agency_ids: list[int],
    start: dt.date,
    end: dt.date,
    unit_id: int | None = None,
    procedure_id: int | None = None,
    field: str | None = None,
) -> Metrics:
    """The same as ``compute``, from every dossier row with ``rules`` in a plain loop (DESIGN.md
    §4.3 read literally). For tests and the benchmark's correctness check, never for pages."""
    agency_ids = _check_agencies(agency_ids)
    start_at, end_at = period_bounds(start, end)
    rows = (
        Dossier.objects.filter(_dossier_filter(agency_ids, unit_id, procedure_id, field))
        .values_list(
            *_TIMES,
            "channel",
            "components_digitized",
            "result_digitized",
            "paid_online",
            "negative_feedback",
            "procedure__paper_result",
            "procedure__fee_bearing",
        )
        .order_by()
    )
    tally = _Tally()
    for row in rows.iterator(chunk_size=5000):
        times = times_of(row)
        channel, components, result, paid, negative, paper, fee = row[len(_TIMES) :]
        finished = rules.finished_effective_at(times)
        finished_by_end = finished is not None and finished <= end_at
        if start_at <= times.received_at <= end_at:
            tally.received += 1
            tally.online += channel == Channel.ONLINE
            tally.digitized += components and (result or not paper or not finished_by_end)
            tally.fee_bearing += fee
            tally.paid_online += fee and paid in PAID_ONLINE_VALUES
            tally.negative += negative
        if times.received_at > end_at or (finished is not None and finished < start_at):
            continue  # not in scope
        if finished_by_end:
            tally.finished_in_period += 1
            tally.on_time_finished += rules.is_on_time(times, finished)
        else:
            tally.open_at_end += 1
            tally.on_time_open += rules.is_on_time(times, end_at)
    scope = _Scope(agency_ids, unit_id, procedure_id, field)
    return _results({None: tally}, [None], scope, start, end)[None]


# --- drill-down and trends -----------------------------------------------------------------------


@dataclass(frozen=True)
class LateDossier:
    dossier: Dossier  # with procedure and unit loaded
    finished: bool  # finished within the period (else still open at its end)
    effective_end: dt.datetime
    days_late: int
    apology_in_time: bool


def days_late(times: rules.DossierTimes, effective_end: dt.datetime) -> int:
    """Calendar days from the due time to the paused-adjusted end, a started day counting as a
    whole one; 0 for a dossier late only by the supplement-rounds rule."""
    overdue = rules.clock_end(times, effective_end) - times.due_at
    if overdue <= dt.timedelta(0):
        return 0
    return math.ceil(overdue / dt.timedelta(days=1))


def _apology_in_time(dossier: Dossier) -> bool:
    """An apology letter issued at least one day before the deadline (DESIGN.md §4.2)."""
    latest = dossier.due_at - dt.timedelta(days=1)
    return any(letter.issued_at <= latest for letter in dossier.apologies.all())


def late_dossiers(
    agency_id: int,
    start: dt.date,
    end: dt.date,
    unit_id: int | None = None,
    procedure_id: int | None = None,
    field: str | None = None,
) -> list[LateDossier]:
    """The in-scope dossiers of the period that are late: finished late within it, or open at its
    end and late by then. Most days late first. Days late are calendar days."""
    _start_at, end_at = period_bounds(start, end)
    keys = _dossier_filter([agency_id], unit_id, procedure_id, field)
    related = ("procedure", "unit")
    found: list[LateDossier] = []
    finished_late = (
        Dossier.objects.filter(keys, finished_day__range=(start, end), on_time_when_finished=False)
        .select_related(*related)
        .prefetch_related("apologies")
    )
    for dossier in finished_late:
        times = times_of(tuple(getattr(dossier, name) for name in _TIMES))
        ended = dossier.finished_effective_at
        found.append(
            LateDossier(dossier, True, ended, days_late(times, ended), _apology_in_time(dossier))
        )
    # Only the candidates: the database leaves out those on time by the plain clock.
    candidates = (
        Q(supplement_rounds__gte=rules.LATE_SUPPLEMENT_ROUNDS)
        | clock_may_pause(end_at)
        | (plain_clock(end_at) & Q(due_at__lt=end_at))
    )
    for backlog in open_at_end(keys, end_at):
        late_ones = backlog.filter(candidates).select_related(*related)
        for dossier in late_ones.prefetch_related("apologies"):
            times = times_of(tuple(getattr(dossier, name) for name in _TIMES))
            if rules.is_on_time(times, end_at):
                continue
            found.append(
                LateDossier(
                    dossier, False, end_at, days_late(times, end_at), _apology_in_time(dossier)
                )
            )
    found.sort(key=lambda late: (-late.days_late, late.dossier.code))
    return found


def monthly_series(
    agency_id: int,
    year: int,
    rate: str,
    *,
    unit_id: int | None = None,
    procedure_id: int | None = None,
    field: str | None = None,
) -> list[Decimal | None]:
    """Twelve values of ``rate`` (January first), each month measured as its own period
    (``compute_periods``)."""
    if rate not in RATE_KEYS:
        raise PeriodError(_("Unknown rate: %(rate)s.") % {"rate": rate})
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        months.append(
            (first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
        )
    measured = compute_periods(
        agency_ids=[agency_id],
        periods=months,
        unit_id=unit_id,
        procedure_id=procedure_id,
        field=field,
    )
    return [metrics.rates[rate] for metrics in measured]
