"""Property tests: on random dossiers, ``compute`` (rollups + open backlog) gives the same counts,
rates and points as ``metrics_direct`` (every dossier, straight through ``rules``) — after a full
rebuild and after incremental refreshes of random sets of days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from cchc.core.models import Agency, Unit
from cchc.procedures import metrics, rollups, rules
from cchc.procedures.metrics import compute, metrics_direct
from cchc.procedures.models import Dossier, DossierStatus, FinishedRollup, ReceivedRollup
from cchc.procedures.tests.test_metrics import at, derive, make_dossier, make_procedure

ORIGIN = at("2025-12-01 00:00")
SPAN_MINUTES = 150 * 24 * 60  # December 2025 – April 2026
MINUTE = dt.timedelta(minutes=1)
DAY_MINUTES = 24 * 60
FIRST_DAY = dt.date(2025, 11, 25)
LAST_DAY = dt.date(2026, 5, 10)

# Minutes drawn near local midnights as often as anywhere else: the day boundaries matter.
offsets = st.one_of(
    st.integers(0, SPAN_MINUTES),
    st.integers(1, 150).flatmap(
        lambda day: st.sampled_from([day * DAY_MINUTES + x for x in (-1, 0, 1)])
    ),
)
later = st.integers(0, 40 * DAY_MINUTES)  # minutes after the receipt

dossier_specs = st.fixed_dictionaries(
    {
        "received": offsets,
        "due_after": st.integers(0, 20 * DAY_MINUTES),
        "end_kind": st.sampled_from(["open", "finished", "returned", "status_at", "status_only"]),
        "end_after": later,
        "ending_state": st.sampled_from(
            [DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED]
        ),
        "open_state": st.sampled_from(
            [DossierStatus.ACCEPTED, DossierStatus.PROCESSING, DossierStatus.SUPPLEMENT]
        ),
        "requested": st.one_of(st.none(), st.integers(-2 * DAY_MINUTES, 30 * DAY_MINUTES)),
        "completed": st.one_of(st.none(), st.integers(-DAY_MINUTES, 20 * DAY_MINUTES)),
        "rounds": st.integers(0, 3),
        "procedure": st.integers(0, 3),
        "unit": st.integers(0, 2),
        "channel": st.integers(1, 3),
        "components": st.booleans(),
        "result": st.booleans(),
        "paid": st.integers(0, 2),
        "negative": st.booleans(),
    }
)
days = st.dates(FIRST_DAY, LAST_DAY)
periods = st.tuples(days, st.integers(0, 120)).map(
    lambda p: (p[0], min(p[0] + dt.timedelta(days=p[1]), LAST_DAY))
)


def _dossier_fields(spec: dict) -> dict:
    received = ORIGIN + spec["received"] * MINUTE
    fields: dict = {
        "received": received,
        "due": received + spec["due_after"] * MINUTE,
        "channel": spec["channel"],
        "components_digitized": spec["components"],
        "result_digitized": spec["result"],
        "paid_online": spec["paid"],
        "negative_feedback": spec["negative"],
        "supplement_rounds": spec["rounds"],
        "status": spec["open_state"],
    }
    end = received + spec["end_after"] * MINUTE
    kind = spec["end_kind"]
    if kind == "finished":
        fields.update(finished_at=end, status=DossierStatus.DONE)
    elif kind == "returned":
        fields.update(returned_at=end, status=DossierStatus.RETURNED)
    elif kind == "status_at":
        fields.update(status=spec["ending_state"], status_at=end)
    elif kind == "status_only":
        fields.update(status=spec["ending_state"])
    if spec["requested"] is not None:
        requested = received + spec["requested"] * MINUTE
        fields["supplement_requested_at"] = requested
        if spec["completed"] is not None:
            fields["supplement_completed_at"] = requested + spec["completed"] * MINUTE
    return fields


def _assert_same(agency_ids, period, **filters):
    fast = compute(agency_ids=agency_ids, start=period[0], end=period[1], **filters)
    slow = metrics_direct(agency_ids=agency_ids, start=period[0], end=period[1], **filters)
    assert fast.counts == slow.counts, (period, filters)
    assert fast.rates == slow.rates, (period, filters)
    assert fast.points == slow.points, (period, filters)
    assert fast.details == slow.details, (period, filters)
    return fast


def _touched_days(dossier: Dossier) -> tuple[set, set]:
    return {dossier.received_day}, {dossier.finished_day} - {None}


class ComputeEqualsDirect(TestCase):
    @classmethod
    def setUpTestData(cls):
        province = Agency.objects.create(code="T99", name="Tỉnh", kind="province")
        cls.agency = Agency.objects.create(code="SXD", name="Sở Xây dựng", parent=province)
        cls.other = Agency.objects.create(code="SCT", name="Sở Công Thương", parent=province)
        cls.units = [
            None,
            Unit.objects.create(agency=cls.agency, code="P1", name="Phòng 1"),
            Unit.objects.create(agency=cls.agency, code="P2", name="Phòng 2"),
        ]
        cls.procedures = [
            make_procedure(cls.agency, "A", field="Xây dựng", paper_result=True),
            make_procedure(cls.agency, "B", field="Xây dựng", fee_bearing=True),
            make_procedure(
                cls.agency, "C", field="Nhà ở", fee_bearing=True, paper_result=True, online_level=0
            ),
            make_procedure(cls.other, "A", paper_result=True, fee_bearing=True),
        ]

    def _create(self, specs: list[dict]) -> list[Dossier]:
        rows = []
        for spec in specs:
            procedure = self.procedures[spec["procedure"]]
            unit = self.units[spec["unit"]] if procedure.agency_id == self.agency.pk else None
            rows.append(make_dossier(procedure, unit=unit, save=False, **_dossier_fields(spec)))
        return Dossier.objects.bulk_create(rows)

    def _check_everything(self, period_list, filter_choice):
        ids = [self.agency.pk]
        for period in period_list:
            whole = _assert_same(ids, period)
            _assert_same([self.agency.pk, self.other.pk], period)
            late = metrics.late_dossiers(self.agency.pk, *period)
            assert len(late) == whole.counts["late"]
        filters = [
            {"unit_id": self.units[1].pk},
            {"procedure_id": self.procedures[2].pk},
            {"field": "Xây dựng"},
            {"unit_id": self.units[2].pk, "field": "Nhà ở"},
        ][filter_choice]
        _assert_same(ids, period_list[0], **filters)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        specs=st.lists(dossier_specs, min_size=1, max_size=40),
        period_list=st.lists(periods, min_size=1, max_size=3),
        filter_choice=st.integers(0, 3),
    )
    def test_after_rebuild(self, specs, period_list, filter_choice):
        self._create(specs)
        rollups.rebuild()
        self._check_everything(period_list, filter_choice)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        specs=st.lists(dossier_specs, min_size=1, max_size=30),
        changes=st.lists(st.tuples(st.integers(0, 29), later), max_size=10),
        chunks=st.integers(1, 6),
        data=st.data(),
    )
    def test_after_incremental_refreshes(self, specs, changes, chunks, data):
        dossiers = self._create(specs)
        # Refresh every touched day, in random groups, as successive ingests would.
        received_days, finished_days = set(), set()
        for dossier in dossiers:
            r, f = _touched_days(dossier)
            received_days |= r
            finished_days |= f
        agency_days = sorted(received_days | finished_days)
        groups = [agency_days[i::chunks] for i in range(chunks)]
        for agency_id in (self.agency.pk, self.other.pk):
            for group in groups:
                rollups.refresh(
                    agency_id,
                    received_days=[x for x in group if x in received_days],
                    finished_days=[x for x in group if x in finished_days],
                )
        # Then some dossiers finish (or finish at another time); only their days are refreshed.
        for index, minutes in changes:
            dossier = dossiers[index % len(dossiers)]
            old_received, old_finished = _touched_days(dossier)
            dossier.finished_at = dossier.received_at + minutes * MINUTE
            dossier.status = DossierStatus.DONE
            derive(dossier).save()
            new_received, new_finished = _touched_days(dossier)
            rollups.refresh(
                dossier.agency_id,
                received_days=old_received | new_received,
                finished_days=old_finished | new_finished,
            )
        period_list = data.draw(st.lists(periods, min_size=1, max_size=3))
        self._check_everything(period_list, data.draw(st.integers(0, 3)))
        # The incremental rollups are the rebuilt ones.
        before = _rollup_rows()
        rollups.rebuild()
        assert _rollup_rows() == before


def _rollup_rows():
    received = sorted(
        ReceivedRollup.objects.values_list(
            "agency_id",
            "day",
            "unit_key",
            "procedure_id",
            "received",
            "online",
            "digitized",
            "digitized_pending_result",
            "fee_bearing",
            "paid_online",
            "negative",
        )
    )
    finished = sorted(
        FinishedRollup.objects.values_list(
            "agency_id", "day", "unit_key", "procedure_id", "finished", "on_time"
        )
    )
    return received, finished


@settings(max_examples=300, deadline=None)
@given(spec=dossier_specs, end_offset=st.integers(0, SPAN_MINUTES + 60 * DAY_MINUTES))
def test_clock_end_agrees_with_rules(spec, end_offset):
    """``rules.clock_end`` (also used for days late) is what ``rules.is_on_time`` compares."""
    fields = _dossier_fields(spec)
    times = rules.DossierTimes(
        received_at=fields["received"],
        due_at=fields["due"],
        finished_at=None,
        returned_at=None,
        status=fields["status"],
        status_at=None,
        supplement_requested_at=fields.get("supplement_requested_at"),
        supplement_completed_at=fields.get("supplement_completed_at"),
        supplement_rounds=fields["supplement_rounds"],
    )
    end = ORIGIN + end_offset * MINUTE
    expected = rules.is_on_time(times, end)
    by_clock = rules.clock_end(times, end) <= times.due_at
    if times.supplement_rounds < rules.LATE_SUPPLEMENT_ROUNDS:
        assert by_clock == expected
    else:
        assert expected is False
    assert (metrics.days_late(times, end) > 0) == (not by_clock)


def test_rates_are_two_decimals():
    assert metrics.percent(1, 7) == Decimal("14.29")
