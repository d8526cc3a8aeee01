"""Access to index assessments and their items: 404 outside the actor's agencies (and, for an
appraiser, outside the province), 403 for people who may read but not do the write.

Who does what (DESIGN.md §2, §4.6):

- the agency's coordinator opens the assessment, assigns criteria to units and proposes scores;
- the head and officers of the unit a criterion is assigned to propose its score and evidence;
- the leader approves and submits; the leader, the coordinator and the assigned unit answer the
  appraisers (giải trình), and the leader or the coordinator sends the answers;
- appraisers of Sở Nội vụ read every agency of their province and score the appraisal and the
  final rounds only — never the agency's own round;
- the system administrator may do everything; viewers read.

Whether the *round* is open (the assessment's status, deadlines) is the services' business: a
person with the right role gets a clear refusal from the service, not a 403.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cchc.core.access import Scope, get_scope
from cchc.core.models import Role, User
from cchc.scoring.models import Assessment, AssessmentItem, ItemEvidence


class AssessmentAction(enum.Enum):
    READ = "read"
    MANAGE = "manage"  # refresh the measured criteria, assign units
    SUBMIT = "submit"  # approve and send the self-assessment
    SEND_EXPLANATIONS = "send_explanations"
    APPRAISE = "appraise"  # close the appraisal, finalise


class ItemAction(enum.Enum):
    READ = "read"
    ASSIGN = "assign"
    PROPOSE = "propose"  # the self-assessed score and its evidence
    EXPLAIN = "explain"  # answer the appraisers
    APPRAISE = "appraise"  # the appraisal and the final score


def is_appraiser_of(scope: Scope, agency_id: int) -> bool:
    """An appraiser whose province holds the agency (``can_read_agency`` covers the province)."""
    return scope.is_appraiser() and scope.can_read_agency(agency_id)


def can_on_assessment(scope: Scope, assessment: Assessment, action: AssessmentAction) -> bool:
    agency_id = assessment.agency_id
    if not scope.can_read_agency(agency_id):
        return False
    if action is AssessmentAction.READ or scope.is_admin:
        return True
    if action is AssessmentAction.MANAGE:
        return scope.has_role(agency_id, Role.COORDINATOR)
    if action is AssessmentAction.SUBMIT:
        return scope.has_role(agency_id, Role.LEADER)
    if action is AssessmentAction.SEND_EXPLANATIONS:
        return scope.has_role(agency_id, Role.LEADER, Role.COORDINATOR)
    return is_appraiser_of(scope, agency_id)


def _of_item_unit(scope: Scope, item: AssessmentItem) -> bool:
    agency_id = item.assessment.agency_id
    if item.unit_id is None:
        return False
    return item.unit_id in scope.unit_ids(agency_id, Role.UNIT_HEAD) | scope.unit_ids(
        agency_id, Role.OFFICER
    )


def can_on_item(scope: Scope, item: AssessmentItem, action: ItemAction) -> bool:
    agency_id = item.assessment.agency_id
    if not scope.can_read_agency(agency_id):
        return False
    if action is ItemAction.READ or scope.is_admin:
        return True
    if action is ItemAction.APPRAISE:
        return is_appraiser_of(scope, agency_id)
    if action is ItemAction.ASSIGN:
        return scope.has_role(agency_id, Role.COORDINATOR)
    if scope.has_role(agency_id, Role.COORDINATOR):
        return True
    if action is ItemAction.EXPLAIN and scope.has_role(agency_id, Role.LEADER):
        return True
    return _of_item_unit(scope, item)


def _for_write_action(for_write: bool, action: AssessmentAction | None) -> AssessmentAction:
    if action is not None:
        return action
    return AssessmentAction.MANAGE if for_write else AssessmentAction.READ


def access_assessment(
    *,
    actor: User,
    assessment_id: int,
    for_write: bool = False,
    action: AssessmentAction | None = None,
) -> Assessment:
    """The assessment if the actor may see it (404 otherwise) and do ``action`` (403 otherwise);
    ``for_write`` without an action means managing it (the coordinator's work)."""
    scope = get_scope(actor)
    assessment = (
        Assessment.objects.select_related("agency", "framework", "submitted_by")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not scope.can_read_agency(assessment.agency_id):
        raise Http404
    if not can_on_assessment(scope, assessment, _for_write_action(for_write, action)):
        raise PermissionDenied
    return assessment


def access_item(
    *,
    actor: User,
    item_id: int,
    for_write: bool = False,
    action: ItemAction | None = None,
) -> AssessmentItem:
    """The item if the actor may see it (404 otherwise) and do ``action`` (403 otherwise);
    ``for_write`` without an action means proposing its score."""
    scope = get_scope(actor)
    item = (
        AssessmentItem.objects.select_related(
            "assessment__agency", "assessment__framework", "criterion", "unit"
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None or not scope.can_read_agency(item.assessment.agency_id):
        raise Http404
    if action is None:
        action = ItemAction.PROPOSE if for_write else ItemAction.READ
    if not can_on_item(scope, item, action):
        raise PermissionDenied
    return item


def access_item_evidence(
    *, actor: User, evidence_id: int, action: ItemAction = ItemAction.READ
) -> ItemEvidence:
    evidence = ItemEvidence.objects.filter(pk=evidence_id).only("id", "item_id").first()
    if evidence is None:
        raise Http404
    item = access_item(actor=actor, item_id=evidence.item_id, action=action)
    evidence = ItemEvidence.objects.select_related("task", "task_evidence", "target").get(
        pk=evidence_id
    )
    evidence.item = item
    return evidence
