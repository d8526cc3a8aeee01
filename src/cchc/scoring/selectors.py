"""Reads of index assessments, always scoped to what the acting user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.access import get_scope
from cchc.core.models import Agency, AgencyKind, AuditEntry, Role, Unit, User
from cchc.scoring import arithmetic
from cchc.scoring.access import (
    AssessmentAction,
    ItemAction,
    can_on_assessment,
    can_on_item,
    is_appraiser_of,
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
from cchc.scoring.services import (
    explanation_window_open,
    final_round_open,
    is_disputed,
    is_required,
)

_MEASURED = Q(
    items__measured_points__isnull=False, items__criterion__method__in=arithmetic.MEASURED
)


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    scope = get_scope(user)
    qs = Assessment.objects.select_related("agency", "framework")
    return qs if scope.is_admin else qs.filter(agency_id__in=scope.readable_agency_ids)


def assessment_list(
    *,
    user: User,
    agency_id: int | None = None,
    year: int | None = None,
    status: str | None = None,
) -> QuerySet[Assessment]:
    """The assessments the user may see, with how many criteria are scored in each round."""
    qs = assessments_visible_to(user).annotate(
        item_count=Count("items", distinct=True),
        self_count=Count(
            "items", filter=Q(items__self_score__isnull=False) | _MEASURED, distinct=True
        ),
        appraised_count=Count(
            "items", filter=Q(items__appraisal_score__isnull=False), distinct=True
        ),
    )
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if year is not None:
        qs = qs.filter(framework__year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-framework__year", "agency__name", "framework__level")


def assessment_years(user: User) -> list[int]:
    return sorted(
        set(assessments_visible_to(user).values_list("framework__year", flat=True)), reverse=True
    )


def openable_agencies(user: User) -> QuerySet[Agency]:
    """Agencies whose assessment the user may open: as coordinator, or all as admin."""
    scope = get_scope(user)
    qs = Agency.objects.exclude(kind=AgencyKind.PROVINCE).order_by("name")
    if scope.is_admin:
        return qs
    ids = [aid for aid, roles in scope.roles.items() if Role.COORDINATOR in roles]
    return qs.filter(pk__in=ids)


def frameworks_in_use() -> QuerySet[Framework]:
    return Framework.objects.filter(status=FrameworkStatus.PUBLISHED).order_by(
        "-year", "level", "-version"
    )


# --- the assessment page -------------------------------------------------------------------


@dataclass
class Row:
    """One line of the tree: an area, a criterion or a scored leaf (with its item)."""

    criterion: Criterion
    depth: int
    item: AssessmentItem | None
    self_points: Decimal | None
    appraisal_points: Decimal | None
    final_points: Decimal | None
    self_percent: Decimal | None = None
    appraisal_percent: Decimal | None = None
    final_percent: Decimal | None = None
    # For leaves: whether the round's own score was given (otherwise the value shown is
    # carried over from the round before).
    appraisal_given: bool = False
    final_given: bool = False
    disputed: bool = False
    final_changed: bool = False
    mine: bool = False

    @property
    def is_leaf(self) -> bool:
        return self.item is not None

    @property
    def is_area(self) -> bool:
        return self.depth == 0


@dataclass
class Progress:
    required: int = 0
    self_scored: int = 0
    appraised: int = 0
    final_scored: int = 0
    explained: int = 0
    disputed: int = 0
    unassigned: int = 0

    @property
    def self_percent(self) -> int:
        return round(100 * self.self_scored / self.required) if self.required else 0


@dataclass
class AssessmentPage:
    assessment: Assessment
    rows: list[Row]
    totals: dict[str, arithmetic.Totals]
    progress: Progress
    mine: list[AssessmentItem]
    show_appraisal: bool
    show_final: bool
    late: bool
    explanation_open: bool
    final_open: bool
    can: dict[str, bool] = field(default_factory=dict)
    band: object = None


def _items_of(assessment: Assessment) -> list[AssessmentItem]:
    return list(
        assessment.items.select_related("criterion", "unit").annotate(
            evidence_count=Count("evidence")
        )
    )


def assessment_page(*, user: User, assessment: Assessment, today: dt.date | None = None):
    """Everything the assessment page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    scope = get_scope(user)
    criteria = list(Criterion.objects.filter(framework_id=assessment.framework_id))
    by_id = {c.pk: c for c in criteria}
    items = _items_of(assessment)
    by_criterion = {i.criterion_id: i for i in items}
    totals = {
        round: arithmetic.score_tree(criteria, arithmetic.effective_scores(items, round))
        for round in arithmetic.ROUNDS
    }
    nodes = {
        round: {node.criterion_id: node for node in totals[round].walk()}
        for round in arithmetic.ROUNDS
    }
    agency_id = assessment.agency_id
    my_units = scope.unit_ids(agency_id, Role.UNIT_HEAD) | scope.unit_ids(agency_id, Role.OFFICER)
    rows: list[Row] = []

    def visit(node: arithmetic.NodeScore, depth: int) -> None:
        cid = node.criterion_id
        item = by_criterion.get(cid) if node.is_leaf else None
        row = Row(
            criterion=by_id[cid],
            depth=depth,
            item=item,
            self_points=node.points,
            appraisal_points=nodes["appraisal"][cid].points,
            final_points=nodes["final"][cid].points,
            self_percent=node.percent,
            appraisal_percent=nodes["appraisal"][cid].percent,
            final_percent=nodes["final"][cid].percent,
        )
        if item is not None:
            row.appraisal_given = item.appraisal_score is not None
            row.final_given = item.final_score is not None
            row.disputed = is_disputed(item)
            row.final_changed = (
                item.final_score is not None
                and item.final_score != arithmetic.item_score(item, "appraisal")
            )
            row.mine = item.unit_id is not None and item.unit_id in my_units
        rows.append(row)
        for child in node.children:
            visit(child, depth + 1)

    for area in totals["self"].areas:
        visit(area, 0)

    progress = Progress()
    mine = []
    for item in items:
        required = is_required(item.criterion)
        has_self = arithmetic.item_score(item, "self") is not None
        if required:
            progress.required += 1
            progress.self_scored += has_self
        progress.appraised += item.appraisal_score is not None
        progress.final_scored += item.final_score is not None
        progress.explained += bool(item.explanation)
        progress.disputed += is_disputed(item)
        progress.unassigned += item.unit_id is None
        if item.unit_id in my_units and not has_self and required:
            mine.append(item)
    status = assessment.status
    page = AssessmentPage(
        assessment=assessment,
        rows=rows,
        totals=totals,
        progress=progress,
        mine=mine,
        show_appraisal=status != AssessmentStatus.OPEN,
        show_final=status
        in (AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED, AssessmentStatus.FINAL),
        late=status == AssessmentStatus.OPEN
        and assessment.submission_deadline is not None
        and today > assessment.submission_deadline,
        explanation_open=explanation_window_open(assessment, today),
        final_open=final_round_open(assessment, today),
    )
    page.can = {
        "manage": can_on_assessment(scope, assessment, AssessmentAction.MANAGE)
        and status == AssessmentStatus.OPEN,
        "submit": can_on_assessment(scope, assessment, AssessmentAction.SUBMIT)
        and status == AssessmentStatus.OPEN,
        "close_appraisal": can_on_assessment(scope, assessment, AssessmentAction.APPRAISE)
        and status == AssessmentStatus.SUBMITTED,
        "send_explanations": can_on_assessment(
            scope, assessment, AssessmentAction.SEND_EXPLANATIONS
        )
        and page.explanation_open,
        "finalize": can_on_assessment(scope, assessment, AssessmentAction.APPRAISE)
        and page.final_open,
        "appraise": is_appraiser_of(scope, agency_id) or scope.is_admin,
    }
    return page


# --- the item page -------------------------------------------------------------------------

ACTION_LABELS = {
    "item.assign": _("Assigned to a unit"),
    "item.propose": _("Self-assessed score proposed"),
    "item.appraise": _("Appraisal score given"),
    "item.explain": _("Explanation written"),
    "item.final": _("Final score given"),
    "item_evidence.add": _("Evidence added"),
    "item_evidence.remove": _("Evidence removed"),
}


@dataclass
class HistoryLine:
    entry: AuditEntry
    label: str


def item_history(*, item: AssessmentItem, limit: int = 50) -> list[HistoryLine]:
    entries = (
        AuditEntry.objects.filter(
            Q(object_type="scoring.assessmentitem", object_id=str(item.pk))
            | Q(object_type="scoring.itemevidence", changes__item_id=item.pk)
        )
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    return [HistoryLine(e, str(ACTION_LABELS.get(e.action, e.action))) for e in entries]


def item_evidence(*, item: AssessmentItem) -> list[ItemEvidence]:
    return list(
        item.evidence.select_related(
            "added_by", "task", "task_evidence", "task_evidence__task", "target__indicator"
        )
    )


def item_permissions(*, user: User, item: AssessmentItem, today: dt.date | None = None) -> dict:
    """Which forms of the item page the user may use now (role and round both allow it)."""
    scope = get_scope(user)
    assessment = item.assessment
    status = assessment.status
    is_open = status == AssessmentStatus.OPEN
    measured = item.criterion.method in arithmetic.MEASURED and item.measured_points is not None
    propose = can_on_item(scope, item, ItemAction.PROPOSE) and is_open
    return {
        "assign": can_on_item(scope, item, ItemAction.ASSIGN) and is_open,
        "propose": propose and not measured,
        "evidence": propose,
        "appraise": can_on_item(scope, item, ItemAction.APPRAISE)
        and status == AssessmentStatus.SUBMITTED,
        "explain": can_on_item(scope, item, ItemAction.EXPLAIN)
        and explanation_window_open(assessment, today)
        and is_disputed(item),
        "final": can_on_item(scope, item, ItemAction.APPRAISE)
        and final_round_open(assessment, today),
    }


def agency_units(agency_id: int) -> QuerySet[Unit]:
    return Unit.objects.filter(agency_id=agency_id).order_by("name")


def linkable_tasks(*, item: AssessmentItem):
    """Tasks of the agency's plan of the framework's year, to link as evidence."""
    from cchc.plans.models import Task

    assessment = item.assessment
    return (
        Task.objects.filter(agency_id=assessment.agency_id, plan__year=assessment.framework.year)
        .only("id", "code", "title", "agency_id")
        .order_by("area__number", "position", "id")
    )


def linkable_task_evidence(*, item: AssessmentItem):
    from cchc.plans.models import Evidence

    assessment = item.assessment
    return (
        Evidence.objects.filter(
            task__agency_id=assessment.agency_id, task__plan__year=assessment.framework.year
        )
        .select_related("task")
        .order_by("task__code", "id")
    )


def linkable_targets(*, item: AssessmentItem):
    from cchc.indicators.models import Target

    assessment = item.assessment
    return (
        Target.objects.filter(
            plan__agency_id=assessment.agency_id,
            plan__year=assessment.framework.year,
            indicator__isnull=False,
        )
        .select_related("indicator", "plan")
        .order_by("indicator__name", "id")
    )
