"""The main journeys in a real Chromium (Debian's package), driven by Playwright."""

from __future__ import annotations

import pytest

from cchc.lib.tests.test_uploads import PDF
from cchc.plans.models import Evidence, Task, TaskStatus
from cchc.plans.tests.conftest import log_in

pytestmark = pytest.mark.browser


def test_coordinator_creates_a_task(page, live_server, live_world):
    people = live_world.a
    log_in(page, live_server.url, people.coordinator.username)
    assert page.locator("html").get_attribute("lang") == "vi"
    page.goto(f"{live_server.url}/plans/{people.plan.pk}/")
    page.click("[data-testid=new-task]")
    area = people.plan.areas.get(number=2)
    page.select_option("#id_area", str(area.pk))
    page.fill("#id_title", "Rà soát văn bản quy phạm pháp luật năm 2026")
    page.select_option("#id_lead_unit", str(people.unit.pk))
    page.fill("#id_start_date", "2026-02-01")
    page.fill("#id_due_date", "2026-10-31")
    page.fill("#id_product", "Báo cáo rà soát")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    task = Task.objects.get(title="Rà soát văn bản quy phạm pháp luật năm 2026")
    assert task.code == "II.2.a"
    assert task.lead_unit == people.unit
    assert "Rà soát văn bản quy phạm pháp luật năm 2026" in page.content()


def test_due_before_start_is_refused_on_the_form(page, live_server, live_world):
    people = live_world.a
    log_in(page, live_server.url, people.coordinator.username)
    page.goto(f"{live_server.url}/plans/{people.plan.pk}/tasks/new/")
    page.select_option("#id_area", str(people.plan.areas.get(number=1).pk))
    page.fill("#id_title", "Nhiệm vụ sai ngày")
    page.fill("#id_start_date", "2026-05-01")
    page.fill("#id_due_date", "2026-04-01")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".invalid-feedback, [role=alert]").count() > 0
    assert not Task.objects.filter(title="Nhiệm vụ sai ngày").exists()


def test_officer_records_progress_with_evidence_and_sees_it_on_the_dashboard(
    page, live_server, live_world, tmp_path
):
    people = live_world.a
    evidence_file = tmp_path / "Biên bản họp.pdf"
    evidence_file.write_bytes(PDF)
    log_in(page, live_server.url, people.officer.username)
    page.goto(f"{live_server.url}/tasks/{people.task.pk}/")
    page.fill("#id_percent", "60")
    page.fill("#id_note", "Đã rà soát 18/30 thủ tục")
    page.set_input_files("#id_evidence_file", str(evidence_file))
    page.click("[data-testid=save-progress]")
    # Locator waits, not wait_for_function: its polling evaluates a string, which the page's
    # Content-Security-Policy (no 'unsafe-eval') refuses.
    page.get_by_text("Biên bản họp.pdf").first.wait_for()

    task = Task.objects.get(pk=people.task.pk)
    assert task.progress == 60
    assert task.status == TaskStatus.IN_PROGRESS
    evidence = Evidence.objects.get(task=task)
    assert evidence.original_name == "Biên bản họp.pdf"

    page.goto(f"{live_server.url}/")
    total = page.locator("[data-testid=stat-total]").inner_text()
    assert "2" in total
    assert task.code in page.locator("main").inner_text()


def test_a_fake_pdf_is_refused_in_the_browser(page, live_server, live_world, tmp_path):
    people = live_world.a
    fake = tmp_path / "hoa-don.pdf"
    fake.write_text("this is not a PDF")
    log_in(page, live_server.url, people.officer.username)
    page.goto(f"{live_server.url}/tasks/{people.task.pk}/")
    page.fill("#id_percent", "30")
    page.set_input_files("#id_evidence_file", str(fake))
    page.click("[data-testid=save-progress]")
    page.wait_for_selector(".invalid-feedback, .alert-danger")
    assert Task.objects.get(pk=people.task.pk).progress == 0
    assert not Evidence.objects.exists()


def test_language_switch(page, live_server, live_world):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Đăng nhập" in page.locator("main").inner_text()
    page.locator("#language-select").first.select_option("en")
    page.wait_for_selector("html[lang=en]", state="attached")
    assert "Log in" in page.locator("main").inner_text()
    page.locator("#language-select").first.select_option("vi")
    page.wait_for_selector("html[lang=vi]", state="attached")


def test_dashboard_fits_a_phone(browser, live_server, live_world):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, live_server.url, live_world.a.coordinator.username)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 376, f"the dashboard scrolls sideways on a phone ({width}px)"
        assert page.locator("meta[charset]").get_attribute("charset").lower() == "utf-8"
    finally:
        context.close()
