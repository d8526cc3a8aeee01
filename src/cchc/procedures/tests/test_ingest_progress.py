"""The page of a dossier upload sees the ingest's progress while it runs, on PostgreSQL.

The ingest loads a file in one transaction (all or nothing); its progress goes through a second
connection (``cchc.core.jobs.ProgressChannel``). A thread with its own connection, as the web
process polling the job page, reads the job row while the worker's transaction is still open.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction

from cchc.core.jobs import job_kind, job_run
from cchc.core.models import Job, JobStatus
from cchc.procedures.jobs import DOSSIER_INGEST
from cchc.procedures.models import Dossier
from cchc.procedures.tests.test_ingest import HEADER, catalogue, csv_bytes  # noqa: F401

ROWS = 26_000  # the ingest reports progress after every batch of 5,000 rows
LOCKED_KIND = "test.locks_its_own_row"


def _rows(count: int) -> list[str]:
    return [f"STP-P-{i:06d},1.001,P1,1,02/03/2026 09:30,,,,4,,,0,0,0,0" for i in range(count)]


class Watcher(threading.Thread):
    """Reads the job's progress every 20 ms through this thread's own connection."""

    def __init__(self, job_id: int):
        super().__init__(daemon=True)
        self.job_id = job_id
        self.seen: list[tuple[int, str, int]] = []  # progress, status, dossiers visible
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.is_set():
                job = Job.objects.filter(pk=self.job_id).values("progress", "status").first()
                visible = Dossier.objects.filter(code__startswith="STP-P-").count()
                self.seen.append((job["progress"], job["status"], visible))
                time.sleep(0.02)
        finally:
            connections.close_all()


@job_kind(LOCKED_KIND)
def _locks_its_own_row(job: Job, report) -> dict:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(input_name="locked by the work")
        report(50, "halfway")  # the second connection would wait for this row: it gives up
        began = time.monotonic()
        report(60, "further")  # straight through the work's connection, no second wait
        later = time.monotonic() - began
    return {"ok": True, "later_report_seconds": later}


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite has one writer at a time, so there the progress of a "
    "one-transaction ingest appears when it commits",
)


@postgresql_only
def test_the_progress_of_an_ingest_is_seen_before_it_commits(
    transactional_db,
    django_db_serialized_rollback,
    world,
    catalogue,  # noqa: F811
):
    job = Job.objects.create(
        kind=DOSSIER_INGEST,
        agency=world.a.agency,
        params={"agency": world.a.agency.pk, "skip_invalid": False},
        input_name="ho-so.csv",
    )
    job.input_file.save("ho-so.csv", ContentFile(csv_bytes(_rows(ROWS))), save=True)
    watcher = Watcher(job.pk)
    watcher.start()
    try:
        finished = job_run(job.pk)
    finally:
        watcher.done.set()
        watcher.join(10)
    assert finished.status == JobStatus.SUCCEEDED, finished.error
    assert Dossier.objects.filter(code__startswith="STP-P-").count() == ROWS
    during = [
        progress
        for progress, status, visible in watcher.seen
        if status == JobStatus.RUNNING and visible == 0 and 1 < progress < 100
    ]
    # Several steps of progress were read while none of the file's dossiers was visible yet.
    assert len(set(during)) >= 3, watcher.seen[:: max(1, len(watcher.seen) // 20)]


@postgresql_only
def test_a_runner_that_locked_its_own_row_still_reports(
    transactional_db, django_db_serialized_rollback, world
):
    job = Job.objects.create(kind=LOCKED_KIND, agency=world.a.agency)
    started = time.monotonic()
    finished = job_run(job.pk)
    assert finished.status == JobStatus.SUCCEEDED
    # One lock timeout (2 s), then the work's own connection for the rest: no hang.
    assert time.monotonic() - started < 10
    job.refresh_from_db()
    assert job.input_name == "locked by the work" and job.progress == 100
    # After the one lock timeout the channel no longer tries the second connection.
    assert job.result["later_report_seconds"] < 1.0
