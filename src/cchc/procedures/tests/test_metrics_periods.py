"""``compute_periods`` (several periods read at once, the months of the agency's dashboard) gives
for each period exactly what ``compute`` gives for it alone, in fewer queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.procedures import metrics, rollups
from cchc.procedures.models import Dossier, MetricParameter, OnlineLevel, ServicePointRule
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure
from cchc.testing import fresh_metrics

MONTHS = [
    (dt.date(2026, month, 1), (dt.date(2026, month, 1) + dt.timedelta(days=32)).replace(day=1))
    for month in range(1, 7)
]
MONTHS = [(start, end - dt.timedelta(days=1)) for start, end in MONTHS]


def _world(agency, unit):
    """Dossiers over the first half of 2026: finished on time and late, open across month ends,
    paused by a supplement (one round, two rounds), digitised or not; a procedure that ends in
    March, a new time-cut share from April, a point rule replaced in May, feedback due."""
    paper = make_procedure(agency, "A1", paper_result=True, fee_bearing=True)
    cut = make_procedure(
        agency,
        "A2",
        reduced_time_limit=Decimal(3),
        online_level=OnlineLevel.PARTIAL,
        valid_to=dt.date(2026, 3, 15),
    )
    rows = []
    for i in range(90):
        received = at("2026-01-03 08:00") + dt.timedelta(hours=41 * i)
        due = received + dt.timedelta(days=6 + i % 5)
        fields = {}
        if i % 4:
            fields["finished_at"] = received + dt.timedelta(days=3 + i % 11)
        if i % 5 == 0:
            fields["supplement_requested_at"] = received + dt.timedelta(days=2)
            fields["supplement_rounds"] = 1 + (i % 3 == 0)
            if i % 10 == 0:
                fields["supplement_completed_at"] = received + dt.timedelta(days=4)
        if i % 7 == 0:
            fields["paid_online"] = 1
        rows.append(
            make_dossier(
                (paper, cut)[i % 2],
                received=received,
                due=due,
                unit=unit if i % 3 else None,
                components_digitized=bool(i % 2),
                result_digitized=bool(i % 6 == 1),
                negative_feedback=i % 13 == 0,
                save=False,
                **fields,
            )
        )
    Dossier.objects.bulk_create(rows)
    MetricParameter.objects.filter(key=metrics.TIME_REDUCTION_PARAMETER).update(
        valid_to=dt.date(2026, 3, 31)
    )
    MetricParameter.objects.create(
        key=metrics.TIME_REDUCTION_PARAMETER, value=Decimal("0.5"), valid_from=dt.date(2026, 4, 1)
    )
    rule = ServicePointRule.objects.order_by("id").first()
    ServicePointRule.objects.create(
        item=rule.item,
        rate=rule.rate,
        max_points=rule.max_points + 1,
        threshold=rule.threshold,
        valid_from=dt.date(2026, 5, 1),
    )
    rollups.rebuild()
    return paper


def _same(found: metrics.Metrics, alone: metrics.Metrics) -> None:
    assert (found.start, found.end) == (alone.start, alone.end)
    assert found.counts == alone.counts
    assert found.rates == alone.rates
    assert found.points == alone.points
    assert found.details == alone.details


def test_each_period_equals_compute_of_it_alone(world):
    agency = world.a.agency
    _world(agency, world.a.unit)
    # Months, a month cut short, and periods that overlap (a quarter, the half year).
    periods = [
        *MONTHS,
        (dt.date(2026, 6, 1), dt.date(2026, 6, 10)),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ]
    found = metrics.compute_periods(agency_ids=[agency.pk], periods=periods)
    assert len(found) == len(periods)
    for result, (start, end) in zip(found, periods, strict=True):
        _same(result, metrics.compute(agency_ids=[agency.pk], start=start, end=end))
    # The example exercises what differs between periods.
    assert {r.details["procedures"] for r in found[:6]} == {1, 2}
    assert len({r.rates["time_reduction_coverage"] for r in found[:6]}) > 1
    assert len({r.counts["in_scope"] for r in found[:6]}) > 1
    assert len({r.points["max_total"] for r in found}) > 1
    assert any(r.details["open_at_end"] for r in found)


def test_filters_apply_as_in_compute(world):
    agency = world.a.agency
    paper = _world(agency, world.a.unit)
    for filters in (
        {"unit_id": world.a.unit.pk},
        {"procedure_id": paper.pk},
        {"field": "no such field"},
    ):
        found = metrics.compute_periods(agency_ids=[agency.pk], periods=MONTHS, **filters)
        for result, (start, end) in zip(found, MONTHS, strict=True):
            alone = metrics.compute(agency_ids=[agency.pk], start=start, end=end, **filters)
            _same(result, alone)


def test_fewer_queries_than_compute_per_period(world):
    agency = world.a.agency
    _world(agency, world.a.unit)
    fresh_metrics()
    with CaptureQueriesContext(connection) as together:
        metrics.compute_periods(agency_ids=[agency.pk], periods=MONTHS)
    fresh_metrics()
    with CaptureQueriesContext(connection) as apart:
        for start, end in MONTHS:
            metrics.compute(agency_ids=[agency.pk], start=start, end=end)
    # The inputs' tokens, two rollup sums, catalogue, parameter, feedback, point rules, the
    # paused dossiers in two parts, then two backlog counts per period end.
    assert len(together) <= 9 + 2 * len(MONTHS) < len(apart)


def test_no_period_reads_nothing(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert metrics.compute_periods(agency_ids=[world.a.agency.pk], periods=[]) == []


def test_monthly_series_is_compute_of_each_month(world):
    agency = world.a.agency
    _world(agency, world.a.unit)
    series = metrics.monthly_series(agency.pk, 2026, "on_time_rate")
    assert len(series) == 12
    for month, (start, end) in enumerate(MONTHS):
        alone = metrics.compute(agency_ids=[agency.pk], start=start, end=end)
        assert series[month] == alone.rates["on_time_rate"]
