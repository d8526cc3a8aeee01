"""Receiving a feedback: what is checked and refused (nothing stored), what is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from cchc.core.models import AuditEntry
from cchc.feedback import services
from cchc.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackChannel,
    FeedbackEvent,
    FeedbackState,
    FeedbackTopic,
)
from cchc.feedback.tests.conftest import submit
from cchc.feedback.tests.test_workflow import _dossier
from cchc.lib.tests.test_uploads import PDF, png_bytes


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refused(world, topic, **fields) -> dict[str, list[str]]:
    """The errors of a refused submission; asserts that nothing was stored."""
    rows, files, audit = Feedback.objects.count(), len(stored_files()), AuditEntry.objects.count()
    attachments = FeedbackAttachment.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        submit(world, topic, **fields)
    assert Feedback.objects.count() == rows
    assert FeedbackAttachment.objects.count() == attachments
    assert len(stored_files()) == files
    assert AuditEntry.objects.count() == audit
    return caught.value.message_dict


def test_a_feedback_is_numbered_and_kept_with_its_receipt_event(world, topic):
    first = submit(world, topic, contact_phone="+84 912.345.678", contact_email="")
    second = submit(world, topic, contact_phone="", contact_email="Nguoi.Gui@Example.com")
    year = first.received_at.year
    assert first.public_id == f"PAKN-{year}-000001"
    assert second.public_id == f"PAKN-{year}-000002"
    assert first.tracking_code != second.tracking_code and len(first.tracking_code) == 12
    assert first.contact_phone == "+84912345678"
    assert second.contact_email == "nguoi.gui@example.com"
    assert first.state == FeedbackState.RECEIVED and first.channel == FeedbackChannel.WEB
    event = FeedbackEvent.objects.get(feedback=first)
    assert (event.state, event.public, event.actor) == (FeedbackState.RECEIVED, True, None)
    # The numbers run on across agencies (the public id is unique).
    services.topics_ensure_defaults(world.b.agency)
    other = services.feedback_submit(
        agency=world.b.agency,
        topic=FeedbackTopic.objects.filter(agency=world.b.agency).first(),
        title="Góp ý",
        content="Nội dung góp ý",
        contact_name="Lê Văn B",
        contact_email="b@example.com",
    )
    assert other.public_id == f"PAKN-{year}-000003"


def test_the_topics_default_unit_is_proposed(world, topic):
    topic.unit = world.a.unit
    topic.save()
    assert submit(world, topic).unit == world.a.unit


def test_a_forged_dossier_code_is_refused(world, topic):
    _dossier(world.b.agency, code="SYT-260302-0001")
    errors = refused(world, topic, dossier_code="STP-260302-9999")
    assert errors["dossier_code"] == ["No dossier with this code was found at this agency."]
    # A real dossier of another agency is no dossier of this one.
    errors = refused(world, topic, dossier_code="SYT-260302-0001")
    assert "dossier_code" in errors


def test_empty_fields_are_refused(world, topic):
    errors = refused(world, None, title="  ", content="\n", contact_name="", contact_phone="")
    assert set(errors) == {"title", "content", "contact_name", "contact_phone", "topic"}
    assert "phone number or an e-mail" in errors["contact_phone"][0]


def test_oversized_text_is_refused(world, topic):
    errors = refused(world, topic, title="a" * 201, content="b" * 5001)
    assert "At most 200 characters" in errors["title"][0]
    assert "At most 5,000 characters" in errors["content"][0]
    assert submit(world, topic, title="a" * 200, content="b" * 5000).pk


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        'Xem <a href="http://x">đây</a>',
        "&#60;b&#62;đậm",
        "Có ký tự điều khiển \x07",
    ],
)
def test_markup_and_control_characters_are_refused(world, topic, text):
    errors = refused(world, topic, content=text)
    assert "content" in errors


def test_bad_contact_details_are_refused(world, topic):
    errors = refused(world, topic, contact_phone="12345", contact_email="khong-phai-email")
    assert "Vietnamese phone number" in errors["contact_phone"][0]
    assert errors["contact_email"] == ["Enter a valid e-mail address."]
    errors = refused(world, topic, contact_name="<b>Tên</b>")
    assert "contact_name" in errors


def test_a_topic_must_be_active_and_of_the_agency(world, topic):
    services.topics_ensure_defaults(world.b.agency)
    foreign = FeedbackTopic.objects.filter(agency=world.b.agency).first()
    assert "topic" in refused(world, foreign)
    topic.active = False
    topic.save()
    assert "topic" in refused(world, topic)


def test_coordinates_are_checked(world, topic):
    errors = refused(world, topic, latitude="91", longitude="abc")
    assert set(errors) == {"latitude", "longitude"}
    kept = submit(world, topic, latitude="10.7769", longitude=106.7009)
    assert str(kept.latitude) == "10.776900"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_files_are_checked_like_evidence(world, topic):
    kept = submit(
        world,
        topic,
        attachments=[upload("Ảnh chụp.png", png_bytes()), upload("../../don.pdf", PDF)],
    )
    names = sorted(kept.attachments.values_list("original_name", flat=True))
    assert names == ["don.pdf", "Ảnh chụp.png"]
    assert len(stored_files()) == 2
    assert kept.attachments.get(original_name="don.pdf").content_type == "application/pdf"


def test_bad_files_are_refused_and_nothing_is_stored(world, topic):
    assert "attachments" in refused(
        world, topic, attachments=[upload("virus.pdf", b"MZ\x90\x00 not a pdf at all")]
    )
    four = [upload(f"{i}.pdf", PDF) for i in range(4)]
    errors = refused(world, topic, attachments=four)
    assert errors["attachments"] == ["Attach at most 3 files."]
    # A good file with a bad one: neither is kept.
    assert "attachments" in refused(
        world, topic, attachments=[upload("ok.pdf", PDF), upload("anh.png", PDF)]
    )


def test_the_total_size_of_the_files_is_limited(world, topic, settings):
    settings.CCHC_FEEDBACK_FILES_MAX_BYTES = len(PDF) * 2
    errors = refused(world, topic, attachments=[upload(f"{i}.pdf", PDF) for i in range(3)])
    assert "The files together are" in errors["attachments"][0]


def test_staff_record_desk_feedback_and_readers_may_not(world, topic):
    kept = submit(world, topic, channel=FeedbackChannel.DESK, actor=world.a.officer)
    assert kept.channel == FeedbackChannel.DESK
    assert FeedbackEvent.objects.get(feedback=kept).actor == world.a.officer
    for reader in (world.a.viewer, world.appraiser, world.b.coordinator):
        with pytest.raises(PermissionDenied):
            submit(world, topic, channel=FeedbackChannel.DESK, actor=reader)


def test_default_topics_once(world):
    assert services.topics_ensure_defaults(world.a.agency) == 5
    assert services.topics_ensure_defaults(world.a.agency) == 0
    names = list(
        FeedbackTopic.objects.filter(agency=world.a.agency)
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert names[0] == "Thủ tục hành chính"
    assert "Thái độ, hành vi của cán bộ, công chức" in names
