"""The back-office pages: the results of an agency, the XLSX export, the QR codes; readers of
the agency get them, strangers get 404, anonymous visitors the login page."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cchc.indicators.models import Indicator, Target
from cchc.procedures.tests.test_metrics import make_procedure
from cchc.surveys import links
from cchc.surveys.models import Response
from cchc.surveys.services import response_submit

from .conftest import dossier_of, form_data

READERS = ("leader", "coordinator", "unit_head", "officer", "other_officer", "viewer")


@pytest.fixture
def answered(client, world, survey):
    """Three answers to agency A's default survey in 2026: all 5, all 3, all 5 with a comment;
    every aspect 2 of 3 satisfied → 66.67 %, the index too."""
    client.post("/s/STP/", form_data(survey, 5))
    client.post("/s/STP/", form_data(survey, 3))
    client.post("/s/STP/", form_data(survey, 5, "Thủ tục nhanh gọn."))
    Response.objects.update(submitted_at="2026-06-15T03:00:00Z")
    client.cookies.clear()
    return survey


def _get(client, person, path, **extra):
    client.force_login(person)
    return client.get(path, **extra)


def test_results_page_for_every_reader(client, world, answered):
    path = f"/surveys/?agency={world.a.agency.pk}&start=2026-01-01&end=2026-12-31"
    for role in READERS:
        response = _get(client, getattr(world.a, role), path)
        assert response.status_code == 200, role
        body = response.content.decode()
        assert "66,67 %" in body, role  # Vietnamese number format
    for person in (world.appraiser, world.admin):
        assert _get(client, person, path).status_code == 200


def test_results_page_defaults_to_the_persons_agency_and_this_year(client, world, answered):
    response = _get(client, world.a.coordinator, "/surveys/")
    assert response.status_code == 200
    assert response.context["agency"] == world.a.agency
    assert response.context["start"].month == 1 and response.context["end"].month == 12
    assert response.context["result"].responses == 3
    assert 'data-chart="survey-trend"' in response.content.decode()


def test_target_met_or_not(client, world, answered):
    Target.objects.create(
        plan=world.a.plan, indicator=Indicator.objects.get(code="satisfaction"), value=90
    )
    path = f"/surveys/?agency={world.a.agency.pk}&start=2026-01-01&end=2026-12-31"
    client.cookies["django_language"] = "en"
    response = _get(client, world.a.leader, path)
    body = response.content.decode()
    assert response.context["result"].target_met is False
    assert "not met" in body and "90 %" in body


def test_free_texts_for_coordinator_and_leader_only(client, world, answered):
    path = f"/surveys/?agency={world.a.agency.pk}&start=2026-01-01&end=2026-12-31"
    for role in ("coordinator", "leader"):
        assert "Thủ tục nhanh gọn." in _get(client, getattr(world.a, role), path).content.decode()
    for role in ("officer", "viewer", "unit_head"):
        assert (
            "Thủ tục nhanh gọn." not in _get(client, getattr(world.a, role), path).content.decode()
        )


def test_strangers_get_404_and_anonymous_the_login(client, world, answered):
    agency = world.a.agency.pk
    paths = [
        f"/surveys/?agency={agency}",
        f"/surveys/export.xlsx?agency={agency}",
        f"/surveys/qr/?agency={agency}",
        "/surveys/?agency=banana",
    ]
    for path in paths:
        response = _get(client, world.b.coordinator, path)
        assert response.status_code == 404, path
    client.logout()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # B's coordinator sees their own agency's (empty) results.
    own = _get(client, world.b.coordinator, "/surveys/")
    assert own.status_code == 200 and own.context["agency"] == world.b.agency
    assert own.context["result"].index is None


def test_dossier_qr_code_is_for_readers_of_the_dossier(client, world, survey, settings):
    settings.CCHC_BASE_URL = "https://dvc.example.gov.vn/"
    dossier = dossier_of(world.a.agency)
    path = f"/surveys/dossier/{dossier.pk}/qr.svg"
    response = _get(client, world.a.viewer, path)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    expected = links.qr_svg("https://dvc.example.gov.vn" + links.dossier_survey_url(dossier))
    assert response.content == expected
    assert _get(client, world.b.coordinator, path).status_code == 404
    assert _get(client, world.b.viewer, path).status_code == 404
    assert _get(client, world.a.viewer, "/surveys/dossier/999999/qr.svg").status_code == 404


def test_qr_print_page(client, world, survey, settings):
    settings.CCHC_BASE_URL = "https://dvc.example.gov.vn"
    response = _get(client, world.a.officer, "/surveys/qr/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "https://dvc.example.gov.vn/s/STP/" in body
    assert 'src="/s/STP/qr.svg"' in body
    assert "https://dvc.example.gov.vn/s/STP/kiosk/" in body
    assert "data-print" in body


def test_xlsx_export_holds_the_numbers(client, world, answered):
    path = f"/surveys/export.xlsx?agency={world.a.agency.pk}&start=2026-01-01&end=2026-12-31"
    response = _get(client, world.a.coordinator, path)
    assert response.status_code == 200
    assert "khao-sat-hai-long-STP-20260101-20261231.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    summary, aspects, questions, units, procedures, months, texts = book.worksheets
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True)}
    assert 3 in values.values() and 66.67 in values.values()
    aspect_rows = list(aspects.iter_rows(min_row=2, values_only=True))
    assert len(aspect_rows) == 5
    # Each question answered 5, 3, 5: two of three satisfied, whatever the number of questions.
    assert all(row[1] * 3 == row[2] * 2 and row[3] == 66.67 for row in aspect_rows)
    assert aspect_rows[0][1:] == (6, 9, 66.67)  # three questions on access
    assert aspect_rows[0][0] == "Tiếp cận dịch vụ"
    question_rows = list(questions.iter_rows(min_row=2, values_only=True))
    assert len(question_rows) == answered.questions.filter(kind="scale").count()
    assert question_rows[0][3:] == (2, 3, 66.67, 4.33)  # (5 + 3 + 5) ÷ 3
    june = [row for row in months.iter_rows(min_row=2, values_only=True) if row[0] == "06/2026"]
    assert june[0][1] == 3 and june[0][-1] == 66.67
    assert units.max_row == 1 and procedures.max_row == 1  # headers only: nothing tied
    assert [row[2] for row in texts.iter_rows(min_row=2, values_only=True)] == [
        "Thủ tục nhanh gọn."
    ]
    # An officer's export has no free texts.
    officer = _get(client, world.a.officer, path)
    assert len(load_workbook(io.BytesIO(officer.content)).worksheets) == 6


def test_formula_like_text_stays_text_in_the_export(client, world, survey):
    client.post("/s/STP/", form_data(survey, 4, '=HYPERLINK("http://x","y")'))
    response = _get(client, world.a.coordinator, f"/surveys/export.xlsx?agency={world.a.agency.pk}")
    cell = load_workbook(io.BytesIO(response.content)).worksheets[-1]["C2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_admin_edits_the_questionnaire_and_shows_responses_read_only(client, world, answered):
    client.force_login(world.admin)
    assert client.get("/admin/surveys/survey/").status_code == 200
    change = client.get(f"/admin/surveys/survey/{answered.pk}/change/")
    assert change.status_code == 200
    assert "Việc tìm hiểu thông tin về thủ tục hành chính" in change.content.decode()
    response = Response.objects.first()
    assert client.get("/admin/surveys/response/").status_code == 200
    page = client.get(f"/admin/surveys/response/{response.pk}/change/")
    assert page.status_code == 200
    assert 'name="channel"' not in page.content.decode()  # read-only
    assert client.get("/admin/surveys/response/add/").status_code == 403


def test_results_page_runs_a_bounded_number_of_queries(client, world, survey):
    client.force_login(world.a.coordinator)
    path = f"/surveys/?agency={world.a.agency.pk}&start=2026-01-01&end=2026-12-31"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    answer = {q.pk: 4 for q in survey.questions.filter(kind="scale")}
    response_submit(survey=survey, channel="web", answers=answer)
    few = queries()
    for n in range(5):
        procedure = make_procedure(world.a.agency, code=f"Q{n}")
        for m in range(3):
            dossier = dossier_of(
                world.a.agency, unit=world.a.unit, code=f"D{n}-{m}", procedure=procedure
            )
            response_submit(survey=survey, channel="qr_dossier", answers=answer, dossier=dossier)
    Response.objects.update(submitted_at="2026-06-15T03:00:00Z")
    assert queries() == few
    assert few <= 25, few


def test_admin_actions_make_and_publish_a_new_version(client, world, survey):
    client.force_login(world.admin)
    client.post(
        "/admin/surveys/survey/",
        {"action": "new_version", "_selected_action": [survey.pk]},
    )
    new = survey.agency.surveys.get(version=2)
    assert new.active is False and new.questions.count() == survey.questions.count()
    client.post("/admin/surveys/survey/", {"action": "publish", "_selected_action": [new.pk]})
    new.refresh_from_db()
    survey.refresh_from_db()
    assert (new.active, survey.active) == (True, False)
