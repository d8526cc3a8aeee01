"""Stored-XSS probes: markup typed into any text field is refused, or shown back escaped.

Two halves. The services that take text from the public or that print it into documents
refuse markup (``cchc.lib.text.validate_plain_text``): feedback, survey answers, report
narrative and header. Every other text field of the project's models — enumerated from the
models, so a new field is probed without editing this file — is filled with a probe of its own
(markup that would run if printed raw), as any path that stores text could leave it (a form, the
API, an import, the admin). Then every page of the permission matrix and every public page is
rendered for the people who see the most, and none may contain the probe's markup unescaped; the
JSON endpoints must answer as JSON, never as HTML.
"""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from cchc.core.tests.test_permission_matrix import PAGES, targets  # noqa: F401 (fixture)
from cchc.feedback import services as feedback_services
from cchc.feedback.models import Feedback, FeedbackTopic
from cchc.lib.tests.test_uploads import PDF
from cchc.plans import services as plan_services
from cchc.reports.models import Report
from cchc.reports.narrative import NARRATIVE_KEYS
from cchc.reports.services import report_update
from cchc.surveys import services as survey_services
from cchc.surveys.models import QuestionKind

PROBE = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'

# Markup that would run if a page printed a probe raw.
RAW = re.compile(r"<script>alert\(|<img src=x onerror=|<svg onload=")

# Fields that are not free text: identifiers used in addresses and look-ups, secrets and their
# digests, values the code sets or parses, and e-mail addresses (their validator refuses markup,
# see test_the_email_validator_refuses_markup).
NOT_FREE_TEXT = {
    "code",
    "key",
    "prefix",
    "digest",
    "sha256",
    "password",
    "username",
    "tracking_code",
    "public_id",
    "sender_key",
    "content_type",
    "kind",
    "slot",
    "action",
    "object_type",
    "object_id",
    "period_code",
    "period_kind",
    "template_version",
    "status",
    "week",
    "band",
    "url",
    "reminder_days",
    "scale_labels",
    "measured_rate",
    "item",
    "rate",
    "error",
    "source",
}


def probe(number: int, max_length: int | None) -> str | None:
    """A probe naming its field by number, as long as the column allows."""
    full = f'<script>alert("{number}")</script><img src=x onerror=alert({number})>"\'&'
    short = f"<svg onload=alert({number})>"
    for candidate in (full, short):
        if max_length is None or len(candidate) <= max_length:
            return candidate
    return None


def rendered_marker(number: int) -> re.Pattern:
    """The probe as it reads once escaped (or cut short by a template's truncation)."""
    return re.compile(
        rf"&lt;script&gt;alert\(&quot;{number}&quot;\)|&lt;svg onload=alert\({number}\)&gt;"
    )


def free_text_fields() -> list[tuple[type[models.Model], models.Field]]:
    fields = []
    for model in apps.get_models():
        if not model.__module__.startswith("cchc.") or model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.CharField | models.TextField)
                and not isinstance(field, models.EmailField | models.SlugField)
                and field.editable
                and not field.choices
                and field.name not in NOT_FREE_TEXT
            ):
                fields.append((model, field))
    return fields


# --- services that refuse markup ----------------------------------------------------------------


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}


def test_feedback_from_the_public_refuses_markup(world):
    feedback_services.topics_ensure_defaults(world.a.agency)
    topic = FeedbackTopic.objects.filter(agency=world.a.agency).first()
    with pytest.raises(ValidationError) as refused:
        feedback_services.feedback_submit(
            agency=world.a.agency,
            topic=topic,
            title=PROBE,
            content=PROBE,
            contact_name=PROBE,
            contact_phone="0912345678",
        )
    assert {"title", "content", "contact_name"} <= set(_messages(refused.value))
    assert Feedback.objects.count() == 0


def test_survey_free_text_refuses_markup(world):
    survey = survey_services.survey_default_for(world.a.agency)
    questions = list(survey.questions.all())
    text_questions = [q for q in questions if q.kind == QuestionKind.TEXT]
    assert text_questions, "the shipped survey has a free-text question"
    answers = {q.pk: (PROBE if q.kind == QuestionKind.TEXT else 4) for q in questions}
    with pytest.raises(ValidationError):
        survey_services.response_submit(survey=survey, channel="web", answers=answers)
    assert survey.responses.count() == 0


def test_report_narrative_and_header_refuse_markup(world, targets):  # noqa: F811
    report = Report.objects.get(pk=targets["report"])
    for narrative, options in (
        ({NARRATIVE_KEYS[0]: PROBE}, {}),
        ({}, {"signer": PROBE}),
        ({}, {"recipients": ["Như trên;", PROBE]}),
    ):
        with pytest.raises(ValidationError):
            report_update(
                actor=world.a.coordinator,
                report=report,
                version=report.version,
                narrative=narrative,
                options=options,
            )
    report.refresh_from_db()
    assert PROBE not in str(report.narrative) and PROBE not in str(report.options)


def test_the_email_validator_refuses_markup():
    with pytest.raises(ValidationError):
        validate_email(f"{PROBE}@example.com")


# --- stored text is escaped on every page --------------------------------------------------------


def _more_rows(world, targets):  # noqa: F811
    """Rows the matrix's objects lack: progress, a comment, a survey answer, a legal basis, an
    apology letter, a reported value, notifications, a job."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from cchc.core.models import Job, JobStatus, Notification
    from cchc.indicators.models import ReportedValue
    from cchc.plans.models import LegalReference
    from cchc.procedures.models import ApologyLetter

    now = timezone.now()
    LegalReference.objects.create(plan=world.a.plan, kind="decision", number="1234/QĐ-UBND")
    ApologyLetter.objects.create(dossier_id=targets["dossier"], issued_at=now, reason="Trễ hạn.")
    ReportedValue.objects.create(
        target_id=targets["report_target"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        value=Decimal(80),
        reported_by=world.a.coordinator,
    )
    for person in (world.admin, world.a.coordinator, world.appraiser):
        Notification.objects.create(user=person, kind="task", title="Nhiệm vụ", body="Sắp đến hạn")
    job = Job.objects.create(
        kind="plan_import_parse",
        agency=world.a.agency,
        created_by=world.a.coordinator,
        status=JobStatus.FAILED,
        progress=100,
        input_name="ke-hoach.txt",
        message="Không đọc được tệp.",
    )
    plan_services.task_update_progress(
        actor=world.a.officer, task=world.a.task, percent=40, note="Đã rà soát 4 thủ tục."
    )
    plan_services.comment_add(actor=world.a.coordinator, task=world.a.task, body="Đề nghị khẩn.")
    survey = survey_services.survey_default_for(world.a.agency)
    survey_services.response_submit(
        survey=survey,
        channel="web",
        answers={
            q.pk: ("Cán bộ nhiệt tình." if q.kind == QuestionKind.TEXT else 4)
            for q in survey.questions.all()
        },
    )
    feedback_services.topics_ensure_defaults(world.a.agency)
    return [f"/jobs/{job.pk}/"]


def _fill_every_text_field() -> dict[int, str]:
    """Every free-text field of every row gets a numbered probe; returns {number: field label}."""
    labels: dict[int, str] = {}
    for number, (model, field) in enumerate(free_text_fields(), start=100):
        value = probe(number, field.max_length)
        if value is None:
            continue
        model._base_manager.update(**{field.attname: value})
        labels[number] = f"{model._meta.label}.{field.name}"
    return labels


def _public_pages(world, targets) -> list[str]:  # noqa: F811
    feedback = Feedback.objects.get(pk=targets["feedback"])
    code = world.a.agency.code
    return [
        f"/p/{code}/feedback/",
        f"/p/{code}/feedback/new/",
        f"/p/feedback/{feedback.tracking_code}/",
        f"/s/{code}/",
        f"/s/{code}/kiosk/",
        f"/open311/v2/services.json?jurisdiction_id={code}",
        f"/open311/v2/requests.json?jurisdiction_id={code}",
        f"/open311/v2/services.xml?jurisdiction_id={code}",
    ]


def test_stored_markup_is_escaped_on_every_page(client, world, targets):  # noqa: F811
    extra_pages = _more_rows(world, targets)
    evidence = plan_services.evidence_add(
        actor=world.a.officer,
        task=world.a.task,
        uploaded=io.BytesIO(PDF),
        name="bien-ban.pdf",
        size=len(PDF),
        description="Biên bản",
    )
    assert evidence.pk
    labels = _fill_every_text_field()
    assert len(labels) > 60, "the enumeration found the models' text fields"

    pages = [
        template.format(**targets)
        for method, template, _allowed, _about in PAGES.values()
        if method == "GET"
    ] + extra_pages
    seen: set[int] = set()
    checked = 0

    def check(path: str) -> None:
        nonlocal checked
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(("text/", "application/json", "application/xml")):
            return  # files: XLSX, DOCX, PDF, SVG are out of scope
        body = response.content.decode(errors="replace")
        if content_type.startswith(("application/json", "application/xml")):
            # Markup inside JSON or XML is data, harmless as long as no browser reads it as HTML.
            assert response.get("X-Content-Type-Options") == "nosniff", path
            return
        checked += 1
        raw = RAW.search(body)
        assert raw is None, (path, body[max(raw.start() - 200, 0) : raw.end() + 80])
        for number in labels:
            if number not in seen and rendered_marker(number).search(body):
                seen.add(number)

    for person in (world.admin, world.a.coordinator, world.appraiser):
        client.force_login(person)
        for path in pages:
            check(path)
    client.logout()
    for path in _public_pages(world, targets):
        check(path)

    assert checked > 50
    shown = {labels[number] for number in seen}
    # The fields people type most are really rendered somewhere (not hidden by a failed page).
    for label in (
        "plans.Plan.title",
        "plans.Task.title",
        "plans.Task.description",
        "plans.Task.product",
        "plans.ProgressUpdate.note",
        "plans.Comment.body",
        "plans.Evidence.description",
        "core.Agency.name",
        "core.Unit.name",
        "feedback.Feedback.title",
        "feedback.Feedback.content",
        "scoring.AssessmentItem.self_note",
        "core.Notification.title",
        "procedures.ApologyLetter.reason",
    ):
        assert label in shown, (label, sorted(set(labels.values()) - shown))
