"""Every page and API endpoint, tried by every persona, against DESIGN.md §2.

The objects belong to agency A. A persona who may read them gets 200 on reads; one who may read
but not do the write gets 403; the stranger (agency B's coordinator) gets 404 for any of A's
objects; an anonymous visitor is sent to the login page (pages) or gets 401 (API). A URL added
to the project without a row here fails ``test_every_url_is_in_the_matrix``.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver

from cchc.core.models import Job, JobStatus
from cchc.core.tokens import token_create
from cchc.lib.tests.test_uploads import PDF
from cchc.plans import services

READERS = {
    "leader",
    "coordinator",
    "unit_head",
    "officer",
    "other_officer",
    "viewer",
    "appraiser",
    "admin",
}
EVERYONE = READERS | {"stranger"}
MANAGERS = {"coordinator", "admin"}
TASK_EDITORS = MANAGERS | {"unit_head"}
PROGRESS = TASK_EDITORS | {"officer"}
COMMENTERS = PROGRESS | {"leader"}
ROLES = sorted(EVERYONE | {"anonymous"})

# name -> (method, path template, who is allowed, is it about agency A's object?)
PAGES = {
    "dashboard": ("GET", "/", EVERYONE, False),
    "notifications": ("GET", "/notifications/", EVERYONE, False),
    "activity": ("GET", "/history/", EVERYONE, False),
    "plan_list": ("GET", "/plans/", EVERYONE, False),
    "plan_create": ("GET", "/plans/new/", MANAGERS | {"stranger"}, False),
    "plan_detail": ("GET", "/plans/{plan}/", READERS, True),
    "plan_edit": ("GET", "/plans/{plan}/edit/", MANAGERS, True),
    "plan_issue": ("POST", "/plans/{plan}/issue/", {"leader", "admin"}, True),
    "task_create": ("GET", "/plans/{plan}/tasks/new/", MANAGERS, True),
    "task_list": ("GET", "/tasks/", EVERYONE, False),
    "task_detail": ("GET", "/tasks/{task}/", READERS, True),
    "task_edit": ("GET", "/tasks/{task}/edit/", TASK_EDITORS, True),
    "task_progress": ("POST", "/tasks/{task}/progress/", PROGRESS, True),
    "task_evidence": ("POST", "/tasks/{task}/evidence/", PROGRESS, True),
    "task_comment": ("POST", "/tasks/{task}/comments/", COMMENTERS, True),
    "evidence_download": ("GET", "/evidence/{evidence}/download/", READERS, True),
    "evidence_delete": ("POST", "/evidence/{evidence}/delete/", PROGRESS, True),
    "plan_import": ("GET", "/plans/import/", MANAGERS | {"stranger"}, False),
    "plan_appendix_template": ("GET", "/plans/import/template.xlsx", EVERYONE, False),
    "plan_export_xlsx": ("GET", "/plans/{plan}/export.xlsx", READERS, True),
    "indicator_list": ("GET", "/indicators/", EVERYONE, False),
    "indicator_detail": ("GET", "/indicators/{target}/", READERS, True),
    "indicator_late_xlsx": ("GET", "/indicators/{target}/late.xlsx", READERS, True),
    "indicator_report": ("POST", "/indicators/{report_target}/report/", MANAGERS, True),
    "dossier_list": ("GET", "/dossiers/", EVERYONE, False),
    "dossier_upload": ("GET", "/dossiers/upload/", MANAGERS | {"stranger"}, False),
    "dossier_detail": ("GET", "/dossiers/{dossier}/", READERS, True),
    "survey_results": ("GET", "/surveys/?agency={agency}", READERS, True),
    "survey_export_xlsx": ("GET", "/surveys/export.xlsx?agency={agency}", READERS, True),
    "survey_qr_print": ("GET", "/surveys/qr/?agency={agency}", READERS, True),
    "survey_dossier_qr": ("GET", "/surveys/dossier/{dossier}/qr.svg", READERS, True),
    "feedback_list": ("GET", "/feedback/", EVERYONE, False),
    "feedback_create": (
        "GET",
        "/feedback/new/",
        {"coordinator", "unit_head", "officer", "other_officer", "admin", "stranger"},
        False,
    ),
    "feedback_detail": ("GET", "/feedback/{feedback}/", READERS, True),
    "feedback_classify": ("POST", "/feedback/{feedback}/classify/", MANAGERS, True),
    "feedback_assign": ("POST", "/feedback/{feedback}/assign/", MANAGERS | {"unit_head"}, True),
    "feedback_request_info": (
        "POST",
        "/feedback/{feedback}/request-info/",
        MANAGERS | {"unit_head", "officer"},
        True,
    ),
    "feedback_answer": (
        "POST",
        "/feedback/{feedback}/answer/",
        MANAGERS | {"unit_head", "officer"},
        True,
    ),
    "feedback_approve": ("POST", "/feedback/{feedback}/approve/", {"leader", "admin"}, True),
    "feedback_return": ("POST", "/feedback/{feedback}/return/", {"leader", "admin"}, True),
    "feedback_publish": ("POST", "/feedback/{feedback}/publish/", MANAGERS | {"leader"}, True),
    # Contact details and files reach only the people who handle the item.
    "feedback_attachment": (
        "GET",
        "/feedback/{feedback}/attachments/{feedback_attachment}/",
        {"leader", "coordinator", "unit_head", "officer", "admin"},
        True,
    ),
    "scoring_ranking": ("GET", "/index/ranking/", EVERYONE, False),
    "scoring_ranking_xlsx": ("GET", "/index/ranking.xlsx", {"appraiser", "admin"}, False),
    "scoring_forecast": ("GET", "/index/forecast/?agency={agency}", READERS, True),
    "scoring_package": ("GET", "/index/{assessment}/package/", READERS, True),
    # The order matters below: the empty assign POST unassigns the item and the remove POST
    # deletes the evidence, so they come after the rows that use them.
    "assessment_list": ("GET", "/index/", EVERYONE, False),
    "assessment_open": ("GET", "/index/open/", MANAGERS | {"stranger"}, False),
    "assessment_detail": ("GET", "/index/{assessment}/", READERS, True),
    "assessment_item_detail": ("GET", "/index/items/{item}/", READERS, True),
    "assessment_evidence_download": (
        "GET",
        "/index/evidence/{item_evidence}/download/",
        READERS,
        True,
    ),
    "assessment_item_propose": ("POST", "/index/items/{item}/propose/", PROGRESS, True),
    "assessment_item_evidence": ("POST", "/index/items/{item}/evidence/", PROGRESS, True),
    "assessment_item_explain": ("POST", "/index/items/{item}/explanation/", COMMENTERS, True),
    "assessment_item_appraise": (
        "POST",
        "/index/items/{item}/appraisal/",
        {"appraiser", "admin"},
        True,
    ),
    "assessment_item_final": ("POST", "/index/items/{item}/final/", {"appraiser", "admin"}, True),
    "assessment_item_assign": ("POST", "/index/items/{item}/assign/", MANAGERS, True),
    "assessment_evidence_remove": (
        "POST",
        "/index/evidence/{item_evidence}/remove/",
        PROGRESS,
        True,
    ),
    "assessment_refresh": ("POST", "/index/{assessment}/refresh/", MANAGERS, True),
    "assessment_submit": ("POST", "/index/{assessment}/submit/", {"leader", "admin"}, True),
    "assessment_appraisal_close": (
        "POST",
        "/index/{assessment}/appraisal/close/",
        {"appraiser", "admin"},
        True,
    ),
    "assessment_explanations_submit": (
        "POST",
        "/index/{assessment}/explanations/submit/",
        {"leader", "coordinator", "admin"},
        True,
    ),
    "assessment_finalize": (
        "POST",
        "/index/{assessment}/finalize/",
        {"appraiser", "admin"},
        True,
    ),
    "dashboard_agency": ("GET", "/dashboards/agency/?agency={agency}", READERS, True),
    "dashboard_agency_data": ("GET", "/dashboards/agency/data.json?agency={agency}", READERS, True),
    "dashboard_province": ("GET", "/dashboards/province/", {"appraiser", "admin"}, False),
    "dashboard_province_data": (
        "GET",
        "/dashboards/province/data.json",
        {"appraiser", "admin"},
        False,
    ),
    "report_list": ("GET", "/reports/", EVERYONE, False),
    "report_create": ("GET", "/reports/new/", MANAGERS | {"stranger"}, False),
    "report_detail": ("GET", "/reports/{report}/", READERS, True),
    "report_generate": ("POST", "/reports/{report}/generate/", MANAGERS, True),
    "report_refresh": ("POST", "/reports/{report}/refresh/", MANAGERS, True),
    "report_download": ("GET", "/reports/{report}/download/docx/", READERS, True),
    "report_template_list": ("GET", "/reports/templates/", EVERYONE, False),
    "report_template_default": ("GET", "/reports/templates/default.docx", EVERYONE, False),
    "report_template_download": (
        "GET",
        "/reports/templates/{report_template}/download/",
        READERS,
        True,
    ),
    "report_template_retire": (
        "POST",
        "/reports/templates/{report_template}/retire/",
        MANAGERS,
        True,
    ),
}
# A job's pages are for the person who started it (agency A's coordinator) and the admin; to
# anyone else, whatever their role, the job does not exist (404).
CREATOR_ONLY = {
    "job_detail": ("GET", "/jobs/{job}/"),
    "job_status": ("GET", "/jobs/{job}/status/"),
    "plan_import_review": ("GET", "/plans/import/{job}/review/"),
}
# The same for the summary of a dossier file's load (a job of its own kind).
INGEST_CREATOR_ONLY = {
    "dossier_upload_result": ("GET", "/dossiers/upload/{job}/"),
}
# And for an assessment's evidence package (a job of its own kind).
PACKAGE_CREATOR_ONLY = {
    "scoring_package_ready": ("GET", "/index/package/{job}/"),
    "scoring_package_download": ("GET", "/index/package/{job}/download/"),
}
API = {
    "api:me": [("GET", "/api/v1/me/", EVERYONE, False)],
    "api:agency-list": [("GET", "/api/v1/agencies/", EVERYONE, False)],
    "api:agency-detail": [("GET", "/api/v1/agencies/{agency}/", READERS, True)],
    "api:agency-units": [("GET", "/api/v1/agencies/{agency}/units/", READERS, True)],
    "api:plan-list": [("GET", "/api/v1/plans/", EVERYONE, False)],
    "api:plan-detail": [
        ("GET", "/api/v1/plans/{plan}/", READERS, True),
        ("PATCH", "/api/v1/plans/{plan}/", MANAGERS, True),
    ],
    "api:plan-issue": [("POST", "/api/v1/plans/{plan}/issue/", {"leader", "admin"}, True)],
    "api:plan-areas": [("GET", "/api/v1/plans/{plan}/areas/", READERS, True)],
    "api:task-list": [("GET", "/api/v1/tasks/", EVERYONE, False)],
    "api:task-detail": [
        ("GET", "/api/v1/tasks/{task}/", READERS, True),
        ("PATCH", "/api/v1/tasks/{task}/", TASK_EDITORS, True),
    ],
    "api:task-progress": [
        ("GET", "/api/v1/tasks/{task}/progress/", READERS, True),
        ("POST", "/api/v1/tasks/{task}/progress/", PROGRESS, True),
    ],
    "api:task-evidence": [
        ("GET", "/api/v1/tasks/{task}/evidence/", READERS, True),
        ("POST", "/api/v1/tasks/{task}/evidence/", PROGRESS, True),
    ],
    "api:task-comments": [
        ("GET", "/api/v1/tasks/{task}/comments/", READERS, True),
        ("POST", "/api/v1/tasks/{task}/comments/", COMMENTERS, True),
    ],
    "api:evidence-download": [("GET", "/api/v1/evidence/{evidence}/download/", READERS, True)],
    "api:metrics": [("GET", "/api/v1/metrics/?agency={agency}", READERS, True)],
    "api:metrics-late": [("GET", "/api/v1/metrics/late/?agency={agency}", READERS, True)],
    "api:dossier-list": [("GET", "/api/v1/dossiers/?agency={agency}", EVERYONE, False)],
    "api:dossier-detail": [("GET", "/api/v1/dossiers/{dossier}/", READERS, True)],
    "api:dossier-batch": [("POST", "/api/v1/dossiers/batch?agency={agency}", MANAGERS, True)],
}
# Served to anyone, or part of Django itself.
OPEN = {
    "login",
    # Two-factor pages: a signed-in session is needed (anonymous → login), the check lets them by.
    "two_factor_setup",
    "two_factor_verify",
    # Liveness of the server and its database, for the proxy and monitoring.
    "healthz",
    "logout",
    "api:schema",
    "set_language",
    # Open311 GeoReport v2: public reads, writes with an agency's API key (feedback tests).
    "open311:services",
    "open311:service-definition",
    "open311:requests",
    "open311:request",
    "open311:token",
    # Citizens' feedback pages (feedback tests).
    "feedback_public_new",
    "feedback_public_list",
    "feedback_public_detail",
    "feedback_track",
    "feedback_track_lookup",
    "feedback_track_reply",
    "feedback_track_rate",
    # Citizens' survey pages (surveys tests).
    "survey_public",
    "survey_kiosk",
    "survey_dossier",
    "survey_thanks",
    "survey_agency_qr",
}


def _names(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    names = set(_names(get_resolver().url_patterns))
    found = (
        names
        - set(PAGES)
        - set(API)
        - set(CREATOR_ONLY)
        - set(INGEST_CREATOR_ONLY)
        - set(PACKAGE_CREATOR_ONLY)
        - OPEN
    )
    assert found == set()


def _person(world, role):
    if role == "anonymous":
        return None
    special = {"appraiser": world.appraiser, "admin": world.admin, "stranger": world.b.coordinator}
    return special.get(role) or getattr(world.a, role)


@pytest.fixture
def targets(world):
    evidence = services.evidence_add(
        actor=world.a.officer,
        task=world.a.task,
        uploaded=io.BytesIO(PDF),
        name="bien-ban.pdf",
        size=len(PDF),
    )
    return {
        "plan": world.a.plan.pk,
        "task": world.a.task.pk,
        "evidence": evidence.pk,
        "agency": world.a.agency.pk,
        "dossier": _dossier(world.a.agency).pk,
        **_indicator_targets(world),
        **_assessment_targets(world),
        **_feedback_targets(world),
        **_report_targets(world),
    }


def _report_targets(world):
    """A report of agency A (its figures not taken yet) and a Word template of agency A."""
    from cchc.reports.models import Report, ReportTemplate

    report = Report.objects.create(
        agency=world.a.agency,
        period_code="2026-Q1",
        period_kind="q1",
        period_start=dt.date(2025, 12, 15),
        period_end=dt.date(2026, 3, 14),
        period_label="quý I năm 2026",
    )
    template = ReportTemplate(agency=world.a.agency, name="Mẫu", sha256="0" * 64)
    template.file.save("mau.docx", ContentFile(b"PK\x03\x04"), save=False)
    template.save()
    return {"report": report.pk, "report_template": template.pk}


def _feedback_targets(world):
    """A feedback of agency A, within competence and given to unit A, with an attachment."""
    from cchc.feedback.models import Classification, FeedbackTopic
    from cchc.feedback.services import feedback_classify, feedback_submit, topics_ensure_defaults

    topics_ensure_defaults(world.a.agency)
    feedback = feedback_submit(
        agency=world.a.agency,
        topic=FeedbackTopic.objects.filter(agency=world.a.agency).first(),
        title="Thủ tục còn rườm rà",
        content="Đề nghị giảm bớt giấy tờ.",
        contact_name="Người gửi",
        contact_phone="0912345678",
        attachments=[ContentFile(PDF, name="bien-ban.pdf")],
    )
    feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification=Classification.WITHIN_COMPETENCE,
        unit=world.a.unit,
    )
    return {"feedback": feedback.pk, "feedback_attachment": feedback.attachments.get().pk}


def _assessment_targets(world):
    """An open index assessment of agency A, one of its items and an evidence file of it."""
    from cchc.scoring import services as scoring
    from cchc.scoring.tests.conftest import make_framework, open_assessment

    assessment = open_assessment(world, make_framework())
    item = assessment.items.select_related("assessment", "criterion").get(criterion__code="1.1")
    evidence = scoring.item_evidence_add(
        actor=world.a.officer, item=item, file=io.BytesIO(PDF), name="bien-ban.pdf"
    )
    return {"assessment": assessment.pk, "item": item.pk, "item_evidence": evidence.pk}


def _indicator_targets(world):
    """A measured target and a hand-reported one of agency A's plan."""
    from decimal import Decimal

    from cchc.indicators.models import Indicator, Target

    measured = Target.objects.create(
        plan=world.a.plan, indicator=Indicator.objects.get(code="on_time"), value=Decimal(95)
    )
    score = Indicator.objects.create(code="par_score", name="Điểm Chỉ số CCHC", unit="điểm")
    reported = Target.objects.create(plan=world.a.plan, indicator=score, value=Decimal(85))
    return {"target": measured.pk, "report_target": reported.pk}


def _dossier(agency):
    from cchc.procedures.models import Dossier, Procedure

    received = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    procedure = Procedure.objects.create(
        agency=agency, code="1.000001", name="Thủ tục", time_limit=5
    )
    return Dossier.objects.create(
        agency=agency,
        procedure=procedure,
        code="STP-260302-0001",
        channel=1,
        received_at=received,
        due_at=received + dt.timedelta(days=7),
        status=4,
        received_day=received.date(),
    )


def _expected(role, allowed, about_agency_a, api):
    if role == "anonymous":
        return {401} if api else {302}
    if role in allowed:
        return "allowed"
    if role == "stranger" and about_agency_a:
        return {404}
    return {403}


def _check(response, expected, label):
    if expected == "allowed":
        assert response.status_code < 500 and response.status_code not in (401, 403, 404), (
            label,
            response.status_code,
        )
    else:
        assert response.status_code in expected, (label, response.status_code)
        if expected == {302}:
            assert "/accounts/login/" in response["Location"], label


@pytest.mark.parametrize("role", ROLES)
def test_pages(client, world, targets, role):
    person = _person(world, role)
    if person is not None:
        client.force_login(person)
    for name, (method, template, allowed, about_a) in PAGES.items():
        path = template.format(**targets)
        response = client.get(path) if method == "GET" else client.post(path, {})
        _check(response, _expected(role, allowed, about_a, api=False), (role, name))


@pytest.mark.parametrize("role", ROLES)
def test_creator_only_pages(client, world, role):
    job = Job.objects.create(
        kind="plan_import_parse",
        agency=world.a.agency,
        created_by=world.a.coordinator,
        status=JobStatus.SUCCEEDED,
        progress=100,
        input_name="ke-hoach.txt",
        result={
            "draft": {
                "year": 2027,
                "areas": [{"number": 1, "title": "Chỉ đạo, điều hành"}],
                "tasks": [{"area": 1, "title": "Ban hành kế hoạch", "source_line": 1}],
            },
            "text": "Ban hành kế hoạch",
        },
    )
    person = _person(world, role)
    if person is not None:
        client.force_login(person)
    allowed = {"coordinator", "admin"}
    for name, (method, template) in CREATOR_ONLY.items():
        path = template.format(job=job.pk)
        response = client.get(path) if method == "GET" else client.post(path, {})
        expected = {302} if role == "anonymous" else ("allowed" if role in allowed else {404})
        _check(response, expected, (role, name))


@pytest.mark.parametrize("role", ROLES)
def test_ingest_creator_only_pages(client, world, role):
    job = Job.objects.create(
        kind="dossier_ingest",
        agency=world.a.agency,
        created_by=world.a.coordinator,
        status=JobStatus.SUCCEEDED,
        progress=100,
        input_name="ho-so.csv",
        result={"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "rejected": 0,
                "errors": [], "errors_total": 0, "written": True},
    )  # fmt: skip
    person = _person(world, role)
    if person is not None:
        client.force_login(person)
    for name, (_method, template) in INGEST_CREATOR_ONLY.items():
        response = client.get(template.format(job=job.pk))
        allowed = {"coordinator", "admin"}
        expected = {302} if role == "anonymous" else ("allowed" if role in allowed else {404})
        _check(response, expected, (role, name))


@pytest.mark.parametrize("role", ROLES)
def test_package_creator_only_pages(client, world, targets, role):
    job = Job.objects.create(
        kind="scoring_package",
        agency=world.a.agency,
        created_by=world.a.coordinator,
        status=JobStatus.SUCCEEDED,
        progress=100,
        params={"assessment": targets["assessment"]},
        result={"files": 0, "missing": [], "filename": "ho-so.zip", "bytes": 22},
    )
    person = _person(world, role)
    if person is not None:
        client.force_login(person)
    for name, (_method, template) in PACKAGE_CREATOR_ONLY.items():
        response = client.get(template.format(job=job.pk))
        allowed = {"coordinator", "admin"}
        expected = {302} if role == "anonymous" else ("allowed" if role in allowed else {404})
        _check(response, expected, (role, name))


@pytest.mark.parametrize("role", ROLES)
def test_api(client, world, targets, role):
    person = _person(world, role)
    headers = {}
    if person is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=person)}"
    for name, rows in API.items():
        for method, template, allowed, about_a in rows:
            path = template.format(**targets)
            call = getattr(client, method.lower())
            response = call(
                path,
                data={} if method != "GET" else None,
                content_type="application/json",
                **headers,
            )
            _check(response, _expected(role, allowed, about_a, api=True), (role, name, method))
            assert response["Content-Type"].startswith(("application/json", "application/pdf")), (
                role,
                name,
            )


def test_schema_is_public(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
