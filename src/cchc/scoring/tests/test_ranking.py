"""The province's ranking by the reform index: order and ties, bands at their limits, the
change since last year, provisional rows, and who sees what (the anonymised own view never names
another agency)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cchc.core.models import Agency, AgencyKind, Role, User
from cchc.scoring import ranking
from cchc.scoring.arithmetic import band_for, effective_scores, score_tree
from cchc.scoring.frameworks import Spec
from cchc.scoring.models import Assessment, AssessmentItem, AssessmentStatus, Level
from cchc.scoring.tests.conftest import make_framework
from cchc.testing import make_user

D = Decimal
URL = "/index/ranking/"


def hundred_specs() -> list[Spec]:
    """Two areas of 60 and 40 points, one manual leaf each: the points are the index %."""
    return [
        Spec(code="1", title="Công tác chỉ đạo, điều hành CCHC", max_points=D(60)),
        Spec(code="1.1", title="Thực hiện kế hoạch CCHC", max_points=D(60), parent="1"),
        Spec(code="2", title="Cải cách thủ tục hành chính", max_points=D(40)),
        Spec(code="2.1", title="Giải quyết hồ sơ đúng hạn", max_points=D(40), parent="2"),
    ]


def scored(
    agency: Agency,
    framework,
    first: str,
    second: str,
    *,
    status: str = AssessmentStatus.FINAL,
    store: bool = True,
) -> Assessment:
    """An assessment of ``agency`` whose two leaves scored ``first`` and ``second`` in the
    final round (or the appraisal round when not final), stored the way finalising keeps it."""
    assessment = Assessment.objects.create(agency=agency, framework=framework, status=status)
    criteria = {c.code: c for c in framework.criteria.all()}
    final = status == AssessmentStatus.FINAL
    for code, value in (("1.1", first), ("2.1", second)):
        AssessmentItem.objects.create(
            assessment=assessment,
            criterion=criteria[code],
            self_score=D(value),
            appraisal_score=D(value),
            final_score=D(value) if final else None,
        )
    if final and store:
        items = assessment.items.select_related("criterion")
        totals = score_tree(criteria.values(), effective_scores(items, "final"))
        band = band_for(totals.percent)
        assessment.final_total = totals.points
        assessment.final_percent = totals.percent
        assessment.band = band.code if band else ""
        assessment.save()
    return assessment


@pytest.fixture
def framework(db):
    return make_framework(year=2026, specs=hundred_specs())


@pytest.fixture
def province(world, framework):
    """Four departments of the province, two of them with the same index."""
    finance = Agency.objects.create(code="STC", name="Sở Tài chính", parent=world.province)
    industry = Agency.objects.create(code="SCT", name="Sở Công Thương", parent=world.province)
    scored(world.a.agency, framework, "50", "35")  # Sở Tư pháp 85
    scored(world.b.agency, framework, "55", "37.5")  # Sở Y tế 92.5
    scored(finance, framework, "45", "40")  # Sở Tài chính 85
    scored(industry, framework, "40", "30")  # Sở Công Thương 70
    return {"finance": finance, "industry": industry}


def table_of(user, year=2026, level=Level.DEPARTMENT):
    return ranking.ranking_table(user=user, year=year, level=level)


def test_order_and_ties_share_a_rank_sorted_by_name(world, province):
    table = table_of(world.appraiser)
    assert [(r.rank, r.agency_name, r.percent) for r in table.rows] == [
        (1, "Sở Y tế", D("92.50")),
        (2, "Sở Tài chính", D("85.00")),
        (2, "Sở Tư pháp", D("85.00")),
        (4, "Sở Công Thương", D("70.00")),
    ]
    assert [r.band_code for r in table.rows] == ["A", "B", "B", "C"]
    assert table.band_counts == {"A": 1, "B": 2, "C": 1}
    first = table.rows[0]
    assert [(a.code, a.percent) for a in first.areas] == [("1", D("91.67")), ("2", D("93.75"))]
    assert [h.code for h in table.areas] == ["1", "2"]


def test_names_sort_the_vietnamese_way():
    names = ["Sở Y tế", "Sở Đà", "Sở Dân tộc", "Sở Tư pháp", "Sở Tài chính", "Sở Ăn"]
    assert sorted(names, key=ranking.name_key) == [
        "Sở Ăn",
        "Sở Dân tộc",
        "Sở Đà",
        "Sở Tài chính",
        "Sở Tư pháp",
        "Sở Y tế",
    ]


@pytest.mark.parametrize(
    ("first", "second", "band"),
    [
        ("60", "30", "A"),  # 90.00 exactly: A
        ("59.99", "30", "B"),  # 89.99: B
        ("50", "30", "B"),  # 80.00 exactly: B
        ("49.99", "30", "C"),  # 79.99: C
        ("0", "0", "C"),
    ],
)
def test_bands_at_their_limits(world, framework, first, second, band):
    # Not stored: the band is found from the rolled-up index, as for a provisional row.
    scored(world.a.agency, framework, first, second, store=False)
    (row,) = table_of(world.appraiser).rows
    assert row.band_code == band


def test_change_since_the_final_index_of_last_year_of_the_same_level(world, framework, province):
    last_year = make_framework(year=2025, specs=hundred_specs())
    scored(world.a.agency, last_year, "45", "35")  # 80 → 85: +5
    scored(world.b.agency, last_year, "60", "40", store=False)  # 100 (not stored) → 92.5: −7.5
    # Not final last year: no change shown.
    scored(province["finance"], last_year, "10", "10", status=AssessmentStatus.APPRAISED)
    # Another level does not count.
    communes = make_framework(year=2025, specs=hundred_specs(), level=Level.COMMUNE)
    scored(province["industry"], communes, "10", "10")
    rows = {r.agency_code: r for r in table_of(world.appraiser).rows}
    assert (rows["STP"].previous_percent, rows["STP"].change) == (D("80.00"), D("5.00"))
    assert (rows["SYT"].previous_percent, rows["SYT"].change) == (D("100.00"), D("-7.50"))
    assert rows["STC"].change is None
    assert rows["SCT"].change is None


def test_appraised_assessments_are_ranked_as_provisional(world, framework, province):
    other = Agency.objects.create(code="SXD", name="Sở Xây dựng", parent=world.province)
    scored(other, framework, "60", "35", status=AssessmentStatus.EXPLAINED)  # 95 (appraisal)
    opened = Agency.objects.create(code="SGD", name="Sở Giáo dục", parent=world.province)
    scored(opened, framework, "60", "40", status=AssessmentStatus.SUBMITTED)  # not ranked
    rows = table_of(world.appraiser).rows
    assert [(r.agency_code, r.rank, r.provisional) for r in rows][:2] == [
        ("SXD", 1, True),
        ("SYT", 2, False),
    ]
    assert "SGD" not in {r.agency_code for r in rows}


def test_the_final_figures_kept_at_finalisation_win(world, framework):
    assessment = scored(world.a.agency, framework, "50", "35")
    Assessment.objects.filter(pk=assessment.pk).update(final_percent=D("84.99"), band="B")
    (row,) = table_of(world.appraiser).rows
    assert (row.percent, row.band_code) == (D("84.99"), "B")


def test_an_appraiser_of_another_province_sees_only_that_province(world, province):
    elsewhere = Agency.objects.create(code="T02", name="Tỉnh Khác", kind=AgencyKind.PROVINCE)
    home = Agency.objects.create(code="SNV2", name="Sở Nội vụ tỉnh khác", parent=elsewhere)
    appraiser = make_user("other_appraiser", agency=home, role=Role.APPRAISER)
    assert table_of(appraiser).rows == []
    assert len(table_of(world.admin).rows) == 4
    assert table_of(world.a.leader).rows == []  # agency people get no table


# --- pages -------------------------------------------------------------------------------------


def ranking_html(client, user, query="?year=2026&level=department"):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def test_appraisers_see_every_agency_with_charts_and_tables(client, world, province):
    html = ranking_html(client, world.appraiser)
    for name in ("Sở Y tế", "Sở Tài chính", "Sở Tư pháp", "Sở Công Thương"):
        assert name in html
    assert 'data-scoring-chart="ranking-chart-data"' in html
    assert 'data-testid="ranking-area-table"' in html
    assert "cchc/scoring.js" in html
    assert 'href="/index/ranking.xlsx?year=2026&amp;level=department"' in html


@pytest.mark.parametrize("role", ["leader", "coordinator", "unit_head", "officer", "viewer"])
def test_agency_people_see_their_position_and_no_other_name(client, world, province, role):
    html = ranking_html(client, getattr(world.a, role))
    assert "Sở Tư pháp" in html
    assert 'data-testid="own-rank">2 of 4<' in html
    for name in ("Sở Y tế", "Sở Tài chính", "Sở Công Thương", "STC", "SCT", "SYT"):
        assert name not in html, name
    assert 'data-testid="ranking-table"' not in html
    assert 'data-scoring-chart="distribution-data"' in html
    # The others' index without names: 70, 85 and 92.5.
    assert "70.00 %" in html and "92.50 %" in html


def test_a_stranger_sees_their_own_agency_only(client, world, province):
    html = ranking_html(client, world.b.coordinator)
    assert "Sở Y tế" in html
    assert 'data-testid="own-rank">1 of 4<' in html
    assert "Sở Tư pháp" not in html
    assert "Sở Tài chính" not in html


def test_asking_for_another_agency_shows_ones_own(client, world, province):
    html = ranking_html(client, world.b.coordinator, f"?year=2026&agency={world.a.agency.pk}")
    assert "Sở Tư pháp" not in html
    assert "Sở Y tế" in html


def test_own_position_without_an_assessment(client, world, framework):
    scored(world.b.agency, framework, "50", "35")
    html = ranking_html(client, world.a.leader)
    assert 'data-testid="own-none"' in html
    assert "Sở Y tế" not in html


def test_own_position_distribution_figures(world, province):
    position = ranking.own_position(
        user=world.a.viewer, agency=world.a.agency, year=2026, level=Level.DEPARTMENT
    )
    assert (position.rank, position.total) == (2, 4)
    others = position.others
    assert others.values == [D("70.00"), D("85.00"), D("92.50")]
    assert (others.minimum, others.median, others.maximum) == (D("70"), D("85.00"), D("92.5"))
    assert dict(others.bins)["70–<80"] == 1
    assert dict(others.bins)["90–100"] == 1
    assert sum(count for _label, count in others.bins) == 3
    averages = {a.code: a.average for a in position.areas}
    assert averages["1"] == D("79.17")  # (50 + 55 + 45 + 40) ÷ 4 ÷ 60


def test_no_agency_no_position(client, world, province):
    lonely = User.objects.create_user(username="lonely", password="x-Y-z-123456")
    html = ranking_html(client, lonely)
    assert 'data-testid="ranking-no-agency"' in html
    assert "Sở Tư pháp" not in html


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_number_of_queries_does_not_grow_with_the_agencies(world, framework, province):
    last_year = make_framework(year=2025, specs=hundred_specs())
    scored(world.a.agency, last_year, "45", "35")
    with CaptureQueriesContext(connection) as few:
        table_of(User.objects.get(pk=world.appraiser.pk))
    for n in range(6):
        more = Agency.objects.create(code=f"X{n}", name=f"Sở Thử {n}", parent=world.province)
        scored(more, framework, "30", "30")
        scored(more, last_year, "30", "30")
    with CaptureQueriesContext(connection) as many:
        assert len(table_of(User.objects.get(pk=world.appraiser.pk)).rows) == 10
    assert len(many) == len(few)


# --- the workbook --------------------------------------------------------------------------------


def test_the_workbook_for_appraisers(client, world, province):
    client.force_login(world.appraiser)
    response = client.get("/index/ranking.xlsx?year=2026&level=department")
    assert response.status_code == 200
    assert "xep-hang-chi-so-cchc-2026-department.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1], r[6], r[7]) for r in rows] == [
        (1, "SYT", 92.5, "A"),
        (2, "STC", 85.0, "B"),
        (2, "STP", 85.0, "B"),
        (4, "SCT", 70.0, "C"),
    ]
    assert rows[0][8:10] == (91.67, 93.75)  # the per-area %


@pytest.mark.parametrize("role", ["leader", "coordinator", "viewer"])
def test_the_workbook_is_refused_to_agency_people(client, world, province, role):
    client.force_login(getattr(world.a, role))
    assert client.get("/index/ranking.xlsx").status_code == 403


# --- in a real browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_charts_are_drawn(page, live_server, live_world):
    from cchc.plans.tests.conftest import log_in

    world = live_world
    framework = make_framework(year=2026, specs=hundred_specs())
    scored(world.a.agency, framework, "50", "35")
    scored(world.b.agency, framework, "55", "37.5", status=AssessmentStatus.APPRAISED)
    url = f"{live_server.url}{URL}?year=2026&level=department"

    log_in(page, live_server.url, world.appraiser.username)
    page.goto(url)
    for chart in ("ranking-chart", "ranking-area-chart"):
        page.locator(f"[data-testid={chart}][data-drawn='1']").wait_for()
    assert page.get_by_test_id("ranking-row").count() == 2
    page.context.clear_cookies()

    log_in(page, live_server.url, world.a.viewer.username)
    page.goto(url)
    for chart in ("distribution-chart", "own-area-chart"):
        page.locator(f"[data-testid={chart}][data-drawn='1']").wait_for()
    assert "Sở Y tế" not in page.content()
    page.goto(f"{live_server.url}/index/forecast/?year=2026")
    page.locator("[data-testid=forecast-area-chart][data-drawn='1']").wait_for()
