"""The metrics cache (``cchc.procedures.freshness``): a repeated read costs one query, and every
kind of change to the inputs — an ingest, a dossier, the catalogue, the province's point rules —
is seen by the next read, while a change elsewhere or a rolled-back one keeps the cached answer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cchc.procedures import freshness, metrics, rollups
from cchc.procedures.metrics import compute, metrics_direct
from cchc.procedures.models import MetricsStamp, OnlineLevel, ServicePointRule
from cchc.procedures.tests.test_ingest import ROWS, catalogue, csv_bytes, ingest  # noqa: F401
from cchc.procedures.tests.test_metrics import MARCH, at, make_dossier, make_procedure


def _same(found, expected) -> None:
    assert found.counts == expected.counts
    assert found.rates == expected.rates
    assert found.points == expected.points


def _direct(agency):
    return metrics_direct(agency_ids=[agency.pk], start=MARCH[0], end=MARCH[1])


def _read(agency):
    with CaptureQueriesContext(connection) as captured:
        found = compute(agency_ids=[agency.pk], start=MARCH[0], end=MARCH[1])
    return found, len(captured)


def _late_dossier(procedure, day="2026-03-10"):
    return make_dossier(
        procedure,
        received=at(f"{day} 08:00"),
        due=at(f"{day} 17:00"),
        finished_at=at(f"{day} 18:00"),
        returned_at=at(f"{day} 18:30"),
    )


@pytest.fixture
def measured(world):
    """Agency A with two procedures and two dossiers of March, its rollups built."""
    agency = world.a.agency
    online = make_procedure(agency, "P1")
    paper = make_procedure(agency, "P2", online_level=OnlineLevel.NONE)
    make_dossier(online, received=at("2026-03-02 08:00"), due=at("2026-03-09 17:00"))
    _late_dossier(paper)
    rollups.rebuild()
    return agency, online, paper


def test_a_repeated_read_is_one_query_with_the_same_figures(measured):
    agency, _online, _paper = measured
    first, computing = _read(agency)
    again, reading = _read(agency)
    assert computing > 5
    assert reading == 1  # the tokens of the agency and the province
    _same(again, first)
    _same(again, _direct(agency))
    assert metrics.compute_periods(agency_ids=[agency.pk], periods=[MARCH])[0].counts == (
        first.counts
    )
    assert metrics.compute_by_agency(agency_ids=[agency.pk], start=MARCH[0], end=MARCH[1])[
        agency.pk
    ].rates == (first.rates)


def test_an_ingest_is_seen_by_the_next_read(world, catalogue):  # noqa: F811
    agency = world.a.agency
    assert ingest(world, csv_bytes(ROWS[:2]))["created"] == 2
    before, _ = _read(agency)
    month_before = metrics.compute_periods(agency_ids=[agency.pk], periods=[MARCH])[0]
    assert before.counts["received"] == 2 == month_before.counts["received"]

    assert ingest(world, csv_bytes(ROWS))["created"] == 1
    after, queries = _read(agency)
    assert queries > 1
    assert after.counts["received"] == 3
    _same(after, _direct(agency))
    month_after = metrics.compute_periods(agency_ids=[agency.pk], periods=[MARCH])[0]
    assert month_after.counts == after.counts


def test_a_dossier_saved_alone_is_seen(measured):
    agency, online, _paper = measured
    before, _ = _read(agency)
    _late_dossier(online, "2026-03-12")
    day = at("2026-03-12 08:00").date()
    rollups.refresh(agency.pk, received_days=[day], finished_days=[day])
    after, _ = _read(agency)
    assert after.counts["late"] == before.counts["late"] + 1
    _same(after, _direct(agency))


def test_a_change_to_the_catalogue_is_seen(measured):
    agency, _online, paper = measured
    before, _ = _read(agency)
    paper.online_level = OnlineLevel.FULL
    paper.save()
    after, _ = _read(agency)
    assert before.rates["procedures_online_rate"] == Decimal("50.00")
    assert after.rates["procedures_online_rate"] == Decimal("100.00")
    _same(after, _direct(agency))


def test_a_change_to_the_point_rules_is_seen_by_every_agency(measured):
    agency, _online, _paper = measured
    before, _ = _read(agency)
    rule = ServicePointRule.objects.filter(rate="on_time_rate").first()
    assert rule is not None
    rule.max_points = rule.max_points + 10
    rule.save()
    after, _ = _read(agency)
    assert after.points["max_total"] == before.points["max_total"] + 10
    _same(after, _direct(agency))


def test_another_agencys_change_keeps_this_agencys_answer(measured, world):
    agency, _online, _paper = measured
    first, _ = _read(agency)
    other = make_procedure(world.b.agency, "B1")
    _late_dossier(other)
    rollups.refresh(world.b.agency.pk, received_days=[at("2026-03-10 08:00").date()])
    again, queries = _read(agency)
    assert queries == 1
    _same(again, first)


def test_a_rolled_back_change_keeps_the_cached_answer(measured):
    agency, online, _paper = measured
    first, _ = _read(agency)
    token = MetricsStamp.objects.get(scope=agency.pk).token
    with pytest.raises(RuntimeError), transaction.atomic():
        _late_dossier(online, "2026-03-13")
        assert MetricsStamp.objects.get(scope=agency.pk).token != token
        raise RuntimeError("the ingest failed")
    assert MetricsStamp.objects.get(scope=agency.pk).token == token
    again, queries = _read(agency)
    assert queries == 1
    _same(again, first)


def test_tokens_are_random_and_written_for_a_new_agency(world):
    agency = world.b.agency
    assert not MetricsStamp.objects.filter(scope=agency.pk).exists()
    first = freshness.tokens([agency.pk])
    assert freshness.tokens([agency.pk]) == first
    freshness.mark_changed([agency.pk])
    second = freshness.tokens([agency.pk])
    assert second != first
    assert second.split(",")[0] == first.split(",")[0]  # the province's is unchanged
