"""A citizen answers a dossier's survey on a phone from its QR link, and the kiosk at the desk
goes back to an empty form by itself (real Chromium through Playwright)."""

from __future__ import annotations

import pytest

from cchc.surveys import links
from cchc.surveys.models import Response

from .conftest import dossier_of

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors in the browser: {errors}"


def _answer_every_scale(page, label_index: int) -> None:
    scales = page.locator("[data-testid=scale]")
    for n in range(scales.count()):
        scales.nth(n).locator("label").nth(label_index).tap()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_citizen_answers_a_dossiers_survey_from_its_qr_link(phone, live_server, live_world):
    dossier = dossier_of(live_world.a.agency, unit=live_world.a.unit)
    url = live_server.url + links.dossier_survey_url(dossier)
    phone.goto(url)
    assert phone.get_by_test_id("survey-procedure").is_visible()
    assert dossier.code not in phone.content()
    # Nothing sideways: the page fits the phone's width.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _answer_every_scale(phone, 4)  # "Rất hài lòng"
    phone.locator("textarea").fill("Cán bộ hướng dẫn tận tình.")
    phone.get_by_test_id("survey-submit").tap()
    phone.get_by_test_id("survey-thanks").wait_for()
    assert "Thank you for your answers" in phone.content()
    stored = Response.objects.get()
    assert stored.dossier_id == dossier.pk and stored.answers.filter(value=5).count() >= 11
    phone.goto(url)
    notice = phone.get_by_test_id("survey-already-answered")
    assert "already been answered" in notice.inner_text()
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kiosk_goes_back_to_an_empty_form(phone, live_server, live_world):
    base = live_server.url
    phone.goto(f"{base}/s/STP/kiosk/")
    _answer_every_scale(phone, 1)
    phone.locator("textarea").fill("Chờ hơi lâu.")
    phone.get_by_test_id("survey-submit").tap()
    phone.get_by_test_id("survey-thanks").wait_for()
    # By itself, after a few seconds: a fresh form, nothing of the previous answer.
    phone.wait_for_url(f"{base}/s/STP/kiosk/", timeout=20_000)
    phone.get_by_test_id("survey-form").wait_for()
    assert phone.locator("input[type=radio]:checked").count() == 0
    assert phone.locator("textarea").input_value() == ""
    assert Response.objects.get().channel == "kiosk"
    # The back button does not bring back the answers either.
    phone.go_back()
    assert phone.locator("input[type=radio]:checked").count() == 0
