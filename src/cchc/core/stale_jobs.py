"""Jobs whose worker died: fail them visibly instead of leaving them "running" for ever.

A worker killed in the middle of a job (``kill -9``, the machine rebooted, out of memory) never
reaches the ``except`` of ``cchc.core.jobs.job_run``: the ``Job`` row stays ``running`` and the
page that polls it spins for ever, and the queue's own row (``django_tasks_db``) stays
``RUNNING`` too. The work itself is safe — every import writes in one transaction, which
PostgreSQL rolls back when the connection drops — so all that is missing is the verdict.

A job that has been running longer than ``CCHC_JOB_STALE_MINUTES`` (default 120: the largest
ingest, a year of a big agency, takes minutes) is marked failed with a reason telling the person
to start it again, and its queue row is closed the same way. The periodic duty
``fail_stale_jobs`` runs this; ``cchc run_periodic fail_stale_jobs`` runs it by hand.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cchc.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

DEFAULT_STALE_MINUTES = 120


class WorkerLost(Exception):
    """Recorded on the queue's row of a task whose worker stopped while running it."""


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "CCHC_JOB_STALE_MINUTES", DEFAULT_STALE_MINUTES))


def fail_stale_jobs(
    *, now: dt.datetime | None = None, older_than: dt.timedelta | None = None
) -> int:
    """Mark failed every job running since before ``now - older_than``; returns how many."""
    now = now or timezone.now()
    cutoff = now - (older_than if older_than is not None else stale_after())
    reason = _(
        "The job stopped without finishing: the server running it was restarted or stopped. "
        "Start it again."
    )
    with transaction.atomic():
        stale = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.RUNNING, started_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        # The status condition is repeated so that a job finishing right now keeps its result.
        failed = Job.objects.filter(pk__in=stale, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=reason, finished_at=now, message=""
        )
    closed = _close_queue_rows(cutoff)
    if failed or closed:
        logger.warning(
            "Marked %d stale job(s) and %d stale queue row(s) failed (running since before %s)",
            failed,
            closed,
            cutoff.isoformat(),
        )
    return failed


def _close_queue_rows(cutoff: dt.datetime) -> int:
    """Close the database queue's rows left ``RUNNING`` by a dead worker (when that queue is the
    backend), so that its admin page and pruning see them as failed too."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: it keeps its own books
        return 0
    closed = 0
    stale = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            row = stale.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is not None:  # finished meanwhile, or another pass holds it
                row.set_failed(WorkerLost("the worker stopped while running this task"))
                closed += 1
    return closed


@task()
def fail_stale_jobs_job() -> int:
    return fail_stale_jobs()
