"""Importing a plan in a real Chromium: upload, watch the job, review, bulk change, confirm."""

from __future__ import annotations

import pytest

from cchc.plans.models import Plan
from cchc.plans.tests.conftest import log_in
from cchc.plans.tests.test_import_views import PLAN_TEXT, TASK_COUNT

pytestmark = pytest.mark.browser


@pytest.fixture
def jobs_run_at_once(settings):
    # No worker can run beside live_server here, so only in these tests the job runs when it is
    # enqueued (on commit of the upload request), in the web process itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_coordinator_imports_a_plan(page, live_server, live_world, jobs_run_at_once, tmp_path):
    people = live_world.a
    document = tmp_path / "Kế hoạch CCHC 2027.txt"
    document.write_text(PLAN_TEXT, encoding="utf-8")
    log_in(page, live_server.url, people.coordinator.username)

    page.goto(f"{live_server.url}/plans/")
    page.click("[data-testid=import-plan]")
    page.wait_for_url(f"{live_server.url}/plans/import/")
    assert page.locator("#id_agency").input_value() == str(people.agency.pk)
    page.set_input_files("#id_document", str(document))
    page.click("[data-testid=upload-plan]")

    # The job page: progress bar and state, then on to the review.
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    status = page.locator("[data-testid=job-status]")
    assert status.get_attribute("data-status") == "succeeded"
    assert page.locator("[data-testid=job-progress]").get_attribute("aria-valuenow") == "100"
    page.click("[data-testid=job-next]")
    page.wait_for_url(f"{live_server.url}/plans/import/*/review/")

    tasks = page.locator("[data-testid=draft-task]")
    assert tasks.count() == TASK_COUNT
    assert "Số hóa hồ sơ" in page.locator("[data-testid=source-text]").inner_text()

    # Tick every task of area 3 with the area's "tick all" box (app.js), set a lead unit.
    area3 = page.locator("[data-testid=draft-area]").nth(2)
    area3.locator("input[data-select-all]").check()
    ticked = area3.locator("input[data-bulk-select]")
    assert ticked.count() == 2
    assert all(ticked.nth(i).is_checked() for i in range(ticked.count()))
    page.select_option("#id_bulk_lead_unit", str(people.unit.pk))
    page.click("[data-testid=bulk-apply]")
    page.wait_for_selector(".alert-success")
    area3 = page.locator("[data-testid=draft-area]").nth(2)
    units = area3.locator("select[name$='-lead_unit']")
    assert [units.nth(i).input_value() for i in range(units.count())] == [str(people.unit.pk)] * 2

    page.click("[data-testid=confirm-import]")
    page.wait_for_url(f"{live_server.url}/plans/*/")
    plan = Plan.objects.get(agency=people.agency, year=2027)
    assert page.url == f"{live_server.url}/plans/{plan.pk}/"
    main = page.locator("main").inner_text()
    assert "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính." in main
    assert "II.3.b" in main and people.unit.name in main
    assert plan.tasks.filter(parent__isnull=True).count() == TASK_COUNT
    assert plan.tasks.get(code="II.3.b").lead_unit == people.unit


def test_review_page_stacks_on_a_phone(
    browser, live_server, live_world, jobs_run_at_once, tmp_path
):
    document = tmp_path / "ke-hoach.txt"
    document.write_text(PLAN_TEXT, encoding="utf-8")
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    phone = context.new_page()
    try:
        log_in(phone, live_server.url, live_world.a.coordinator.username)
        phone.goto(f"{live_server.url}/plans/import/")
        phone.set_input_files("#id_document", str(document))
        phone.click("[data-testid=upload-plan]")
        phone.wait_for_url(f"{live_server.url}/jobs/*/")
        phone.click("[data-testid=job-next]")
        phone.wait_for_url(f"{live_server.url}/plans/import/*/review/")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 376, f"the review page scrolls sideways on a phone ({width}px)"
        tree = phone.locator("[data-testid=draft-task]").first.bounding_box()
        source = phone.locator("[data-testid=source-text]").bounding_box()
        assert source["y"] > tree["y"]  # stacked, not side by side
    finally:
        context.close()


def test_the_job_page_polls_until_the_worker_is_done(page, live_server, live_world, tmp_path):
    # The database queue as in production: nothing runs the job until the test plays the worker,
    # so the page shows it waiting, polls, and moves on to the review page by itself.
    from cchc.core.jobs import job_run
    from cchc.core.models import Job

    document = tmp_path / "ke-hoach.txt"
    document.write_text(PLAN_TEXT, encoding="utf-8")
    log_in(page, live_server.url, live_world.a.coordinator.username)
    page.goto(f"{live_server.url}/plans/import/")
    page.set_input_files("#id_document", str(document))
    page.click("[data-testid=upload-plan]")
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    assert page.locator("[data-testid=job-status]").get_attribute("data-status") == "queued"
    job = Job.objects.get()
    job_run(job.pk)
    page.wait_for_url(f"{live_server.url}/plans/import/{job.pk}/review/")
    assert page.locator("[data-testid=draft-task]").count() == TASK_COUNT
