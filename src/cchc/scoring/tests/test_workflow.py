"""The assessment's rounds through the services: who may do each step, when, with what input,
and what is kept. The framework is the small one of conftest (maximum 100):

    1 (40): 1.1 manual 20, 1.2 manual 20
    2 (60): 2.1 automatic from plan progress 20, 2.2 manual 40, 2.3 penalty up to 5

The hand-worked example used below:

    round       1.1  1.2  2.1  2.2  2.3(−)  area 1  area 2  total  index
    self         16   20    0   30     2      36      28      64   64.00 %
    appraisal     ·   12    ·   34     ·      28      32      60   60.00 %
    final         ·   18    ·    ·     ·      34      32      66   66.00 %  band C

(· = carried over from the round before; 2.1 is measured: plan progress 0 % → 0 points.)
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from django.utils.translation import override

from cchc.core.models import Agency, AgencyKind, AuditEntry, Notification, Role
from cchc.lib.tests.test_uploads import PDF
from cchc.plans import services as plans
from cchc.scoring import arithmetic, services
from cchc.scoring.access import AssessmentAction, access_assessment, access_item
from cchc.scoring.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    FrameworkStatus,
    ItemEvidence,
)
from cchc.scoring.tests.conftest import item, make_framework, open_assessment
from cchc.testing import make_user

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = timezone.localdate


def pdf(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def refused(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


def self_assess(world, assessment) -> None:
    """The agency's round of the hand-worked example (a unit officer proposes)."""
    officer = world.a.officer
    services.item_evidence_add(actor=officer, item=item(assessment, "1.1"), file=pdf())
    services.item_propose(actor=officer, item=item(assessment, "1.1"), score=16)
    services.item_propose(
        actor=officer, item=item(assessment, "1.2"), score="20", note="Đủ 4 báo cáo, đúng hạn"
    )
    services.item_propose(
        actor=officer, item=item(assessment, "2.2"), score=D("30"), note="Rà soát 30/40 TTHC"
    )
    services.item_propose(
        actor=officer, item=item(assessment, "2.3"), score=2, note="2 hồ sơ trễ chưa xin lỗi"
    )


def submit(world, assessment) -> Assessment:
    self_assess(world, assessment)
    return services.assessment_submit(actor=world.a.leader, assessment=assessment)


def appraise(world, assessment, deadline: dt.date | None = None) -> Assessment:
    appraiser = world.appraiser
    services.appraisal_score(
        actor=appraiser,
        item=item(assessment, "1.2"),
        score=12,
        comment="Thiếu báo cáo quý I",
    )
    services.appraisal_score(
        actor=appraiser, item=item(assessment, "2.2"), score=34, comment="Đã rà soát 34 TTHC"
    )
    services.appraisal_score(actor=appraiser, item=item(assessment, "1.1"), score=16)
    return services.appraisal_close(
        actor=appraiser,
        assessment=assessment,
        explanation_deadline=deadline or TODAY() + dt.timedelta(days=10),
    )


# --- opening -----------------------------------------------------------------------------------


def test_open_creates_one_item_per_leaf_and_measures_the_automatic_ones(world, framework):
    assessment = open_assessment(world, framework, assign=False)
    items = {i.criterion.code: i for i in assessment.items.select_related("criterion")}
    assert sorted(items) == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    auto = items["2.1"]
    # The world's plan has two tasks at 0 %: plan progress 0.00 → the "≥ 0 %" band, 0 points.
    assert auto.measured_value == D("0.00")
    assert auto.measured_points == D("0.00")
    assert auto.measured_detail["tasks"] == 2
    assert auto.measured_at is not None
    assert items["1.1"].measured_points is None
    assert assessment.status == AssessmentStatus.OPEN
    assert AuditEntry.objects.filter(action="assessment.open", object_id=str(assessment.pk))


def test_refresh_measures_again_after_the_plan_moved(world, assessment):
    plans.task_update_progress(actor=world.a.officer, task=world.a.task, percent=100)
    plans.task_update_progress(actor=world.a.coordinator, task=world.a.other_task, percent=80)
    assert services.assessment_refresh_measured(actor=world.a.coordinator, assessment=assessment)
    auto = item(assessment, "2.1")
    assert auto.measured_value == D("90.00")
    assert auto.measured_points == D("20.00")


@pytest.mark.parametrize("who", ["leader", "unit_head", "officer", "viewer"])
def test_only_the_coordinator_opens(world, framework, who):
    with pytest.raises(PermissionDenied):
        services.assessment_open(
            actor=getattr(world.a, who), agency=world.a.agency, framework=framework
        )
    with pytest.raises(PermissionDenied):
        services.assessment_open(actor=world.appraiser, agency=world.a.agency, framework=framework)
    with pytest.raises(PermissionDenied):
        services.assessment_open(
            actor=world.b.coordinator, agency=world.a.agency, framework=framework
        )
    assert not Assessment.objects.exists()


def test_open_refuses_a_second_assessment_a_draft_framework_and_a_past_deadline(world, framework):
    open_assessment(world, framework, assign=False)
    with override("en"), pytest.raises(ValidationError) as exc:
        services.assessment_open(
            actor=world.a.coordinator, agency=world.a.agency, framework=framework
        )
    assert "already has an assessment" in refused(exc)
    draft = make_framework(year=2027, status=FrameworkStatus.DRAFT)
    with override("en"), pytest.raises(ValidationError) as exc:
        services.assessment_open(actor=world.a.coordinator, agency=world.a.agency, framework=draft)
    assert "in use" in refused(exc)
    with pytest.raises(ValidationError):
        services.assessment_open(
            actor=world.b.coordinator,
            agency=world.b.agency,
            framework=framework,
            submission_deadline=TODAY() - dt.timedelta(days=1),
        )
    assert Assessment.objects.count() == 1


# --- access --------------------------------------------------------------------------------------


def test_access_stranger_404_appraiser_reads_the_province(world, assessment):
    for stranger in (world.b.coordinator, world.b.leader, world.b.viewer):
        with pytest.raises(Http404):
            access_assessment(actor=stranger, assessment_id=assessment.pk)
    for reader in (world.a.viewer, world.a.other_officer, world.appraiser, world.admin):
        assert access_assessment(actor=reader, assessment_id=assessment.pk) == assessment
    with pytest.raises(PermissionDenied):
        access_assessment(actor=world.a.viewer, assessment_id=assessment.pk, for_write=True)
    with pytest.raises(PermissionDenied):
        access_assessment(
            actor=world.a.coordinator,
            assessment_id=assessment.pk,
            action=AssessmentAction.APPRAISE,
        )
    with pytest.raises(Http404):
        access_item(actor=world.b.officer, item_id=item(assessment, "1.1").pk)


def test_an_appraiser_of_another_province_gets_404(world, assessment):
    other = Agency.objects.create(code="T02", name="Tỉnh Khác", kind=AgencyKind.PROVINCE)
    home_affairs = Agency.objects.create(code="SNV2", name="Sở Nội vụ tỉnh Khác", parent=other)
    stranger = make_user("snv2_appraiser", agency=home_affairs, role=Role.APPRAISER)
    with pytest.raises(Http404):
        access_assessment(actor=stranger, assessment_id=assessment.pk)
    with pytest.raises(Http404):
        access_item(actor=stranger, item_id=item(assessment, "1.1").pk)
    submit(world, assessment)
    before = item(assessment, "1.2").appraisal_score
    with pytest.raises(PermissionDenied):
        services.appraisal_score(actor=stranger, item=item(assessment, "1.2"), score=1)
    assert item(assessment, "1.2").appraisal_score == before is None


# --- the agency's round --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "unit_head", "officer"])
def test_the_coordinator_and_the_assigned_unit_propose(world, assessment, who):
    proposed = services.item_propose(
        actor=getattr(world.a, who), item=item(assessment, "1.1"), score=15, note="Đã ban hành"
    )
    assert proposed.self_score == D("15.00")
    assert item(assessment, "1.1").self_by == getattr(world.a, who)


def test_others_may_not_propose(world, assessment):
    target = item(assessment, "1.1")
    # The leader approves, the viewer reads, an officer of another unit is not assigned, and an
    # appraiser never scores the agency's own round.
    for person in (world.a.leader, world.a.viewer, world.a.other_officer, world.appraiser):
        with pytest.raises(PermissionDenied):
            services.item_propose(actor=person, item=target, score=5, note="x")
    with pytest.raises(PermissionDenied):
        services.item_propose(actor=world.b.coordinator, item=target, score=5, note="x")
    assert item(assessment, "1.1").self_score is None


@pytest.mark.parametrize("score", ["20.01", "-1", "-0.01", "abc", "", "NaN", "Infinity", 21])
def test_a_score_out_of_range_is_refused_and_nothing_changes(world, assessment, score):
    target = item(assessment, "1.1")
    services.item_propose(actor=world.a.officer, item=target, score=10, note="Trước")
    version = item(assessment, "1.1").version
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_propose(
            actor=world.a.officer, item=item(assessment, "1.1"), score=score, note="Sau"
        )
    assert exc.value.message_dict["score"] == ["Enter a score from 0 to 20."]
    after = item(assessment, "1.1")
    assert (after.self_score, after.self_note, after.version) == (D("10.00"), "Trước", version)


def test_a_penalty_is_bounded_by_its_cap_and_three_decimals_are_refused(world, assessment):
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_propose(actor=world.a.officer, item=item(assessment, "2.3"), score=6)
    assert exc.value.message_dict["score"] == ["Enter a score from 0 to 5."]
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_propose(
            actor=world.a.officer, item=item(assessment, "1.1"), score="1.005", note="x"
        )
    assert "two decimal places" in refused(exc)
    # No penalty needs no explanation.
    assert services.item_propose(
        actor=world.a.officer, item=item(assessment, "2.3"), score=0
    ).self_score == D("0.00")


def test_a_score_needs_evidence_or_a_written_explanation(world, assessment):
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_propose(actor=world.a.officer, item=item(assessment, "1.1"), score=20)
    assert "explanation" in exc.value.message_dict["note"][0]
    assert item(assessment, "1.1").self_score is None
    services.item_evidence_add(
        actor=world.a.officer, item=item(assessment, "1.1"), file=pdf(), description="QĐ"
    )
    assert services.item_propose(
        actor=world.a.officer, item=item(assessment, "1.1"), score=20
    ).self_score == D("20.00")


def test_a_measured_criterion_fills_itself(world, assessment):
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_propose(
            actor=world.a.coordinator, item=item(assessment, "2.1"), score=20, note="x"
        )
    assert "measured data" in refused(exc)
    assert arithmetic.item_score(item(assessment, "2.1"), "self") == D("0.00")


def test_two_people_editing_one_item(world, assessment):
    loaded = item(assessment, "1.1")
    services.item_propose(actor=world.a.officer, item=item(assessment, "1.1"), score=10, note="Một")
    with pytest.raises(services.StaleVersion):
        services.item_propose(
            actor=world.a.unit_head,
            item=loaded,
            score=12,
            note="Hai",
            expected_version=loaded.version,
        )
    assert item(assessment, "1.1").self_note == "Một"


def test_evidence_is_checked_by_content(world, assessment, settings):
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_evidence_add(actor=world.a.officer, item=item(assessment, "1.1"), file=fake)
    assert "not accepted" in exc.value.message_dict["file"][0]
    html = SimpleUploadedFile("bao-cao.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError):
        services.item_evidence_add(actor=world.a.officer, item=item(assessment, "1.1"), file=html)
    assert not ItemEvidence.objects.exists()
    stored = settings.MEDIA_ROOT / "scoring"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
    kept = services.item_evidence_add(
        actor=world.a.officer, item=item(assessment, "1.1"), file=io.BytesIO(PDF), name="QĐ.pdf"
    )
    assert (kept.original_name, kept.content_type, kept.size) == (
        "QĐ.pdf",
        "application/pdf",
        len(PDF),
    )
    assert kept.file.read() == PDF


def test_links_must_belong_to_the_agency(world, assessment):
    target = item(assessment, "2.2")
    evidence_file = plans.evidence_add(
        actor=world.a.officer,
        task=world.a.task,
        uploaded=io.BytesIO(PDF),
        name="ket-qua.pdf",
        size=len(PDF),
    )
    services.item_evidence_add(actor=world.a.officer, item=target, task=world.a.task)
    services.item_evidence_add(actor=world.a.officer, item=target, task_evidence=evidence_file)
    with pytest.raises(ValidationError):
        services.item_evidence_add(actor=world.a.officer, item=target, task=world.a.task)
    with pytest.raises(Http404):
        services.item_evidence_add(actor=world.a.officer, item=target, task=world.b.task)
    with pytest.raises(ValidationError):
        services.item_evidence_add(
            actor=world.a.officer, item=target, file=pdf(), task=world.a.task
        )
    assert ItemEvidence.objects.filter(item=target).count() == 2


def test_assign_notifies_the_unit_head(world, framework, django_capture_on_commit_callbacks):
    assessment = open_assessment(world, framework, assign=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.item_assign(
            actor=world.a.coordinator, item=item(assessment, "1.2"), unit=world.a.unit
        )
    assert Notification.objects.filter(user=world.a.unit_head, kind="index_assigned").exists()
    with pytest.raises(ValidationError):
        services.item_assign(
            actor=world.a.coordinator, item=item(assessment, "1.2"), unit=world.b.unit
        )
    with pytest.raises(PermissionDenied):
        services.item_assign(actor=world.a.unit_head, item=item(assessment, "1.1"), unit=None)
    # Only the assigned unit proposes: the other unit's officer may not, until assigned.
    with pytest.raises(PermissionDenied):
        services.item_propose(
            actor=world.a.other_officer, item=item(assessment, "1.2"), score=1, note="x"
        )


# --- submission ----------------------------------------------------------------------------------


def test_submit_needs_every_criterion_scored(world, assessment):
    services.item_propose(actor=world.a.officer, item=item(assessment, "1.1"), score=1, note="x")
    with override("en"), pytest.raises(ValidationError) as exc:
        services.assessment_submit(actor=world.a.leader, assessment=assessment)
    # 2.1 is measured and 2.3 (a penalty) may stay empty: only 1.2 and 2.2 are missing.
    assert "Not scored yet: 1.2, 2.2." in refused(exc)
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.OPEN


@pytest.mark.parametrize("who", ["coordinator", "unit_head", "officer", "viewer"])
def test_only_the_leader_submits(world, assessment, who):
    self_assess(world, assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_submit(actor=getattr(world.a, who), assessment=assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_submit(actor=world.appraiser, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.OPEN


def test_submission_keeps_the_self_total_and_notifies_the_appraisers(
    world, assessment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(world, assessment)
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.self_total == D("64.00")
    assert submitted.submitted_by == world.a.leader
    assert Notification.objects.filter(user=world.appraiser, kind="index_submitted").exists()


def test_after_submission_the_agency_can_change_nothing(world, assessment):
    submit(world, assessment)
    evidence = ItemEvidence.objects.filter(item__assessment=assessment).first()
    date = timezone.localdate(Assessment.objects.get(pk=assessment.pk).submitted_at)
    expected = f"The assessment was submitted on {date:%d/%m/%Y} and can no longer be changed."
    attempts = [
        lambda: services.item_propose(
            actor=world.a.officer, item=item(assessment, "1.1"), score=20, note="x"
        ),
        lambda: services.item_evidence_add(
            actor=world.a.officer, item=item(assessment, "1.1"), file=pdf()
        ),
        lambda: services.item_evidence_remove(actor=world.a.officer, evidence=evidence),
        lambda: services.item_assign(
            actor=world.a.coordinator, item=item(assessment, "1.1"), unit=world.a.other_unit
        ),
        lambda: services.assessment_refresh_measured(
            actor=world.a.coordinator, assessment=assessment
        ),
        lambda: services.assessment_submit(actor=world.a.leader, assessment=assessment),
    ]
    for attempt in attempts:
        with override("en"), pytest.raises(ValidationError) as exc:
            attempt()
        assert refused(exc) == expected
    after = item(assessment, "1.1")
    assert (after.self_score, after.unit) == (D("16.00"), world.a.unit)
    assert ItemEvidence.objects.filter(item__assessment=assessment).count() == 1


# --- appraisal, explanation, final ---------------------------------------------------------------


def test_appraisal_waits_for_the_submission(world, assessment):
    with pytest.raises(ValidationError):
        services.appraisal_score(actor=world.appraiser, item=item(assessment, "1.1"), score=5)
    with pytest.raises(ValidationError):
        services.appraisal_close(
            actor=world.appraiser, assessment=assessment, explanation_deadline=TODAY()
        )
    assert item(assessment, "1.1").appraisal_score is None


def test_only_appraisers_appraise(world, assessment):
    submit(world, assessment)
    for person in (world.a.leader, world.a.coordinator, world.a.officer, world.a.viewer):
        with pytest.raises(PermissionDenied):
            services.appraisal_score(actor=person, item=item(assessment, "1.1"), score=5)
        with pytest.raises(PermissionDenied):
            services.appraisal_close(
                actor=person, assessment=assessment, explanation_deadline=TODAY()
            )
    assert item(assessment, "1.1").appraisal_score is None


def test_an_appraisal_that_differs_needs_a_comment(world, assessment):
    submit(world, assessment)
    with override("en"), pytest.raises(ValidationError) as exc:
        services.appraisal_score(actor=world.appraiser, item=item(assessment, "1.2"), score=12)
    assert "comment" in exc.value.message_dict["comment"][0]
    with pytest.raises(ValidationError):
        services.appraisal_score(
            actor=world.appraiser, item=item(assessment, "1.2"), score=-1, comment="x"
        )
    assert item(assessment, "1.2").appraisal_score is None
    # Agreeing with the agency needs no comment.
    services.appraisal_score(actor=world.appraiser, item=item(assessment, "1.2"), score=20)
    assert item(assessment, "1.2").appraisal_score == D("20.00")


def test_closing_the_appraisal_keeps_its_total_and_tells_the_agency(
    world, assessment, django_capture_on_commit_callbacks
):
    submit(world, assessment)
    with pytest.raises(ValidationError):
        services.appraisal_close(
            actor=world.appraiser,
            assessment=assessment,
            explanation_deadline=TODAY() - dt.timedelta(days=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        appraised = appraise(world, assessment)
    assert appraised.status == AssessmentStatus.APPRAISED
    assert appraised.appraisal_total == D("60.00")
    told = set(
        Notification.objects.filter(kind="index_appraised").values_list("user_id", flat=True)
    )
    assert told == {world.a.leader.pk, world.a.coordinator.pk}


def test_explanations_only_on_disputed_items_and_within_the_window(world, assessment):
    submit(world, assessment)
    appraise(world, assessment)
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_explain(
            actor=world.a.officer, item=item(assessment, "1.1"), explanation="Đồng ý"
        )
    assert "scored differently" in refused(exc)
    with pytest.raises(PermissionDenied):
        services.item_explain(actor=world.a.viewer, item=item(assessment, "1.2"), explanation="x")
    with pytest.raises(PermissionDenied):
        services.item_explain(actor=world.appraiser, item=item(assessment, "1.2"), explanation="x")
    with pytest.raises(ValidationError):
        services.item_explain(actor=world.a.officer, item=item(assessment, "1.2"), explanation=" ")
    explained = services.item_explain(
        actor=world.a.officer,
        item=item(assessment, "1.2"),
        explanation="Báo cáo quý I gửi ngày 14/3, kèm công văn",
    )
    assert explained.explanation.startswith("Báo cáo quý I")
    services.item_explain(actor=world.a.leader, item=item(assessment, "2.2"), explanation="Đồng ý")
    # The window closes: nothing more is accepted.
    Assessment.objects.filter(pk=assessment.pk).update(
        explanation_deadline=TODAY() - dt.timedelta(days=1)
    )
    with override("en"), pytest.raises(ValidationError) as exc:
        services.item_explain(
            actor=world.a.officer, item=item(assessment, "1.2"), explanation="Bổ sung"
        )
    assert "ended on" in refused(exc)
    with pytest.raises(ValidationError):
        services.explanations_submit(
            actor=world.a.leader, assessment=Assessment.objects.get(pk=assessment.pk)
        )
    assert item(assessment, "1.2").explanation.startswith("Báo cáo quý I")


def test_the_final_round_waits_for_the_explanations(world, assessment):
    submit(world, assessment)
    appraise(world, assessment)
    with pytest.raises(ValidationError):
        services.final_score(
            actor=world.appraiser, item=item(assessment, "1.2"), score=18, comment="x"
        )
    with pytest.raises(ValidationError):
        services.assessment_finalize(actor=world.appraiser, assessment=assessment)
    with pytest.raises(PermissionDenied):
        services.explanations_submit(actor=world.a.officer, assessment=assessment)
    services.explanations_submit(actor=world.a.coordinator, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.EXPLAINED
    with pytest.raises(ValidationError):
        services.item_explain(actor=world.a.officer, item=item(assessment, "1.2"), explanation="x")


def test_the_final_round_opens_when_the_window_has_passed(world, assessment):
    submit(world, assessment)
    appraise(world, assessment)
    Assessment.objects.filter(pk=assessment.pk).update(
        explanation_deadline=TODAY() - dt.timedelta(days=1)
    )
    fresh = Assessment.objects.get(pk=assessment.pk)
    final = services.assessment_finalize(actor=world.appraiser, assessment=fresh)
    # No final score given: the appraisal stands.
    assert (final.final_total, final.final_percent) == (D("60.00"), D("60.00"))


def test_the_whole_journey_keeps_every_round_side_by_side(
    world, assessment, django_capture_on_commit_callbacks
):
    submit(world, assessment)
    appraise(world, assessment)
    services.item_explain(
        actor=world.a.officer, item=item(assessment, "1.2"), explanation="Báo cáo quý I đã gửi"
    )
    services.explanations_submit(actor=world.a.leader, assessment=assessment)
    with pytest.raises(PermissionDenied):
        services.final_score(actor=world.a.coordinator, item=item(assessment, "1.2"), score=20)
    with pytest.raises(ValidationError):
        services.final_score(actor=world.appraiser, item=item(assessment, "1.2"), score=18)
    services.final_score(
        actor=world.appraiser,
        item=item(assessment, "1.2"),
        score=18,
        comment="Chấp nhận một phần giải trình",
    )
    with pytest.raises(PermissionDenied):
        services.assessment_finalize(actor=world.a.leader, assessment=assessment)
    with django_capture_on_commit_callbacks(execute=True):
        final = services.assessment_finalize(actor=world.appraiser, assessment=assessment)

    assert final.status == AssessmentStatus.FINAL
    assert (final.self_total, final.appraisal_total, final.final_total) == (
        D("64.00"),
        D("60.00"),
        D("66.00"),
    )
    assert final.final_percent == D("66.00")
    assert final.band == "C"
    row = AssessmentItem.objects.get(assessment=assessment, criterion__code="1.2")
    assert (row.self_score, row.appraisal_score, row.final_score) == (
        D("20.00"),
        D("12.00"),
        D("18.00"),
    )
    assert row.self_note and row.appraisal_comment and row.explanation and row.final_comment
    # The totals are the arithmetic's, round by round.
    items = list(assessment.items.select_related("criterion"))
    criteria = list(assessment.framework.criteria.all())
    for round, total in (("self", "64.00"), ("appraisal", "60.00"), ("final", "66.00")):
        totals = arithmetic.score_tree(criteria, arithmetic.effective_scores(items, round))
        assert totals.points == D(total)
    assert Notification.objects.filter(user=world.a.leader, kind="index_final").exists()
    with pytest.raises(ValidationError):
        services.final_score(
            actor=world.appraiser, item=item(assessment, "1.2"), score=20, comment="x"
        )
    assert list(
        AuditEntry.objects.filter(object_type="scoring.assessment")
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == [
        "assessment.open",
        "assessment.submit",
        "assessment.appraisal_close",
        "assessment.explanations_submit",
        "assessment.finalize",
    ]


def test_a_final_index_of_ninety_is_band_a(world, assessment):
    submit(world, assessment)
    services.appraisal_close(
        actor=world.appraiser,
        assessment=assessment,
        explanation_deadline=TODAY(),
    )
    services.explanations_submit(actor=world.a.leader, assessment=assessment)
    for code, score in (("1.1", 20), ("1.2", 20), ("2.1", 10), ("2.2", 40), ("2.3", 0)):
        services.final_score(
            actor=world.appraiser, item=item(assessment, code), score=score, comment="Thẩm định"
        )
    final = services.assessment_finalize(actor=world.appraiser, assessment=assessment)
    assert (final.final_total, final.final_percent, final.band) == (D("90.00"), D("90.00"), "A")


# --- the demo ------------------------------------------------------------------------------------


def test_the_demo_puts_each_agency_at_another_stage(world):
    from cchc.scoring.demo import delete_demo_scoring, load_demo_scoring

    agencies = [world.a.agency, world.b.agency]
    load_demo_scoring(agencies, world.year)
    final = Assessment.objects.get(agency=world.a.agency)  # STP sorts before SYT
    submitted = Assessment.objects.get(agency=world.b.agency)
    assert final.framework.is_template and final.framework.status == FrameworkStatus.PUBLISHED
    assert final.status == AssessmentStatus.FINAL
    assert final.final_percent is not None and final.band
    assert (
        final.final_total
        == arithmetic.score_tree(
            final.framework.criteria.all(),
            arithmetic.effective_scores(final.items.select_related("criterion"), "final"),
        ).points
    )
    assert final.items.exclude(explanation="").count() == 1
    assert final.items.filter(appraisal_score__isnull=False).count() == 3
    assert submitted.status == AssessmentStatus.SUBMITTED and submitted.self_total is not None
    load_demo_scoring(agencies, world.year)  # again: nothing changes
    assert Assessment.objects.count() == 2
    delete_demo_scoring(agencies)
    assert not Assessment.objects.exists()
