"""Access to plans and tasks: 404 outside the actor's agencies, 403 for readers who write."""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cchc.core.access import Scope, get_scope
from cchc.core.models import Role, User
from cchc.plans.models import Evidence, Plan, Task


class TaskAction(enum.Enum):
    READ = "read"
    EDIT = "edit"  # change fields, assign people
    PROGRESS = "progress"  # record progress, add evidence
    COMMENT = "comment"


class PlanAction(enum.Enum):
    READ = "read"
    MANAGE = "manage"  # edit the plan, add areas and tasks
    ISSUE = "issue"  # approve and issue the plan


def can_on_plan(scope: Scope, plan: Plan, action: PlanAction) -> bool:
    if not scope.can_read_agency(plan.agency_id):
        return False
    if action is PlanAction.READ or scope.is_admin:
        return True
    if action is PlanAction.MANAGE:
        return scope.has_role(plan.agency_id, Role.COORDINATOR)
    return scope.has_role(plan.agency_id, Role.LEADER)


def can_on_task(scope: Scope, task: Task, action: TaskAction, *, user_id: int | None) -> bool:
    """``task.assignee_ids`` may be prefetched by the caller; otherwise it is queried."""
    agency_id = task.agency_id
    if not scope.can_read_agency(agency_id):
        return False
    if action is TaskAction.READ or scope.is_admin:
        return True
    if scope.has_role(agency_id, Role.COORDINATOR):
        return True
    leads = task.lead_unit_id is not None and task.lead_unit_id in scope.unit_ids(
        agency_id, Role.UNIT_HEAD
    )
    if action is TaskAction.EDIT:
        return leads
    if leads:
        return True
    if action is TaskAction.COMMENT and scope.has_role(agency_id, Role.LEADER):
        return True
    officer_units = scope.unit_ids(agency_id, Role.OFFICER)
    if not scope.has_role(agency_id, Role.OFFICER):
        return False
    if task.lead_unit_id is not None and task.lead_unit_id in officer_units:
        return True
    assignee_ids = getattr(task, "assignee_ids", None)
    if assignee_ids is None:
        assignee_ids = set(task.assignees.values_list("id", flat=True))
    return user_id in assignee_ids


def access_plan(*, actor: User, plan_id: int, action: PlanAction = PlanAction.READ) -> Plan:
    scope = get_scope(actor)
    plan = Plan.objects.select_related("agency").filter(pk=plan_id).first()
    if plan is None or not scope.can_read_agency(plan.agency_id):
        raise Http404
    if not can_on_plan(scope, plan, action):
        raise PermissionDenied
    return plan


def access_task(*, actor: User, task_id: int, action: TaskAction = TaskAction.READ) -> Task:
    scope = get_scope(actor)
    task = (
        Task.objects.select_related("plan", "agency", "area", "lead_unit", "parent")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not scope.can_read_agency(task.agency_id):
        raise Http404
    if not can_on_task(scope, task, action, user_id=actor.pk):
        raise PermissionDenied
    return task


def access_evidence(*, actor: User, evidence_id: int) -> Evidence:
    evidence = Evidence.objects.select_related("task").filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    access_task(actor=actor, task_id=evidence.task_id)
    return evidence
