"""The background work of a report: take its figures, and write its files (STYLE.md §5).

Both jobs leave the report in a state the page can show: on any failure the report is marked
failed with the reason, and the files of a failed generation are removed, so nothing is
half-written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.job_views import job_page
from cchc.core.jobs import JobFailed, failure_reason, job_kind
from cchc.core.jobs import Report as Progress
from cchc.core.models import Job
from cchc.reports.default_template import DEFAULT_PATH
from cchc.reports.docx_render import render_docx
from cchc.reports.models import Report, ReportStatus
from cchc.reports.narrative import NARRATIVE_KEYS, default_narrative
from cchc.reports.periods import Period, adhoc, parse_period
from cchc.reports.render import PdfUnavailable, docx_to_pdf, soffice
from cchc.reports.services import REPORT_RENDER, REPORT_SNAPSHOT
from cchc.reports.snapshot import report_snapshot
from cchc.reports.xlsx_render import render_xlsx

STEP_FIGURES = gettext_lazy("Collecting the figures")
STEP_WORD = gettext_lazy("Writing the Word document")
STEP_EXCEL = gettext_lazy("Writing the statistics appendix")
STEP_PDF = gettext_lazy("Converting to PDF")
STEP_SAVING = gettext_lazy("Saving the files")


def _report_of(job: Job) -> Report:
    report = Report.objects.select_related("agency__parent", "template").filter(
        pk=job.params.get("report")
    )
    found = report.first()
    if found is None:
        raise JobFailed(_("The report no longer exists."))
    return found


@contextmanager
def _failing_marks(report: Report) -> Iterator[None]:
    """On any failure, the report says so (the job row keeps the details)."""
    try:
        yield
    except Exception as exc:
        message = str(exc) if isinstance(exc, JobFailed | PdfUnavailable) else failure_reason(exc)
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED,
            error=message,
            version=report.version + 1,
            updated_at=timezone.now(),
        )
        raise


def period_of_report(report: Report) -> Period:
    if report.period_kind == "adhoc":
        return adhoc(report.period_start, report.period_end)
    return parse_period(report.period_code)


@job_kind(REPORT_SNAPSHOT)
def snapshot_job(job: Job, progress: Progress) -> dict[str, Any]:
    """``job.params``: ``report`` (id). Takes the figures; text the Office has not edited is
    written again from the new figures, edited text is kept."""
    report = _report_of(job)
    with _failing_marks(report):
        progress(5, str(STEP_FIGURES))
        # The figures carry a few labels (the index's status); the report is in Vietnamese.
        with translation.override("vi"):
            snapshot = report_snapshot(agency=report.agency, period=period_of_report(report))
        new_defaults = default_narrative(snapshot)
        old_defaults = default_narrative(report.snapshot) if report.snapshot else {}
        narrative = {}
        for key in NARRATIVE_KEYS:
            current = (report.narrative or {}).get(key, "")
            edited = current and current != old_defaults.get(key, "")
            narrative[key] = current if edited else new_defaults[key]
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            Report.objects.filter(pk=report.pk).update(
                snapshot=snapshot,
                snapshot_at=dt.datetime.fromisoformat(snapshot["generated_at"]),
                narrative=narrative,
                status=ReportStatus.DRAFT,
                error="",
                version=locked.version + 1,
                updated_at=timezone.now(),
            )
    return {"report": report.pk, "snapshot_at": snapshot["generated_at"]}


@cache
def default_template_version() -> str:
    return "default · " + hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()[:12]


def _render_options(options: dict[str, Any]) -> dict[str, Any]:
    """The stored header options as ``build_context`` keywords (blank ones take its defaults)."""
    chosen: dict[str, Any] = {}
    for key in ("number", "place", "signer_title", "signer_name"):
        if options.get(key):
            chosen[key] = options[key]
    if options.get("date"):
        chosen["date"] = dt.date.fromisoformat(options["date"])
    if options.get("recipients"):
        chosen["recipients"] = list(options["recipients"])
    return chosen


def _template_file(report: Report) -> tuple[IO[bytes] | str, str]:
    if report.template is None:
        return str(DEFAULT_PATH), default_template_version()
    try:
        handle = report.template.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise JobFailed(_("The report's template file is missing; choose another.")) from exc
    return handle, report.template.version_label


def file_stem(report: Report) -> str:
    period = report.period_code.replace("..", "_")
    return f"bao-cao-cchc-{report.agency.code.lower()}-{period}"


@job_kind(REPORT_RENDER)
def render_job(job: Job, progress: Progress) -> dict[str, Any]:
    """``job.params``: ``report`` (id). Writes the DOCX, the XLSX and, where LibreOffice is
    installed, the PDF, from the stored figures, text, options and template."""
    report = _report_of(job)
    saved: list[str] = []
    with _failing_marks(report):
        if report.snapshot is None:
            raise JobFailed(_("The report has no figures yet."))
        progress(10, str(STEP_WORD))
        template, template_version = _template_file(report)
        try:
            docx = render_docx(
                report.snapshot,
                report.narrative,
                template=template,
                **_render_options(report.options or {}),
            )
        except Exception as exc:
            if report.template is None:
                raise
            # An uploaded template passed the placeholder check but its logic failed on the
            # figures (a loop over a text, say): the person who uploaded it can fix that.
            raise JobFailed(
                _("The template could not be filled: %(reason)s") % {"reason": str(exc)[:300]}
            ) from exc
        finally:
            if not isinstance(template, str):
                template.close()
        progress(40, str(STEP_EXCEL))
        xlsx = render_xlsx(report.snapshot)
        pdf, pdf_note = None, ""
        if soffice() is None:
            pdf_note = _(
                "PDF is not available: LibreOffice is not installed on this server. "
                "Download the Word file and save it as PDF."
            )
        else:
            progress(55, str(STEP_PDF))
            try:
                pdf = docx_to_pdf(docx)
            except (PdfUnavailable, OSError) as exc:
                pdf_note = str(exc)
            except Exception as exc:  # LibreOffice failed or timed out: keep DOCX and XLSX
                pdf_note = _("LibreOffice could not convert this report to PDF: %(reason)s") % {
                    "reason": str(exc)[:200]
                }
        progress(90, str(STEP_SAVING))
        stem = file_stem(report)
        old = [f.name for f in (report.docx, report.xlsx, report.pdf) if f]
        try:
            report.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
            saved.append(report.docx.name)
            report.xlsx.save(f"{stem}-phu-luc.xlsx", ContentFile(xlsx), save=False)
            saved.append(report.xlsx.name)
            if pdf is not None:
                report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
                saved.append(report.pdf.name)
            with transaction.atomic():
                locked = Report.objects.select_for_update().get(pk=report.pk)
                Report.objects.filter(pk=report.pk).update(
                    docx=report.docx.name,
                    xlsx=report.xlsx.name,
                    pdf=report.pdf.name if pdf is not None else "",
                    pdf_note=pdf_note[:255],
                    template_version=template_version,
                    generated_at=timezone.now(),
                    status=ReportStatus.READY,
                    error="",
                    version=locked.version + 1,
                    files_version=locked.version + 1,
                    updated_at=timezone.now(),
                )
        except Exception:
            for name in saved:
                default_storage.delete(name)
            raise
        for name in old:
            if name not in saved:
                default_storage.delete(name)
    return {"report": report.pk, "bytes": len(docx) + len(xlsx) + len(pdf or b"")}


def _report_url(job: Job) -> str:
    return reverse("report_detail", args=[job.params["report"]])


job_page(
    REPORT_SNAPSHOT,
    title=gettext_lazy("Collecting the report's figures"),
    next_url=_report_url,
    retry_url=_report_url,
)
job_page(
    REPORT_RENDER,
    title=gettext_lazy("Generating the report"),
    next_url=_report_url,
    retry_url=_report_url,
)
