"""Back-office pages: the list, an item, the handling forms, attachments and desk recording —
each tried by the personas (stranger 404, reader 403, contact shown only to handlers)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.feedback import services
from cchc.feedback.models import Feedback, FeedbackChannel, FeedbackState
from cchc.feedback.tests.conftest import submit
from cchc.lib.tests.test_uploads import PDF

SECRET_PHONE = "0966555444"


@pytest.fixture
def item(world, topic):
    feedback = submit(
        world,
        topic,
        contact_phone=SECRET_PHONE,
        attachments=[SimpleUploadedFile("don-thu.pdf", PDF)],
    )
    return services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_list_is_scoped_and_counts_what_is_late(en, world, topic, item, clock):
    clock.set("2026-08-21 10:00")
    overdue = submit(world, topic, title="Phản ánh quá hạn phân loại")
    clock.now = None
    en.force_login(world.a.viewer)
    response = en.get("/feedback/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = list(response.context["page"])
    assert rows[0] == overdue  # what is late comes first
    assert item.public_id in html and 'data-testid="badge-overdue"' in html
    assert response.context["counts"].overdue == 1
    assert response.context["counts"].open == 2
    assert "Record a feedback" not in html  # a viewer does not record
    assert [f.pk for f in en.get("/feedback/", {"overdue": "1"}).context["page"]] == [overdue.pk]
    assert [f.pk for f in en.get("/feedback/", {"state": "in_progress"}).context["page"]] == [
        item.pk
    ]
    assert [f.pk for f in en.get("/feedback/", {"unit": world.a.unit.pk}).context["page"]] == [
        item.pk
    ]
    assert len(en.get("/feedback/", {"q": item.public_id}).context["page"]) == 1

    en.force_login(world.b.coordinator)
    response = en.get("/feedback/")
    assert item.public_id not in response.content.decode()
    assert len(response.context["page"]) == 0

    en.force_login(world.appraiser)
    response = en.get("/feedback/")
    assert response.context["show_agency"] is True
    assert len(response.context["page"]) == 2
    picked = en.get("/feedback/", {"agency": world.b.agency.pk})
    assert len(picked.context["page"]) == 0


def test_the_list_has_a_bounded_number_of_queries(
    client, world, topic, django_assert_max_num_queries
):
    for index in range(12):
        submit(world, topic, title=f"Góp ý số {index}")
    client.force_login(world.a.coordinator)
    with django_assert_max_num_queries(20):
        response = client.get("/feedback/")
    assert len(response.context["page"]) == 12


@pytest.mark.parametrize(
    ("role", "status", "sees_contact"),
    [
        ("coordinator", 200, True),
        ("leader", 200, True),
        ("unit_head", 200, True),
        ("officer", 200, True),
        ("other_officer", 200, False),
        ("viewer", 200, False),
        ("appraiser", 200, False),
        ("admin", 200, True),
        ("stranger", 404, False),
    ],
)
def test_the_detail_page_and_who_sees_the_sender(client, world, item, role, status, sees_contact):
    from cchc.feedback.tests.test_workflow import person

    client.force_login(person(world, role))
    response = client.get(f"/feedback/{item.pk}/")
    assert response.status_code == status
    html = response.content.decode()
    assert (SECRET_PHONE in html) is sees_contact
    assert ("don-thu.pdf" in html) is sees_contact
    if status == 200:
        assert item.content in html


def test_the_detail_page_shows_only_the_forms_one_may_use(client, world, item):
    client.force_login(world.a.officer)
    html = client.get(f"/feedback/{item.pk}/").content.decode()
    assert 'data-testid="answer-form"' in html and 'data-testid="request-info-form"' in html
    assert 'data-testid="classify-form"' not in html and 'data-testid="assign-form"' not in html
    client.force_login(world.a.viewer)
    html = client.get(f"/feedback/{item.pk}/").content.decode()
    assert '<form method="post" action="/feedback/' not in html


def test_readers_get_403_and_strangers_404_on_every_action(client, world, item):
    actions = ["classify", "assign", "request-info", "answer", "approve", "return", "publish"]
    for user, expected in (
        (world.a.viewer, 403),
        (world.appraiser, 403),
        (world.b.coordinator, 404),
    ):
        client.force_login(user)
        for action in actions:
            response = client.post(f"/feedback/{item.pk}/{action}/", {})
            assert response.status_code == expected, (user, action)
    client.force_login(world.a.officer)
    assert client.post(f"/feedback/{item.pk}/approve/", {}).status_code == 403
    assert client.post(f"/feedback/{item.pk}/classify/", {}).status_code == 403
    client.logout()
    response = client.post(f"/feedback/{item.pk}/answer/", {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    item.refresh_from_db()
    assert item.state == FeedbackState.IN_PROGRESS


def test_the_handling_through_the_forms(en, world, topic):
    feedback = submit(world, topic)
    en.force_login(world.a.coordinator)
    url = f"/feedback/{feedback.pk}/"
    response = en.post(f"{url}classify/", {"classify-classification": "not_accepted"})
    assert response.status_code == 400
    assert "Say why the feedback is not accepted." in response.content.decode()
    response = en.post(
        f"{url}classify/",
        {"classify-classification": "within_competence", "classify-unit": world.a.unit.pk},
    )
    assert response.status_code == 302 and response["Location"] == url
    response = en.post(
        f"{url}assign/", {"assign-unit": world.a.unit.pk, "assign-handler": world.a.officer.pk}
    )
    assert response.status_code == 302
    en.force_login(world.a.officer)
    response = en.post(
        f"{url}answer/", {"answer-answer": "Trả lời chi tiết.", "answer-public_summary": ""}
    )
    assert response.status_code == 400
    assert "Summarise the feedback for the public" in response.content.decode()
    response = en.post(
        f"{url}answer/",
        {"answer-answer": "Trả lời chi tiết.", "answer-public_summary": "Tóm tắt công khai."},
    )
    assert response.status_code == 302
    en.force_login(world.a.leader)
    assert en.post(f"{url}return/", {"return-note": ""}).status_code == 400
    assert en.post(f"{url}return/", {"return-note": "Bổ sung căn cứ."}).status_code == 302
    en.force_login(world.a.officer)
    en.post(
        f"{url}answer/",
        {"answer-answer": "Trả lời có căn cứ.", "answer-public_summary": "Tóm tắt công khai."},
    )
    en.force_login(world.a.leader)
    assert en.post(f"{url}approve/").status_code == 302
    # Approving twice: the step no longer applies; the page says so, nothing changes.
    response = en.post(f"{url}approve/", follow=True)
    assert "Only a drafted answer can be approved." in response.content.decode()
    assert response.redirect_chain == [(url, 302)]
    assert en.post(f"{url}publish/").status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.PUBLISHED
    assert feedback.answer == "Trả lời có căn cứ."
    html = en.get(url).content.decode()
    assert "Reply from the sender" not in html and "Answer published" in html


def test_attachments_are_downloaded_by_handlers_only(client, world, item):
    attachment = item.attachments.get()
    url = f"/feedback/{item.pk}/attachments/{attachment.pk}/"
    client.force_login(world.a.unit_head)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    client.force_login(world.a.viewer)
    assert client.get(url).status_code == 403
    client.force_login(world.b.coordinator)
    assert client.get(url).status_code == 404
    other = submit(world, item.topic)
    client.force_login(world.a.coordinator)
    assert client.get(f"/feedback/{other.pk}/attachments/{attachment.pk}/").status_code == 404


def test_recording_a_feedback_received_at_the_desk(en, world, topic):
    en.force_login(world.a.officer)
    assert en.get("/feedback/new/").status_code == 200
    response = en.post(
        "/feedback/new/",
        {
            "agency": world.a.agency.pk,
            "topic": topic.pk,
            "title": "Phản ánh qua điện thoại",
            "content": "Người dân gọi điện phản ánh về thời gian chờ.",
            "contact_name": "Ông Ba",
            "contact_phone": "0911222333",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get(title="Phản ánh qua điện thoại")
    assert feedback.channel == FeedbackChannel.DESK
    assert response["Location"] == f"/feedback/{feedback.pk}/"
    response = en.post(
        "/feedback/new/", {"agency": world.a.agency.pk, "topic": topic.pk, "title": ""}
    )
    assert response.status_code == 400
    en.force_login(world.a.viewer)
    assert en.get("/feedback/new/").status_code == 403
    en.force_login(world.admin)
    picker = en.get("/feedback/new/")
    assert picker.status_code == 200 and 'name="agency"' in picker.content.decode()
