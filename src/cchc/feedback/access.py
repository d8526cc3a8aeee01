"""Who may see and handle a feedback item (DESIGN.md §2): 404 outside the actor's agencies, 403
for those who may read it but not do what they ask.

* the coordinator (Văn phòng) receives, classifies, assigns, asks the sender for information,
  drafts answers and publishes;
* the head and the officers of the unit the item is assigned to ask for information and draft
  the answer; the head may also give the item to one of the unit's people;
* the leader approves the answer (or sends the draft back) and may publish;
* the viewer and the appraiser read; the sender's contact details and files are shown only to
  the people who handle the item (coordinator, leader, the assigned unit) and the administrator.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cchc.core.access import Scope, get_scope
from cchc.core.models import Agency, Role, User
from cchc.feedback.models import Feedback


class FeedbackAction(enum.Enum):
    READ = "read"
    CONTACT = "contact"  # see the sender's contact details and files
    CLASSIFY = "classify"
    ASSIGN = "assign"
    REQUEST_INFO = "request_info"
    ANSWER = "answer"
    APPROVE = "approve"  # approve the answer or send it back
    PUBLISH = "publish"


WRITE_ACTIONS = (
    FeedbackAction.CLASSIFY,
    FeedbackAction.ASSIGN,
    FeedbackAction.REQUEST_INFO,
    FeedbackAction.ANSWER,
    FeedbackAction.APPROVE,
    FeedbackAction.PUBLISH,
)
# Roles that record a feedback received at the desk, by phone or by letter.
RECORDERS = (Role.COORDINATOR, Role.UNIT_HEAD, Role.OFFICER)


def _in_unit(scope: Scope, feedback: Feedback, *roles: str) -> bool:
    if feedback.unit_id is None:
        return False
    return any(feedback.unit_id in scope.unit_ids(feedback.agency_id, role) for role in roles)


def can_on_feedback(scope: Scope, feedback: Feedback, action: FeedbackAction) -> bool:
    agency_id = feedback.agency_id
    if not scope.can_read_agency(agency_id):
        return False
    if action is FeedbackAction.READ or scope.is_admin:
        return True
    coordinator = scope.has_role(agency_id, Role.COORDINATOR)
    leader = scope.has_role(agency_id, Role.LEADER)
    if action is FeedbackAction.CLASSIFY:
        return coordinator
    if action is FeedbackAction.ASSIGN:
        return coordinator or _in_unit(scope, feedback, Role.UNIT_HEAD)
    if action in (FeedbackAction.REQUEST_INFO, FeedbackAction.ANSWER):
        return coordinator or _in_unit(scope, feedback, Role.UNIT_HEAD, Role.OFFICER)
    if action is FeedbackAction.APPROVE:
        return leader
    if action is FeedbackAction.PUBLISH:
        return coordinator or leader
    if action is FeedbackAction.CONTACT:
        return coordinator or leader or _in_unit(scope, feedback, Role.UNIT_HEAD, Role.OFFICER)
    return False


def can_record(scope: Scope, agency: Agency) -> bool:
    """Whether the person may record a feedback of ``agency`` received at the desk."""
    return scope.is_admin or scope.has_role(agency.pk, *RECORDERS)


def access_feedback(
    *,
    actor: User,
    feedback_id: int,
    for_write: bool = False,
    action: FeedbackAction | None = None,
) -> Feedback:
    """The item, if the actor may read it (404 otherwise). With ``action``, if the actor may do
    it; with ``for_write`` alone, if the actor may do any of the handling (403 otherwise)."""
    scope = get_scope(actor)
    feedback = (
        Feedback.objects.select_related("agency", "topic", "unit", "handler", "dossier")
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None or not scope.can_read_agency(feedback.agency_id):
        raise Http404
    if action is not None:
        allowed = can_on_feedback(scope, feedback, action)
    elif for_write:
        allowed = any(can_on_feedback(scope, feedback, a) for a in WRITE_ACTIONS)
    else:
        allowed = True
    if not allowed:
        raise PermissionDenied
    return feedback
