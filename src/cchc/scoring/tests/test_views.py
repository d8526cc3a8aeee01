"""HTML views of the assessments: who sees and does what, forms and their refusals, downloads,
query counts, and the no-inline-script rule of the templates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cchc.lib.tests.test_uploads import PDF
from cchc.scoring import services
from cchc.scoring.frameworks import Spec
from cchc.scoring.models import Assessment, AssessmentStatus, ItemEvidence
from cchc.scoring.tests.conftest import item, make_framework, open_assessment
from cchc.scoring.tests.test_workflow import appraise, self_assess, submit

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def pdf(name: str = "bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def readers(world):
    a = world.a
    return [
        a.leader,
        a.coordinator,
        a.unit_head,
        a.officer,
        a.other_officer,
        a.viewer,
        world.appraiser,
        world.admin,
    ]


def test_pages_render_for_every_reader_and_404_for_strangers(client, world, assessment):
    evidence = services.item_evidence_add(
        actor=world.a.officer, item=item(assessment, "1.1"), file=pdf()
    )
    urls = [
        reverse("assessment_detail", args=[assessment.pk]),
        reverse("assessment_item_detail", args=[item(assessment, "1.1").pk]),
        reverse("assessment_item_detail", args=[item(assessment, "2.1").pk]),
        reverse("assessment_evidence_download", args=[evidence.pk]),
    ]
    for person in readers(world):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 200, (person.username, url)
        assert client.get(reverse("assessment_list")).status_code == 200
    for stranger in (world.b.coordinator, world.b.viewer):
        client.force_login(stranger)
        for url in urls:
            assert client.get(url).status_code == 404, (stranger.username, url)
    client.logout()
    response = client.get(urls[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_is_scoped_and_appraisers_pick_an_agency(client, world, framework):
    mine = open_assessment(world, framework, assign=False)
    theirs = services.assessment_open(
        actor=world.b.coordinator, agency=world.b.agency, framework=framework
    )
    client.force_login(world.a.viewer)
    page = client.get(reverse("assessment_list")).content.decode()
    assert reverse("assessment_detail", args=[mine.pk]) in page
    assert reverse("assessment_detail", args=[theirs.pk]) not in page
    assert 'name="agency"' not in page
    client.force_login(world.appraiser)
    page = client.get(reverse("assessment_list")).content.decode()
    assert reverse("assessment_detail", args=[theirs.pk]) in page
    assert 'name="agency"' in page and "Sở Y tế" in page
    only_b = client.get(reverse("assessment_list"), {"agency": world.b.agency.pk})
    assert reverse("assessment_detail", args=[mine.pk]) not in only_b.content.decode()


def test_open_form(en, world, framework):
    en.force_login(world.a.viewer)
    assert en.get(reverse("assessment_open")).status_code == 403
    en.force_login(world.appraiser)
    assert en.get(reverse("assessment_open")).status_code == 403
    en.force_login(world.a.coordinator)
    assert en.get(reverse("assessment_open")).status_code == 200
    # Agency B is not one the coordinator of A may choose.
    response = en.post(
        reverse("assessment_open"), {"agency": world.b.agency.pk, "framework": framework.pk}
    )
    assert response.status_code == 400
    assert not Assessment.objects.exists()
    response = en.post(
        reverse("assessment_open"),
        {
            "agency": world.a.agency.pk,
            "framework": framework.pk,
            "submission_deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[assessment.pk])
    assert assessment.items.count() == 5
    again = en.post(
        reverse("assessment_open"), {"agency": world.a.agency.pk, "framework": framework.pk}
    )
    assert again.status_code == 400
    assert "already has an assessment" in again.content.decode()


def test_forms_are_shown_only_to_who_may_use_them(client, world, assessment):
    url = reverse("assessment_item_detail", args=[item(assessment, "1.1").pk])

    def forms_for(person):
        client.force_login(person)
        html = client.get(url).content.decode()
        return {f for f in ("propose", "evidence", "assign", "appraisal", "explanation", "final")
                if f'id="{f}-form"' in html}  # fmt: skip

    assert forms_for(world.a.officer) == {"propose", "evidence"}
    assert forms_for(world.a.coordinator) == {"propose", "evidence", "assign"}
    assert forms_for(world.a.other_officer) == set()
    assert forms_for(world.a.viewer) == set()
    assert forms_for(world.a.leader) == set()
    assert forms_for(world.appraiser) == set()
    submit(world, assessment)
    assert forms_for(world.appraiser) == {"appraisal"}
    assert forms_for(world.a.coordinator) == set()
    # A measured criterion shows the data behind it and no score form.
    client.force_login(world.a.coordinator)
    html = client.get(reverse("assessment_item_detail", args=[item(assessment, "2.1").pk]))
    assert 'data-testid="measured"' in html.content.decode()
    assert 'data-testid="bands"' in html.content.decode()


def test_propose_through_the_form(en, world, assessment):
    target = item(assessment, "1.1")
    url = reverse("assessment_item_propose", args=[target.pk])
    en.force_login(world.a.viewer)
    assert en.post(url, {"score": "5", "note": "x"}).status_code == 403
    en.force_login(world.b.officer)
    assert en.post(url, {"score": "5", "note": "x"}).status_code == 404
    en.force_login(world.appraiser)
    assert en.post(url, {"score": "5", "note": "x"}).status_code == 403
    en.force_login(world.a.officer)
    too_much = en.post(url, {"score": "25", "note": "x", "version": target.version})
    assert too_much.status_code == 400
    assert "Enter a score from 0 to 20." in too_much.content.decode()
    negative = en.post(url, {"score": "-3", "note": "x"})
    assert negative.status_code == 400
    assert item(assessment, "1.1").self_score is None
    # A score with its evidence file, typed the Vietnamese way.
    done = en.post(url, {"score": "17,5", "note": "", "evidence_file": pdf()})
    assert done.status_code == 302
    saved = item(assessment, "1.1")
    assert saved.self_score == D("17.50")
    assert saved.evidence.get().original_name == "bien-ban.pdf"
    # A stale form: someone saved since.
    stale = en.post(url, {"score": "18", "note": "x", "version": target.version})
    assert stale.status_code == 409
    assert item(assessment, "1.1").self_score == D("17.50")


def test_a_refused_file_leaves_the_score_unrecorded(en, world, assessment, settings):
    url = reverse("assessment_item_propose", args=[item(assessment, "1.2").pk])
    en.force_login(world.a.officer)
    fake = SimpleUploadedFile("bao-cao.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf")
    response = en.post(url, {"score": "10", "note": "Có báo cáo", "evidence_file": fake})
    assert response.status_code == 400
    assert "not accepted" in response.content.decode()
    assert item(assessment, "1.2").self_score is None
    assert not ItemEvidence.objects.exists()
    # A good file with a refused score: neither is kept, not even the stored file.
    response = en.post(url, {"score": "21", "note": "x", "evidence_file": pdf()})
    assert response.status_code == 400
    assert not ItemEvidence.objects.exists()
    stored = settings.MEDIA_ROOT / "scoring"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
    evidence_url = reverse("assessment_item_evidence", args=[item(assessment, "1.2").pk])
    fake.seek(0)
    assert en.post(evidence_url, {"file": fake}).status_code == 400
    assert not ItemEvidence.objects.exists()


def test_link_evidence_and_download(en, world, assessment):
    target = item(assessment, "2.2")
    url = reverse("assessment_item_evidence", args=[target.pk])
    en.force_login(world.a.officer)
    assert en.post(url, {"task": world.a.task.pk}).status_code == 302
    # A task of another agency is not offered, and posting it anyway finds nothing.
    assert en.post(url, {"task": world.b.task.pk}).status_code == 400
    assert en.post(url, {}).status_code == 400
    assert en.post(url, {"file": pdf("QĐ 15.pdf"), "description": "Quyết định"}).status_code == 302
    assert target.evidence.count() == 2
    page = en.get(reverse("assessment_item_detail", args=[target.pk])).content.decode()
    assert world.a.task.code in page and "QĐ 15.pdf" in page
    stored = target.evidence.exclude(file="").get()
    download = en.get(reverse("assessment_evidence_download", args=[stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    linked = target.evidence.filter(file="").get()
    assert en.get(reverse("assessment_evidence_download", args=[linked.pk])).status_code == 404
    remove = reverse("assessment_evidence_remove", args=[stored.pk])
    en.force_login(world.a.viewer)
    assert en.post(remove).status_code == 403
    en.force_login(world.b.coordinator)
    assert en.post(remove).status_code == 404
    en.force_login(world.a.officer)
    assert en.post(remove).status_code == 302
    assert target.evidence.count() == 1


def test_submit_and_the_read_only_message(en, world, assessment):
    self_assess(world, assessment)
    url = reverse("assessment_submit", args=[assessment.pk])
    en.force_login(world.a.coordinator)
    assert en.post(url).status_code == 403
    en.force_login(world.b.leader)
    assert en.post(url).status_code == 404
    en.force_login(world.a.leader)
    response = en.post(url, follow=True)
    assert response.status_code == 200
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED
    en.force_login(world.a.officer)
    target = item(assessment, "1.1")
    refused = en.post(
        reverse("assessment_item_propose", args=[target.pk]), {"score": "1", "note": "x"}
    )
    assert refused.status_code == 400
    date = timezone.localdate(Assessment.objects.get(pk=assessment.pk).submitted_at)
    assert f"The assessment was submitted on {date:%d/%m/%Y}" in refused.content.decode()
    assert item(assessment, "1.1").self_score == D("16.00")


def test_the_assessment_page_shows_the_rounds_and_the_differences(en, world, assessment):
    submit(world, assessment)
    appraise(world, assessment)
    en.force_login(world.a.leader)
    html = en.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert html.count('data-testid="differs"') == 2  # 1.2 and 2.2
    assert 'data-testid="total-appraisal"' in html
    assert 'data-testid="send-explanations"' in html
    assert 'data-testid="finalize"' not in html
    en.force_login(world.appraiser)
    html = en.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert 'data-testid="send-explanations"' not in html


def test_transitions_by_post(en, world, assessment):
    submit(world, assessment)
    close = reverse("assessment_appraisal_close", args=[assessment.pk])
    en.force_login(world.a.leader)
    assert en.post(close, {"explanation_deadline": "2099-01-01"}).status_code == 403
    en.force_login(world.appraiser)
    # No date: refused with a message, nothing changes.
    en.post(close, {})
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED
    deadline = timezone.localdate() + dt.timedelta(days=5)
    en.post(close, {"explanation_deadline": deadline.isoformat()})
    closed = Assessment.objects.get(pk=assessment.pk)
    assert (closed.status, closed.explanation_deadline) == (AssessmentStatus.APPRAISED, deadline)
    en.force_login(world.a.viewer)
    assert (
        en.post(reverse("assessment_explanations_submit", args=[assessment.pk])).status_code == 403
    )
    en.force_login(world.a.leader)
    en.post(reverse("assessment_explanations_submit", args=[assessment.pk]))
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.EXPLAINED
    final_url = reverse("assessment_item_final", args=[item(assessment, "1.1").pk])
    assert en.post(final_url, {"score": "1"}).status_code == 403
    en.force_login(world.appraiser)
    assert en.post(final_url, {"score": "18", "comment": "Thiếu QĐ"}).status_code == 302
    response = en.post(reverse("assessment_finalize", args=[assessment.pk]), follow=True)
    final = Assessment.objects.get(pk=assessment.pk)
    assert final.status == AssessmentStatus.FINAL
    assert final.final_total == D("66.00")  # the self total 64, with 1.1 at 18 instead of 16
    assert 'data-testid="band"' in response.content.decode()


def test_the_assessment_page_makes_a_fixed_number_of_queries(client, world, assessment):
    bigger = make_framework(
        year=2027,
        specs=[
            Spec(code="1", title="Lĩnh vực 1", max_points=D(50)),
            *[
                Spec(code=f"1.{i}", title=f"Tiêu chí 1.{i}", max_points=D(5), parent="1")
                for i in range(1, 11)
            ],
            Spec(code="2", title="Lĩnh vực 2", max_points=D(50)),
            *[
                Spec(code=f"2.{i}", title=f"Tiêu chí 2.{i}", max_points=D(5), parent="2")
                for i in range(1, 11)
            ],
        ],
    )
    large = open_assessment(world, bigger)
    for code in ("1.1", "1.2", "2.2"):
        services.item_evidence_add(actor=world.a.officer, item=item(large, code), file=pdf())
    client.force_login(world.a.unit_head)
    counts = []
    for each in (assessment, large):
        url = reverse("assessment_detail", args=[each.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts


def test_no_inline_scripts_styles_or_handlers(client, world, assessment):
    client.force_login(world.a.coordinator)
    pages = [
        reverse("assessment_list"),
        reverse("assessment_open"),
        reverse("assessment_detail", args=[assessment.pk]),
        reverse("assessment_item_detail", args=[item(assessment, "1.1").pk]),
        reverse("assessment_item_detail", args=[item(assessment, "2.1").pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
