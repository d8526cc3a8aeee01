"""``forecast_many`` (many agencies at once, for the province's table) gives for each agency what
``forecast`` gives for it alone — framework, lines, totals and band — in a number of queries that
does not grow with the agencies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.reports.tests.test_dashboard_grouped import (
    TODAY,
    YEAR,
    add_agency,
    freeze,
    index_specs,
    seed_agency,
    seeded,
)
from cchc.scoring import forecast as forecasting
from cchc.scoring.models import Assessment, AssessmentStatus, FrameworkStatus, Level
from cchc.scoring.tests import test_forecast as hand_worked
from cchc.scoring.tests.conftest import make_framework
from cchc.testing import fresh_metrics

D = Decimal

# The hand-worked agency of ``test_forecast`` (A by 15/07/2026, index 73.33 %, band C).
framework = hand_worked.framework
year_so_far = hand_worked.year_so_far


@pytest.fixture
def frozen(monkeypatch):
    return freeze(monkeypatch)


def essentials(result: forecasting.Forecast) -> dict:
    """Everything a forecast shows but the measured criteria's ``detail`` (which only the
    agency's own forecast reads)."""
    return {
        "framework": result.framework.pk,
        "as_of": result.as_of,
        "points": result.totals.points,
        "max_points": result.totals.max_points,
        "percent": result.totals.percent,
        "scored": (result.totals.scored, result.totals.unscored),
        "band": result.band.code if result.band else None,
        "has_basis": result.has_basis,
        "nodes": [(n.code, n.points, n.percent) for n in result.totals.walk()],
        "lines": [
            (
                line.code,
                line.area_code,
                line.max_points,
                line.projected,
                line.basis,
                line.measured_value,
                line.tasks,
                line.lost,
            )
            for line in result.lines
        ],
        "area_tasks": result.area_tasks,
    }


def alone(world, agency, today=TODAY, level=None):
    return forecasting.forecast(
        user=world.admin, agency=agency, year=YEAR, today=today, level=level
    )


def test_each_agency_as_forecast_alone(world, frozen):
    agencies = seeded(world)
    make_framework(year=YEAR, specs=index_specs())
    found = forecasting.forecast_many(agencies=agencies, year=YEAR, today=TODAY)
    assert sorted(found) == sorted(a.pk for a in agencies)
    for agency in agencies:
        expected = alone(world, agency)
        assert found[agency.pk].agency == agency
        assert essentials(found[agency.pk]) == essentials(expected), agency.code
    # The comparison is not between empty forecasts: A and B are measured on every kind of
    # criterion, projected from their tasks, and differ; Sở Nội vụ has no data at all.
    a, b, home = (found[x.pk] for x in agencies)
    bases = {line.code: line.basis for line in a.lines}
    assert bases["1.1"] == bases["2.1"] == forecasting.BASIS_MEASURED
    assert bases["4.1"] == bases["4.2"] == forecasting.BASIS_MEASURED
    assert bases["2.2"] == forecasting.BASIS_TASKS
    assert a.has_basis and b.has_basis and a.band is not None
    assert a.totals.percent != b.totals.percent
    assert not home.has_basis and home.band is None


def test_the_hand_worked_agency(world, year_so_far):
    for today in (hand_worked.TODAY, dt.date(2026, 3, 1), dt.date(2027, 2, 1)):
        found = forecasting.forecast_many(agencies=[year_so_far], year=2026, today=today)
        expected = forecasting.forecast(
            user=world.a.leader, agency=year_so_far, year=2026, today=today
        )
        assert essentials(found[year_so_far.pk]) == essentials(expected), today
    found = forecasting.forecast_many(agencies=[year_so_far], year=2026, today=hand_worked.TODAY)
    result = found[year_so_far.pk]
    assert (result.totals.percent, result.band.code) == (D("73.33"), "C")
    assert [(line.code, line.lost) for line in result.losing] == [
        ("3.1", D("16.67")),
        ("1.1", D("10.00")),
    ]


def test_the_framework_each_agency_is_scored_on(world, frozen):
    """A's assessment of the year is on the communes' framework; B has none (the departments'
    published version 2, not the draft version 3); Sở Nội vụ was assessed on the communes'
    framework last year, so it is projected on the communes' framework of the year."""
    agencies = seeded(world)
    make_framework(year=YEAR, specs=index_specs(), version=2, status=FrameworkStatus.PUBLISHED)
    make_framework(
        year=YEAR, specs=index_specs(), version=3, title="Bản nháp", status=FrameworkStatus.DRAFT
    )
    communes = make_framework(year=YEAR, specs=index_specs(), level=Level.COMMUNE)
    last_year = make_framework(year=YEAR - 1, specs=index_specs(), level=Level.COMMUNE)
    Assessment.objects.create(agency=world.a.agency, framework=communes)
    Assessment.objects.create(
        agency=world.home_affairs, framework=last_year, status=AssessmentStatus.FINAL
    )
    found = forecasting.forecast_many(agencies=agencies, year=YEAR, today=TODAY)
    for agency in agencies:
        assert essentials(found[agency.pk]) == essentials(alone(world, agency)), agency.code
    a, b, home = (found[x.pk].framework for x in agencies)
    assert (a, home) == (communes, communes)
    assert (b.level, b.version) == (Level.DEPARTMENT, 2)
    assert forecasting.forecast_frameworks([x.pk for x in agencies], YEAR) == {
        x.pk: found[x.pk].framework for x in agencies
    }


def test_a_level_asked_for(world, frozen):
    agencies = seeded(world)
    make_framework(year=YEAR, specs=index_specs())
    communes = make_framework(year=YEAR, specs=hand_worked.forecast_specs(), level=Level.COMMUNE)
    found = forecasting.forecast_many(
        agencies=agencies, year=YEAR, today=TODAY, level=Level.COMMUNE
    )
    for agency in agencies:
        expected = alone(world, agency, level=Level.COMMUNE)
        assert essentials(found[agency.pk]) == essentials(expected), agency.code
        assert found[agency.pk].framework == communes


def test_without_a_framework_each_agency_has_none(world, frozen):
    agencies = seeded(world)
    found = forecasting.forecast_many(agencies=agencies, year=YEAR, today=TODAY)
    assert found == dict.fromkeys((a.pk for a in agencies), None)
    assert all(alone(world, agency) is None for agency in agencies)


def test_no_agency_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert forecasting.forecast_many(agencies=[], year=YEAR, today=TODAY) == {}


def _queries(agencies) -> tuple[int, dict]:
    fresh_metrics()
    with CaptureQueriesContext(connection) as captured:
        found = forecasting.forecast_many(agencies=agencies, year=YEAR, today=TODAY)
    return len(captured), found


def test_the_number_of_queries_does_not_grow_with_the_agencies(world, frozen):
    make_framework(year=YEAR, specs=index_specs())
    three = seeded(world)
    few, found_few = _queries(three)
    six = list(three)
    for n, (code, name) in enumerate(
        (("SXD", "Sở Xây dựng"), ("SGT", "Sở Giao thông"), ("STC", "Sở Tài chính")), 2
    ):
        extra = add_agency(world, code, name)
        seed_agency(extra.agency, extra.coordinator, extra.plan, n)
        six.append(extra.agency)
    many, found_many = _queries(six)
    assert few == many, (few, many)
    assert sum(1 for result in found_many.values() if result.has_basis) == 5
    for agency in three:
        assert essentials(found_many[agency.pk]) == essentials(found_few[agency.pk])
