"""The projected index during the year: a hand-worked example with two automatic criteria fed by
dossiers and one manual criterion projected from the plan's tasks, the list of criteria losing
points, and who may see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cchc.plans import services as plans
from cchc.procedures import rollups
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure
from cchc.scoring import forecast as forecasting
from cchc.scoring.frameworks import Spec
from cchc.scoring.models import Level
from cchc.scoring.tests.conftest import make_framework

D = Decimal
TODAY = dt.date(2026, 7, 15)


def forecast_specs() -> list[Spec]:
    """Three areas (maximum 100):

    1   1.1 automatic, on-time rate, 25 points: ≥ 90 % → 25, ≥ 70 % → 15, below → 0
    2   2.1 automatic, online rate, 25 points: ≥ 50 % → 25, ≥ 25 % → 12.5, below → 0
    3   3.1 manual, 50 points (matches the plan's area II.3)
        3.2 bonus up to 2 (not forecast)
    """
    return [
        Spec(code="1", title="Giải quyết hồ sơ", max_points=D(25)),
        Spec(
            code="1.1",
            title="Tỷ lệ hồ sơ giải quyết đúng hạn",
            max_points=D(25),
            method="auto",
            source="on_time_rate",
            bands=[(D(0), D(0)), (D(70), D(15)), (D(90), D(25))],
            parent="1",
        ),
        Spec(code="2", title="Dịch vụ công trực tuyến", max_points=D(25)),
        Spec(
            code="2.1",
            title="Tỷ lệ hồ sơ trực tuyến",
            max_points=D(25),
            method="auto",
            source="online_rate",
            bands=[(D(0), D(0)), (D(25), D("12.5")), (D(50), D(25))],
            parent="2",
        ),
        Spec(code="3", title="Cải cách thủ tục hành chính", max_points=D(50)),
        Spec(code="3.1", title="Rà soát, đơn giản hóa TTHC", max_points=D(50), parent="3"),
        Spec(
            code="3.2",
            title="Sáng kiến cải cách được công nhận",
            max_points=D(2),
            method="bonus",
            cap=D(2),
            parent="3",
        ),
    ]


@pytest.fixture
def framework(db):
    return make_framework(year=2026, specs=forecast_specs())


@pytest.fixture
def year_so_far(world, framework):
    """Agency A by 15/07/2026.

    Dossiers (all received in March): 4 finished, 3 of them on time → on-time rate 75 % → 15 of
    25 points (1.1 loses 10); 3 of the 4 online → online rate 75 % → 25 of 25 (2.1 loses none).

    Plan area II.3: the seeded task due 30/06 (not done), two more due 31/03 and 30/04 (done),
    one due 31/12 (done early, but not due yet: not counted) → 2 of 3 due tasks done →
    3.1 projected 50 × 2/3 = 33.33 (loses 16.67). A cancelled task due in May is not counted.

    Total 15 + 25 + 33.33 + 0 (bonus) = 73.33 of 100 → 73.33 % → band C.
    """
    agency = world.a.agency
    procedure = make_procedure(agency)
    due = at("2026-03-06 17:00")
    for finished, channel in (
        ("2026-03-05 10:00", 2),
        ("2026-03-06 16:00", 2),
        ("2026-03-06 17:00", 2),
        ("2026-03-09 10:00", 1),  # late
    ):
        make_dossier(
            procedure,
            received=at("2026-03-02 08:00"),
            due=due,
            finished_at=at(finished),
            channel=channel,
        )
    rollups.rebuild()
    plan = world.a.plan
    area = plan.areas.get(number=3)
    coordinator = world.a.coordinator
    for due_date, done in (
        (dt.date(2026, 3, 31), True),
        (dt.date(2026, 4, 30), True),
        (dt.date(2026, 12, 31), True),
    ):
        task = plans.task_create(
            actor=coordinator,
            plan=plan,
            area=area,
            title=f"Nhiệm vụ hạn {due_date:%d/%m}",
            start_date=dt.date(2026, 1, 10),
            due_date=due_date,
        )
        if done:
            plans.task_update_progress(actor=coordinator, task=task, percent=100)
    cancelled = plans.task_create(
        actor=coordinator,
        plan=plan,
        area=area,
        title="Nhiệm vụ đã hủy",
        start_date=dt.date(2026, 1, 10),
        due_date=dt.date(2026, 5, 15),
    )
    type(cancelled).objects.filter(pk=cancelled.pk).update(status="cancelled")
    return agency


def test_hand_worked_forecast(world, year_so_far):
    result = forecasting.forecast(user=world.a.leader, agency=year_so_far, year=2026, today=TODAY)
    lines = {line.code: line for line in result.lines}
    assert result.as_of == TODAY
    assert (lines["1.1"].measured_value, lines["1.1"].projected) == (D("75.00"), D("15.00"))
    assert (lines["2.1"].measured_value, lines["2.1"].projected) == (D("75.00"), D("25.00"))
    assert lines["3.1"].projected == D("33.33")
    assert (lines["3.1"].tasks.due, lines["3.1"].tasks.done) == (3, 2)
    assert lines["3.2"].projected == D("0.00")
    assert [line.code for line in result.lines] == ["1.1", "2.1", "3.1", "3.2"]
    assert result.totals.points == D("73.33")
    assert result.totals.max_points == D("100.00")
    assert result.totals.percent == D("73.33")
    assert result.band.code == "C"
    assert result.has_basis


def test_losing_points_largest_first(world, year_so_far):
    result = forecasting.forecast(user=world.a.leader, agency=year_so_far, year=2026, today=TODAY)
    assert [(line.code, line.lost) for line in result.losing] == [
        ("3.1", D("16.67")),
        ("1.1", D("10.00")),
    ]
    assert result.lost_total == D("26.67")


def test_a_manual_criterion_without_any_task_due_is_not_projected(world, year_so_far):
    early = forecasting.forecast(
        user=world.a.leader, agency=year_so_far, year=2026, today=dt.date(2026, 3, 1)
    )
    lines = {line.code: line for line in early.lines}
    assert lines["3.1"].projected is None
    assert lines["3.1"].basis == forecasting.BASIS_NO_TASKS
    # Nothing received by 1 March either: the rates are unknown, not 0.
    assert lines["1.1"].projected is None
    assert lines["1.1"].basis == forecasting.BASIS_NO_DATA
    assert [line.code for line in early.unprojected] == ["1.1", "2.1", "3.1"]
    assert early.losing == []
    assert early.totals.points == D("0.00")
    assert not early.has_basis and early.band is None


def test_the_framework_of_the_agencys_level(world, framework):
    communes = make_framework(year=2026, specs=forecast_specs(), level=Level.COMMUNE)
    assert forecasting.forecast_framework(world.a.agency, 2026) == framework
    assert forecasting.forecast_framework(world.a.agency, 2026, Level.COMMUNE) == communes
    assert forecasting.forecast_framework(world.a.agency, 2030) is None


# --- the page ----------------------------------------------------------------------------------


def get(client, user, query):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(f"/index/forecast/{query}")


@pytest.mark.parametrize("role", ["leader", "coordinator", "unit_head", "officer", "viewer"])
def test_the_agencys_readers_see_the_forecast(client, world, year_so_far, role):
    response = get(client, getattr(world.a, role), f"?agency={year_so_far.pk}&year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="forecast-losing"' in html
    assert 'data-scoring-chart="forecast-area-data"' in html
    losing = html.split('data-testid="forecast-losing"')[1].split("</section>")[0]
    assert losing.index('data-code="3.1"') < losing.index('data-code="1.1"')
    assert 'data-code="2.1"' not in losing


def test_own_agency_by_default(client, world, framework):
    response = get(client, world.a.viewer, "?year=2026")
    assert response.status_code == 200
    assert "Sở Tư pháp" in response.content.decode()
    assert 'data-testid="forecast-percent"' in response.content.decode()


def test_appraisers_see_any_agency_of_the_province(client, world, framework):
    response = get(client, world.appraiser, f"?agency={world.a.agency.pk}&year=2026")
    assert response.status_code == 200
    response = get(client, world.appraiser, "")
    assert 'data-testid="forecast-no-agency"' in response.content.decode()


def test_strangers_get_404(client, world, framework):
    assert get(client, world.b.coordinator, f"?agency={world.a.agency.pk}").status_code == 404
    assert get(client, world.b.coordinator, "?agency=999999").status_code == 404
    assert get(client, world.b.coordinator, "?agency=abc").status_code == 404


def test_no_framework_for_the_year(client, world, framework):
    response = get(client, world.a.leader, "?year=2031")
    assert 'data-testid="forecast-no-framework"' in response.content.decode()
