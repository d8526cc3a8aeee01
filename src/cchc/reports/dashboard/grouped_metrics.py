"""The service-quality metrics of many agencies at once, one result per agency, in a fixed
number of queries whatever the number of agencies (the province's comparison table).

``metrics_by_agency(agency_ids=…, start=…, end=…)[pk]`` equals
``cchc.procedures.metrics.compute(agency_ids=[pk], start=…, end=…)`` — counts, rates and points —
read the same way (rollups for the received and finished dossiers, the index on
(agency, finished_effective_at) for the backlog open at the end of the period, ``rules`` for the
dossiers whose clock may have paused), only grouped by agency. The tests hold both equal.
Rules come from ``cchc.procedures`` (DESIGN.md §4.3); nothing here decides one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from fractions import Fraction

from django.db.models import Count, F, Q, Sum

from cchc.feedback.selectors import due_in_period
from cchc.procedures import rules
from cchc.procedures.metrics import (
    TIME_REDUCTION_PARAMETER,
    Metrics,
    # The rule of §4.3 "handling satisfaction", shared rather than restated.
    _handling_satisfaction,
    clock_may_pause,
    metric_parameter,
    open_at_end,
    percent,
    period_bounds,
    plain_clock,
    point_rules,
    points_for,
)
from cchc.procedures.models import FinishedRollup, OnlineLevel, Procedure, ReceivedRollup

RECEIVED_FIELDS = ("received", "online", "digitized", "fee_bearing", "paid_online", "negative")
TIMES = tuple(f.name for f in dataclasses.fields(rules.DossierTimes))


@dataclasses.dataclass
class _Counts:
    received: int = 0
    online: int = 0
    digitized: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    negative: int = 0
    finished: int = 0
    on_time_finished: int = 0
    open_at_end: int = 0
    on_time_open: int = 0
    procedures: int = 0
    procedures_online: int = 0
    procedures_time_reduced: int = 0
    feedback_due: int = 0
    feedback_on_time: int = 0


def _received(counts: dict[int, _Counts], ids: list[int], start: dt.date, end: dt.date) -> None:
    rows = (
        ReceivedRollup.objects.filter(agency_id__in=ids, day__range=(start, end))
        .values("agency_id")
        .annotate(**{name: Sum(name, default=0) for name in RECEIVED_FIELDS})
        .order_by()
    )
    for row in rows:
        tally = counts[row["agency_id"]]
        for name in RECEIVED_FIELDS:
            setattr(tally, name, row[name])


def _finished(counts: dict[int, _Counts], ids: list[int], start: dt.date, end: dt.date) -> None:
    rows = (
        FinishedRollup.objects.filter(agency_id__in=ids, day__range=(start, end))
        .values("agency_id")
        .annotate(finished=Sum("finished", default=0), on_time=Sum("on_time", default=0))
        .order_by()
    )
    for row in rows:
        counts[row["agency_id"]].finished = row["finished"]
        counts[row["agency_id"]].on_time_finished = row["on_time"]


def _backlog(
    counts: dict[int, _Counts], ids: list[int], start_at: dt.datetime, end_at: dt.datetime
) -> None:
    """The dossiers open at the end of the period, judged at that end (see
    ``metrics._add_backlog``, which this groups by agency)."""
    for backlog in open_at_end(Q(agency_id__in=ids), end_at):
        rows = (
            backlog.values("agency_id")
            .annotate(
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
            )
            .order_by()
        )
        for row in rows:
            tally = counts[row["agency_id"]]
            tally.open_at_end += row["open"]
            tally.on_time_open += row["on_time_plain"]
            tally.digitized += row["pending"]
        paused = backlog.filter(
            clock_may_pause(end_at), supplement_rounds__lt=rules.LATE_SUPPLEMENT_ROUNDS
        )
        for row in paused.values_list(*TIMES, "agency_id").order_by().iterator(chunk_size=5000):
            times = rules.DossierTimes(*row[: len(TIMES)])
            counts[row[-1]].on_time_open += rules.is_on_time(times, end_at)


def _catalogue(counts: dict[int, _Counts], ids: list[int], start: dt.date, end: dt.date) -> None:
    """Procedures valid in the period, offered online, with their time cut (the share in force
    at the end of the period, DESIGN.md §4.3)."""
    max_share = metric_parameter(TIME_REDUCTION_PARAMETER, on=end)
    rows = (
        Procedure.objects.filter(agency_id__in=ids)
        .filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        )
        .order_by()
        .values_list("agency_id", "online_level", "time_limit", "reduced_time_limit")
    )
    for agency_id, level, limit, reduced_limit in rows:
        tally = counts[agency_id]
        tally.procedures += 1
        tally.procedures_online += level >= OnlineLevel.PARTIAL
        tally.procedures_time_reduced += (
            reduced_limit is not None
            and limit > 0
            and Fraction(reduced_limit) <= max_share * Fraction(limit)
        )


def _feedback(counts: dict[int, _Counts], ids: list[int], start: dt.date, end: dt.date) -> None:
    rows = (
        due_in_period(agency_ids=ids, start=start, end=end)
        .values("agency_id")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk", filter=Q(handled_at__isnull=False, handled_at__lte=F("final_due_at"))
            ),
        )
        .order_by()
    )
    for row in rows:
        counts[row["agency_id"]].feedback_due = row["due"]
        counts[row["agency_id"]].feedback_on_time = row["on_time"]


def _result(tally: _Counts, start: dt.date, end: dt.date, rule_rows: list) -> Metrics:
    in_scope = tally.finished + tally.open_at_end
    on_time = tally.on_time_finished + tally.on_time_open
    late = in_scope - on_time
    rates = {
        "on_time_rate": percent(on_time, in_scope),
        "online_rate": percent(tally.online, tally.received),
        "digitization_rate": percent(tally.digitized, tally.received),
        "online_payment_rate": percent(tally.paid_online, tally.fee_bearing),
        "procedures_online_rate": percent(tally.procedures_online, tally.procedures),
        "time_reduction_coverage": percent(tally.procedures_time_reduced, tally.procedures),
        "handling_satisfaction_rate": _handling_satisfaction(
            late, in_scope, tally.negative, tally.received
        ),
        "feedback_on_time_rate": percent(tally.feedback_on_time, tally.feedback_due),
    }
    return Metrics(
        start=start,
        end=end,
        counts={
            "received": tally.received,
            "in_scope": in_scope,
            "on_time": on_time,
            "late": late,
            "online": tally.online,
            "digitized": tally.digitized,
            "fee_bearing": tally.fee_bearing,
            "paid_online": tally.paid_online,
        },
        rates=rates,
        points=points_for(rates, rule_rows),
        details={
            "negative": tally.negative,
            "finished_in_period": tally.finished,
            "open_at_end": tally.open_at_end,
            "procedures": tally.procedures,
            "procedures_online": tally.procedures_online,
            "procedures_time_reduced": tally.procedures_time_reduced,
        },
    )


def metrics_by_agency(*, agency_ids: list[int], start: dt.date, end: dt.date) -> dict[int, Metrics]:
    """Each agency's metrics for [start, end], as ``metrics.compute`` gives them for it alone."""
    ids = sorted({int(pk) for pk in agency_ids})
    if not ids:
        return {}
    start_at, end_at = period_bounds(start, end)
    counts: dict[int, _Counts] = defaultdict(_Counts)
    _received(counts, ids, start, end)
    _finished(counts, ids, start, end)
    _backlog(counts, ids, start_at, end_at)
    _catalogue(counts, ids, start, end)
    _feedback(counts, ids, start, end)
    rule_rows = point_rules(start, end)
    return {pk: _result(counts[pk], start, end, rule_rows) for pk in ids}
