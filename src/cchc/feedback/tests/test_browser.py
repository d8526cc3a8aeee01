"""The citizens' journey on a phone, and a handler answering within the deadline, in a real
Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from cchc.feedback import services
from cchc.feedback.models import Feedback, FeedbackState, FeedbackTopic
from cchc.plans.tests.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def phone(browser):
    """A phone-sized screen (390 × 844, an iPhone 12–14) with touch."""
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "responded with a status of 4" not in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert errors == [], f"JavaScript errors in the browser: {errors}"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_citizen_on_a_phone_follows_a_feedback_to_the_published_answer(
    phone, live_server, live_world
):
    people = live_world.a
    phone.goto(f"{live_server.url}/p/{people.agency.code}/feedback/new/")
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert fits_the_screen(phone)
    phone.select_option("#id_topic", label="Thủ tục hành chính")
    phone.fill("#id_title", "Đề nghị rút ngắn thời gian cấp phiếu lý lịch tư pháp")
    phone.fill(
        "#id_content",
        "Thời gian cấp phiếu lý lịch tư pháp hiện là 10 ngày, đề nghị rút ngắn để người dân "
        "đỡ phải chờ.",
    )
    phone.fill("#id_contact_name", "Nguyễn Văn Dân")
    phone.fill("#id_contact_phone", "0912 000 111")
    phone.click("[data-testid=feedback-submit]")
    code = phone.locator("[data-testid=tracking-code]").inner_text().strip()
    assert len(code) == 12
    assert fits_the_screen(phone)

    feedback = Feedback.objects.get(tracking_code=code)
    assert feedback.contact_phone == "0912000111"
    # The staff's steps, through the services (their pages are tested elsewhere).
    services.feedback_classify(
        actor=people.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=people.unit,
    )
    services.feedback_answer(
        actor=people.coordinator,
        feedback=feedback,
        answer="Sở đã rút ngắn thời gian cấp phiếu lý lịch tư pháp còn 6 ngày làm việc.",
        public_summary="Kiến nghị rút ngắn thời gian cấp phiếu lý lịch tư pháp.",
    )
    services.feedback_approve(actor=people.leader, feedback=feedback)
    services.feedback_publish(actor=people.coordinator, feedback=feedback)

    phone.click("[data-testid=tracking-link]")
    answer = phone.locator("[data-testid=published-answer]")
    answer.wait_for()
    assert "còn 6 ngày làm việc" in answer.inner_text()
    with translation.override("vi"):  # the state as the site's language names it
        expected = str(FeedbackState.PUBLISHED.label)
    assert phone.locator("[data-testid=feedback-state]").inner_text().strip() == expected
    assert "Nguyễn Văn Dân" not in phone.content()
    assert fits_the_screen(phone)
    phone.check("#id_rating_4")  # the fifth choice: 5 — very satisfied
    phone.click("[data-testid=rating-form] button[type=submit]")
    phone.wait_for_url(f"**/p/feedback/{code}/?done=2")
    feedback.refresh_from_db()
    assert feedback.rating == 5


def kpi_rate(agency_code, start, end):
    out = io.StringIO()
    call_command("kpi", "--agency", agency_code, "--from", start, "--to", end, "--json", stdout=out)
    return json.loads(out.getvalue())["rates"]["feedback_on_time_rate"]


def test_a_handler_answers_within_the_deadline_and_the_rate_moves(page, live_server, live_world):
    people = live_world.a
    services.topics_ensure_defaults(people.agency)
    feedback = services.feedback_submit(
        agency=people.agency,
        topic=FeedbackTopic.objects.filter(agency=people.agency).first(),
        title="Cổng dịch vụ công báo lỗi khi thanh toán",
        content="Tài khoản đã bị trừ tiền nhưng hồ sơ vẫn báo chưa thanh toán.",
        contact_name="Lê Thị Người Dân",
        contact_email="nguoidan@example.com",
    )
    feedback = services.feedback_classify(
        actor=people.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=people.unit,
    )
    start = timezone.localdate().isoformat()
    end = timezone.localtime(feedback.final_due_at).date().isoformat()
    assert kpi_rate(people.agency.code, start, end) is None  # nothing due or handled yet

    log_in(page, live_server.url, people.officer.username)
    page.goto(f"{live_server.url}/feedback/{feedback.pk}/")
    page.fill("#id_answer-public_summary", "Phản ánh lỗi thanh toán trực tuyến.")
    page.fill("#id_answer-answer", "Giao dịch đã được đối soát và ghi nhận vào hồ sơ.")
    page.click("[data-testid=save-answer]")
    page.wait_for_url(f"{live_server.url}/feedback/{feedback.pk}/")
    assert (
        "Giao dịch đã được đối soát" in page.locator("[data-testid=feedback-answer]").inner_text()
    )

    page.context.clear_cookies()
    log_in(page, live_server.url, people.leader.username)
    page.goto(f"{live_server.url}/feedback/{feedback.pk}/")
    page.click("[data-testid=approve]")
    page.wait_for_url(f"{live_server.url}/feedback/{feedback.pk}/")
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.ANSWERED and feedback.on_time is True
    assert kpi_rate(people.agency.code, start, end) == 100.0

    page.click("[data-testid=publish]")
    page.wait_for_url(f"{live_server.url}/feedback/{feedback.pk}/")
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.PUBLISHED
