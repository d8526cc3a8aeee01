"""Jobs left running by a dead worker are failed with a reason; live and finished ones are not."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.core.models import Job, JobStatus
from cchc.core.stale_jobs import fail_stale_jobs
from cchc.core.tasks import run_job

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


def _job(status, started_minutes_ago):
    started = (
        None if started_minutes_ago is None else NOW - dt.timedelta(minutes=started_minutes_ago)
    )
    return Job.objects.create(kind="dossier_ingest", status=status, started_at=started)


def test_a_job_running_too_long_is_failed_with_a_reason():
    dead = _job(JobStatus.RUNNING, 121)
    live = _job(JobStatus.RUNNING, 30)
    done = _job(JobStatus.SUCCEEDED, 500)
    queued = _job(JobStatus.QUEUED, None)

    assert fail_stale_jobs(now=NOW, older_than=dt.timedelta(minutes=120)) == 1

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert dead.finished_at == NOW
    assert dead.error
    for other, status in ((live, JobStatus.RUNNING), (done, JobStatus.SUCCEEDED)):
        other.refresh_from_db()
        assert other.status == status
    queued.refresh_from_db()
    assert queued.status == JobStatus.QUEUED
    # A second pass finds nothing more to do.
    assert fail_stale_jobs(now=NOW, older_than=dt.timedelta(minutes=120)) == 0


def test_the_default_threshold_comes_from_the_settings(settings):
    settings.CCHC_JOB_STALE_MINUTES = 10
    job = _job(JobStatus.RUNNING, 11)
    assert fail_stale_jobs(now=NOW) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_the_queue_row_of_a_dead_worker_is_closed_too():
    job = _job(JobStatus.RUNNING, 200)
    result = run_job.enqueue(job_id=job.pk)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-killed")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=NOW - dt.timedelta(hours=3))

    fail_stale_jobs(now=NOW, older_than=dt.timedelta(hours=2))

    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path == "cchc.core.stale_jobs.WorkerLost"
    assert timezone.is_aware(row.finished_at)
