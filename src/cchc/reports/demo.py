"""The demo's reports: for each demo agency, the third-quarter report of the demo year written
and generated (Word, Excel and, where LibreOffice is installed, PDF), and for the first agency
the yearly report as a draft to edit. Through the services and the jobs, as the Office would."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import default_storage

from cchc.core.jobs import job_run
from cchc.core.models import Agency, Membership, Role, User
from cchc.reports.models import Report, ReportTemplate
from cchc.reports.periods import period_of
from cchc.reports.services import report_create, report_generate


def _coordinator(agency: Agency) -> User | None:
    membership = (
        Membership.objects.filter(agency=agency, role=Role.COORDINATOR, is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def load_demo_reports(agencies: Iterable[Agency], year: int) -> int:
    """Returns the number of reports written (an agency's existing reports are left alone)."""
    written = 0
    for index, agency in enumerate(agencies):
        actor = _coordinator(agency)
        if actor is None or Report.objects.filter(agency=agency).exists():
            continue
        kinds = ("q3", "year") if index == 0 else ("q3",)
        for kind in kinds:
            report, job = report_create(actor=actor, agency=agency, period=period_of(kind, year))
            job_run(job.pk)
            written += 1
            if kind == "q3":
                report.refresh_from_db()
                job = report_generate(actor=actor, report=report, version=report.version)
                job_run(job.pk)
    return written


def delete_demo_reports(agencies: Iterable[Agency]) -> None:
    reports = Report.objects.filter(agency__in=list(agencies))
    for report in reports:
        for stored in (report.docx, report.xlsx, report.pdf):
            if stored:
                default_storage.delete(stored.name)
    reports.delete()
    templates = ReportTemplate.objects.filter(agency__in=list(agencies))
    for template in templates:
        default_storage.delete(template.file.name)
    templates.delete()
