"""Writes to index assessments (DESIGN.md §4.6). Each service checks who may act, validates,
runs in one transaction, records an audit row and sends notifications once the write commits.

The rounds: the agency proposes scores with evidence (open) → the leader submits (submitted;
from then on the agency's own round is read-only) → the appraisers score each criterion and
close the appraisal with a deadline for explanations (appraised) → the agency explains the
disputed criteria and sends its explanations (explained) → the appraisers give the final scores
and finalise (final). The score of every round is kept beside the others. Every state change
locks the assessment row, so a proposal cannot slip in beside a submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import Agency, AgencyKind, Membership, Role, Unit, User
from cchc.core.notifications import notify
from cchc.lib.text import plain_text
from cchc.lib.uploads import check_upload
from cchc.scoring import arithmetic
from cchc.scoring.access import (
    AssessmentAction,
    ItemAction,
    can_on_assessment,
    can_on_item,
)
from cchc.scoring.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    Criterion,
    Framework,
    FrameworkStatus,
    ItemEvidence,
)

MAX_TEXT = 5000
# The explanation window the appraisal form suggests (the appraisers may set another date).
DEFAULT_EXPLANATION_WORKING_DAYS = 10


class StaleVersion(Exception):
    """Somebody else saved the item since the actor loaded it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("This criterion was changed by someone else. Reload it to see their changes.")
        )
        self.current_version = current_version


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return date_format(value, "SHORT_DATE_FORMAT")


def format_points(value: Decimal) -> str:
    """``10`` rather than ``10.00``, ``2,5`` in Vietnamese."""
    whole = value == value.to_integral_value()
    return number_format(value, decimal_pos=0 if whole else 2)


def _text(value: str | None, field: str, *, required: bool = False, message: str = "") -> str:
    text = plain_text(value or "")
    if required and not text:
        raise ValidationError({field: message})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {field: _("Write at most %(count)s characters.") % {"count": f"{MAX_TEXT:,}"}}
        )
    return text


def _parse_score(value: Any, criterion: Criterion, field: str = "score") -> Decimal:
    """A score within [0, the leaf's limit] with at most two decimals, or a clear refusal."""
    limit = arithmetic.leaf_limit(criterion)
    refusal = _("Enter a score from 0 to %(max)s.") % {"max": format_points(limit)}
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: refusal})
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: refusal}) from exc
    if not score.is_finite() or score < 0 or score > limit:
        raise ValidationError({field: refusal})
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Use at most two decimal places.")})
    return score.quantize(Decimal("0.01"))


def _locked(assessment: Assessment) -> Assessment:
    """The assessment as stored now, locked until the transaction ends; the caller's object is
    refreshed too so that pages show what was written."""
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    for name in ("status", "submitted_at", "explanation_deadline", "version"):
        setattr(assessment, name, getattr(current, name))
    return assessment


def _agency_may_write(assessment: Assessment) -> None:
    if assessment.status == AssessmentStatus.OPEN:
        return
    if assessment.submitted_at is not None:
        raise ValidationError(
            _("The assessment was submitted on %(date)s and can no longer be changed.")
            % {"date": _date(assessment.submitted_at)}
        )
    raise ValidationError(_("The self-assessment is closed."))


def _bump_version(item: AssessmentItem, expected_version: int | None) -> None:
    """Optimistic lock: the write wins only if nobody saved since ``expected_version``."""
    rows = AssessmentItem.objects.filter(pk=item.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        raise StaleVersion(AssessmentItem.objects.values_list("version", flat=True).get(pk=item.pk))
    item.version = AssessmentItem.objects.values_list("version", flat=True).get(pk=item.pk)


def _items(assessment: Assessment) -> list[AssessmentItem]:
    return list(assessment.items.select_related("criterion"))


def _criteria(assessment: Assessment) -> list[Criterion]:
    return list(Criterion.objects.filter(framework_id=assessment.framework_id))


def _totals(assessment: Assessment, round: str) -> arithmetic.Totals:
    items = _items(assessment)
    return arithmetic.score_tree(_criteria(assessment), arithmetic.effective_scores(items, round))


def is_required(criterion: Criterion) -> bool:
    """Bonus and penalty criteria may stay without a score (none given: none counted)."""
    return criterion.method not in arithmetic.ADDITIVE


def self_value(item: AssessmentItem) -> Decimal | None:
    return arithmetic.item_score(item, "self")


def appraisal_value(item: AssessmentItem) -> Decimal | None:
    return arithmetic.item_score(item, "appraisal")


def is_disputed(item: AssessmentItem) -> bool:
    """The appraisers gave a score other than the agency's own."""
    return item.appraisal_score is not None and item.appraisal_score != self_value(item)


def explanation_window_open(assessment: Assessment, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return assessment.status == AssessmentStatus.APPRAISED and (
        assessment.explanation_deadline is None or today <= assessment.explanation_deadline
    )


def final_round_open(assessment: Assessment, today: dt.date | None = None) -> bool:
    """After the agency sent its explanations, or once the time for them has ended."""
    today = today or timezone.localdate()
    if assessment.status == AssessmentStatus.EXPLAINED:
        return True
    return (
        assessment.status == AssessmentStatus.APPRAISED
        and assessment.explanation_deadline is not None
        and today > assessment.explanation_deadline
    )


def _assessment_url(assessment: Assessment) -> str:
    return reverse("assessment_detail", args=[assessment.pk])


def _agency_heads(agency_id: int) -> list[User]:
    """The agency's leaders and coordinators, who receive the appraisers' results."""
    return list(
        User.objects.filter(
            memberships__agency_id=agency_id,
            memberships__role__in=(Role.LEADER, Role.COORDINATOR),
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def _appraisers_of(agency: Agency) -> list[User]:
    """Appraisers whose province holds the agency."""
    province = agency.province
    people = []
    for membership in Membership.objects.filter(
        role=Role.APPRAISER, is_active=True, user__is_active=True
    ).select_related("agency", "user"):
        if membership.agency.province.pk == province.pk and membership.user not in people:
            people.append(membership.user)
    return people


def _notify_later(people: Iterable[User], *, kind: str, title: str, body: str, url: str) -> None:
    people = list(people)

    def send() -> None:
        for person in people:
            notify(user=person, kind=kind, title=title, body=body, url=url, email=True)

    transaction.on_commit(send)


# --- opening -----------------------------------------------------------------------------------


def leaf_criteria(framework: Framework) -> list[Criterion]:
    criteria = list(Criterion.objects.filter(framework=framework).prefetch_related("bands"))
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    return [c for c in criteria if c.pk not in parents]


def _measure(items: Iterable[AssessmentItem], assessment: Assessment) -> list[AssessmentItem]:
    now = timezone.now()
    measured = []
    for item in items:
        if item.criterion.method not in arithmetic.MEASURED:
            continue
        value, points, detail = arithmetic.measure(
            item.criterion, agency=assessment.agency, year=assessment.framework.year
        )
        item.measured_value = value
        item.measured_points = points
        item.measured_detail = detail
        item.measured_at = now
        measured.append(item)
    return measured


MEASURED_FIELDS = ["measured_value", "measured_points", "measured_detail", "measured_at"]


@transaction.atomic
def assessment_open(
    *,
    actor: User,
    agency: Agency,
    framework: Framework,
    submission_deadline: dt.date | None = None,
) -> Assessment:
    """The coordinator opens the agency's assessment of a framework in use: one item per leaf
    criterion, the automatic and survey criteria measured at once."""
    scope = get_scope(actor)
    _require(scope.is_admin or scope.has_role(agency.pk, Role.COORDINATOR))
    if agency.kind == AgencyKind.PROVINCE:
        raise ValidationError({"agency": _("A province is not assessed; choose an agency.")})
    if framework.status != FrameworkStatus.PUBLISHED:
        raise ValidationError({"framework": _("Only a framework that is in use can be assessed.")})
    if Assessment.objects.filter(agency=agency, framework=framework).exists():
        raise ValidationError(
            {"framework": _("This agency already has an assessment for this framework.")}
        )
    if submission_deadline is not None and submission_deadline < timezone.localdate():
        raise ValidationError(
            {"submission_deadline": _("The submission deadline must not be in the past.")}
        )
    leaves = leaf_criteria(framework)
    if not leaves:
        raise ValidationError({"framework": _("The framework has no criteria to score.")})
    assessment = Assessment.objects.create(
        agency=agency,
        framework=framework,
        submission_deadline=submission_deadline,
        opened_by=actor,
    )
    items = [AssessmentItem(assessment=assessment, criterion=c) for c in leaves]
    _measure(items, assessment)
    AssessmentItem.objects.bulk_create(items)
    audit.record(
        actor=actor,
        action="assessment.open",
        obj=assessment,
        agency=agency,
        changes={
            "framework": str(framework),
            "items": len(items),
            "submission_deadline": submission_deadline,
        },
    )
    return assessment


@transaction.atomic
def assessment_refresh_measured(*, assessment: Assessment, actor: User | None = None) -> int:
    """Measure the automatic and survey criteria again while the agency is still assessing
    (a periodic duty, or the coordinator's button). Returns how many items were measured."""
    if actor is not None:
        _require(can_on_assessment(get_scope(actor), assessment, AssessmentAction.MANAGE))
    _locked(assessment)
    _agency_may_write(assessment)
    items = assessment.items.select_related("criterion").prefetch_related("criterion__bands")
    measured = _measure(items, assessment)
    AssessmentItem.objects.bulk_update(measured, MEASURED_FIELDS)
    if measured:
        AssessmentItem.objects.filter(pk__in=[i.pk for i in measured]).update(
            version=F("version") + 1
        )
    audit.record(
        actor=actor,
        action="assessment.refresh",
        obj=assessment,
        agency=assessment.agency,
        changes={"measured": {i.criterion.code: str(i.measured_points) for i in measured}},
    )
    return len(measured)


def assessments_refresh_open() -> int:
    """The periodic duty: refresh every open assessment's measured criteria."""
    count = 0
    for assessment in Assessment.objects.filter(status=AssessmentStatus.OPEN).select_related(
        "agency", "framework"
    ):
        count += assessment_refresh_measured(assessment=assessment)
    return count


# --- the agency's round --------------------------------------------------------------------


@transaction.atomic
def item_assign(
    *,
    actor: User,
    item: AssessmentItem,
    unit: Unit | None,
    expected_version: int | None = None,
) -> AssessmentItem:
    """Hand a criterion to a unit of the agency (None: nobody)."""
    _require(can_on_item(get_scope(actor), item, ItemAction.ASSIGN))
    assessment = _locked(item.assessment)
    _agency_may_write(assessment)
    if unit is not None and unit.agency_id != assessment.agency_id:
        raise ValidationError({"unit": _("Choose a unit of this agency.")})
    before = item.unit
    if before == unit:
        return item
    _bump_version(item, expected_version)
    item.unit = unit
    item.save(update_fields=["unit"])
    audit.record(
        actor=actor,
        action="item.assign",
        obj=item,
        agency=assessment.agency,
        changes={"unit": [before, unit]},
    )
    if unit is not None:
        heads = User.objects.filter(
            memberships__unit=unit,
            memberships__role=Role.UNIT_HEAD,
            memberships__is_active=True,
            is_active=True,
        ).exclude(pk=actor.pk)
        _notify_later(
            heads.distinct(),
            kind="index_assigned",
            title=_("Your unit self-assesses criterion %(code)s of the reform index")
            % {"code": item.criterion.code},
            body=item.criterion.title,
            url=reverse("assessment_item_detail", args=[item.pk]),
        )
    return item


@transaction.atomic
def item_propose(
    *,
    actor: User,
    item: AssessmentItem,
    score: Decimal | int | str | None,
    note: str = "",
    expected_version: int | None = None,
) -> AssessmentItem:
    """The agency's own score for a criterion, with evidence or a written explanation."""
    _require(can_on_item(get_scope(actor), item, ItemAction.PROPOSE))
    assessment = _locked(item.assessment)
    _agency_may_write(assessment)
    criterion = item.criterion
    if criterion.method in arithmetic.MEASURED and item.measured_points is not None:
        raise ValidationError(
            {
                "score": _(
                    "This criterion is scored from measured data (%(points)s points); "
                    "its score cannot be entered by hand."
                )
                % {"points": format_points(item.measured_points)}
            }
        )
    value = _parse_score(score, criterion)
    note = _text(note, "note")
    needs_reason = not (criterion.method in arithmetic.ADDITIVE and value == 0)
    if needs_reason and not note and not item.evidence.exists():
        raise ValidationError(
            {"note": _("Attach evidence, or write an explanation of the score when there is none.")}
        )
    return _record_round(
        item,
        actor=actor,
        expected_version=expected_version,
        round_name="self",
        values={"self_score": value, "self_note": note},
        action="item.propose",
    )


def _record_round(
    item: AssessmentItem,
    *,
    actor: User,
    expected_version: int | None,
    round_name: str,
    values: dict[str, Any],
    action: str,
) -> AssessmentItem:
    """Write one round's fields of an item (``<round>_score`` and its note or comment) with who
    and when, after the version check, and leave the audit row of what changed."""
    _bump_version(item, expected_version)
    before = {name: getattr(item, name) for name in values}
    for name, value in values.items():
        setattr(item, name, value)
    setattr(item, f"{round_name}_by", actor)
    setattr(item, f"{round_name}_at", timezone.now())
    item.save(update_fields=[*values, f"{round_name}_by", f"{round_name}_at"])
    audit.record(
        actor=actor,
        action=action,
        obj=item,
        agency=item.assessment.agency,
        changes=audit.diff(before, values),
    )
    return item


def _same_agency(obj_agency_id: int | None, assessment: Assessment) -> None:
    # Whatever belongs to another agency does not exist for this assessment.
    if obj_agency_id != assessment.agency_id:
        raise Http404


def item_evidence_add(
    *,
    actor: User,
    item: AssessmentItem,
    file: IO[bytes] | None = None,
    task: Any = None,
    task_evidence: Any = None,
    target: Any = None,
    description: str = "",
    name: str | None = None,
    size: int | None = None,
) -> ItemEvidence:
    """Proof for a criterion: a file (checked by its content), a task of the agency's plan, one
    of a task's evidence files, or a measured target — one of them. A stored file is removed
    again if recording it fails, so nothing is left half-written."""
    _require(can_on_item(get_scope(actor), item, ItemAction.PROPOSE))
    _agency_may_write(item.assessment)  # again under the lock below, before anything is kept
    given = [x for x in (file, task, task_evidence, target) if x is not None]
    if len(given) != 1:
        raise ValidationError(
            _("Choose one thing: a file, a task, a task's evidence file or a measured target.")
        )
    description = _text(description, "description")[:500]
    evidence = ItemEvidence(item=item, description=description, added_by=actor)
    checked = None
    if file is not None:
        name = name or getattr(file, "name", "") or ""
        size = size if size is not None else getattr(file, "size", None)
        if size is None:
            file.seek(0, 2)
            size = file.tell()
            file.seek(0)
        try:
            checked = check_upload(file, name=name, size=size)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        evidence.original_name = checked.safe_name
        evidence.content_type = checked.mime
        evidence.size = checked.size
        evidence.sha256 = checked.sha256
    elif task is not None:
        _same_agency(task.agency_id, item.assessment)
        evidence.task = task
    elif task_evidence is not None:
        _same_agency(task_evidence.task.agency_id, item.assessment)
        evidence.task_evidence = task_evidence
    else:
        _same_agency(target.plan.agency_id, item.assessment)
        evidence.target = target
    if checked is not None:
        evidence.file.save(checked.safe_name, File(file), save=False)
    try:
        with transaction.atomic():
            assessment = _locked(item.assessment)
            _agency_may_write(assessment)
            duplicate = ItemEvidence.objects.filter(item=item)
            if evidence.task_id and duplicate.filter(task_id=evidence.task_id).exists():
                raise ValidationError({"task": _("This task is already linked.")})
            if (
                evidence.task_evidence_id
                and duplicate.filter(task_evidence_id=evidence.task_evidence_id).exists()
            ):
                raise ValidationError({"task_evidence": _("This file is already linked.")})
            if evidence.target_id and duplicate.filter(target_id=evidence.target_id).exists():
                raise ValidationError({"target": _("This target is already linked.")})
            evidence.save()
            audit.record(
                actor=actor,
                action="item_evidence.add",
                obj=evidence,
                agency=assessment.agency,
                changes={
                    "item_id": item.pk,
                    "criterion": item.criterion.code,
                    "name": evidence.original_name,
                    "task_id": evidence.task_id,
                    "task_evidence_id": evidence.task_evidence_id,
                    "target_id": evidence.target_id,
                    "sha256": evidence.sha256,
                },
            )
    except BaseException:
        if evidence.file:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def item_evidence_remove(*, actor: User, evidence: ItemEvidence) -> None:
    item = evidence.item
    _require(can_on_item(get_scope(actor), item, ItemAction.PROPOSE))
    assessment = _locked(item.assessment)
    _agency_may_write(assessment)
    stored = evidence.file.name if evidence.file else ""
    storage = evidence.file.storage
    audit.record(
        actor=actor,
        action="item_evidence.remove",
        obj=evidence,
        agency=assessment.agency,
        changes={"item_id": item.pk, "criterion": item.criterion.code, "name": str(evidence)},
    )
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def _codes(items: Iterable[AssessmentItem]) -> str:
    return ", ".join(i.criterion.code for i in items)


@transaction.atomic
def assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    """The leader approves the self-assessment and sends it to the appraisers: every criterion
    scored (the measured ones count), each score backed by evidence or an explanation."""
    _require(can_on_assessment(get_scope(actor), assessment, AssessmentAction.SUBMIT))
    _locked(assessment)
    _agency_may_write(assessment)
    items = list(assessment.items.select_related("criterion").prefetch_related("evidence").all())
    missing = [i for i in items if is_required(i.criterion) and self_value(i) is None]
    if missing:
        raise ValidationError(
            _("Every criterion needs a score before submission. Not scored yet: %(codes)s.")
            % {"codes": _codes(missing)}
        )
    bare = [
        i
        for i in items
        if i.self_score is not None
        and not i.self_note
        and not i.evidence.all()
        and not (i.criterion.method in arithmetic.ADDITIVE and i.self_score == 0)
    ]
    if bare:
        raise ValidationError(
            _("These criteria have a score but neither evidence nor an explanation: %(codes)s.")
            % {"codes": _codes(bare)}
        )
    totals = arithmetic.score_tree(
        _criteria(assessment), arithmetic.effective_scores(items, "self")
    )
    now = timezone.now()
    late = (
        assessment.submission_deadline is not None
        and timezone.localdate(now) > assessment.submission_deadline
    )
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_by = actor
    assessment.submitted_at = now
    assessment.self_total = totals.points
    assessment.version += 1
    assessment.save(
        update_fields=["status", "submitted_by", "submitted_at", "self_total", "version"]
    )
    audit.record(
        actor=actor,
        action="assessment.submit",
        obj=assessment,
        agency=assessment.agency,
        changes={
            "status": AssessmentStatus.SUBMITTED,
            "self_total": totals.points,
            "self_percent": totals.percent,
            "late": late,
        },
    )
    _notify_later(
        _appraisers_of(assessment.agency),
        kind="index_submitted",
        title=_("%(agency)s submitted its reform index self-assessment")
        % {"agency": assessment.agency.name},
        body=_("Self-assessed: %(points)s points.") % {"points": format_points(totals.points)},
        url=_assessment_url(assessment),
    )
    return assessment


# --- appraisal ---------------------------------------------------------------------------------


@transaction.atomic
def appraisal_score(
    *,
    actor: User,
    item: AssessmentItem,
    score: Decimal | int | str | None,
    comment: str = "",
    expected_version: int | None = None,
) -> AssessmentItem:
    """The appraisers' score of a criterion; a score other than the agency's needs a comment."""
    _require(can_on_item(get_scope(actor), item, ItemAction.APPRAISE))
    assessment = _locked(item.assessment)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(
            _("Appraisal scores are given after submission and until the appraisal is closed.")
        )
    value = _parse_score(score, item.criterion)
    comment = _text(comment, "comment")
    if value != self_value(item) and not comment:
        raise ValidationError(
            {"comment": _("Say in a comment why the score differs from the self-assessment.")}
        )
    return _record_round(
        item,
        actor=actor,
        expected_version=expected_version,
        round_name="appraisal",
        values={"appraisal_score": value, "appraisal_comment": comment},
        action="item.appraise",
    )


@transaction.atomic
def appraisal_close(
    *, actor: User, assessment: Assessment, explanation_deadline: dt.date | None
) -> Assessment:
    """Close the appraisal: the totals are kept and the agency may explain the disputed
    criteria until ``explanation_deadline``."""
    _require(can_on_assessment(get_scope(actor), assessment, AssessmentAction.APPRAISE))
    _locked(assessment)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can have its appraisal closed."))
    if explanation_deadline is None:
        raise ValidationError(
            {"explanation_deadline": _("Set the last day for the agency's explanations.")}
        )
    if explanation_deadline < timezone.localdate():
        raise ValidationError(
            {"explanation_deadline": _("The last day for explanations must not be in the past.")}
        )
    items = _items(assessment)
    totals = arithmetic.score_tree(
        _criteria(assessment), arithmetic.effective_scores(items, "appraisal")
    )
    disputed = [i for i in items if is_disputed(i)]
    assessment.status = AssessmentStatus.APPRAISED
    assessment.appraised_at = timezone.now()
    assessment.explanation_deadline = explanation_deadline
    assessment.appraisal_total = totals.points
    assessment.version += 1
    assessment.save(
        update_fields=[
            "status",
            "appraised_at",
            "explanation_deadline",
            "appraisal_total",
            "version",
        ]
    )
    audit.record(
        actor=actor,
        action="assessment.appraisal_close",
        obj=assessment,
        agency=assessment.agency,
        changes={
            "status": AssessmentStatus.APPRAISED,
            "appraisal_total": totals.points,
            "explanation_deadline": explanation_deadline,
            "disputed": [i.criterion.code for i in disputed],
        },
    )
    _notify_later(
        _agency_heads(assessment.agency_id),
        kind="index_appraised",
        title=_("The reform index of %(year)s was appraised: %(points)s points")
        % {"year": assessment.framework.year, "points": format_points(totals.points)},
        body=_(
            "%(count)s criteria were scored differently. Explanations are accepted until %(date)s."
        )
        % {"count": len(disputed), "date": _date(explanation_deadline)},
        url=_assessment_url(assessment),
    )
    return assessment


@transaction.atomic
def item_explain(
    *,
    actor: User,
    item: AssessmentItem,
    explanation: str,
    expected_version: int | None = None,
) -> AssessmentItem:
    """The agency's answer (giải trình) on a criterion the appraisers scored differently."""
    _require(can_on_item(get_scope(actor), item, ItemAction.EXPLAIN))
    assessment = _locked(item.assessment)
    if assessment.status != AssessmentStatus.APPRAISED:
        if assessment.status in (AssessmentStatus.EXPLAINED, AssessmentStatus.FINAL):
            raise ValidationError(_("The explanations were already sent."))
        raise ValidationError(_("Explanations are given once the appraisal is closed."))
    if not explanation_window_open(assessment):
        raise ValidationError(
            _("The time for explanations ended on %(date)s.")
            % {"date": _date(assessment.explanation_deadline)}
        )
    if not is_disputed(item):
        raise ValidationError(
            _("Only a criterion the appraisers scored differently from the agency is explained.")
        )
    text = _text(
        explanation, "explanation", required=True, message=_("Write the explanation first.")
    )
    _bump_version(item, expected_version)
    before = item.explanation
    item.explanation = text
    item.explanation_by = actor
    item.explanation_at = timezone.now()
    item.save(update_fields=["explanation", "explanation_by", "explanation_at"])
    audit.record(
        actor=actor,
        action="item.explain",
        obj=item,
        agency=assessment.agency,
        changes={"explanation": [before[:200], text[:200]]},
    )
    return item


@transaction.atomic
def explanations_submit(*, actor: User, assessment: Assessment) -> Assessment:
    """The agency sends its explanations (none at all means it accepts the appraisal)."""
    _require(can_on_assessment(get_scope(actor), assessment, AssessmentAction.SEND_EXPLANATIONS))
    _locked(assessment)
    if assessment.status != AssessmentStatus.APPRAISED:
        raise ValidationError(_("There is no appraisal awaiting explanations."))
    if not explanation_window_open(assessment):
        raise ValidationError(
            _("The time for explanations ended on %(date)s.")
            % {"date": _date(assessment.explanation_deadline)}
        )
    explained = list(
        assessment.items.exclude(explanation="").values_list("criterion__code", flat=True)
    )
    assessment.status = AssessmentStatus.EXPLAINED
    assessment.explained_at = timezone.now()
    assessment.version += 1
    assessment.save(update_fields=["status", "explained_at", "version"])
    audit.record(
        actor=actor,
        action="assessment.explanations_submit",
        obj=assessment,
        agency=assessment.agency,
        changes={"status": AssessmentStatus.EXPLAINED, "explained": explained},
    )
    _notify_later(
        _appraisers_of(assessment.agency),
        kind="index_explained",
        title=_("%(agency)s sent its explanations on the reform index")
        % {"agency": assessment.agency.name},
        body=_("%(count)s criteria explained.") % {"count": len(explained)},
        url=_assessment_url(assessment),
    )
    return assessment


# --- final round -------------------------------------------------------------------------------


def _final_round(assessment: Assessment) -> None:
    if assessment.status == AssessmentStatus.FINAL:
        raise ValidationError(_("The assessment is final."))
    if not final_round_open(assessment):
        raise ValidationError(
            _(
                "The final appraisal opens when the agency has sent its explanations or the "
                "time for them has ended."
            )
        )


@transaction.atomic
def final_score(
    *,
    actor: User,
    item: AssessmentItem,
    score: Decimal | int | str | None,
    comment: str = "",
    expected_version: int | None = None,
) -> AssessmentItem:
    """The final score of a criterion, after the agency's explanations."""
    _require(can_on_item(get_scope(actor), item, ItemAction.APPRAISE))
    assessment = _locked(item.assessment)
    _final_round(assessment)
    value = _parse_score(score, item.criterion)
    comment = _text(comment, "comment")
    if value != appraisal_value(item) and not comment:
        raise ValidationError(
            {"comment": _("Say in a comment why the final score differs from the appraisal.")}
        )
    return _record_round(
        item,
        actor=actor,
        expected_version=expected_version,
        round_name="final",
        values={"final_score": value, "final_comment": comment},
        action="item.final",
    )


@transaction.atomic
def assessment_finalize(*, actor: User, assessment: Assessment) -> Assessment:
    """Close the final appraisal: final points, index % and ranking band."""
    _require(can_on_assessment(get_scope(actor), assessment, AssessmentAction.APPRAISE))
    _locked(assessment)
    _final_round(assessment)
    totals = _totals(assessment, "final")
    band = arithmetic.band_for(totals.percent)
    assessment.status = AssessmentStatus.FINAL
    assessment.finalized_at = timezone.now()
    assessment.final_total = totals.points
    assessment.final_percent = totals.percent
    assessment.band = band.code if band is not None else ""
    assessment.version += 1
    assessment.save(
        update_fields=[
            "status",
            "finalized_at",
            "final_total",
            "final_percent",
            "band",
            "version",
        ]
    )
    audit.record(
        actor=actor,
        action="assessment.finalize",
        obj=assessment,
        agency=assessment.agency,
        changes={
            "status": AssessmentStatus.FINAL,
            "final_total": totals.points,
            "final_percent": totals.percent,
            "band": assessment.band,
        },
    )
    percent = format_points(totals.percent) if totals.percent is not None else "—"
    _notify_later(
        _agency_heads(assessment.agency_id),
        kind="index_final",
        title=_("The reform index of %(year)s is final: %(percent)s %%")
        % {"year": assessment.framework.year, "percent": percent},
        body=_("Band: %(band)s.") % {"band": assessment.band or "—"},
        url=_assessment_url(assessment),
    )
    return assessment
