"""A report from the Office's point of view: created for a period, its figures collected by a
job, its text edited (concurrent edits refused), generated as files by a job, downloaded, taken
again from fresh figures; stored with its inputs so the same data gives the same figures."""

from __future__ import annotations

import io
import shutil

import docx
import openpyxl
import pytest
from django.core.files.storage import default_storage

from cchc.core.jobs import job_run
from cchc.core.models import Agency, Job, JobStatus
from cchc.lib.storage import AtomicFileSystemStorage
from cchc.reports.models import Report, ReportStatus
from cchc.reports.narrative import default_narrative
from cchc.reports.periods import parse_period
from cchc.reports.services import REPORT_RENDER, REPORT_SNAPSHOT, report_create

pytestmark = pytest.mark.django_db

EDITED = "Lãnh đạo Sở đã chỉ đạo quyết liệt việc rà soát, cắt giảm thủ tục hành chính."


def document_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _create(client, world, period="2026") -> Report:
    client.force_login(world.a.coordinator)
    kind = {"2026": "year", "2026-Q1": "q1", "2026-H1": "h1", "2026-Q3": "q3"}[period]
    response = client.post(
        "/reports/new/", {"agency": world.a.agency.pk, "year": 2026, "kind": kind}
    )
    job = Job.objects.get(kind=REPORT_SNAPSHOT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    report = Report.objects.get()
    assert report.status == ReportStatus.PREPARING and report.snapshot is None
    assert job_run(job.pk).status == JobStatus.SUCCEEDED
    report.refresh_from_db()
    return report


def _edit_data(report: Report, **changes) -> dict:
    data = {"version": report.version, "signer_name": "Trần Văn Ký", "recipients": "Sở Nội vụ"}
    data.update({f"n_{key}": text for key, text in report.narrative.items()})
    data.update(changes)
    return data


def test_new_report_collects_the_figures_of_the_period_window(client, report_world):
    report = _create(client, report_world.world)
    assert report.status == ReportStatus.DRAFT
    assert (report.period_start.isoformat(), report.period_end.isoformat()) == (
        "2025-12-15",
        "2026-12-14",
    )
    assert report.period_due.isoformat() == "2026-12-20"
    assert report.snapshot["dossiers"]["counts"]["received"] == 15
    assert report.snapshot["dossiers"]["counts"]["late"] == 1
    assert report.narrative == default_narrative(report.snapshot)
    page = client.get(f"/reports/{report.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "93,33 %" in html  # the on-time rate beside the text
    assert 'data-testid="report-edit-form"' in html
    # Blank header options show what the document will print.
    assert "Sở Nội vụ (để báo cáo)" in html and 'value="GIÁM ĐỐC"' in html


def test_edit_then_generate_writes_the_text_and_the_figures(client, report_world):
    report = _create(client, report_world.world)
    response = client.post(f"/reports/{report.pk}/", _edit_data(report, n_direction=EDITED))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative["direction"] == EDITED
    assert report.options["signer_name"] == "Trần Văn Ký"

    response = client.post(f"/reports/{report.pk}/generate/", {"version": report.version})
    job = Job.objects.get(kind=REPORT_RENDER)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job_run(job.pk).status == JobStatus.SUCCEEDED
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.template_version.startswith("default")

    content = b"".join(client.get(f"/reports/{report.pk}/download/docx/").streaming_content)
    text = document_text(content)
    assert EDITED in text and "Trần Văn Ký" in text
    assert "15 hồ sơ" in text and "93,33 %" in text
    assert 'data-testid="files-older"' not in client.get(f"/reports/{report.pk}/").content.decode()
    client.post(f"/reports/{report.pk}/", _edit_data(report, n_proposals="Đề nghị bổ sung."))
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="files-older"' in page  # the files no longer hold the text
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/reports/{report.pk}/download/xlsx/").streaming_content))
    )
    assert book.sheetnames[0] == "Nhiệm vụ"
    # PDF where LibreOffice is installed; otherwise the report says why there is none.
    if shutil.which("soffice") or shutil.which("libreoffice"):
        pdf = b"".join(client.get(f"/reports/{report.pk}/download/pdf/").streaming_content)
        assert pdf.startswith(b"%PDF") and not report.pdf_note
    else:
        assert not report.pdf and "LibreOffice" in report.pdf_note
        page = client.get(f"/reports/{report.pk}/").content.decode()
        assert 'data-testid="pdf-unavailable"' in page


def test_a_stale_edit_is_refused_and_saves_nothing(client, report_world):
    report = _create(client, report_world.world)
    old_version = report.version
    client.post(f"/reports/{report.pk}/", _edit_data(report, n_proposals="Lần một."))
    response = client.post(
        f"/reports/{report.pk}/",
        _edit_data(report, version=old_version, n_proposals="Lần hai."),
    )
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.narrative["proposals"] == "Lần một."


def test_markup_in_the_text_is_refused(client, report_world):
    report = _create(client, report_world.world)
    response = client.post(
        f"/reports/{report.pk}/", _edit_data(report, n_causes="<script>alert(1)</script>")
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert "<script>" not in report.narrative["causes"]


def test_taking_the_figures_again_keeps_edited_text(client, report_world):
    report = _create(client, report_world.world)
    client.post(f"/reports/{report.pk}/", _edit_data(report, n_direction=EDITED))
    report.refresh_from_db()
    untouched = report.narrative["strengths"]
    response = client.post(f"/reports/{report.pk}/refresh/", {"version": report.version})
    job = Job.objects.filter(kind=REPORT_SNAPSHOT).latest("id")
    assert response["Location"] == f"/jobs/{job.pk}/"
    job_run(job.pk)
    report.refresh_from_db()
    assert report.narrative["direction"] == EDITED
    assert report.narrative["strengths"] == default_narrative(report.snapshot)["strengths"]
    assert untouched == report.narrative["strengths"]  # same data, same suggestion


def test_same_period_same_data_gives_the_same_figures(report_world):
    world = report_world.world
    period = parse_period("2026-Q1")
    first, job_one = report_create(actor=world.a.coordinator, agency=world.a.agency, period=period)
    second, job_two = report_create(actor=world.a.coordinator, agency=world.a.agency, period=period)
    job_run(job_one.pk)
    job_run(job_two.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    for report in (first, second):
        report.snapshot.pop("generated_at")
    assert first.snapshot == second.snapshot
    assert first.snapshot["period"]["end"] == "2026-03-14"


def test_readers_download_but_do_not_edit_and_strangers_see_nothing(client, report_world):
    world = report_world.world
    report = _create(client, world)
    client.post(f"/reports/{report.pk}/generate/", {"version": report.version})
    job_run(Job.objects.get(kind=REPORT_RENDER).pk)

    client.force_login(world.a.viewer)
    page = client.get(f"/reports/{report.pk}/")
    assert page.status_code == 200 and 'data-testid="report-edit-form"' not in page.content.decode()
    assert client.get(f"/reports/{report.pk}/download/docx/").status_code == 200
    report.refresh_from_db()
    assert client.post(f"/reports/{report.pk}/", _edit_data(report)).status_code == 403
    assert client.post(f"/reports/{report.pk}/generate/", {"version": 1}).status_code == 403
    assert client.get("/reports/new/").status_code == 403

    client.force_login(world.b.coordinator)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk}/download/docx/").status_code == 404
    assert "report-table" not in client.get("/reports/").content.decode()


def test_an_agency_with_no_plan_gets_a_report(client, world):
    """A commune that has not put its plan in the system still reports its dossiers."""
    lonely = Agency.objects.create(code="XNP", name="UBND xã Nam Phong", parent=world.province)
    report, job = report_create(actor=world.admin, agency=lonely, period=parse_period("2026-Q3"))
    job_run(job.pk)
    report.refresh_from_db()
    assert report.snapshot["plan"]["exists"] is False
    client.force_login(world.admin)
    client.post(f"/reports/{report.pk}/generate/", {"version": report.version})
    job_run(Job.objects.get(kind=REPORT_RENDER).pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    text = document_text(default_storage.open(report.docx.name).read())
    assert "Chưa ban hành kế hoạch cải cách hành chính năm trên hệ thống." in text


def test_a_full_disk_fails_the_generation_visibly_and_leaves_no_file(
    client, report_world, monkeypatch
):
    """The disk fills up after the Word file was written: the report says it failed and the
    Word file written before is removed (nothing half-written)."""
    report = _create(client, report_world.world)
    written = []
    save = AtomicFileSystemStorage._save

    def filling(self, name, content):
        if name.endswith(".xlsx"):
            raise OSError(28, "No space left on device")
        written.append(save(self, name, content))
        return written[-1]

    monkeypatch.setattr(AtomicFileSystemStorage, "_save", filling)
    client.post(f"/reports/{report.pk}/generate/", {"version": report.version})
    job = job_run(Job.objects.get(kind=REPORT_RENDER).pk)
    assert job.status == JobStatus.FAILED
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and report.error
    assert not report.docx and not report.xlsx
    assert written and not any(default_storage.exists(name) for name in written)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="report-error"' in page


def test_without_libreoffice_the_page_says_there_is_no_pdf(
    client, report_world, monkeypatch, tmp_path
):
    report = _create(client, report_world.world)
    monkeypatch.setenv("PATH", str(tmp_path))  # a server where LibreOffice is not installed
    client.post(f"/reports/{report.pk}/generate/", {"version": report.version})
    assert job_run(Job.objects.get(kind=REPORT_RENDER).pk).status == JobStatus.SUCCEEDED
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.docx and not report.pdf
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="pdf-note"' in page and 'data-testid="pdf-unavailable"' in page
    assert client.get(f"/reports/{report.pk}/download/pdf/").status_code == 302
