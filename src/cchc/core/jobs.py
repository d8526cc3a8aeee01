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
from django.db import connection, transaction
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


class ProgressChannel:
    """Writes a job's progress where the person's page sees it at once.

    Some work runs in one transaction of its own (a dossier file is loaded all or nothing), and
    progress written through the same connection would only appear when it commits. On
    PostgreSQL the channel then writes through a second connection of its own, in autocommit,
    with a short lock timeout, so a runner that locked its own job row cannot hang on it: after
    a failure the channel falls back to the work's connection for the rest of the job. SQLite
    has one writer at a time, so there the progress of such work appears when it commits.
    """

    LOCK_TIMEOUT = "2s"

    def __init__(self) -> None:
        self._side: Any = None
        self._broken = False

    def write(self, job: Job, **fields: Any) -> None:
        if connection.in_atomic_block and connection.vendor == "postgresql" and not self._broken:
            try:
                self._write_aside(job.pk, fields)
            except Exception:
                logger.warning("job %s: progress written with the work instead", job.pk)
                self._broken = True
                self.close()
            else:
                for name, value in fields.items():
                    setattr(job, name, value)
                return
        _update(job, **fields)

    def _write_aside(self, job_id: int, fields: dict[str, Any]) -> None:
        if self._side is None:
            self._side = connection.get_new_connection(connection.get_connection_params())
            self._side.autocommit = True
            with self._side.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{self.LOCK_TIMEOUT}'")
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(Job._meta.get_field(n).column)} = %s" for n in fields)
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Job._meta.db_table)} SET {assignments} WHERE id = %s",
                [*fields.values(), job_id],
            )

    def close(self) -> None:
        if self._side is not None:
            try:
                self._side.close()
            finally:
                self._side = None


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
    of the work itself (``ProgressChannel``), so the page sees it while the work goes on."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job
    _update(job, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0)

    channel = ProgressChannel()

    def report(percent: int, message: str = "") -> None:
        channel.write(job, progress=max(0, min(100, int(percent))), message=message[:255])

    runner = _KINDS[job.kind]
    try:
        try:
            result = runner(job, report)
        finally:
            channel.close()
    except JobFailed as exc:
        _update(job, status=JobStatus.FAILED, error=str(exc), finished_at=timezone.now())
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _update(job, status=JobStatus.FAILED, error=failure_reason(exc), finished_at=timezone.now())
    else:
        job_succeeded(job, result)
    return job


def job_succeeded(job: Job, result: dict[str, Any]) -> None:
    """Record the job's success and its result. A runner whose work commits in a transaction of
    its own may call it inside that transaction, so the outcome commits with the work."""
    _update(
        job,
        status=JobStatus.SUCCEEDED,
        progress=100,
        result=result,
        finished_at=timezone.now(),
        message="",
    )


def access_job(*, actor: User, job_id: int) -> Job:
    """A job is seen by the person who started it and by system administrators."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404
    if job.created_by_id != actor.pk and not get_scope(actor).is_admin:
        raise Http404
    return job
