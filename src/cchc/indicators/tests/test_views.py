import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cchc.core.models import AuditEntry
from cchc.indicators import selectors
from cchc.indicators.models import ReportedValue

TODAY = dt.date(2026, 7, 15)


@pytest.fixture(autouse=True)
def _today():
    """The pages measure up to today; the tests' dossiers end on 30/06/2026."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


def test_list_shows_targets_with_status_and_thresholds(client, world, service):
    client.force_login(world.a.coordinator)
    response = client.get("/indicators/", {"year": 2026, "period": "quarter", "quarter": 2})
    assert response.status_code == 200
    board = response.context["board"]
    assert board.agency == world.a.agency
    assert (board.period.start, board.period.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    rows = {row.target.pk: row for row in board.rows}
    on_time = rows[service["on_time"].pk]
    assert on_time.source == "measured"
    assert on_time.value == board.rates["on_time_rate"] is not None
    assert on_time.status == selectors.status_of(on_time.value, Decimal("95"), margin=Decimal(5))
    assert rows[service["score"].pk].status == selectors.NO_DATA  # nothing reported yet
    assert rows[service["rank"].pk].is_rank
    html = response.content.decode()
    assert 'data-testid="target-table"' in html and 'data-testid="points-table"' in html
    assert 'data-testid="rank-targets"' in html
    assert f'data-status="{on_time.status}"' in html
    assert "95 %" in on_time.thresholds
    # Agency B's target is not on A's page.
    assert service["b_on_time"].pk not in rows


def test_list_points_table_follows_the_rules(client, world, service):
    client.force_login(world.a.leader)
    board = client.get("/indicators/", {"year": 2026}).context["board"]
    items = [p.item for p in board.points if p.first]
    assert items == [
        "publicity",
        "timeliness",
        "online_service",
        "online_payment",
        "satisfaction",
        "digitization",
    ]
    assert board.points_max_value == Decimal("100.00")
    assert board.points_total_value is not None


def test_list_picks_the_agency_for_people_who_see_several(client, world, service):
    client.force_login(world.appraiser)
    response = client.get("/indicators/", {"agency": world.b.agency.pk, "year": 2026})
    assert response.context["board"].agency == world.b.agency
    assert response.context["show_agency_filter"]
    # An agency the person does not see is ignored: the first visible one is shown.
    client.force_login(world.b.coordinator)
    response = client.get("/indicators/", {"agency": world.a.agency.pk, "year": 2026})
    assert response.context["board"].agency == world.b.agency


def test_list_query_count_is_bounded(client, world, service):
    client.force_login(world.a.coordinator)
    client.get("/indicators/", {"year": 2026})
    with CaptureQueriesContext(connection) as first:
        client.get("/indicators/", {"year": 2026})
    # Bounded whatever the number of dossiers or targets.
    assert len(first) <= 30, [q["sql"] for q in first.captured_queries]


def test_detail_trend_and_late_dossiers(client, world, service):
    client.force_login(world.a.viewer)
    target = service["on_time"]
    response = client.get(f"/indicators/{target.pk}/")
    assert response.status_code == 200
    trend = response.context["trend"]
    assert len(trend.labels) == len(trend.values) == len(trend.rows) == 12
    assert trend.labels[0] == "01/2026"
    assert trend.target == 95.0
    assert trend.values[0] is not None
    assert all(v is None for v in trend.values[7:])  # months after today
    chart = response.context["chart"]
    assert chart["type"] == "line" and chart["target"] == 95.0
    html = response.content.decode()
    assert 'id="indicator-trend"' in html and 'data-chart="indicator-trend"' in html
    late = selectors.late_dossiers(target=target, period=response.context["period"])
    assert late, "the demo data has late dossiers"
    assert response.context["late_count"] == len(late)
    assert late[0].days_late >= late[-1].days_late
    assert 'data-testid="late-row"' in html
    assert not response.context["may_report"]  # measured: nothing to report by hand


def test_detail_of_another_agency_is_404(client, world, service):
    client.force_login(world.b.coordinator)
    assert client.get(f"/indicators/{service['on_time'].pk}/").status_code == 404
    assert client.get(f"/indicators/{service['on_time'].pk}/late.xlsx").status_code == 404


def test_late_export(client, world, service):
    client.force_login(world.a.unit_head)
    target = service["on_time"]
    response = client.get(f"/indicators/{target.pk}/late.xlsx", {"period": "quarter", "quarter": 2})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    period = selectors.period_of(year=2026, kind="quarter", quarter=2)
    late = selectors.late_dossiers(target=target, period=period)
    assert sheet.max_row == 2 + len(late)
    header = [c.value for c in sheet[2]]
    assert len(header) == 9
    assert sheet["A2"].font.name == "Times New Roman" and sheet["A2"].font.bold
    first = late[0]
    row = [c.value for c in sheet[3]]
    assert row[0] == 1 and row[1] == first.code and row[7] == first.days_late
    assert sheet["E3"].number_format == "dd/mm/yyyy"
    assert (
        sheet["E3"].value.date()
        == first.received_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    )
    assert sheet["B3"].font.name == "Times New Roman"


def test_report_value_by_coordinator(client, world, service):
    client.force_login(world.a.coordinator)
    target = service["score"]
    page = client.get(f"/indicators/{target.pk}/")
    assert page.context["may_report"] and 'data-testid="report-form"' in page.content.decode()
    response = client.post(
        f"/indicators/{target.pk}/report/",
        {
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "value": "82,5",
            "note": "Quyết định công bố Chỉ số CCHC",
        },
    )
    assert response.status_code == 302
    reported = ReportedValue.objects.get(target=target)
    assert reported.value == Decimal("82.5") and reported.reported_by == world.a.coordinator
    entry = AuditEntry.objects.get(action="indicator.report")
    assert entry.agency == world.a.agency and entry.changes["value"] == "82.5"
    board = client.get("/indicators/", {"year": 2026}).context["board"]
    row = next(r for r in board.rows if r.target.pk == target.pk)
    assert (row.value, row.source, row.status) == (Decimal("82.5"), "reported", selectors.AT_RISK)


def test_report_value_is_checked(client, world, service):
    client.force_login(world.a.coordinator)
    target = service["score"]
    response = client.post(
        f"/indicators/{target.pk}/report/",
        {"period_start": "2026-06-30", "period_end": "2026-01-01", "value": "x"},
    )
    assert response.status_code == 400
    assert not ReportedValue.objects.exists()
    # A measured target takes no hand-reported value.
    response = client.post(
        f"/indicators/{service['on_time'].pk}/report/",
        {"period_start": "2026-01-01", "period_end": "2026-06-30", "value": "99"},
    )
    assert response.status_code == 400
    assert not ReportedValue.objects.exists()


@pytest.mark.parametrize("role", ["leader", "unit_head", "officer", "viewer"])
def test_readers_may_not_report(client, world, service, role):
    client.force_login(getattr(world.a, role))
    target = service["score"]
    assert not client.get(f"/indicators/{target.pk}/").context["may_report"]
    response = client.post(
        f"/indicators/{target.pk}/report/",
        {"period_start": "2026-01-01", "period_end": "2026-06-30", "value": "90"},
    )
    assert response.status_code == 403
    assert not ReportedValue.objects.exists()


def test_stranger_may_not_report(client, world, service):
    client.force_login(world.b.coordinator)
    response = client.post(
        f"/indicators/{service['score'].pk}/report/",
        {"period_start": "2026-01-01", "period_end": "2026-06-30", "value": "90"},
    )
    assert response.status_code == 404


def test_dashboard_shows_service_quality(client, world, service):
    client.force_login(world.a.coordinator)
    response = client.get("/", {"year": 2026})
    html = response.content.decode()
    assert 'data-testid="service-quality"' in html
    assert html.count('data-testid="quality-card"') == 2  # the two rate-backed targets
    client.force_login(world.admin)  # several agencies, none chosen: no cards
    assert 'data-testid="service-quality"' not in client.get("/", {"year": 2026}).content.decode()
