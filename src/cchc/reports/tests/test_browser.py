"""The Office writes its quarterly report in a real Chromium: chooses the period, waits for the
figures, edits a paragraph (and restores another), generates and downloads the Word file."""

from __future__ import annotations

import pytest

from cchc.plans.tests.conftest import log_in
from cchc.reports.models import Report, ReportStatus
from cchc.reports.tests.test_workflow import document_text

pytestmark = pytest.mark.browser

EDITED = "Ban hành kịp thời các văn bản chỉ đạo, điều hành công tác cải cách hành chính."


@pytest.fixture
def jobs_run_at_once(settings):
    # No worker runs beside live_server here: the job runs in the web process when enqueued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_coordinator_writes_and_downloads_the_quarterly_report(
    page, live_server, live_world, jobs_run_at_once
):
    url = live_server.url
    log_in(page, url, live_world.a.coordinator.username)
    page.goto(f"{url}/reports/")
    page.click("[data-testid=report-new]")
    page.wait_for_url(f"{url}/reports/new/")
    # The date fields only matter for an "other period"; they hide for the standard ones.
    page.select_option("#id_kind", "q1")
    assert page.locator("[data-adhoc-dates]").is_hidden()
    page.select_option("#id_kind", "adhoc")
    assert page.locator("[data-adhoc-dates]").is_visible()
    page.select_option("#id_kind", "q1")
    page.fill("#id_year", "2026")
    page.click("[data-testid=report-create-submit]")

    page.wait_for_url(f"{url}/jobs/*/")
    page.click("[data-testid=job-next]")
    page.wait_for_url(f"{url}/reports/*/")
    report = Report.objects.get()
    assert report.status == ReportStatus.DRAFT and report.period_code == "2026-Q1"
    assert "14/03/2026" in page.locator("[data-testid=report-inputs]").inner_text()

    # Edit one paragraph; change another and take the suggestion back with its button.
    page.fill("#id_n_direction", EDITED)
    proposals = page.locator("#id_n_proposals")
    suggested = proposals.input_value()
    restore = page.locator("[data-restore=id_n_proposals]")
    assert restore.is_hidden()
    proposals.fill("Tạm thời chưa có.")
    assert restore.is_visible()
    restore.click()
    assert proposals.input_value() == suggested
    page.fill("#id_signer_name", "Trần Văn Ký")
    page.click("[data-testid=report-save]")
    page.wait_for_url(f"{url}/reports/{report.pk}/")
    assert page.locator("#id_n_direction").input_value() == EDITED

    page.click("[data-testid=report-generate]")
    page.wait_for_url(f"{url}/jobs/*/")
    page.click("[data-testid=job-next]")
    page.wait_for_url(f"{url}/reports/{report.pk}/")
    with page.expect_download() as info:
        page.click("[data-testid=download-docx]")
    download = info.value
    assert download.suggested_filename == "bao-cao-cchc-stp-2026-Q1.docx"
    with open(download.path(), "rb") as handle:
        text = document_text(handle.read())
    assert EDITED in text and "Trần Văn Ký" in text and "quý I năm 2026" in text
