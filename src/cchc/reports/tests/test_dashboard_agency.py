"""The agency's dashboard (the leader's page) and its JSON: the figures equal those of the
selectors and metrics computed independently for a seeded agency; who may open it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import html

from cchc.indicators import selectors as indicators
from cchc.plans import selectors as plans
from cchc.procedures import metrics
from cchc.reports.tests.test_dashboard_grouped import (
    TODAY,
    YEAR,
    YTD,
    freeze,
    index_specs,
    seeded,
)
from cchc.scoring import forecast as forecasting
from cchc.scoring.tests.conftest import make_framework
from cchc.surveys.selectors import satisfaction_index

PAGE = "/dashboards/agency/"
DATA = "/dashboards/agency/data.json"


def vn(value: Decimal | None, digits: int = 2) -> str:
    """A percentage as the Vietnamese page prints it: 54,55 %."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",") + " %"


def text(tree, testid: str, within=None) -> str:
    nodes = (within if within is not None else tree).xpath(f'.//*[@data-testid="{testid}"]')
    assert nodes, testid
    return " ".join(nodes[0].text_content().split())


@pytest.fixture
def frozen(monkeypatch):
    return freeze(monkeypatch)


@pytest.fixture
def dashboard_world(world, frozen):
    seeded(world)
    make_framework(year=YEAR, specs=index_specs())
    return world


def get(client, user, path, **query):
    client.force_login(user)
    return client.get(path, query)


def test_the_page_shows_the_figures_of_the_selectors(client, dashboard_world):
    world = dashboard_world
    agency = world.a.agency
    response = get(client, world.a.leader, PAGE, year=YEAR)
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())

    ytd = metrics.compute(agency_ids=[agency.pk], start=YTD[0], end=YTD[1])
    assert text(tree, "stat-on-time").endswith(vn(ytd.rates["on_time_rate"]))
    assert text(tree, "stat-online").endswith(vn(ytd.rates["online_rate"]))
    assert text(tree, "ytd-received") == str(ytd.counts["received"])

    march = metrics.compute(
        agency_ids=[agency.pk], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    row = tree.xpath('//*[@data-testid="month-row"][@data-month="03/2026"]')[0]
    assert text(tree, "month-received", row) == str(march.counts["received"])
    assert text(tree, "month-on-time", row) == vn(march.rates["on_time_rate"])
    december = tree.xpath('//*[@data-testid="month-row"][@data-month="12/2026"]')[0]
    assert "month-received" not in html.tostring(december).decode()  # not begun

    plan = plans.dashboard(user=world.a.leader, agency_id=agency.pk, year=YEAR, today=TODAY)
    assert text(tree, "stat-progress").endswith(vn(plan.progress, 1))
    assert text(tree, "stat-done").endswith(f"{plan.done} / {plan.total}")
    assert text(tree, "stat-overdue").endswith(str(plan.overdue_count))
    overdue = html.tostring(tree.xpath('//*[@data-testid="overdue-list"]')[0]).decode()
    assert all(f"/tasks/{task.pk}/" in overdue for task in plan.overdue) and plan.overdue
    areas = tree.xpath('//*[@data-testid="area-row"]')
    assert [a.get("data-key") for a in areas] == [r.key for r in plan.by_area]

    targets = {
        r.get("data-indicator"): r.get("data-status")
        for r in tree.xpath('//*[@data-testid="target-row"]')
    }
    on_time = indicators.status_of(ytd.rates["on_time_rate"], Decimal(95), margin=Decimal(5))
    assert targets["on_time"] == on_time == indicators.MISSED
    assert set(targets) == {"on_time", "online_usage", "feedback_on_time", "satisfaction"}

    assert text(tree, "satisfaction") == vn(satisfaction_index([agency.pk], *YTD))
    result = forecasting.forecast(user=world.a.leader, agency=agency, year=YEAR, today=TODAY)
    summary = text(tree, "forecast-summary")
    assert summary.startswith(vn(result.totals.percent))
    assert f"({result.band.code} " in summary or f" {result.band.code} (" in summary
    losing = [r.get("data-code") for r in tree.xpath('//*[@data-testid="losing-row"]')]
    assert losing == [line.code for line in result.losing[:5]]
    assert tree.xpath("//*[@data-dashboard-url]")[0].get("data-dashboard-url") == (
        f"{DATA}?agency={agency.pk}&year={YEAR}"
    )


def test_the_json_carries_the_same_figures(client, dashboard_world):
    world = dashboard_world
    agency = world.a.agency
    response = get(client, world.a.coordinator, DATA, agency=agency.pk, year=YEAR)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert set(data) == {
        "agency",
        "year",
        "period",
        "plan",
        "overdue_tasks",
        "areas",
        "units",
        "indicators",
        "dossiers",
        "feedback",
        "satisfaction_index",
        "forecast",
        "text",
    }
    assert data["agency"] == {"id": agency.pk, "code": "STP", "name": "Sở Tư pháp"}
    assert data["period"] == {"from": "2026-01-01", "to": "2026-11-20"}

    dossiers = data["dossiers"]
    assert len(dossiers["months"]) == 12 and dossiers["months"][2] == "03/2026"
    for month in range(1, 12):
        start = dt.date(2026, month, 1)
        end = min(indicators.period_of(year=YEAR, kind="month", month=month).end, TODAY)
        alone = metrics.compute(agency_ids=[agency.pk], start=start, end=end)
        assert dossiers["received"][month - 1] == alone.counts["received"]
        assert dossiers["in_scope"][month - 1] == alone.counts["in_scope"]
        for key in ("on_time_rate", "online_rate", "digitization_rate", "online_payment_rate"):
            assert dossiers[key][month - 1] == metrics._number(alone.rates[key]), (month, key)
    assert dossiers["received"][11] is None and dossiers["on_time_rate"][11] is None
    ytd = metrics.compute(agency_ids=[agency.pk], start=YTD[0], end=YTD[1])
    assert dossiers["year_to_date"]["counts"] == ytd.counts
    assert dossiers["year_to_date"]["rates"] == ytd.as_json()["rates"]

    plan = plans.dashboard(user=world.a.leader, agency_id=agency.pk, year=YEAR, today=TODAY)
    assert data["plan"]["progress"] == float(plan.progress)
    assert (data["plan"]["tasks"], data["plan"]["done"]) == (plan.total, plan.done)
    assert data["plan"]["overdue"] == plan.overdue_count > 0
    assert [a["key"] for a in data["areas"]] == [r.key for r in plan.by_area]
    assert [t["id"] for t in data["overdue_tasks"]] == [t.pk for t in plan.overdue]
    assert [u["label"] for u in data["units"]] == [r.label for r in plan.by_unit]

    rows = {row["code"]: row for row in data["indicators"]}
    assert rows["on_time"]["value"] == float(ytd.rates["on_time_rate"])
    assert (rows["on_time"]["target"], rows["on_time"]["status"]) == (95.0, "missed")
    assert rows["feedback_on_time"]["value"] == float(ytd.rates["feedback_on_time_rate"])

    result = forecasting.forecast(user=world.a.leader, agency=agency, year=YEAR, today=TODAY)
    forecast = data["forecast"]
    assert forecast["percent"] == float(result.totals.percent)
    assert forecast["band"] == result.band.code
    assert [line["code"] for line in forecast["losing"]] == [ln.code for ln in result.losing[:5]]
    assert [a["code"] for a in forecast["areas"]] == ["1", "2", "3", "4"]
    assert data["satisfaction_index"] == float(satisfaction_index([agency.pk], *YTD))
    assert data["text"]["statuses"]["missed"]  # the charts' words, translated


def test_without_a_framework_the_forecast_is_null(client, world, frozen):
    response = get(client, world.a.leader, DATA)
    assert response.status_code == 200
    assert response.json()["forecast"] is None
    page = get(client, world.a.leader, PAGE)
    assert b'data-testid="no-framework"' in page.content


# --- who may open it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["leader", "coordinator", "unit_head", "officer", "other_officer", "viewer"]
)
def test_every_reader_of_the_agency_sees_its_dashboard(client, world, frozen, role):
    person = getattr(world.a, role)
    for path in (PAGE, DATA):
        response = get(client, person, path, agency=world.a.agency.pk)
        assert response.status_code == 200, path
    assert response.json()["agency"]["code"] == "STP"


def test_the_own_agency_by_default(client, world, frozen):
    assert get(client, world.b.leader, DATA).json()["agency"]["code"] == "SYT"
    page = get(client, world.b.leader, PAGE)
    assert page.context["d"].agency == world.b.agency
    assert "Sở Y tế" in " ".join(html.fromstring(page.content.decode()).xpath("//h1")[0].itertext())


def test_strangers_get_404(client, world, frozen):
    for path in (PAGE, DATA):
        assert get(client, world.b.coordinator, path, agency=world.a.agency.pk).status_code == 404


def test_appraisers_and_the_administrator_open_any_agency(client, world, frozen):
    for person in (world.appraiser, world.admin):
        response = get(client, person, DATA, agency=world.a.agency.pk)
        assert response.json()["agency"]["code"] == "STP"


@pytest.mark.parametrize("value", ["abc", "0"])
def test_a_wrong_agency_is_404(client, world, frozen, value):
    assert get(client, world.admin, PAGE, agency=value).status_code == 404


def test_the_province_node_has_no_dashboard(client, world, frozen):
    assert get(client, world.admin, PAGE, agency=world.province.pk).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for path in (PAGE, DATA):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_is_printable_and_has_no_inline_script(client, world, frozen):
    content = get(client, world.a.leader, PAGE).content.decode()
    tree = html.fromstring(content)
    assert tree.xpath('//link[contains(@href, "cchc/dashboards.css")]')
    assert tree.xpath('//script[contains(@src, "cchc/dashboards.js")][@defer]')
    assert tree.xpath('//*[@data-dashboard-print][@type="button"]')
    assert not [s for s in tree.xpath("//script") if (s.text or "").strip()]
    assert " onclick=" not in content and " style=" not in content


def test_the_dashboard_reads_the_months_at_once(
    client, dashboard_world, django_assert_max_num_queries
):
    """The months are read together (``metrics.compute_periods``), not as eleven ``compute``s
    (about 10 queries each): this page took 160 queries before, 101 since."""
    world = dashboard_world
    client.force_login(world.a.leader)
    with django_assert_max_num_queries(110):
        response = client.get(DATA, {"agency": world.a.agency.pk, "year": YEAR})
    assert response.status_code == 200
