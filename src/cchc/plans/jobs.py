"""Background jobs of the plans app: reading an uploaded plan document into a draft.

The importer's modules are imported inside the functions: they pull in the DOCX, PDF and XLSX
readers, which neither the web process's start-up nor the other jobs need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from cchc.core.job_views import job_page
from cchc.core.jobs import JobFailed, Report, job_kind
from cchc.core.models import Job, JobStatus, User

if TYPE_CHECKING:
    from cchc.plans.importing.draft import PlanDraft

PLAN_IMPORT_PARSE = "plan_import_parse"

# Steps are stored untranslated and translated when shown, in the reader's language.
STEP_READING = gettext_noop("Reading the file")
STEP_PARSING = gettext_noop("Finding the areas and tasks of the plan")
STEP_MATCHING = gettext_noop("Matching the lead units with the agency's units")


@job_kind(PLAN_IMPORT_PARSE)
def plan_import_parse(job: Job, report: Report) -> dict[str, Any]:
    """Parse the uploaded plan (and its appendix) into the draft the coordinator reviews.

    ``job.params``: ``year`` (optional), ``appendix_path`` and ``appendix_name`` (optional; the
    appendix was saved in the default storage by the upload page).
    """
    from cchc.plans.importing.document import PlanImportError
    from cchc.plans.importing.draft import draft_from_parsed
    from cchc.plans.importing.workflow import parse_upload

    report(10, STEP_READING)
    with job.input_file.open("rb") as handle:
        data = handle.read()
    appendix = None
    appendix_path = job.params.get("appendix_path")
    if appendix_path:
        with default_storage.open(appendix_path, "rb") as handle:
            appendix = (handle.read(), job.params.get("appendix_name") or "appendix.xlsx")
    year = job.params.get("year")
    try:
        report(40, STEP_PARSING)
        parsed = parse_upload(data, job.input_name or "plan", appendix=appendix, year=year)
        report(70, STEP_MATCHING)
        draft = draft_from_parsed(parsed, agency=job.agency, year=year)
    except PlanImportError as exc:
        raise JobFailed(exc.message) from exc
    return {"draft": draft.as_json(), "parsed": parsed.as_json(), "text": parsed.text}


def import_job_save_draft(
    *, actor: User, job: Job, draft: PlanDraft, summary: dict[str, Any] | None = None
) -> Job:
    """Keep the coordinator's edits (and, once saved, the import summary) in the job, so that
    the review page shows them again after a reload. Only the person who uploaded may."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied
    if job.kind != PLAN_IMPORT_PARSE or job.status != JobStatus.SUCCEEDED:
        raise PermissionDenied
    result = dict(job.result or {})
    result["draft"] = draft.as_json()
    if summary is not None:
        result["summary"] = summary
    job.result = result
    job.save(update_fields=["result"])
    return job


job_page(
    PLAN_IMPORT_PARSE,
    title=_("Reading the plan document"),
    next_url=lambda job: reverse("plan_import_review", args=[job.pk]),
    retry_url=lambda job: reverse("plan_import"),
)
