"""Jobs people wait for: create a ``Job`` row, run its service on the worker, report progress.

A kind of job is a function ``run(job, report) -> dict`` registered with :func:`job_kind`; it
returns the JSON result, or raises — a ``JobFailed`` with a message for the person, anything
else as an unexpected failure that is logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import IO, Any

from django.core.files.base import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.access import get_scope
from cchc.core.models import Agency, Job, JobStatus, User
from cchc.lib.storage import is_disk_full

logger = logging.getLogger(__name__)

Report = Callable[[int, str], None]
Runner = Callable[[Job, Report], dict[str, Any]]
_KINDS: dict[str, Runner] = {}


class JobFailed(Exception):
    """A failure to show the person as it is (bad input found while working)."""


def job_kind(name: str) -> Callable[[Runner], Runner]:
    def register(runner: Runner) -> Runner:
        _KINDS[name] = runner
        return runner

    return register


def job_create(
    *,
    actor: User | None,
    kind: str,
    agency: Agency | None = None,
    params: dict[str, Any] | None = None,
    input_file: IO[bytes] | None = None,
    input_name: str = "",
) -> Job:
    """Record the job and queue it once the surrounding transaction commits."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind, agency=agency, created_by=actor, params=params or {}, input_name=input_name
    )
    if input_file is not None:
        job.input_file.save(input_name or "input", File(input_file), save=False)
    job.save()
    from cchc.core.tasks import run_job

    transaction.on_commit(lambda: run_job.enqueue(job_id=job.pk))
    return job


def _update(job: Job, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    Job.objects.filter(pk=job.pk).update(**fields)


def failure_reason(exc: BaseException) -> str:
    """What the person is told when a job stops on an error that is not their input's fault."""
    if is_disk_full(exc):
        return _(
            "The server's storage is full, so the job stopped. Nothing of it was kept. "
            "Tell the administrators, then start it again."
        )
    return _("An unexpected error stopped the job. The administrators have the details.")


def job_run(job_id: int) -> Job:
    """Run a queued job (called by the worker). Progress is written outside any transaction
    of the work itself, so the page sees it while the work goes on."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job
    _update(job, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0)

    def report(percent: int, message: str = "") -> None:
        _update(job, progress=max(0, min(100, int(percent))), message=message[:255])

    runner = _KINDS[job.kind]
    try:
        result = runner(job, report)
    except JobFailed as exc:
        _update(job, status=JobStatus.FAILED, error=str(exc), finished_at=timezone.now())
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _update(job, status=JobStatus.FAILED, error=failure_reason(exc), finished_at=timezone.now())
    else:
        _update(
            job,
            status=JobStatus.SUCCEEDED,
            progress=100,
            result=result,
            finished_at=timezone.now(),
            message="",
        )
    return job


def access_job(*, actor: User, job_id: int) -> Job:
    """A job is seen by the person who started it and by system administrators."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404
    if job.created_by_id != actor.pk and not get_scope(actor).is_admin:
        raise Http404
    return job
