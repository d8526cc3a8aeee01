"""Background jobs of the procedures app: loading an uploaded dossier file.

``job_create(kind="dossier_ingest", agency=agency, actor=user, params={"agency": agency.pk,
"skip_invalid": False}, input_file=upload, input_name=upload.name)``. Progress follows the bytes
read (the rows of a workbook); the result is the ingest's summary. When invalid rows stopped the
load, the job fails with a short message and its ``result`` still holds the summary, so that the
page can list the bad rows.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from cchc.core.job_views import job_page
from cchc.core.jobs import JobFailed, Report, job_kind, job_succeeded
from cchc.core.models import Agency, Job

DOSSIER_INGEST = "dossier_ingest"

STEP_LOADING = gettext_noop("Loading the dossiers")
STEP_ROLLUPS = gettext_noop("Updating the statistics")


@job_kind(DOSSIER_INGEST)
def dossier_ingest_job(job: Job, report: Report) -> dict[str, Any]:
    """``job.params``: ``agency`` (id) and ``skip_invalid`` (bool); ``job.input_file``: the
    uploaded CSV, XLSX or JSON Lines file."""
    from cchc.procedures.services import dossier_ingest

    agency = Agency.objects.filter(pk=job.params.get("agency") or job.agency_id).first()
    if agency is None:
        raise JobFailed(_("The agency of this upload no longer exists."))
    report(1, STEP_LOADING)
    last = [0]

    def progress(fraction: float) -> None:
        percent = min(95, int(fraction * 95))
        if percent > last[0]:
            last[0] = percent
            report(percent, STEP_LOADING if percent < 95 else STEP_ROLLUPS)

    def succeeded(summary: dict[str, Any]) -> None:
        # Recorded in the ingest's own transaction: should the worker die between the commit
        # and its own report, the job already says what happened to the data, and the stale-job
        # sweep (which fails jobs left running) leaves it alone.
        job_succeeded(job, summary)

    with job.input_file.open("rb") as stream:
        summary = dossier_ingest(
            actor=job.created_by,
            agency=agency,
            stream=stream,
            skip_invalid=bool(job.params.get("skip_invalid")),
            progress=progress,
            on_written=succeeded,
        )
    if not summary["written"]:
        Job.objects.filter(pk=job.pk).update(result=summary)
        job.result = summary
        count = summary["errors_total"]
        raise JobFailed(
            ngettext(
                "Nothing was loaded: the file has %(count)s error.",
                "Nothing was loaded: the file has %(count)s errors.",
                count,
            )
            % {"count": count}
        )
    return summary


job_page(DOSSIER_INGEST, title=gettext_lazy("Loading dossiers"))
