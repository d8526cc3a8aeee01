"""Writes of the reports app: create a report, edit its narrative and header, take its figures
again, generate its files, upload and retire templates (STYLE.md §2: keyword-only, validated,
one transaction, an audit row; the heavy work is a background job, ``cchc.reports.jobs``)."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.jobs import job_create
from cchc.core.models import Agency, Job, User
from cchc.lib.text import validate_plain_text
from cchc.lib.uploads import check_upload
from cchc.reports.docx_render import template_check
from cchc.reports.models import Report, ReportStatus, ReportTemplate
from cchc.reports.narrative import NARRATIVE_KEYS
from cchc.reports.periods import Period

REPORT_SNAPSHOT = "report_snapshot"
REPORT_RENDER = "report_render"
NARRATIVE_MAX_CHARS = 20_000
OPTION_KEYS = ("number", "place", "date", "signer_title", "signer_name", "recipients")
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


class StaleReport(Exception):
    """Somebody else saved the report (or a job changed it) since the actor loaded it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("This report was changed by someone else. Reload it to see their changes.")
        )
        self.current_version = current_version


def _busy_error() -> ValidationError:
    return ValidationError(
        _("The report is being prepared; wait until the job has finished."), code="busy"
    )


def _bump(report: Report, **fields: Any) -> None:
    """Save ``fields`` and a new version in one UPDATE."""
    fields["version"] = report.version + 1
    fields["updated_at"] = timezone.now()
    for name, value in fields.items():
        setattr(report, name, value)
    Report.objects.filter(pk=report.pk).update(**fields)


def report_create(
    *, actor: User, agency: Agency, period: Period, template: ReportTemplate | None = None
) -> tuple[Report, Job]:
    """A new report of ``agency`` for ``period``; its figures are taken by a background job."""
    if template is not None and template not in templates_for(agency):
        raise ValidationError(_("This template cannot be used for this agency."), code="template")
    with transaction.atomic():
        report = Report(
            agency=agency,
            period_code=period.code,
            period_kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            period_due=period.due,
            period_label=period.label_vi,
            template=template,
            created_by=actor,
        )
        report.full_clean()
        report.save()
        audit.record(
            actor=actor,
            action="report.create",
            obj=report,
            agency=agency,
            changes={"period": [None, period.code]},
        )
        job = job_create(
            actor=actor, kind=REPORT_SNAPSHOT, agency=agency, params={"report": report.pk}
        )
    return report, job


def report_refresh(*, actor: User, report: Report, version: int) -> Job:
    """Take the figures again from live data (text the Office edited is kept)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.version != version:
            raise StaleReport(report.version)
        if report.is_busy:
            raise _busy_error()
        _bump(report, status=ReportStatus.PREPARING, error="")
        audit.record(actor=actor, action="report.refresh", obj=report, agency=report.agency)
        return job_create(
            actor=actor, kind=REPORT_SNAPSHOT, agency=report.agency, params={"report": report.pk}
        )


def _clean_options(options: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key in OPTION_KEYS:
        value = options.get(key)
        if key == "recipients":
            lines = [str(line).strip() for line in (value or []) if str(line).strip()]
            for line in lines:
                validate_plain_text(line)
            cleaned[key] = lines[:20]
        elif key == "date":
            cleaned[key] = value.isoformat() if hasattr(value, "isoformat") else (value or None)
        else:
            text = str(value or "").strip()
            validate_plain_text(text)
            cleaned[key] = text[:200]
    return cleaned


def report_update(
    *,
    actor: User,
    report: Report,
    version: int,
    narrative: dict[str, str],
    options: dict[str, Any],
    template: ReportTemplate | None = None,
) -> Report:
    """Save the Office's narrative and the header options. Generated files stay as they are
    until the report is generated again (the page says the files are older than the text)."""
    errors: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for key in NARRATIVE_KEYS:
        text = (narrative.get(key) or "").strip()
        if len(text) > NARRATIVE_MAX_CHARS:
            errors.setdefault(key, []).append(
                _("At most %(count)s characters.") % {"count": f"{NARRATIVE_MAX_CHARS:,}"}
            )
        try:
            validate_plain_text(text)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
        texts[key] = text
    try:
        cleaned_options = _clean_options(options)
    except ValidationError as exc:
        errors.setdefault("options", []).extend(exc.messages)
    if template is not None and template not in templates_for(report.agency):
        errors.setdefault("template", []).append(_("This template cannot be used for this agency."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.version != version:
            raise StaleReport(locked.version)
        if locked.is_busy:
            raise _busy_error()
        before = {"narrative": locked.narrative, "options": locked.options}
        _bump(
            locked,
            narrative=texts,
            options=cleaned_options,
            template=template,
        )
        audit.record(
            actor=actor,
            action="report.update",
            obj=locked,
            agency=locked.agency,
            changes=audit.diff(before, {"narrative": texts, "options": cleaned_options}),
        )
    return locked


def report_generate(*, actor: User, report: Report, version: int) -> Job:
    """Write the DOCX, the XLSX appendix and (where LibreOffice is installed) the PDF from the
    stored figures and text."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.version != version:
            raise StaleReport(locked.version)
        if locked.is_busy:
            raise _busy_error()
        if locked.snapshot is None:
            raise ValidationError(_("The report has no figures yet."), code="no_snapshot")
        _bump(locked, status=ReportStatus.GENERATING, error="")
        audit.record(actor=actor, action="report.generate", obj=locked, agency=locked.agency)
        return job_create(
            actor=actor, kind=REPORT_RENDER, agency=locked.agency, params={"report": locked.pk}
        )


# --- templates --------------------------------------------------------------------------------


def templates_for(agency: Agency) -> QuerySet[ReportTemplate]:
    """The templates in use that ``agency`` may choose: its own and its province's."""
    return ReportTemplate.objects.filter(
        agency_id__in={agency.pk, agency.province.pk}, is_active=True
    ).select_related("agency")


def template_upload(
    *, actor: User, agency: Agency, name: str, uploaded: IO[bytes], filename: str, size: int
) -> ReportTemplate:
    """Accept a Word template after checking its content: a real DOCX whose placeholders are all
    ones the report provides (otherwise refused with the list of unknown ones)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the template a name.")]})
    validate_plain_text(name)
    checked = check_upload(
        uploaded, name=filename, size=size, allowed=("docx",), max_bytes=TEMPLATE_MAX_BYTES
    )
    uploaded.seek(0)
    try:
        unknown = template_check(uploaded)
    except Exception as exc:  # docxtpl raises Jinja's and zipfile's errors as they are
        raise ValidationError(
            _("The template cannot be read: %(reason)s") % {"reason": str(exc)[:300]},
            code="unreadable",
        ) from exc
    if unknown:
        raise ValidationError(
            _("The template uses placeholders the report does not provide: %(names)s.")
            % {"names": ", ".join(unknown)},
            code="unknown_placeholders",
        )
    uploaded.seek(0)
    with transaction.atomic():
        template = ReportTemplate(
            agency=agency,
            name=name[:150],
            original_name=checked.safe_name,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        template.file.save(checked.safe_name, File(uploaded), save=False)
        template.full_clean()
        template.save()
        audit.record(
            actor=actor,
            action="report_template.upload",
            obj=template,
            agency=agency,
            changes={"sha256": [None, checked.sha256]},
        )
    return template


def template_retire(*, actor: User, template: ReportTemplate) -> ReportTemplate:
    """Stop offering a template; reports written with it keep it."""
    with transaction.atomic():
        ReportTemplate.objects.filter(pk=template.pk).update(is_active=False)
        template.is_active = False
        audit.record(
            actor=actor,
            action="report_template.retire",
            obj=template,
            agency=template.agency,
            changes={"is_active": [True, False]},
        )
    return template
