"""The demo's reform index: the starter framework (department level) of the demo year and one
assessment per demo agency, each at another stage of its rounds — the first final (self-scored,
appraised with a few disputed criteria, explained, finalised), the second submitted and
awaiting the appraisers, then appraised (explanations open), then still open (half scored).

Everything goes through the services, so the audit trail, the totals and the notifications are
real. Deterministic (seeded by the agency's code) and quick: no files, only explanations and
links to the agency's plan tasks as evidence."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils import timezone

from cchc.core.calendar import add_working_days
from cchc.core.models import Agency, Membership, Role, Unit, User
from cchc.plans.models import Task
from cchc.scoring import arithmetic, services
from cchc.scoring.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    Framework,
    FrameworkStatus,
    ItemEvidence,
    Level,
)
from cchc.scoring.starter import framework_install_starter

STAGES = (
    AssessmentStatus.FINAL,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.APPRAISED,
    AssessmentStatus.OPEN,
)
NOTES = (
    "Đã thực hiện đầy đủ theo kế hoạch; tài liệu kiểm chứng lưu tại Văn phòng.",
    "Thực hiện đúng tiến độ, có văn bản chỉ đạo và báo cáo kết quả kèm theo.",
    "Hoàn thành phần lớn nhiệm vụ; một số nội dung chuyển sang năm sau.",
    "Đã ban hành văn bản triển khai, kết quả được phản ánh trong báo cáo năm.",
)
NO_DATA_NOTE = "Chưa có số liệu đo tự động; điểm đề xuất theo báo cáo của đơn vị."
APPRAISAL_COMMENTS = (
    "Tài liệu kiểm chứng chưa đầy đủ, chưa có báo cáo quý I.",
    "Văn bản ban hành chậm so với kế hoạch.",
    "Chưa thể hiện kết quả cụ thể, chỉ có văn bản triển khai.",
)
EXPLANATION = (
    "Cơ quan đã ban hành đúng hạn; xin gửi kèm Công văn và báo cáo bổ sung để Hội đồng "
    "thẩm định xem xét lại."
)
FINAL_COMMENT = "Chấp nhận một phần nội dung giải trình."
QUARTER = Decimal("0.25")


def demo_framework(year: int) -> Framework:
    """The starter framework of the year (department level), or the framework in use."""
    starter = framework_install_starter(year=year, level=Level.DEPARTMENT)
    if starter.status == FrameworkStatus.PUBLISHED:
        return starter
    in_use = Framework.objects.filter(
        year=year, level=Level.DEPARTMENT, status=FrameworkStatus.PUBLISHED
    ).first()
    return in_use or starter


def _member(agency: Agency, role: str) -> User | None:
    membership = (
        Membership.objects.filter(agency=agency, role=role, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def _appraiser(agency: Agency) -> User | None:
    province = agency.province
    for membership in Membership.objects.filter(
        role=Role.APPRAISER, is_active=True, user__is_active=True
    ).select_related("agency", "user"):
        if membership.agency.province.pk == province.pk:
            return membership.user
    return None


def _share(rng: random.Random, low: float = 0.6) -> Decimal:
    return Decimal(str(round(rng.uniform(low, 1.0), 2)))


def _points(limit: Decimal, share: Decimal) -> Decimal:
    """``share`` of ``limit``, to the quarter point below."""
    return ((limit * share) / QUARTER).to_integral_value(rounding=ROUND_FLOOR) * QUARTER


def _items(assessment: Assessment) -> list[AssessmentItem]:
    return list(
        AssessmentItem.objects.filter(assessment=assessment)
        .select_related("assessment__agency", "assessment__framework", "criterion", "unit")
        .order_by("criterion__position", "id")
    )


def _self_assess(assessment: Assessment, coordinator: User, rng: random.Random, *, share: float):
    """Assign every criterion to a unit and propose a score for ``share`` of them."""
    units = list(Unit.objects.filter(agency_id=assessment.agency_id).order_by("id"))
    tasks = list(
        Task.objects.filter(
            agency_id=assessment.agency_id,
            plan__year=assessment.framework.year,
            parent__isnull=True,
        ).values_list("pk", flat=True)
    )
    for index, item in enumerate(_items(assessment)):
        if units:
            services.item_assign(actor=coordinator, item=item, unit=units[index % len(units)])
        if rng.random() > share:
            continue
        criterion = item.criterion
        if criterion.method in arithmetic.MEASURED and item.measured_points is not None:
            continue  # measured: it fills itself
        limit = arithmetic.leaf_limit(criterion)
        if criterion.method in arithmetic.ADDITIVE:
            score = limit if criterion.method == "bonus" and rng.random() < 0.5 else Decimal(0)
            note = "Được Bộ Nội vụ biểu dương mô hình “một cửa số”." if score else ""
        else:
            score = _points(limit, _share(rng))
            note = NO_DATA_NOTE if criterion.method in arithmetic.MEASURED else rng.choice(NOTES)
        if tasks and criterion.method == "manual" and rng.random() < 0.3:
            services.item_evidence_add(
                actor=coordinator,
                item=item,
                task=Task.objects.get(pk=rng.choice(tasks)),
                description="Nhiệm vụ trong Kế hoạch CCHC năm",
            )
        services.item_propose(actor=coordinator, item=item, score=score, note=note)


def _appraise(assessment: Assessment, appraiser: User, rng: random.Random) -> list[int]:
    """Agree with most criteria; lower three manual ones. Returns the disputed items' ids."""
    manual = [i for i in _items(assessment) if i.criterion.method == "manual" and i.self_score]
    disputed = rng.sample(manual, min(3, len(manual)))
    for item, comment in zip(disputed, APPRAISAL_COMMENTS, strict=False):
        lower = min(_points(item.self_score, _share(rng, 0.4)), item.self_score - QUARTER)
        lower = max(Decimal(0), lower)
        services.appraisal_score(actor=appraiser, item=item, score=lower, comment=comment)
    return [i.pk for i in disputed]


def _load_one(assessment_stage: str, agency: Agency, framework: Framework) -> None:
    coordinator = _member(agency, Role.COORDINATOR)
    leader = _member(agency, Role.LEADER)
    appraiser = _appraiser(agency)
    if coordinator is None:
        return
    rng = random.Random(f"index-{agency.code}-{framework.year}")
    today = timezone.localdate()
    assessment = services.assessment_open(
        actor=coordinator,
        agency=agency,
        framework=framework,
        submission_deadline=max(today, dt.date(framework.year, 12, 15)),
    )
    if assessment_stage == AssessmentStatus.OPEN:
        _self_assess(assessment, coordinator, rng, share=0.5)
        return
    _self_assess(assessment, coordinator, rng, share=1.0)
    if leader is None:
        return
    services.assessment_submit(actor=leader, assessment=assessment)
    if assessment_stage == AssessmentStatus.SUBMITTED or appraiser is None:
        return
    disputed = _appraise(assessment, appraiser, rng)
    services.appraisal_close(
        actor=appraiser, assessment=assessment, explanation_deadline=add_working_days(today, 10)
    )
    if assessment_stage == AssessmentStatus.APPRAISED:
        return
    explained = AssessmentItem.objects.select_related(
        "assessment__agency", "assessment__framework", "criterion"
    ).get(pk=disputed[0])
    services.item_explain(actor=coordinator, item=explained, explanation=EXPLANATION)
    services.explanations_submit(actor=leader, assessment=assessment)
    final = (explained.self_score + explained.appraisal_score) / 2
    services.final_score(
        actor=appraiser,
        item=explained,
        score=(final / QUARTER).to_integral_value(rounding=ROUND_FLOOR) * QUARTER,
        comment=FINAL_COMMENT,
    )
    services.assessment_finalize(actor=appraiser, assessment=assessment)


def load_demo_scoring(agencies: Iterable[Agency], year: int) -> None:
    """Install the starter framework of ``year`` and give each agency (that has none yet) an
    assessment at a stage of its own, in the order of STAGES."""
    agencies = sorted(agencies, key=lambda a: a.code)
    with transaction.atomic():
        framework = demo_framework(year)
        for index, agency in enumerate(agencies):
            if Assessment.objects.filter(agency=agency, framework=framework).exists():
                continue
            _load_one(STAGES[index % len(STAGES)], agency, framework)


def delete_demo_scoring(agencies: Iterable[Agency]) -> None:
    """Every assessment of the agencies and their stored evidence files, for ``cchc demo
    --reset`` (call it before the agencies are deleted; the frameworks stay)."""
    agencies = list(agencies)
    evidence = ItemEvidence.objects.filter(item__assessment__agency__in=agencies).exclude(file="")
    stored = list(evidence.values_list("file", flat=True))
    Assessment.objects.filter(agency__in=agencies).delete()
    storage = ItemEvidence._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])
