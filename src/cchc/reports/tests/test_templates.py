"""A province uploads its own Word template: accepted when it only uses the report's
placeholders, refused with the list of unknown ones (or when it is not a Word file), and then
used to write the report."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.jobs import job_run
from cchc.core.models import Job
from cchc.lib.tests.test_uploads import PDF
from cchc.reports.models import ReportTemplate
from cchc.reports.periods import parse_period
from cchc.reports.services import REPORT_RENDER, report_create

pytestmark = pytest.mark.django_db


def word(*lines: str) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(client, agency, content: bytes, name: str = "mau.docx", title: str = "Mẫu tỉnh"):
    return client.post(
        "/reports/templates/",
        {
            "agency": agency.pk,
            "name": title,
            "file": SimpleUploadedFile(name, content, "application/octet-stream"),
        },
    )


def test_a_template_with_unknown_placeholders_is_refused_with_their_names(client, world):
    client.force_login(world.admin)
    content = word(
        "{{ agency_name }}", "{{ so_van_ban }} và {{ nguoi_ky_thay }}", "{{ n.direction }}"
    )
    response = upload(client, world.province, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert "nguoi_ky_thay, so_van_ban" in html
    assert not ReportTemplate.objects.exists()


def test_a_file_that_is_not_a_word_document_is_refused(client, world):
    client.force_login(world.admin)
    response = upload(client, world.province, PDF, name="mau.docx")
    assert response.status_code == 400
    assert not ReportTemplate.objects.exists()


def test_a_template_with_a_syntax_error_is_refused(client, world):
    client.force_login(world.admin)
    response = upload(client, world.province, word("{{ agency_name }", "{% for x in %}"))
    assert response.status_code == 400
    assert not ReportTemplate.objects.exists()


def test_a_province_template_is_used_by_its_agencies(client, world):
    client.force_login(world.admin)
    content = word(
        "MẪU CỦA TỈNH",
        "{{ agency_upper }} — BÁO CÁO {{ period_label }}",
        "{{ dossier_text }}",
        "{{ n.direction }}",
    )
    response = upload(client, world.province, content)
    assert response.status_code == 302
    template = ReportTemplate.objects.get()
    assert template.agency == world.province and len(template.sha256) == 64

    # The coordinator of a department of the province may choose it …
    client.force_login(world.a.coordinator)
    page = client.get("/reports/new/").content.decode()
    assert "Mẫu tỉnh" in page
    report, job = report_create(
        actor=world.a.coordinator,
        agency=world.a.agency,
        period=parse_period("2026-Q1"),
        template=template,
    )
    job_run(job.pk)
    report.refresh_from_db()
    client.post(f"/reports/{report.pk}/generate/", {"version": report.version})
    job_run(Job.objects.get(kind=REPORT_RENDER).pk)
    report.refresh_from_db()
    assert report.template_version == template.version_label
    content = b"".join(client.get(f"/reports/{report.pk}/download/docx/").streaming_content)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "MẪU CỦA TỈNH" in text and "SỞ TƯ PHÁP — BÁO CÁO quý I năm 2026" in text

    # … but may not retire it; the admin may, and reports written with it keep it.
    assert client.post(f"/reports/templates/{template.pk}/retire/").status_code == 403
    client.force_login(world.admin)
    client.post(f"/reports/templates/{template.pk}/retire/")
    template.refresh_from_db()
    assert template.is_active is False
    report.refresh_from_db()
    assert report.template == template


def test_another_province_agency_cannot_see_an_agency_template(client, world):
    client.force_login(world.a.coordinator)
    assert upload(client, world.a.agency, word("{{ agency_name }}")).status_code == 302
    template = ReportTemplate.objects.get()
    client.force_login(world.b.coordinator)
    assert client.get(f"/reports/templates/{template.pk}/download/").status_code == 404
    assert "Mẫu tỉnh" not in client.get("/reports/templates/").content.decode()
    # and cannot upload one for agency A
    response = upload(client, world.a.agency, word("{{ agency_name }}"), title="Lạ")
    assert response.status_code == 400 and ReportTemplate.objects.count() == 1


def test_the_default_template_downloads_and_passes_its_own_check(client, world):
    from cchc.reports.docx_render import template_check

    client.force_login(world.a.viewer)
    response = client.get("/reports/templates/default.docx")
    content = b"".join(response.streaming_content)
    assert response.status_code == 200 and content[:2] == b"PK"
    assert template_check(io.BytesIO(content)) == []
