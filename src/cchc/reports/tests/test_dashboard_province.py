"""Sở Nội vụ's comparison table of the province's agencies and its JSON: the figures equal each
agency's own, the lights follow each plan's targets, sorting, who may open it, and a number of
queries that does not grow with the number of agencies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html

from cchc.core.models import Agency
from cchc.indicators import selectors as indicators
from cchc.plans import selectors as plans
from cchc.procedures import metrics
from cchc.reports.tests.test_dashboard_agency import text, vn
from cchc.reports.tests.test_dashboard_grouped import (
    TODAY,
    YEAR,
    YTD,
    add_agency,
    freeze,
    index_specs,
    seed_agency,
    seeded,
)
from cchc.scoring import forecast as forecasting
from cchc.scoring.models import Assessment, AssessmentStatus
from cchc.scoring.tests.conftest import make_framework
from cchc.surveys.selectors import satisfaction_index
from cchc.testing import fresh_metrics

PAGE = "/dashboards/province/"
DATA = "/dashboards/province/data.json"


@pytest.fixture
def frozen(monkeypatch):
    return freeze(monkeypatch)


@pytest.fixture
def province_world(world, frozen):
    seeded(world)
    framework = make_framework(year=YEAR, specs=index_specs())
    Assessment.objects.create(
        agency=world.b.agency,
        framework=framework,
        status=AssessmentStatus.APPRAISED,
        self_total=Decimal("88.00"),
        appraisal_total=Decimal("84.50"),
    )
    return world


def get(client, user, path, **query):
    client.force_login(user)
    return client.get(path, query)


def rows_of(response) -> dict[str, dict]:
    return {row["agency"]["code"]: row for row in response.json()["rows"]}


def test_every_agency_of_the_province_with_its_own_figures(client, province_world):
    world = province_world
    response = get(client, world.appraiser, DATA, year=YEAR)
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {"from": "2026-01-01", "to": "2026-11-20"}
    rows = rows_of(response)
    assert set(rows) == {"SNV", "STP", "SYT"}  # agencies only, not the province node
    for agency in (world.a.agency, world.b.agency, world.home_affairs):
        row = rows[agency.code]
        alone = metrics.compute(agency_ids=[agency.pk], start=YTD[0], end=YTD[1])
        for key in ("on_time_rate", "online_rate", "feedback_on_time_rate"):
            assert row[key] == metrics._number(alone.rates[key]), (agency.code, key)
        index = satisfaction_index([agency.pk], *YTD)
        assert row["satisfaction_index"] == (None if index is None else float(index))
        plan = plans.dashboard(user=world.admin, agency_id=agency.pk, year=YEAR, today=TODAY)
        assert (row["tasks"], row["done"], row["overdue"]) == (
            plan.total,
            plan.done,
            plan.overdue_count,
        )
        assert row["progress"] == (None if plan.progress is None else float(plan.progress))
        projected = forecasting.forecast(user=world.admin, agency=agency, year=YEAR, today=TODAY)
        expected = float(projected.totals.percent) if projected.has_basis else None
        assert row["index"]["forecast_percent"] == expected
    b = rows["SYT"]["index"]
    assert (b["self_percent"], b["appraised_percent"], b["final"]) == (88.0, 84.5, False)
    assert (b["status"], b["band"]) == ("appraised", "B")
    assert rows["STP"]["index"]["status"] is None


def test_lights_follow_each_plans_targets(client, province_world):
    world = province_world
    rows = rows_of(get(client, world.appraiser, DATA))
    a = rows["STP"]
    on_time = Decimal(str(a["on_time_rate"]))
    assert a["status"]["on_time_rate"] == indicators.status_of(
        on_time, Decimal(95), margin=Decimal(5)
    )
    assert a["status"]["feedback_on_time_rate"] == indicators.MET  # 100 % against 90 %
    assert rows["SYT"]["status"]["feedback_on_time_rate"] == indicators.MISSED  # 50 %
    satisfaction = Decimal(str(a["satisfaction_index"]))
    assert a["status"]["satisfaction_index"] == indicators.status_of(
        satisfaction, Decimal(80), margin=Decimal(5)
    )
    assert set(rows["SNV"]["status"].values()) == {None}  # no plan, no target, no light


def test_the_page_shows_the_same_rows_with_lights_in_words(client, province_world):
    world = province_world
    response = get(client, world.admin, PAGE, year=YEAR)
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    json_rows = rows_of(get(client, world.admin, DATA, year=YEAR))
    for row in tree.xpath('//*[@data-testid="province-row"]'):
        data = json_rows[row.get("data-agency")]
        rate = data["on_time_rate"]
        cell = text(tree, "cell-on_time_rate", row)
        assert cell.startswith(vn(None if rate is None else Decimal(str(rate))))
        status = data["status"]["on_time_rate"]
        lights = row.xpath('.//*[@data-testid="cell-on_time_rate"]//*[@data-testid="light"]')
        if status is None:
            assert lights == []
        else:
            assert lights[0].get("data-status") == status
            assert lights[0].text_content().strip() == str(indicators.STATUS_LABELS[status])
    names = [r.get("data-agency") for r in tree.xpath('//*[@data-testid="province-row"]')]
    assert names == ["SNV", "STP", "SYT"]  # by name: Nội vụ, Tư pháp, Y tế


def test_sorting_by_a_column(client, province_world):
    world = province_world
    response = get(client, world.appraiser, DATA, sort="on_time_rate", dir="desc")
    rows = response.json()["rows"]
    values = [row["on_time_rate"] for row in rows]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and len(known) == 2
    assert values[-1] is None  # blanks last
    ascending = get(client, world.appraiser, DATA, sort="on_time_rate").json()["rows"]
    assert [r["on_time_rate"] for r in ascending] == [*sorted(known), None]
    unknown = get(client, world.appraiser, DATA, sort="password").json()
    assert (unknown["sort"], unknown["descending"]) == ("name", False)
    page = get(client, world.appraiser, PAGE, sort="on_time_rate", dir="desc")
    tree = html.fromstring(page.content.decode())
    link = tree.xpath('//*[@data-testid="sort-on_time_rate"]')[0]
    assert link.get("href").endswith("sort=on_time_rate")  # the next click sorts ascending
    assert link.getparent().get("aria-sort") == "descending"


@pytest.mark.parametrize(
    "role", ["leader", "coordinator", "unit_head", "officer", "viewer", "stranger"]
)
def test_only_appraisers_and_the_administrator(client, world, frozen, role):
    person = world.b.coordinator if role == "stranger" else getattr(world.a, role)
    for path in (PAGE, DATA):
        assert get(client, person, path).status_code == 403, path
    for person in (world.appraiser, world.admin):
        assert get(client, person, PAGE).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for path in (PAGE, DATA):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_appraiser_sees_only_their_province(client, world, frozen):
    other = Agency.objects.create(code="T02", name="Tỉnh Khác", kind="province")
    Agency.objects.create(code="SXD2", name="Sở Xây dựng tỉnh khác", parent=other)
    assert "SXD2" not in rows_of(get(client, world.appraiser, DATA))
    assert "SXD2" in rows_of(get(client, world.admin, DATA))


def test_an_agency_merged_away_before_the_year_is_left_out(client, world, frozen):
    Agency.objects.create(
        code="SCU", name="Sở cũ", parent=world.province, valid_to=dt.date(2025, 6, 30)
    )
    assert "SCU" not in rows_of(get(client, world.appraiser, DATA, year=2026))
    assert "SCU" in rows_of(get(client, world.appraiser, DATA, year=2025))


def _queries(client, user) -> int:
    client.force_login(user)
    fresh_metrics()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE, {"year": YEAR})
    assert response.status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_agencies(client, province_world):
    world = province_world
    three = _queries(client, world.appraiser)
    for n, (code, name) in enumerate(
        (("SXD", "Sở Xây dựng"), ("SGT", "Sở Giao thông"), ("STC", "Sở Tài chính")), 2
    ):
        extra = add_agency(world, code, name)
        seed_agency(extra.agency, extra.coordinator, extra.plan, n)
    six = _queries(client, world.appraiser)
    rows = rows_of(get(client, world.appraiser, DATA))
    assert len(rows) == 6 and rows["STC"]["on_time_rate"] is not None
    assert six == three


def test_the_page_is_printable_and_has_no_inline_script(client, province_world):
    content = get(client, province_world.appraiser, PAGE).content.decode()
    tree = html.fromstring(content)
    assert tree.xpath('//link[contains(@href, "cchc/dashboards.css")]')
    assert tree.xpath('//script[contains(@src, "cchc/dashboards.js")][@defer]')
    assert tree.xpath('//form[contains(@class, "dashboard-filter")]')
    assert tree.xpath('//*[@data-dashboard-print][@type="button"]')
    assert not [s for s in tree.xpath("//script") if (s.text or "").strip()]
    assert " onclick=" not in content and " style=" not in content
