"""Hand-worked examples of every rule of DESIGN.md §4.2–4.3 for the service-quality metrics.

Dossiers are written directly (``make_dossier`` fills the derived fields with ``rules`` as the
ingest does) and the rollups rebuilt; every example also checks that ``compute`` (rollups and
backlog) and ``metrics_direct`` (a plain loop over the dossiers) agree.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cchc.procedures import metrics, rollups, rules
from cchc.procedures.metrics import compute, metrics_direct
from cchc.procedures.models import (
    ApologyLetter,
    Dossier,
    DossierStatus,
    OnlineLevel,
    Procedure,
    ServicePointRule,
)
from cchc.testing import fresh_metrics

_codes = itertools.count(1)


def at(text: str) -> dt.datetime:
    """A local (Asia/Ho_Chi_Minh) time from ``YYYY-MM-DD HH:MM``."""
    return timezone.make_aware(dt.datetime.fromisoformat(text), metrics.local_zone())


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def make_procedure(agency, code="P1", **fields) -> Procedure:
    defaults = {
        "name": f"Thủ tục {code}",
        "time_limit": Decimal(5),
        "online_level": OnlineLevel.FULL,
        "fee_bearing": False,
        "paper_result": False,
    }
    return Procedure.objects.create(agency=agency, code=code, **{**defaults, **fields})


def derive(dossier: Dossier) -> Dossier:
    """Fill the derived fields the way the ingest does (local days; ``rules``)."""
    times = metrics.times_of(tuple(getattr(dossier, name) for name in metrics._TIMES))
    finished = rules.finished_effective_at(times)
    zone = metrics.local_zone()
    dossier.finished_effective_at = finished
    dossier.received_day = timezone.localtime(dossier.received_at, zone).date()
    dossier.finished_day = None if finished is None else timezone.localtime(finished, zone).date()
    dossier.on_time_when_finished = rules.on_time_when_finished(times)
    return dossier


def make_dossier(
    procedure: Procedure,
    *,
    received: dt.datetime,
    due: dt.datetime,
    unit=None,
    code: str | None = None,
    save: bool = True,
    **fields,
) -> Dossier:
    """A dossier of ``procedure``'s agency; ``fields`` are Dossier fields (finished_at, status,
    supplement_requested_at, …). The status defaults to 10 when finished, else 4."""
    finished = fields.get("finished_at") or fields.get("returned_at")
    fields.setdefault("status", DossierStatus.RETURNED if finished else DossierStatus.PROCESSING)
    fields.setdefault("channel", 1)
    dossier = Dossier(
        agency_id=procedure.agency_id,
        procedure=procedure,
        unit=unit,
        code=code or f"HS-{next(_codes):06d}",
        received_at=received,
        due_at=due,
        row_hash="test",
        **fields,
    )
    derive(dossier)
    if save:
        dossier.save()
    return dossier


def both(agency_ids, start, end, **filters):
    """``compute`` after a rebuild, checked equal to ``metrics_direct``."""
    rollups.rebuild()
    fast = compute(agency_ids=agency_ids, start=start, end=end, **filters)
    slow = metrics_direct(agency_ids=agency_ids, start=start, end=end, **filters)
    assert fast.counts == slow.counts
    assert fast.rates == slow.rates
    assert fast.points == slow.points
    assert fast.details == slow.details
    return fast


MARCH = (d("2026-03-01"), d("2026-03-31"))


@pytest.fixture
def agency(world):
    return world.a.agency


@pytest.fixture
def proc(agency):
    return make_procedure(agency)


def march(agency, **filters):
    return both([agency.pk], *MARCH, **filters)


# --- timeliness ------------------------------------------------------------------------------


def test_finished_on_time_and_late(agency, proc):
    due = at("2026-03-06 17:00")
    make_dossier(proc, received=at("2026-03-02 08:00"), due=due, finished_at=at("2026-03-06 16:00"))
    make_dossier(proc, received=at("2026-03-02 08:00"), due=due, finished_at=at("2026-03-06 17:00"))
    make_dossier(proc, received=at("2026-03-02 08:00"), due=due, finished_at=at("2026-03-09 10:00"))
    m = march(agency)
    assert (m.counts["in_scope"], m.counts["on_time"], m.counts["late"]) == (3, 2, 1)
    assert m.rates["on_time_rate"] == Decimal("66.67")
    assert m.points["timeliness"] == Decimal("13.33")  # 66.67 ÷ 100 × 20


def test_supplement_pause_inside_counts_out(agency, proc):
    # 3 days of pause (03/03 09:00 → 06/03 09:00): 08/03 10:00 − 3 days = 05/03 10:00 ≤ due.
    make_dossier(
        proc,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-05 17:00"),
        supplement_requested_at=at("2026-03-03 09:00"),
        supplement_completed_at=at("2026-03-06 09:00"),
        supplement_rounds=1,
        finished_at=at("2026-03-08 10:00"),
    )
    # Same without the pause: late.
    make_dossier(
        proc,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-05 17:00"),
        finished_at=at("2026-03-08 10:00"),
    )
    m = march(agency)
    assert (m.counts["on_time"], m.counts["late"]) == (1, 1)


def test_supplement_not_completed_by_period_end_stops_the_clock(agency, proc):
    due = at("2026-03-30 17:00")
    # Requested before the due time, never completed: the clock stopped at 27/03 → on time.
    make_dossier(
        proc,
        received=at("2026-03-25 08:00"),
        due=due,
        status=DossierStatus.SUPPLEMENT,
        supplement_requested_at=at("2026-03-27 10:00"),
        supplement_rounds=1,
    )
    # Completed only in April: for March the clock still stopped at the request → on time.
    make_dossier(
        proc,
        received=at("2026-03-25 08:00"),
        due=due,
        supplement_requested_at=at("2026-03-27 10:00"),
        supplement_completed_at=at("2026-04-02 10:00"),
        supplement_rounds=1,
    )
    # Requested after the due time: stopped too late → late.
    make_dossier(
        proc,
        received=at("2026-03-25 08:00"),
        due=due,
        status=DossierStatus.SUPPLEMENT,
        supplement_requested_at=at("2026-03-31 09:00"),
        supplement_rounds=1,
    )
    m = march(agency)
    assert (m.counts["in_scope"], m.counts["on_time"], m.counts["late"]) == (3, 2, 1)


def test_second_supplement_round_makes_it_late(agency, proc):
    make_dossier(
        proc,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-20 17:00"),
        supplement_requested_at=at("2026-03-03 09:00"),
        supplement_completed_at=at("2026-03-04 09:00"),
        supplement_rounds=2,
        finished_at=at("2026-03-05 10:00"),
    )
    m = march(agency)
    assert (m.counts["on_time"], m.counts["late"]) == (0, 1)
    assert m.rates["on_time_rate"] == Decimal("0.00")


def test_unfinished_at_period_end_on_time_and_late(agency, proc):
    make_dossier(proc, received=at("2026-03-25 08:00"), due=at("2026-04-02 17:00"))
    make_dossier(proc, received=at("2026-03-10 08:00"), due=at("2026-03-20 17:00"))
    # Due at 23:59 on the last day: the period ends at 23:59:59.999999, so it is late by then.
    make_dossier(proc, received=at("2026-03-10 08:00"), due=at("2026-03-31 23:59"))
    # Due at the very last instant of the period: on time.
    last_instant = at("2026-03-31 23:59") + dt.timedelta(seconds=59, microseconds=999999)
    make_dossier(proc, received=at("2026-03-10 08:00"), due=last_instant)
    m = march(agency)
    assert (m.counts["in_scope"], m.counts["on_time"], m.counts["late"]) == (4, 2, 2)
    assert m.details["open_at_end"] == 4


def test_carry_over_from_previous_year(agency, proc):
    make_dossier(
        proc,
        received=at("2025-12-20 08:00"),
        due=at("2026-01-10 17:00"),
        finished_at=at("2026-01-05 10:00"),
    )
    previous = both([agency.pk], d("2025-01-01"), d("2025-12-31"))
    assert previous.counts["received"] == 1
    assert (previous.counts["in_scope"], previous.counts["on_time"]) == (1, 1)
    assert previous.details["open_at_end"] == 1
    current = both([agency.pk], d("2026-01-01"), d("2026-12-31"))
    assert current.counts["received"] == 0
    assert (current.counts["in_scope"], current.counts["on_time"]) == (1, 1)
    assert current.rates["online_rate"] is None  # nothing received in 2026
    assert current.rates["on_time_rate"] == Decimal("100.00")


def test_finished_before_the_period_is_out_of_scope(agency, proc):
    make_dossier(
        proc,
        received=at("2026-02-02 08:00"),
        due=at("2026-02-10 17:00"),
        finished_at=at("2026-02-28 23:59"),
    )
    m = march(agency)
    assert m.counts["in_scope"] == 0
    assert m.rates["on_time_rate"] is None


def test_ending_states_without_finish_time_end_at_status_at(agency, proc):
    due = at("2026-03-10 17:00")
    received = at("2026-03-02 08:00")
    # Refused on 03/03: finished then, on time.
    make_dossier(
        proc,
        received=received,
        due=due,
        status=DossierStatus.REFUSED,
        status_at=at("2026-03-03 09:00"),
    )
    # Stopped on 20/03: finished then, late.
    make_dossier(
        proc,
        received=received,
        due=due,
        status=DossierStatus.STOPPED,
        status_at=at("2026-03-20 09:00"),
    )
    # Withdrawn with no time known: never finished, judged at the period end → late.
    make_dossier(proc, received=received, due=due, status=DossierStatus.WITHDRAWN)
    m = march(agency)
    assert m.details["finished_in_period"] == 2
    assert m.details["open_at_end"] == 1
    assert (m.counts["on_time"], m.counts["late"]) == (1, 2)


def test_returned_at_is_the_finish_when_finished_at_is_missing(agency, proc):
    make_dossier(
        proc,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-06 17:00"),
        returned_at=at("2026-03-06 10:00"),
    )
    m = march(agency)
    assert (m.details["finished_in_period"], m.counts["on_time"]) == (1, 1)


def test_computed_due_date_over_the_april_holidays(agency, proc):
    """5 working days from Friday 24/04/2026: Mon 27/04 is Giỗ Tổ (observed), 30/04 and 01/05
    are holidays, so the days are 28, 29/04, 04, 05, 06/05 → due 06/05/2026 17:00 (§4.1), as the
    ingest computes it when NgayHenTra is empty."""
    received = at("2026-04-24 09:00")
    make_dossier(
        proc,
        received=received,
        due=at("2026-05-06 17:00"),
        due_computed=True,
        finished_at=at("2026-05-06 15:00"),
    )
    make_dossier(
        proc,
        received=received,
        due=at("2026-05-06 17:00"),
        due_computed=True,
        finished_at=at("2026-05-07 08:00"),
    )
    m = both([agency.pk], d("2026-05-01"), d("2026-05-31"))
    assert (m.counts["on_time"], m.counts["late"]) == (1, 1)


def test_day_swap_saturday_worked(agency, proc):
    """2 working days from Thursday 20/08/2026: Fri 21 and Saturday 22/08 (worked in exchange for
    Monday 31/08) → due 22/08 17:00; finishing on Monday 24/08 is late. 1 working day from
    Friday 28/08: Mon 31/08 is off, 01–02/09 are National Day → due Thursday 03/09."""
    make_dossier(
        proc,
        received=at("2026-08-20 09:00"),
        due=at("2026-08-22 17:00"),
        due_computed=True,
        finished_at=at("2026-08-24 09:00"),
    )
    make_dossier(
        proc,
        received=at("2026-08-28 09:00"),
        due=at("2026-09-03 17:00"),
        due_computed=True,
        finished_at=at("2026-09-02 10:00"),
    )
    august = both([agency.pk], d("2026-08-01"), d("2026-08-31"))
    assert (august.counts["in_scope"], august.counts["late"]) == (2, 1)
    september = both([agency.pk], d("2026-09-01"), d("2026-09-30"))
    assert (september.counts["in_scope"], september.counts["on_time"]) == (1, 1)


def test_period_boundaries_are_local_days(agency, proc):
    # 00:30 on 01/03 local is still 28/02 in UTC; it belongs to March.
    make_dossier(proc, received=at("2026-03-01 00:30"), due=at("2026-03-05 17:00"))
    make_dossier(proc, received=at("2026-03-31 23:30"), due=at("2026-04-05 17:00"))
    make_dossier(proc, received=at("2026-04-01 00:00"), due=at("2026-04-05 17:00"))
    m = march(agency)
    assert m.counts["received"] == 2
    assert m.counts["in_scope"] == 2


# --- the received-based rates ----------------------------------------------------------------


def test_online_rate(agency, proc):
    for channel in (1, 2, 2, 3):
        make_dossier(
            proc, received=at("2026-03-02 08:00"), due=at("2026-03-30 17:00"), channel=channel
        )
    m = march(agency)
    assert (m.counts["received"], m.counts["online"]) == (4, 2)
    assert m.rates["online_rate"] == Decimal("50.00")


def test_digitization_with_paper_result_pending(agency):
    paper = make_procedure(agency, "GIAY", paper_result=True)
    no_paper = make_procedure(agency, "DT", paper_result=False)
    received, due = at("2026-03-02 08:00"), at("2026-03-30 17:00")
    done = at("2026-03-10 10:00")
    # Finished, paper result not digitised: not digitised.
    make_dossier(paper, received=received, due=due, finished_at=done, components_digitized=True)
    # Unfinished, paper result not digitised yet: digitised so far.
    make_dossier(paper, received=received, due=due, components_digitized=True)
    # Finished with the result digitised too.
    make_dossier(
        paper,
        received=received,
        due=due,
        finished_at=done,
        components_digitized=True,
        result_digitized=True,
    )
    # Components not digitised.
    make_dossier(paper, received=received, due=due, finished_at=done, result_digitized=True)
    # No paper result: the components are enough.
    make_dossier(no_paper, received=received, due=due, finished_at=done, components_digitized=True)
    m = march(agency)
    assert (m.counts["received"], m.counts["digitized"]) == (5, 3)
    assert m.rates["digitization_rate"] == Decimal("60.00")
    assert m.points["digitization"] == Decimal("16.50")  # 60 ÷ 80 × 22
    # Finished only in April: in March the pending one counts, in the year it does not.
    pending = Dossier.objects.get(finished_at__isnull=True, components_digitized=True)
    pending.finished_at = at("2026-04-02 10:00")
    derive(pending).save()
    assert march(agency).counts["digitized"] == 3
    assert both([agency.pk], d("2026-01-01"), d("2026-12-31")).counts["digitized"] == 2


def test_online_payment_only_over_fee_bearing(agency):
    fee = make_procedure(agency, "PHI", fee_bearing=True)
    free = make_procedure(agency, "MIEN", fee_bearing=False)
    received, due = at("2026-03-02 08:00"), at("2026-03-30 17:00")
    make_dossier(fee, received=received, due=due, paid_online=1)
    make_dossier(fee, received=received, due=due, paid_online=2)
    make_dossier(fee, received=received, due=due, paid_online=0)
    make_dossier(fee, received=received, due=due, paid_online=0)
    make_dossier(free, received=received, due=due, paid_online=2)
    m = march(agency)
    assert (m.counts["fee_bearing"], m.counts["paid_online"]) == (4, 2)
    assert m.rates["online_payment_rate"] == Decimal("50.00")
    assert m.points["online_payment"] == Decimal("6.25")  # 50 ÷ 80 × 10


def test_handling_satisfaction(agency, proc):
    received, due = at("2026-03-02 08:00"), at("2026-03-06 17:00")
    make_dossier(proc, received=received, due=due, finished_at=at("2026-03-09 10:00"))
    make_dossier(proc, received=received, due=due, finished_at=at("2026-03-05 10:00"))
    make_dossier(proc, received=received, due=due, finished_at=at("2026-03-05 10:00"))
    make_dossier(
        proc, received=received, due=due, finished_at=at("2026-03-05 10:00"), negative_feedback=True
    )
    make_dossier(proc, received=received, due=at("2026-04-06 17:00"))
    m = march(agency)
    # late 1 of 5 in scope (20 %), negative 1 of 5 received (20 %) → 60.
    assert m.rates["handling_satisfaction_rate"] == Decimal("60.00")
    assert m.points["satisfaction"] == Decimal("12.00")  # 60 ÷ 90 × 18
    assert m.details["negative"] == 1


def test_handling_satisfaction_does_not_go_below_zero(agency, proc):
    make_dossier(
        proc,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-03 17:00"),
        negative_feedback=True,
    )
    assert march(agency).rates["handling_satisfaction_rate"] == Decimal("0.00")


def test_zero_denominators_give_null(agency):
    m = march(agency)
    assert set(m.counts.values()) == {0}
    assert all(value is None for value in m.rates.values())
    assert m.points["total"] is None
    assert m.points["max_total"] == Decimal("100.00")
    payload = m.as_json()
    assert payload["rates"]["on_time_rate"] is None
    assert payload["points"]["timeliness"] is None


def test_online_payment_null_without_fee_bearing_dossiers(agency, proc):
    make_dossier(proc, received=at("2026-03-02 08:00"), due=at("2026-03-30 17:00"))
    m = march(agency)
    assert m.rates["online_rate"] == Decimal("0.00")
    assert m.rates["online_payment_rate"] is None
    assert m.points["online_payment"] is None


# --- the catalogue rates ---------------------------------------------------------------------


def test_procedure_catalogue_rates(agency):
    make_procedure(
        agency, "A", online_level=OnlineLevel.FULL, time_limit=20, reduced_time_limit=13
    )  # 65 %: counts
    make_procedure(
        agency, "B", online_level=OnlineLevel.NONE, time_limit=10, reduced_time_limit=7
    )  # 70 %: does not
    make_procedure(agency, "C", online_level=OnlineLevel.PARTIAL, time_limit=10)
    make_procedure(agency, "OLD", online_level=OnlineLevel.FULL, valid_to=d("2026-02-28"))
    make_procedure(agency, "NEW", online_level=OnlineLevel.FULL, valid_from=d("2026-04-01"))
    m = march(agency)
    assert m.details["procedures"] == 3
    assert m.rates["procedures_online_rate"] == Decimal("66.67")
    assert m.rates["time_reduction_coverage"] == Decimal("33.33")
    assert m.rates["feedback_on_time_rate"] is None  # until the feedback app provides it


def test_the_time_cut_share_is_data_with_a_period(agency):
    from cchc.procedures.models import MetricParameter

    make_procedure(agency, "A", time_limit=10, reduced_time_limit=7)  # 70 % of the limit
    assert march(agency).rates["time_reduction_coverage"] == Decimal("0.00")
    # A province decision from 1 March 2026 counts a cut of 30 % or more.
    MetricParameter.objects.filter(key="time_reduction_max_share").update(valid_to=d("2026-02-28"))
    MetricParameter.objects.create(
        key="time_reduction_max_share",
        value=Decimal("0.70"),
        source="Quyết định của UBND tỉnh",
        valid_from=d("2026-03-01"),
    )
    assert march(agency).rates["time_reduction_coverage"] == Decimal("100.00")


# --- points ----------------------------------------------------------------------------------


def test_points_with_thresholds(db):
    rates = {
        "on_time_rate": Decimal("95.00"),  # 95 ÷ 100 × 20 = 19
        "procedures_online_rate": Decimal("100.00"),  # above 80: 6
        "online_rate": Decimal("25.00"),  # 25 ÷ 50 × 6 = 3
        "online_payment_rate": Decimal("40.00"),  # 40 ÷ 80 × 10 = 5
        "handling_satisfaction_rate": Decimal("90.00"),  # at the threshold: 18
        "digitization_rate": Decimal("60.00"),  # 60 ÷ 80 × 22 = 16.5
    }
    points = metrics.points_for(rates, metrics.point_rules(*MARCH))
    assert points == {
        "publicity": None,
        "timeliness": Decimal("19.00"),
        "online_service": Decimal("9.00"),
        "online_payment": Decimal("5.00"),
        "satisfaction": Decimal("18.00"),
        "digitization": Decimal("16.50"),
        "total": Decimal("67.50"),
        "max_total": Decimal("100.00"),
    }


def test_item_with_one_rate_unknown_sums_the_other(db):
    rates = {"procedures_online_rate": Decimal("40.00"), "online_rate": None}
    points = metrics.points_for(rates, metrics.point_rules(*MARCH))
    assert points["online_service"] == Decimal("3.00")  # 40 ÷ 80 × 6
    assert points["total"] == Decimal("3.00")


def test_point_rules_are_data_with_periods(db):
    ServicePointRule.objects.filter(item="digitization").update(valid_to=d("2026-06-30"))
    ServicePointRule.objects.create(
        item="digitization",
        rate="digitization_rate",
        max_points=Decimal("20"),
        threshold=Decimal("100"),
        valid_from=d("2026-07-01"),
    )
    rates = {"digitization_rate": Decimal("60.00")}
    first_half = metrics.points_for(rates, metrics.point_rules(d("2026-01-01"), d("2026-06-30")))
    assert first_half["digitization"] == Decimal("16.50")
    assert first_half["max_total"] == Decimal("100.00")
    year = metrics.points_for(rates, metrics.point_rules(d("2026-01-01"), d("2026-12-31")))
    assert year["digitization"] == Decimal("12.00")  # the rule in force last: 60 ÷ 100 × 20
    assert year["max_total"] == Decimal("98.00")


def test_rounding_is_half_up_on_the_exact_value():
    assert metrics.round2(Fraction(12345, 1000)) == Decimal("12.35")
    assert metrics.round2(Fraction(1, 8)) == Decimal("0.13")
    assert metrics.round2(Fraction(-1, 8)) == Decimal("-0.13")
    assert metrics.percent(1, 3) == Decimal("33.33")
    assert metrics.percent(2, 3) == Decimal("66.67")
    assert metrics.percent(1, 0) is None
    assert metrics.percent(7, 7) == Decimal("100.00")


# --- filters ---------------------------------------------------------------------------------


def test_filters_by_unit_procedure_field_and_agencies(world, agency):
    housing = make_procedure(agency, "XD", field="Xây dựng")
    land = make_procedure(agency, "DD", field="Đất đai")
    other_agency = make_procedure(world.b.agency, "XD", field="Xây dựng")
    received, due = at("2026-03-02 08:00"), at("2026-03-30 17:00")
    make_dossier(housing, received=received, due=due, unit=world.a.unit, channel=2)
    make_dossier(housing, received=received, due=due, unit=world.a.other_unit)
    make_dossier(land, received=received, due=due)
    make_dossier(other_agency, received=received, due=due, channel=2)
    a, b = agency.pk, world.b.agency.pk
    assert march(agency).counts["received"] == 3
    assert march(agency, unit_id=world.a.unit.pk).counts["received"] == 1
    assert march(agency, procedure_id=land.pk).counts["received"] == 1
    by_field = march(agency, field="Xây dựng")
    assert (by_field.counts["received"], by_field.counts["in_scope"]) == (2, 2)
    assert by_field.details["procedures"] == 1
    both_agencies = both([a, b], *MARCH)
    assert (both_agencies.counts["received"], both_agencies.counts["online"]) == (4, 2)
    assert both_agencies.details["procedures"] == 3


def test_bad_periods(agency):
    with pytest.raises(metrics.PeriodError):
        compute(agency_ids=[agency.pk], start=d("2026-03-02"), end=d("2026-03-01"))
    with pytest.raises(metrics.PeriodError):
        compute(agency_ids=[], start=d("2026-03-01"), end=d("2026-03-02"))
    with pytest.raises(metrics.PeriodError):
        metrics.monthly_series(agency.pk, 2026, "nonsense")


# --- scale: a bounded number of queries ------------------------------------------------------


def _add_dossiers(proc, units, count: int, offset: int) -> None:
    rows = []
    for i in range(count):
        received = at("2026-03-01 08:00") + dt.timedelta(hours=7 * (i + offset))
        finished = received + dt.timedelta(days=i % 9) if i % 3 else None
        rows.append(
            make_dossier(
                proc,
                received=received,
                due=received + dt.timedelta(days=5),
                unit=units[i % len(units)],
                finished_at=finished,
                components_digitized=bool(i % 2),
                save=False,
            )
        )
    Dossier.objects.bulk_create(rows)


def test_compute_runs_a_bounded_number_of_queries(world, agency):
    procs = [make_procedure(agency, f"P{i}", paper_result=True) for i in range(3)]
    units = [None, world.a.unit, world.a.other_unit]

    def queries() -> int:
        rollups.rebuild()
        fresh_metrics()
        with CaptureQueriesContext(connection) as ctx:
            compute(agency_ids=[agency.pk], start=d("2026-03-01"), end=d("2026-03-31"))
        return len(ctx.captured_queries)

    _add_dossiers(procs[0], units, 5, 0)
    few = queries()
    for i, proc in enumerate(procs):
        _add_dossiers(proc, units, 60, 100 * (i + 1))
    assert queries() == few
    assert few <= 11  # the inputs' tokens, 2 rollup sums, 2 × 2 backlog queries, catalogue and
    # its time-cut share, point rules, the feedback on-time rate


def test_compute_by_agency_is_compute_of_each_agency_in_as_many_queries(world, agency):
    """The province's table reads every agency at once: the same figures as ``compute`` for each
    agency alone, in a number of queries that grows neither with the agencies nor the dossiers."""
    other = world.b.agency
    procs = [make_procedure(agency, "A1", paper_result=True), make_procedure(other, "B1")]
    units = [None, world.a.unit]
    ids = [agency.pk, other.pk, world.home_affairs.pk]

    def grouped(agency_ids) -> tuple[dict, int]:
        rollups.rebuild()
        fresh_metrics()
        with CaptureQueriesContext(connection) as ctx:
            found = metrics.compute_by_agency(agency_ids=agency_ids, start=MARCH[0], end=MARCH[1])
        return found, len(ctx.captured_queries)

    _add_dossiers(procs[0], units, 7, 0)
    one, few = grouped(ids[:1])
    _add_dossiers(procs[1], [None], 40, 200)
    found, many = grouped(ids)
    assert many == few
    assert sorted(found) == sorted(ids) and set(one) == {agency.pk}
    for pk in ids:
        alone = compute(agency_ids=[pk], start=MARCH[0], end=MARCH[1])
        assert found[pk].counts == alone.counts
        assert found[pk].rates == alone.rates
        assert found[pk].points == alone.points
        assert found[pk].details == alone.details
    assert found[agency.pk].counts != found[other.pk].counts
    assert found[world.home_affairs.pk].rates["on_time_rate"] is None


# --- drill-down and trends -------------------------------------------------------------------


def test_late_dossiers(world, agency, proc):
    due = at("2026-03-10 17:00")
    finished_late = make_dossier(
        proc,
        code="MUON-1",
        unit=world.a.unit,
        received=at("2026-03-02 08:00"),
        due=due,
        finished_at=at("2026-03-12 09:00"),  # 1 day 16 hours late → 2 days
    )
    ApologyLetter.objects.create(dossier=finished_late, issued_at=at("2026-03-09 16:00"))
    open_late = make_dossier(proc, code="MUON-2", received=at("2026-03-02 08:00"), due=due)
    ApologyLetter.objects.create(dossier=open_late, issued_at=at("2026-03-10 08:00"))  # too late
    # Late by the supplement-rounds rule only: 0 days late.
    make_dossier(
        proc,
        code="MUON-3",
        received=at("2026-03-02 08:00"),
        due=due,
        supplement_rounds=2,
        finished_at=at("2026-03-05 09:00"),
    )
    make_dossier(proc, received=at("2026-03-02 08:00"), due=due, finished_at=at("2026-03-09"))
    late = metrics.late_dossiers(agency.pk, *MARCH)
    assert [(x.dossier.code, x.finished, x.days_late, x.apology_in_time) for x in late] == [
        ("MUON-2", False, 22, False),  # 10/03 17:00 → 31/03 24:00: 21 days 7 hours
        ("MUON-1", True, 2, True),
        ("MUON-3", True, 0, False),
    ]
    assert len(late) == march(agency).counts["late"]
    assert [
        x.dossier.code for x in metrics.late_dossiers(agency.pk, *MARCH, unit_id=world.a.unit.pk)
    ] == ["MUON-1"]
    assert late[1].dossier.procedure == proc


def test_monthly_series(agency, proc):
    make_dossier(
        proc,
        received=at("2026-01-05 08:00"),
        due=at("2026-01-09 17:00"),
        finished_at=at("2026-01-08 10:00"),
    )
    make_dossier(
        proc,
        received=at("2026-01-26 08:00"),
        due=at("2026-02-03 17:00"),
        finished_at=at("2026-02-05 10:00"),
    )
    rollups.rebuild()
    series = metrics.monthly_series(agency.pk, 2026, "on_time_rate")
    assert series[:3] == [Decimal("100.00"), Decimal("0.00"), None]
    assert len(series) == 12
