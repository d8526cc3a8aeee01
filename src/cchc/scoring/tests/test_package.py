"""The evidence package: a background job writes a ZIP with a table of contents and every
evidence file (the criterion's own and those of the linked plan tasks), byte for byte; only the
person who started it downloads it."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from cchc.core.jobs import job_run
from cchc.core.models import Job, JobStatus
from cchc.indicators.models import Indicator, Target
from cchc.lib.tests.test_uploads import PDF, png_bytes
from cchc.plans import services as plans
from cchc.scoring import package as packaging
from cchc.scoring import services
from cchc.scoring.models import ItemEvidence
from cchc.scoring.tests.conftest import item, make_framework, open_assessment
from cchc.scoring.tests.test_ranking import hundred_specs

SECOND_PDF = PDF + b"% the second report\n"
PNG = png_bytes()


def add_file(world, assessment, code, data, name):
    return services.item_evidence_add(
        actor=world.a.coordinator,
        item=item(assessment, code),
        file=io.BytesIO(data),
        name=name,
        size=len(data),
    )


@pytest.fixture
def assessment(world):
    framework = make_framework(year=2026, specs=hundred_specs())
    return open_assessment(world, framework)


@pytest.fixture
def evidence(world, assessment):
    """1.1: two files both named "Biên bản.pdf" and one task evidence file; 2.1: the task
    (with its two evidence files, one of them also linked on its own), a measured target and
    a note."""
    task = world.a.task
    report = plans.evidence_add(
        actor=world.a.officer,
        task=task,
        uploaded=io.BytesIO(PDF),
        name="bao-cao.pdf",
        size=len(PDF),
    )
    photo = plans.evidence_add(
        actor=world.a.officer,
        task=task,
        uploaded=io.BytesIO(PNG),
        name="anh-chup.png",
        size=len(PNG),
    )
    add_file(world, assessment, "1.1", PDF, "Biên bản.pdf")
    add_file(world, assessment, "1.1", SECOND_PDF, "Biên bản.pdf")
    coordinator = world.a.coordinator
    services.item_evidence_add(
        actor=coordinator, item=item(assessment, "1.1"), task_evidence=report
    )
    services.item_evidence_add(actor=coordinator, item=item(assessment, "2.1"), task=task)
    services.item_evidence_add(
        actor=coordinator, item=item(assessment, "2.1"), task_evidence=report
    )
    target = Target.objects.create(
        plan=world.a.plan, indicator=Indicator.objects.get(code="on_time"), value=Decimal(95)
    )
    services.item_evidence_add(
        actor=coordinator,
        item=item(assessment, "2.1"),
        target=target,
        description="Số liệu lấy từ Cổng dịch vụ công",
    )
    services.item_propose(
        actor=coordinator, item=item(assessment, "1.1"), score=Decimal("55.5"), note=""
    )
    return {"task": task, "report": report, "photo": photo}


def originals(assessment) -> dict[str, bytes]:
    """Every evidence file's bytes, by the path it must have in the archive."""
    code = "II.3.a"
    return {
        "1.1/Biên bản.pdf": PDF,
        "1.1/Biên bản (2).pdf": SECOND_PDF,
        f"1.1/{code}/bao-cao.pdf": PDF,
        f"2.1/{code}/bao-cao.pdf": PDF,
        f"2.1/{code}/anh-chup.png": PNG,
    }


def start(client, user, assessment):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.post(f"/index/{assessment.pk}/package/")


def built(client, world, assessment) -> Job:
    response = start(client, world.a.coordinator, assessment)
    job = Job.objects.get(kind=packaging.SCORING_PACKAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.QUEUED
    assert job.params["assessment"] == assessment.pk
    return job_run(job.pk)


def download(client, job) -> zipfile.ZipFile:
    response = client.get(f"/index/package/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "ho-so-chi-so-cchc-STP-2026.zip" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_package_holds_the_toc_and_every_file_byte_for_byte(
    client, world, assessment, evidence
):
    assert world.a.task.code == "II.3.a"
    job = built(client, world, assessment)
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.SUCCEEDED, 100)
    assert job.result["files"] == 5
    assert job.result["missing"] == []
    archive = download(client, job)
    expected = originals(assessment)
    assert sorted(archive.namelist()) == sorted([packaging.TOC_NAME, *expected])
    for path, data in expected.items():
        assert archive.read(path) == data, path
    toc = archive.read(packaging.TOC_NAME).decode("utf-8")
    for path in expected:
        assert f'data-path="{path}"' in toc, path
    # Scores, linked tasks and notes are in the table of contents.
    assert "55.5" in toc
    assert "II.3.a — Rà soát, đơn giản hóa thủ tục hành chính" in toc
    assert "Số liệu lấy từ Cổng dịch vụ công" in toc
    assert "Indicator: Tỷ lệ hồ sơ giải quyết đúng hạn (target 95)" in toc
    assert '<html lang="en">' in toc  # the language of the person who asked for it


def test_the_files_in_the_archive_match_the_stored_originals(client, world, assessment, evidence):
    job = built(client, world, assessment)
    archive = download(client, job)
    for ev in ItemEvidence.objects.filter(item__assessment=assessment).exclude(file=""):
        with ev.file.open("rb") as handle:
            stored = handle.read()
        folder = ev.item.criterion.code
        matches = [n for n in archive.namelist() if n.startswith(f"{folder}/Biên bản")]
        assert stored in [archive.read(n) for n in matches]


def test_progress_follows_the_files(world, assessment, evidence):
    calls: list[tuple[int, int]] = []
    with io.BytesIO() as out:
        summary = packaging.write_package(
            assessment, out, progress=lambda done, total: calls.append((done, total))
        )
        assert zipfile.ZipFile(out).testzip() is None
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert summary["files"] == 5


def test_a_file_missing_from_the_storage_is_reported(client, world, assessment, evidence):
    photo = evidence["photo"]
    photo.file.storage.delete(photo.file.name)
    job = built(client, world, assessment)
    assert job.result["missing"] == ["2.1/II.3.a/anh-chup.png"]
    archive = download(client, job)
    assert "2.1/II.3.a/anh-chup.png" not in archive.namelist()
    assert "missing from the storage" in archive.read(packaging.TOC_NAME).decode()
    page = client.get(f"/index/package/{job.pk}/").content.decode()
    assert 'data-testid="package-missing"' in page


def test_names_are_made_safe_and_unique():
    names = packaging._Names()
    assert names.take("1.1", "../../etc/passwd") == "1.1/passwd"
    assert names.take("1.1", "PASSWD") == "1.1/PASSWD (2)"
    assert names.take("1.1", 'a<b>:"c".pdf') == "1.1/a_b_c.pdf"
    assert names.take("1.1", "00_MUC_LUC.html") == "1.1/00_MUC_LUC.html"
    assert names.folder("../2.1") == "2.1"


def test_the_ready_page_offers_the_download(client, world, assessment, evidence):
    job = built(client, world, assessment)
    response = client.get(f"/index/package/{job.pk}/")
    assert response.status_code == 200
    assert f'href="/index/package/{job.pk}/download/"' in response.content.decode()


def test_the_job_page_sends_the_person_to_the_ready_page(client, world, assessment, evidence):
    job = built(client, world, assessment)
    response = client.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/index/package/{job.pk}/"


def test_an_unfinished_job_goes_back_to_the_job_page(client, world, assessment):
    start(client, world.a.coordinator, assessment)
    job = Job.objects.get(kind=packaging.SCORING_PACKAGE)
    assert client.get(f"/index/package/{job.pk}/")["Location"] == f"/jobs/{job.pk}/"
    assert client.get(f"/index/package/{job.pk}/download/")["Location"] == (
        f"/index/package/{job.pk}/"
    )


def test_an_expired_package_is_built_again(client, world, assessment, evidence):
    job = built(client, world, assessment)
    Job.objects.filter(pk=job.pk).update(finished_at=job.finished_at.replace(year=2020))
    assert packaging.package_forget_old() == 1
    job.refresh_from_db()
    assert "path" not in job.result and job.result["expired"] is True
    response = client.get(f"/index/package/{job.pk}/download/")
    assert response["Location"] == f"/index/package/{job.pk}/"


@pytest.mark.parametrize("role", ["leader", "unit_head", "officer", "viewer"])
def test_every_reader_of_the_agency_may_build_one(client, world, assessment, role):
    response = start(client, getattr(world.a, role), assessment)
    assert response.status_code == 302
    assert client.get(f"/index/{assessment.pk}/package/").status_code == 200


def test_appraisers_may_build_one(client, world, assessment):
    assert start(client, world.appraiser, assessment).status_code == 302


def test_a_stranger_gets_404_for_the_package_the_job_and_the_download(
    client, world, assessment, evidence
):
    job = built(client, world, assessment)
    stranger = world.b.coordinator
    assert start(client, stranger, assessment).status_code == 404
    assert client.get(f"/index/{assessment.pk}/package/").status_code == 404
    for path in (
        f"/jobs/{job.pk}/",
        f"/index/package/{job.pk}/",
        f"/index/package/{job.pk}/download/",
    ):
        assert client.get(path).status_code == 404, path


def test_another_reader_of_the_agency_does_not_get_someone_elses_package(
    client, world, assessment, evidence
):
    job = built(client, world, assessment)
    client.force_login(world.a.viewer)
    assert client.get(f"/index/package/{job.pk}/download/").status_code == 404
    assert client.get(f"/index/package/{job.pk}/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, world, assessment):
    response = client.post(f"/index/{assessment.pk}/package/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
