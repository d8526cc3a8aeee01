"""The dossier pages: the upload of a file (a job, then its summary), the list and the page of
a dossier, each scoped to the person's agencies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cchc.core.jobs import job_run
from cchc.core.models import Job, JobStatus
from cchc.procedures.demo import load_demo_dossiers
from cchc.procedures.models import ApologyLetter, Dossier, Procedure

SEEN_AT = timezone.make_aware(dt.datetime(2026, 4, 30, 18, 0))
HEADER = (
    "MaHoSo,MaTTHC,MaDonVi,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,NgayTra,"
    "TrangThaiHoSo,NgayYeuCauBoSung,NgayCongDanBoSung,SoLanBoSung,HoSoCoThanhPhanSoHoa,"
    "DaSoHoaKetQua,DuocThanhToanTrucTuyen"
)
GOOD = (
    "STP-260302-0001,1.001,P1,2,2026-03-02T08:00:00,2026-03-09T17:00:00,"
    "2026-03-05T10:00:00,2026-03-06T09:00:00,10,,,0,1,1,1"
)
BAD = "STP-260302-0002,9.999,P1,7,not a date,,,,4,,,0,0,0,0"


def csv_file(*rows: str, name: str = "ho-so.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join([HEADER, *rows]) + "\r\n").encode(), "text/csv")


@pytest.fixture
def procedure(world):
    return Procedure.objects.create(
        agency=world.a.agency,
        code="1.001",
        name="Cấp phiếu lý lịch tư pháp",
        time_limit=Decimal(10),
        fee_bearing=True,
    )


@pytest.fixture
def dossiers(world):
    load_demo_dossiers(world.a.agency, 2026, 120, 3, now=SEEN_AT)
    return Dossier.objects.filter(agency=world.a.agency)


# --- upload ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "unit_head", "officer", "viewer"])
def test_upload_is_for_coordinators(client, world, role):
    client.force_login(getattr(world.a, role))
    assert client.get("/dossiers/upload/").status_code == 403
    response = client.post("/dossiers/upload/", {"agency": world.a.agency.pk, "file": csv_file()})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_upload_offers_only_the_coordinators_agencies(client, world):
    client.force_login(world.b.coordinator)
    response = client.post("/dossiers/upload/", {"agency": world.a.agency.pk, "file": csv_file()})
    assert response.status_code == 400
    assert not Job.objects.exists()
    client.force_login(world.admin)
    choices = list(client.get("/dossiers/upload/").context["form"].fields["agency"].queryset)
    assert world.a.agency in choices and world.b.agency in choices


def test_upload_refuses_other_files(client, world):
    client.force_login(world.a.coordinator)
    upload = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4", "application/pdf")
    response = client.post("/dossiers/upload/", {"agency": world.a.agency.pk, "file": upload})
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()


def test_upload_creates_a_job_and_shows_its_summary(client, world, procedure):
    client.force_login(world.a.coordinator)
    page = client.get("/dossiers/upload/")
    assert page.status_code == 200 and 'data-testid="dossier-upload-form"' in page.content.decode()
    response = client.post(
        "/dossiers/upload/", {"agency": world.a.agency.pk, "file": csv_file(GOOD, BAD)}
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.agency, job.created_by) == (
        "dossier_ingest",
        world.a.agency,
        world.a.coordinator,
    )
    assert job.params == {"agency": world.a.agency.pk, "skip_invalid": False}
    assert job.input_name == "ho-so.csv"
    # Not finished yet: the summary page sends the person back to the job page.
    assert client.get(f"/dossiers/upload/{job.pk}/")["Location"] == f"/jobs/{job.pk}/"

    job_run(job.pk)
    job.refresh_from_db()
    # A bad row without "skip invalid rows": nothing loaded; the rows are listed.
    assert job.status == JobStatus.FAILED and not Dossier.objects.exists()
    status = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert f"/dossiers/upload/{job.pk}/" in status  # the way to the list of bad rows
    summary = client.get(f"/dossiers/upload/{job.pk}/")
    html = summary.content.decode()
    assert 'data-testid="ingest-not-written"' in html
    errors = summary.context["errors"]
    assert errors and {e["row"] for e in errors} == {3}
    assert 'data-testid="ingest-error"' in html


def test_upload_skipping_invalid_rows(client, world, procedure):
    client.force_login(world.a.coordinator)
    client.post(
        "/dossiers/upload/",
        {"agency": world.a.agency.pk, "file": csv_file(GOOD, BAD), "skip_invalid": "on"},
    )
    job = Job.objects.get()
    assert job.params["skip_invalid"] is True
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    # The job page goes on to the summary.
    status = client.get(f"/jobs/{job.pk}/status/", headers={"HX-Request": "true"})
    assert status["HX-Redirect"] == f"/dossiers/upload/{job.pk}/"
    summary = client.get(f"/dossiers/upload/{job.pk}/")
    result = summary.context["result"]
    assert (result["rows"], result["created"], result["rejected"]) == (2, 1, 1)
    html = summary.content.decode()
    assert 'data-testid="ingest-created"' in html and 'data-testid="ingest-error"' in html
    assert Dossier.objects.get().code == "STP-260302-0001"


def test_upload_summary_is_for_the_person_who_uploaded(client, world, procedure):
    client.force_login(world.a.coordinator)
    client.post("/dossiers/upload/", {"agency": world.a.agency.pk, "file": csv_file(GOOD)})
    job = Job.objects.get()
    job_run(job.pk)
    for person in (world.a.leader, world.b.coordinator):
        client.force_login(person)
        assert client.get(f"/dossiers/upload/{job.pk}/").status_code == 404
    client.force_login(world.admin)
    assert client.get(f"/dossiers/upload/{job.pk}/").status_code == 200


# --- list and page -----------------------------------------------------------------------------


def test_list_is_scoped_and_filtered(client, world, dossiers):
    client.force_login(world.a.officer)
    page = client.get("/dossiers/").context["page"]
    assert page.paginator.count == dossiers.count()
    client.force_login(world.b.coordinator)
    assert client.get("/dossiers/").context["page"].paginator.count == 0
    client.force_login(world.a.viewer)
    late = client.get("/dossiers/", {"late": "on"}).context["page"]
    assert 0 < late.paginator.count < dossiers.count()
    assert all(d.on_time_when_finished is not True for d in late.object_list)
    one = dossiers.order_by("id").first()
    found = client.get("/dossiers/", {"q": one.code}).context["page"]
    assert [d.pk for d in found.object_list] == [one.pk]
    march = client.get(
        "/dossiers/", {"received_from": "2026-03-01", "received_to": "2026-03-31"}
    ).context["page"]
    assert march.paginator.count == dossiers.filter(received_day__month=3).count()
    procedure = one.procedure
    by_procedure = client.get("/dossiers/", {"procedure": procedure.pk}).context["page"]
    assert by_procedure.paginator.count == dossiers.filter(procedure=procedure).count()


def test_list_query_count_is_bounded(client, world, dossiers):
    client.force_login(world.a.coordinator)
    client.get("/dossiers/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dossiers/")
    assert len(response.context["page"].object_list) == 50
    assert len(queries) <= 12, [q["sql"] for q in queries.captured_queries]


def test_detail(client, world, dossiers):
    dossier = dossiers.filter(apologies__isnull=False).first() or dossiers.first()
    if not dossier.apologies.exists():
        ApologyLetter.objects.create(dossier=dossier, issued_at=dossier.received_at)
    client.force_login(world.a.unit_head)
    response = client.get(f"/dossiers/{dossier.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert 'data-testid="dossier-apologies"' in html and 'data-testid="dossier-events"' in html
    assert response.context["events"] == list(dossier.events.order_by("at", "id"))
    client.force_login(world.b.coordinator)
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404
    client.force_login(world.appraiser)
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 200


def test_detail_shows_the_dossiers_survey_link_and_code(client, world, dossiers):
    from cchc.surveys.links import dossier_id_from_token

    dossier = dossiers.first()
    client.force_login(world.a.officer)
    response = client.get(f"/dossiers/{dossier.pk}/")
    html = response.content.decode()
    url = response.context["survey_url"]
    assert f'href="{url}"' in html and f"/surveys/dossier/{dossier.pk}/qr.svg" in html
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert dossier_id_from_token(token) == dossier.pk
    qr = client.get(f"/surveys/dossier/{dossier.pk}/qr.svg")
    assert qr.status_code == 200 and b"<svg" in qr.content
