"""Pushing dossiers through ``POST /api/v1/dossiers/batch``, reading them back, and the upload
job."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cchc.core.jobs import job_create, job_run
from cchc.core.models import Job, JobStatus
from cchc.core.tokens import token_create
from cchc.procedures.jobs import DOSSIER_INGEST, dossier_ingest_job
from cchc.procedures.models import Dossier, DossierEvent, Procedure
from cchc.procedures.tests.test_ingest import ROWS, csv_bytes

BATCH = "/api/v1/dossiers/batch"
DOSSIERS = [
    {
        "MaHoSo": "STP-1",
        "MaTTHC": "1.001",
        "MaDonVi": "P1",
        "KenhThucHien": 2,
        "NgayTiepNhan": "2026-03-02T08:00:00",
        "NgayHenTra": "2026-03-09T17:00:00",
        "TrangThaiHoSo": 4,
    },
    {
        "code": "STP-2",
        "procedure_code": "1.001",
        "channel": "1",
        "received_at": "03/03/2026 08:00",
        "status": "2",
    },
]


@pytest.fixture
def procedure(world):
    return Procedure.objects.create(agency=world.a.agency, code="1.001", name="A", time_limit=5)


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)}"}


def push(client, user, agency, body, content_type="application/json", query=""):
    return client.post(
        f"{BATCH}?agency={agency.pk}{query}", data=body, content_type=content_type, **auth(user)
    )


def test_coordinator_pushes_a_json_array(client, world, procedure):
    response = push(client, world.a.coordinator, world.a.agency, json.dumps(DOSSIERS))
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
        "errors_total": 0,
        "written": True,
    }
    assert Dossier.objects.get(code="STP-2").due_computed is True
    again = push(client, world.a.coordinator, world.a.agency, json.dumps(DOSSIERS))
    assert again.json()["unchanged"] == 2


def test_json_lines_and_changes(client, world, procedure):
    lines = "\n".join(json.dumps(d) for d in DOSSIERS)
    response = push(client, world.admin, world.a.agency, lines, "application/x-ndjson")
    assert response.status_code == 200 and response.json()["created"] == 2
    changed = dict(DOSSIERS[0], TrangThaiHoSo=9, NgayKetThucXuLy="2026-03-05T10:00:00")
    response = push(
        client, world.admin, world.a.agency, json.dumps(changed) + "\n", "application/x-ndjson"
    )
    assert response.json()["updated"] == 1
    statuses = DossierEvent.objects.filter(dossier__code="STP-1").order_by("id")
    assert list(statuses.values_list("status", flat=True)) == [4, 9]


def test_invalid_rows_answer_400_and_save_nothing(client, world, procedure):
    bad = [DOSSIERS[0], dict(DOSSIERS[1], status="12")]
    response = push(client, world.a.coordinator, world.a.agency, json.dumps(bad))
    assert response.status_code == 400
    body = response.json()
    assert body["written"] is False and body["rejected"] == 1
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "status")]
    assert not Dossier.objects.exists()
    skipped = push(
        client, world.a.coordinator, world.a.agency, json.dumps(bad), query="&skip_invalid=true"
    )
    assert skipped.status_code == 200 and skipped.json()["created"] == 1


def test_bodies_that_are_not_a_batch(client, world, procedure):
    user, agency = world.a.coordinator, world.a.agency
    assert push(client, user, agency, "{}").status_code == 400
    assert push(client, user, agency, "[{]").status_code == 400
    assert push(client, user, agency, "a,b\n1,2", "text/csv").status_code == 415


def test_who_may_push(client, world, procedure):
    body = json.dumps(DOSSIERS)
    assert push(client, world.a.viewer, world.a.agency, body).status_code == 403
    assert push(client, world.a.leader, world.a.agency, body).status_code == 403
    assert push(client, world.b.coordinator, world.a.agency, body).status_code == 404
    assert (
        client.post(
            f"{BATCH}?agency={world.a.agency.pk}", data=body, content_type="application/json"
        ).status_code
        == 401
    )
    assert not Dossier.objects.exists()


def test_list_and_detail_are_scoped(client, world, procedure):
    push(client, world.a.coordinator, world.a.agency, json.dumps(DOSSIERS))
    listed = client.get("/api/v1/dossiers/", **auth(world.a.officer)).json()
    assert {d["code"] for d in listed["results"]} == {"STP-1", "STP-2"}
    assert client.get("/api/v1/dossiers/", **auth(world.b.officer)).json()["count"] == 0
    filtered = client.get(
        "/api/v1/dossiers/?code=STP-2&received_from=2026-03-03&status=2",
        **auth(world.a.viewer),
    ).json()
    assert [d["code"] for d in filtered["results"]] == ["STP-2"]
    dossier = Dossier.objects.get(code="STP-1")
    detail = client.get(f"/api/v1/dossiers/{dossier.pk}/", **auth(world.appraiser)).json()
    assert detail["procedure_code"] == "1.001" and detail["events"][0]["status"] == 4
    stranger = client.get(f"/api/v1/dossiers/{dossier.pk}/", **auth(world.b.coordinator))
    assert stranger.status_code == 404


def _upload_job(world, data: bytes, skip_invalid=False) -> Job:
    return job_create(
        actor=world.a.coordinator,
        kind=DOSSIER_INGEST,
        agency=world.a.agency,
        params={"agency": world.a.agency.pk, "skip_invalid": skip_invalid},
        input_file=SimpleUploadedFile("ho-so.csv", data),
        input_name="ho-so.csv",
    )


def test_upload_job_reports_the_summary(world, procedure):
    Procedure.objects.create(agency=world.a.agency, code="2.002", name="B", time_limit=8)
    job = _upload_job(world, csv_bytes())
    job = job_run(job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["created"] == 3 and job.progress == 100


def test_the_job_records_its_success_with_the_dossiers(world, procedure):
    """The runner itself writes the outcome inside the ingest's transaction: a worker killed
    after the commit, before ``job_run`` reports, leaves a job that says "succeeded" (and the
    stale-job sweep, which fails jobs left running, leaves it alone)."""
    Procedure.objects.create(agency=world.a.agency, code="2.002", name="B", time_limit=8)
    job = _upload_job(world, csv_bytes())
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job.refresh_from_db()
    summary = dossier_ingest_job(job, lambda percent, message="": None)
    job.refresh_from_db()  # what another process sees, job_run not having written anything
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.result == summary and summary["created"] == 3 and job.finished_at is not None
    assert Dossier.objects.count() == 3


def test_upload_job_with_bad_rows_fails_and_keeps_the_errors(world, procedure):
    job = _upload_job(world, csv_bytes())  # 2.002 is unknown
    job = job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error
    assert job.result["errors"][0]["column"] == "MaTTHC"
    assert not Dossier.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_real_worker_runs_the_ingest_job(world):
    Procedure.objects.create(agency=world.a.agency, code="1.001", name="A", time_limit=5)
    Procedure.objects.create(agency=world.a.agency, code="2.002", name="B", time_limit=8)
    job = _upload_job(world, csv_bytes(ROWS))
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Dossier.objects.count() == 3
