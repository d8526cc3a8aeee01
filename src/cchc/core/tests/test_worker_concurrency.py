"""Two job workers on one PostgreSQL never run the same job.

Two real ``cchc db_worker`` processes work the queue of the live test database. Each job
appends its worker's process id to its own row with one atomic UPDATE, so a job run twice —
by two workers, or twice by one — shows two entries.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from cchc.core.jobs import job_kind, job_run
from cchc.core.models import Job, JobStatus

JOBS = 40
PAUSE = 0.05  # seconds a job holds its worker, so the two workers overlap
KIND = "test.count_runs"


@job_kind(KIND)
def _count_runs(job: Job, report) -> dict:
    Job.objects.filter(pk=job.pk).update(error=Concat(F("error"), Value(f"{os.getpid()};")))
    time.sleep(PAUSE)
    return {"pid": os.getpid()}


@task()
def run_counted_job(*, job_id: int) -> str:
    # Imported by the worker from this module, which also registers the job kind there.
    return job_run(job_id).status


def database_url() -> str:
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "localhost"
    port = params["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"


class Worker:
    """A ``cchc db_worker`` subprocess whose output is read by a thread."""

    def __init__(self, worker_id: str, env: dict[str, str]):
        self.worker_id = worker_id
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cchc",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.05",
                "--worker-id",
                worker_id,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if text in line:
                return
        pytest.fail(f"worker {self.worker_id} did not print {text!r}: {''.join(self.output)}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


# Decided at collection, before any database fixture: a transactional test that only skips
# would still flush the database afterwards and recreate the content types that the next
# serialized-rollback test restores.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite's test database lives in this process's memory, out of the "
    "workers' reach, and SQLite serialises workers with an exclusive lock anyway",
)
def test_two_workers_never_take_the_same_job(transactional_db, django_db_serialized_rollback):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
        "CCHC_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PYTHONUNBUFFERED": "1",
    }
    workers = [Worker("worker-a", env), Worker("worker-b", env)]
    try:
        deadline = time.monotonic() + 30
        for worker in workers:
            worker.wait_for("Starting worker", deadline)
        # Both workers are polling; the jobs appear at once, in one commit.
        with transaction.atomic():
            jobs = [Job.objects.create(kind=KIND) for _ in range(JOBS)]
            for job in jobs:
                run_counted_job.enqueue(job_id=job.pk)
        while time.monotonic() < deadline:
            if not DBTaskResult.objects.exclude(
                status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
            ).exists():
                break
            time.sleep(0.1)
    finally:
        codes = [worker.stop() for worker in workers]
    assert codes == [0, 0]

    results = list(DBTaskResult.objects.all())
    assert len(results) == JOBS
    assert {result.status for result in results} == {TaskResultStatus.SUCCESSFUL}
    # Each queued task was claimed once, by one worker …
    assert all(len(result.worker_ids) == 1 for result in results)
    claimed_by = {result.worker_ids[0] for result in results}
    assert claimed_by == {"worker-a", "worker-b"}
    # … and each job's work ran once: one process id appended to its row.
    runs = {job.pk: job.error for job in Job.objects.filter(kind=KIND)}
    assert all(entries.count(";") == 1 for entries in runs.values()), runs
    assert len(set(runs.values())) == 2  # the two workers' process ids
    assert set(Job.objects.filter(kind=KIND).values_list("status", flat=True)) == {
        JobStatus.SUCCEEDED
    }
