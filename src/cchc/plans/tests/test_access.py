import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cchc.plans.access import PlanAction, TaskAction, access_plan, access_task
from cchc.plans.selectors import plans_visible_to, tasks_visible_to

# role -> (read, edit, progress, comment) on a task led by the persona's unit and assigned to
# the officer persona (DESIGN.md §2).
TASK_MATRIX = {
    "leader": (True, False, False, True),
    "coordinator": (True, True, True, True),
    "unit_head": (True, True, True, True),
    "officer": (True, False, True, True),
    "other_officer": (True, False, False, False),
    "viewer": (True, False, False, False),
}


def _outcome(fn):
    try:
        fn()
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return 200


@pytest.mark.parametrize("role", sorted(TASK_MATRIX))
def test_task_matrix_in_own_agency(world, role):
    person = getattr(world.a, role)
    expected = TASK_MATRIX[role]
    for action, allowed in zip(
        (TaskAction.READ, TaskAction.EDIT, TaskAction.PROGRESS, TaskAction.COMMENT),
        expected,
        strict=True,
    ):
        got = _outcome(
            lambda a=action: access_task(actor=person, task_id=world.a.task.pk, action=a)
        )
        assert got == (200 if allowed else 403), (role, action)


@pytest.mark.parametrize("role", sorted(TASK_MATRIX))
def test_strangers_get_404(world, role):
    person = getattr(world.b, role)
    for action in TaskAction:
        assert (
            _outcome(lambda a=action: access_task(actor=person, task_id=world.a.task.pk, action=a))
            == 404
        )
    assert _outcome(lambda: access_plan(actor=person, plan_id=world.a.plan.pk)) == 404


def test_appraiser_reads_every_agency_but_writes_nothing(world):
    for people in (world.a, world.b):
        assert (
            _outcome(lambda p=people: access_task(actor=world.appraiser, task_id=p.task.pk)) == 200
        )
        assert (
            _outcome(
                lambda p=people: access_task(
                    actor=world.appraiser, task_id=p.task.pk, action=TaskAction.PROGRESS
                )
            )
            == 403
        )
        assert (
            _outcome(
                lambda p=people: access_plan(
                    actor=world.appraiser, plan_id=p.plan.pk, action=PlanAction.MANAGE
                )
            )
            == 403
        )
    assert plans_visible_to(world.appraiser).count() == 2


def test_missing_objects_are_404_for_everyone(world):
    assert _outcome(lambda: access_task(actor=world.admin, task_id=999999)) == 404


def test_selectors_are_scoped(world):
    assert set(tasks_visible_to(world.a.officer)) == {world.a.task, world.a.other_task}
    assert set(plans_visible_to(world.b.viewer)) == {world.b.plan}
    assert tasks_visible_to(world.admin).count() == 4


def test_inactive_membership_sees_nothing(world):
    world.a.viewer.memberships.update(is_active=False)
    assert _outcome(lambda: access_task(actor=world.a.viewer, task_id=world.a.task.pk)) == 404
