"""The citizens' pages: sending, following, replying, rating, reading published answers; abuse
(honeypot, rate limit, size, markup, forged codes); and no personal data on any public page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.feedback import services
from cchc.feedback.models import Feedback, FeedbackAttachment, FeedbackState, FeedbackTopic
from cchc.feedback.tests.conftest import submit
from cchc.feedback.tests.test_workflow import _dossier
from cchc.lib.tests.test_uploads import PDF


@pytest.fixture
def en_client(client):
    client.cookies["django_language"] = "en"
    return client


def form_data(topic, **overrides):
    data = {
        "topic": topic.pk,
        "title": "Thủ tục đăng ký khai sinh còn nhiều giấy tờ",
        "content": "Đề nghị bỏ yêu cầu nộp bản sao giấy tờ đã có trong cơ sở dữ liệu.",
        "dossier_code": "",
        "contact_name": "Trần Văn Công Dân",
        "contact_phone": "0987 654 321",
        "contact_email": "",
        "website": "",
    }
    data.update(overrides)
    return data


def new_url(world):
    return f"/p/{world.a.agency.code}/feedback/new/"


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_form_offers_the_default_topics(client, world):
    response = client.get(new_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thủ tục hành chính" in html
    assert 'name="website"' in html and 'class="d-none" aria-hidden="true"' in html
    assert FeedbackTopic.objects.filter(agency=world.a.agency).count() == 5
    assert client.get("/p/KHONGCO/feedback/new/").status_code == 404
    assert client.get(f"/p/{world.province.code}/feedback/new/").status_code == 404


def test_a_citizen_sends_a_feedback_and_gets_the_tracking_code(en_client, world, topic):
    response = en_client.post(new_url(world), form_data(topic))
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    html = response.content.decode()
    assert feedback.tracking_code in html
    assert f"/p/feedback/{feedback.tracking_code}/" in html
    assert 'content="noindex, nofollow"' in html
    assert response["Cache-Control"] == "private, no-store"
    assert feedback.contact_phone == "0987654321"
    assert feedback.sender_key.startswith("feedback:") and "127.0.0.1" not in feedback.sender_key


def test_refused_input_is_shown_and_nothing_is_stored(en_client, world, topic):
    response = en_client.post(
        new_url(world),
        form_data(topic, content="<script>alert('x')</script>", dossier_code="STP-000000-0000"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please write plain text" in html
    assert "No dossier with this code was found at this agency." in html
    assert "&lt;script&gt;" in html  # what was typed comes back, escaped
    response = en_client.post(new_url(world), form_data(topic, title="", content=""))
    assert response.status_code == 400
    assert "Give a short title." in response.content.decode()
    response = en_client.post(new_url(world), form_data(topic, content="x" * 5001))
    assert "At most 5,000 characters" in response.content.decode()
    assert Feedback.objects.count() == 0


def test_a_real_dossier_code_ties_the_feedback(client, world, topic):
    dossier = _dossier(world.a.agency)
    client.post(new_url(world), form_data(topic, dossier_code=dossier.code))
    assert Feedback.objects.get().dossier == dossier


def test_the_honeypot_answers_as_usual_and_stores_nothing(client, world, topic):
    pdf = SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf")
    response = client.post(
        new_url(world), form_data(topic, website="http://spam.example", attachments=pdf)
    )
    assert response.status_code == 200
    assert 'data-testid="tracking-code"' in response.content.decode()
    assert Feedback.objects.count() == 0
    assert FeedbackAttachment.objects.count() == 0
    assert stored_files() == []


def test_the_sixth_feedback_in_an_hour_is_refused(en_client, world, topic):
    for index in range(5):
        response = en_client.post(new_url(world), form_data(topic, title=f"Góp ý {index}"))
        assert response.status_code == 200
    pdf = SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf")
    response = en_client.post(new_url(world), form_data(topic, title="Lần 6", attachments=pdf))
    assert response.status_code == 429
    assert "Too many feedback forms" in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert Feedback.objects.count() == 5
    assert not Feedback.objects.filter(title="Lần 6").exists()
    assert FeedbackAttachment.objects.count() == 0 and stored_files() == []
    # Another address is not held back.
    response = en_client.post(
        new_url(world), form_data(topic, title="Địa chỉ khác"), REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 200


def test_a_body_too_large_is_refused_before_it_is_read(en_client, world, topic, settings):
    settings.CCHC_FEEDBACK_FILES_MAX_BYTES = 1000
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * 300_000, content_type="application/pdf")
    response = en_client.post(new_url(world), form_data(topic, attachments=big))
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Feedback.objects.count() == 0 and stored_files() == []


def test_files_sent_with_the_form_are_kept(client, world, topic):
    files = [SimpleUploadedFile(f"giay-to-{i}.pdf", PDF) for i in range(2)]
    response = client.post(new_url(world), form_data(topic, attachments=files))
    assert response.status_code == 200
    assert Feedback.objects.get().attachments.count() == 2


def test_four_files_are_refused(en_client, world, topic):
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(4)]
    response = en_client.post(new_url(world), form_data(topic, attachments=files))
    assert response.status_code == 400
    assert "Attach at most 3 files." in response.content.decode()
    assert Feedback.objects.count() == 0 and stored_files() == []


# --- following ----------------------------------------------------------------------------------


def track_url(feedback):
    return f"/p/feedback/{feedback.tracking_code}/"


def test_the_tracking_page_follows_the_handling(en_client, world, topic):
    feedback = submit(world, topic)
    response = en_client.get(track_url(feedback))
    assert response.status_code == 200
    html = response.content.decode()
    assert feedback.public_id in html and "Received, to be classified" in html
    assert 'content="noindex, nofollow"' in html
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert en_client.get(f"/p/feedback/{feedback.tracking_code.lower()}/").status_code == 200
    assert en_client.get("/p/feedback/KHONGCOMAMAY/").status_code == 404

    services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    services.feedback_request_info(
        actor=world.a.officer, feedback=feedback, message="Xin cho biết ngày nộp hồ sơ."
    )
    html = en_client.get(track_url(feedback)).content.decode()
    assert "Xin cho biết ngày nộp hồ sơ." in html
    assert 'data-testid="reply-form"' in html
    assert "Stopped until you reply" in html

    reply_url = f"{track_url(feedback)}reply/"
    response = en_client.post(reply_url, {"message": "<b>ngày 2/3</b>"})
    assert response.status_code == 400
    assert "Please write plain text" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.WAITING_SENDER

    pdf = SimpleUploadedFile("bien-nhan.pdf", PDF)
    response = en_client.post(reply_url, {"message": "Tôi nộp ngày 2/3/2026.", "attachments": pdf})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.IN_PROGRESS
    assert feedback.attachments.count() == 1
    html = en_client.get(response["Location"]).content.decode()
    assert "Your reply was sent" in html and "Tôi nộp ngày 2/3/2026." in html
    response = en_client.post(reply_url, {"message": "Lần nữa"})
    assert response.status_code == 400
    assert "No information has been asked of you" in response.content.decode()

    services.feedback_answer(
        actor=world.a.officer,
        feedback=feedback,
        answer="Hồ sơ của ông/bà đã được giải quyết.",
        public_summary="Phản ánh chậm giải quyết hồ sơ.",
    )
    html = en_client.get(track_url(feedback)).content.decode()
    assert "Hồ sơ của ông/bà đã được giải quyết." not in html  # a draft is not shown
    services.feedback_approve(actor=world.a.leader, feedback=feedback)
    services.feedback_publish(actor=world.a.coordinator, feedback=feedback)
    html = en_client.get(track_url(feedback)).content.decode()
    assert "Hồ sơ của ông/bà đã được giải quyết." in html
    assert 'data-testid="rating-form"' in html

    rate_url = f"{track_url(feedback)}rate/"
    assert en_client.post(rate_url, {"rating": "7"}).status_code == 400
    assert en_client.post(rate_url, {"rating": "5"}).status_code == 302
    feedback.refresh_from_db()
    assert feedback.rating == 5
    response = en_client.post(rate_url, {"rating": "1"})
    assert response.status_code == 400
    assert "already rated" in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.rating == 5


def test_the_lookup_form_opens_the_tracking_page(en_client, world, topic):
    feedback = submit(world, topic)
    response = en_client.get("/p/feedback/", {"code": f" {feedback.tracking_code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == track_url(feedback)
    response = en_client.get("/p/feedback/", {"code": "ZZZZZZZZZZZZ"})
    assert response.status_code == 400
    assert "No feedback has this tracking code" in response.content.decode()
    assert en_client.get("/p/feedback/").status_code == 200


# --- published answers --------------------------------------------------------------------------


def publish(world, topic, summary, answer, **fields):
    feedback = submit(world, topic, **fields)
    services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    services.feedback_answer(
        actor=world.a.officer, feedback=feedback, answer=answer, public_summary=summary
    )
    services.feedback_approve(actor=world.a.leader, feedback=feedback)
    return services.feedback_publish(actor=world.a.coordinator, feedback=feedback)


def test_published_answers_are_listed_and_searchable_without_diacritics(client, world, topic):
    shown = publish(
        world,
        topic,
        "Kiến nghị rút ngắn thời gian giải quyết thủ tục cấp phiếu lý lịch tư pháp.",
        "Sở đã rút ngắn thời gian giải quyết còn 6 ngày làm việc.",
    )
    other = publish(
        world, topic, "Phản ánh về chỗ để xe.", "Đã bố trí thêm chỗ để xe tại Trung tâm."
    )
    unpublished = submit(world, topic)
    base = f"/p/{world.a.agency.code}/feedback/"
    html = client.get(base).content.decode()
    assert shown.public_id in html and other.public_id in html
    assert unpublished.public_id not in html
    found = client.get(base, {"q": "thu tuc"}).content.decode()
    assert shown.public_id in found and other.public_id not in found
    found = client.get(base, {"q": "THỦ TỤC lý lịch"}).content.decode()
    assert shown.public_id in found
    found = client.get(base, {"q": "cho de xe"}).content.decode()
    assert other.public_id in found and shown.public_id not in found
    assert shown.public_id not in client.get(base, {"q": "khong co gi"}).content.decode()

    detail = client.get(f"{base}{shown.public_id}/")
    assert detail.status_code == 200
    assert "Sở đã rút ngắn thời gian giải quyết còn 6 ngày làm việc." in detail.content.decode()
    assert client.get(f"{base}{unpublished.public_id}/").status_code == 404
    # An answer is shown under its own agency only.
    assert client.get(f"/p/{world.b.agency.code}/feedback/{shown.public_id}/").status_code == 404


def test_no_personal_data_on_any_public_page(client, world, topic):
    secret = {
        "contact_name": "Hoàng Thị Bí Mật Riêng",
        "contact_phone": "0977 111 222",
        "contact_email": "bi.mat.rieng@example.com",
        "content": "Nội dung riêng tư số 4242 về ông Hàng Xóm Đặc Biệt",
    }
    published = publish(
        world,
        topic,
        "Kiến nghị về thủ tục hành chính.",
        "Cơ quan đã tiếp thu kiến nghị.",
        **secret,
    )
    services.feedback_rate(feedback=published, rating=5)
    waiting = submit(world, topic, **secret)
    services.feedback_request_info(
        actor=world.a.coordinator, feedback=waiting, message="Xin bổ sung."
    )
    services.feedback_sender_reply(feedback=waiting, message="Đã bổ sung.")
    code = world.a.agency.code
    pages = [
        f"/p/{code}/feedback/new/",
        f"/p/{code}/feedback/",
        f"/p/{code}/feedback/?q=thu+tuc",
        f"/p/{code}/feedback/?q=hoang+thi+bi+mat",
        f"/p/{code}/feedback/{published.public_id}/",
        f"/p/feedback/{published.tracking_code}/",
        f"/p/feedback/{waiting.tracking_code}/",
        f"/p/feedback/?code={waiting.tracking_code}",
    ]
    forbidden = [
        secret["contact_name"],
        "0977111222",
        "0977 111 222",
        secret["contact_email"],
        secret["content"],
        "4242",
        published.sender_key or "feedback:",
    ]
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        html = response.content.decode()
        for value in forbidden:
            assert value not in html, (path, value)
