"""The morning duty leaves in the cache exactly the figures the dashboards read that day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.core.models import Agency, AgencyKind
from cchc.core.schedule import duty
from cchc.indicators import selectors as indicators
from cchc.procedures import rollups
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure
from cchc.reports.dashboard.selectors import monthly
from cchc.reports.dashboard.warm import warm_dashboards
from cchc.testing import fresh_metrics

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 20)


def _reads(agency):
    period = indicators.year_to_date(TODAY.year, TODAY)
    with CaptureQueriesContext(connection) as captured:
        months = monthly(agency, TODAY.year, TODAY)
        year = indicators.measured(agency.pk, period.start, period.end)
    return months, year, len(captured)


def test_warmed_figures_are_read_in_one_query_each_and_equal_fresh_ones(world):
    agency = world.a.agency
    procedure = make_procedure(agency, "P1")
    for day in ("2026-02-03", "2026-04-07", "2026-05-11"):
        make_dossier(procedure, received=at(f"{day} 08:00"), due=at(f"{day} 17:00"))
    rollups.rebuild()

    warmed = warm_dashboards(TODAY)
    assert warmed == Agency.objects.filter(kind=AgencyKind.AGENCY).count()
    months, year, queries = _reads(agency)
    assert queries == 2  # the inputs' tokens, once for the months and once for the year

    fresh_metrics()
    fresh_months, fresh_year, computing = _reads(agency)
    assert computing > 10
    assert [m.counts for m in months] == [m.counts for m in fresh_months]
    assert year.rates == fresh_year.rates and year.counts["received"] == 3


def test_the_duty_runs_before_the_offices_open():
    warm = duty("warm_dashboards")
    assert warm.at < dt.time(7, 0)
    assert warm.service() is warm_dashboards
