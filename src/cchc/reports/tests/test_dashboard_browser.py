"""The leader opens the agency's dashboard in a real Chromium: the charts are drawn from the
page's JSON endpoint, the Print button prints, and printing leaves out the filter form."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.plans.tests.conftest import log_in
from cchc.procedures import metrics, rollups
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure

pytestmark = pytest.mark.browser


def test_the_leader_sees_the_charts_and_prints_without_the_filters(page, live_server, live_world):
    url = live_server.url
    a = live_world.a
    procedure = make_procedure(a.agency)
    for day in range(2, 9):
        make_dossier(
            procedure,
            received=at(f"2026-03-{day:02d} 08:00"),
            due=at(f"2026-03-{day + 5:02d} 17:00"),
            finished_at=at(f"2026-03-{day + (8 if day == 4 else 2):02d} 10:00"),
            channel=2 if day % 2 else 1,
        )
    rollups.rebuild()
    march = metrics.compute(
        agency_ids=[a.agency.pk], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )

    log_in(page, url, a.leader.username)
    page.goto(f"{url}/dashboards/agency/?year=2026")
    page.wait_for_selector("[data-testid=dashboard][data-loaded='1']")
    months = page.locator("canvas[data-dashboard-chart=months]")
    assert months.get_attribute("data-loaded") == "1"
    drawn = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector("[data-dashboard-chart=months]"));
            return {labels: chart.data.labels, received: chart.data.datasets[0].data,
                    onTime: chart.data.datasets[1].data};
        }"""
    )
    assert drawn["labels"][2] == "03/2026"
    assert drawn["received"][2] == march.counts["received"] == 7
    assert drawn["onTime"][2] == float(march.rates["on_time_rate"])
    areas = page.locator("canvas[data-dashboard-chart=areas]")
    assert areas.get_attribute("data-loaded") == "1"
    assert page.evaluate(
        "() => Chart.getChart(document.querySelector('[data-dashboard-chart=areas]')).data.labels"
    ) == ["II.3", "II.5"]

    # The Print button prints (window.print replaced to observe the call).
    page.evaluate("() => { window.print = () => { document.body.dataset.printed = '1'; }; }")
    page.get_by_test_id("print-button").click()
    assert page.evaluate("() => document.body.dataset.printed") == "1"

    filters = page.get_by_test_id("dashboard-filter")
    assert filters.is_visible()
    page.emulate_media(media="print")
    assert not filters.is_visible()
    assert not page.get_by_test_id("print-button").is_visible()
    assert page.get_by_test_id("months-table").is_visible()
    assert months.is_visible()
    page.emulate_media(media="screen")
    assert filters.is_visible()
