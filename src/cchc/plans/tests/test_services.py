import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.core.models import AuditEntry, Notification
from cchc.lib.tests.test_uploads import PDF
from cchc.plans import services
from cchc.plans.models import Evidence, Plan, ProgressUpdate, Recurrence, Task, TaskStatus


def test_plan_create_adds_the_seven_standard_areas(world):
    plan = services.plan_create(actor=world.a.coordinator, agency=world.a.agency, year=2027)
    assert list(plan.areas.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert plan.title == "Administrative reform plan 2027" or "2027" in plan.title
    assert (plan.start_date, plan.end_date) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert AuditEntry.objects.filter(action="plan.create", object_id=str(plan.pk)).exists()


def test_one_plan_per_agency_and_year(world):
    with pytest.raises(ValidationError) as err:
        services.plan_create(actor=world.a.coordinator, agency=world.a.agency, year=2026)
    assert "year" in err.value.message_dict


def test_only_coordinators_create_plans(world):
    for person in (
        world.a.leader,
        world.a.officer,
        world.a.viewer,
        world.appraiser,
        world.b.coordinator,
    ):
        with pytest.raises(PermissionDenied):
            services.plan_create(actor=person, agency=world.a.agency, year=2030)
    assert not Plan.objects.filter(year=2030).exists()


def test_plan_dates_out_of_order(world):
    with pytest.raises(ValidationError) as err:
        services.plan_create(
            actor=world.a.coordinator,
            agency=world.a.agency,
            year=2028,
            start_date=dt.date(2028, 6, 1),
            end_date=dt.date(2028, 1, 1),
        )
    assert "end_date" in err.value.message_dict
    assert not Plan.objects.filter(year=2028).exists()


def test_leader_issues_the_plan(world):
    with pytest.raises(PermissionDenied):
        services.plan_issue(actor=world.a.coordinator, plan=world.a.plan)
    plan = services.plan_issue(actor=world.a.leader, plan=world.a.plan, number="12")
    assert plan.status == "issued"
    assert plan.reference == "12/KH-STP"
    with pytest.raises(ValidationError):
        services.plan_issue(actor=world.a.leader, plan=plan)


def test_task_codes_follow_the_vietnamese_alphabet(world):
    plan, area = world.a.plan, world.a.plan.areas.get(number=1)
    codes = [
        services.task_create(
            actor=world.a.coordinator, plan=plan, area=area, title=f"Nhiệm vụ {i}"
        ).code
        for i in range(6)
    ]
    assert codes == ["II.1.a", "II.1.b", "II.1.c", "II.1.d", "II.1.đ", "II.1.e"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start_date": dt.date(2026, 5, 1), "due_date": dt.date(2026, 4, 1)}, "due_date"),
        ({"title": "   "}, "title"),
    ],
)
def test_task_create_rejects_bad_input(world, kwargs, field):
    before = Task.objects.count()
    data = {"title": "Nhiệm vụ", **kwargs}
    with pytest.raises(ValidationError) as err:
        services.task_create(
            actor=world.a.coordinator,
            plan=world.a.plan,
            area=world.a.plan.areas.get(number=2),
            **data,
        )
    assert field in err.value.message_dict
    assert Task.objects.count() == before


def test_task_create_rejects_another_agencys_unit_and_people(world):
    area = world.a.plan.areas.get(number=2)
    with pytest.raises(ValidationError) as err:
        services.task_create(
            actor=world.a.coordinator,
            plan=world.a.plan,
            area=area,
            title="X",
            lead_unit=world.b.unit,
        )
    assert "lead_unit" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.task_create(
            actor=world.a.coordinator,
            plan=world.a.plan,
            area=area,
            title="X",
            assignees=[world.b.officer],
        )
    assert "assignees" in err.value.message_dict


def test_recurring_task_creates_occurrences_and_rolls_up(world):
    task = services.task_create(
        actor=world.a.coordinator,
        plan=world.a.plan,
        area=world.a.plan.areas.get(number=1),
        title="Báo cáo CCHC định kỳ",
        recurrence=Recurrence.QUARTERLY,
        lead_unit=world.a.unit,
        assignees=[world.a.officer],
    )
    children = list(task.children.order_by("position"))
    assert [c.period_label for c in children] == ["Q1", "Q2", "Q3", "Q4"]
    assert children[0].code == f"{task.code}/Q1"
    assert children[1].due_date == dt.date(2026, 6, 30)
    assert all(set(c.assignees.all()) == {world.a.officer} for c in children)

    services.task_update_progress(actor=world.a.officer, task=children[0], percent=100)
    services.task_update_progress(actor=world.a.officer, task=children[1], percent="50")
    task.refresh_from_db()
    assert task.progress == Decimal("37.50")
    assert task.status == TaskStatus.IN_PROGRESS

    with pytest.raises(ValidationError):
        services.task_update_progress(actor=world.a.coordinator, task=task, percent=10)


def test_weighted_roll_up(world):
    parent = world.a.task
    heavy = services.task_create(
        actor=world.a.coordinator,
        plan=world.a.plan,
        area=parent.area,
        parent=parent,
        title="Phần chính",
        weight=3,
    )
    light = services.task_create(
        actor=world.a.coordinator,
        plan=world.a.plan,
        area=parent.area,
        parent=parent,
        title="Phần phụ",
        weight=1,
    )
    assert heavy.code == f"{parent.code}.1"
    services.task_update_progress(actor=world.a.coordinator, task=heavy, percent=100)
    parent.refresh_from_db()
    assert parent.progress == Decimal("75.00")
    services.task_update_progress(actor=world.a.coordinator, task=light, percent=100)
    parent.refresh_from_db()
    assert parent.status == TaskStatus.DONE and parent.completed_at is not None


def test_progress_sets_status_and_leaves_history(world):
    task = world.a.task
    update = services.task_update_progress(
        actor=world.a.officer, task=task, percent="40,5", note="Đã rà soát 12/30 thủ tục"
    )
    task.refresh_from_db()
    assert task.progress == Decimal("40.50")
    assert task.status == TaskStatus.IN_PROGRESS
    assert update.previous_percent == 0
    services.task_update_progress(actor=world.a.officer, task=task, percent=100)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    entries = AuditEntry.objects.filter(action="task.progress", object_id=str(task.pk))
    assert entries.count() == 2
    assert entries.first().actor == world.a.officer


@pytest.mark.parametrize("bad", ["-1", "101", "abc", "NaN", ""])
def test_progress_must_be_0_to_100(world, bad):
    with pytest.raises(ValidationError) as err:
        services.task_update_progress(actor=world.a.officer, task=world.a.task, percent=bad)
    assert "percent" in err.value.message_dict
    assert not ProgressUpdate.objects.exists()


def test_who_may_record_progress(world):
    task = world.a.task  # led by world.a.unit, assigned to world.a.officer
    for person in (world.a.officer, world.a.unit_head, world.a.coordinator, world.admin):
        services.task_update_progress(actor=person, task=task, percent=10)
    for person in (
        world.a.other_officer,
        world.a.viewer,
        world.a.leader,
        world.appraiser,
        world.b.coordinator,
    ):
        with pytest.raises(PermissionDenied):
            services.task_update_progress(actor=person, task=task, percent=20)


def test_concurrent_edits_are_detected(world):
    task = world.a.task
    first = Task.objects.get(pk=task.pk)
    second = Task.objects.get(pk=task.pk)
    services.task_update(
        actor=world.a.coordinator, task=first, expected_version=first.version, title="Tiêu đề mới"
    )
    with pytest.raises(services.StaleVersion) as err:
        services.task_update(
            actor=world.a.unit_head,
            task=second,
            expected_version=second.version,
            product="Sản phẩm khác",
        )
    assert err.value.current_version == first.version
    task.refresh_from_db()
    assert task.title == "Tiêu đề mới"
    assert task.product == "Báo cáo kết quả rà soát"


def test_unit_head_edits_and_assigns_but_cannot_hand_over(world):
    task = world.a.task
    updated = services.task_update(
        actor=world.a.unit_head,
        task=task,
        expected_version=task.version,
        assignees=[world.a.officer, world.a.unit_head],
    )
    assert set(updated.assignees.all()) == {world.a.officer, world.a.unit_head}
    with pytest.raises(ValidationError) as err:
        services.task_update(
            actor=world.a.unit_head,
            task=updated,
            expected_version=updated.version,
            lead_unit=world.a.other_unit,
        )
    assert "lead_unit" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.task_update(
            actor=world.a.unit_head, task=world.a.other_task, expected_version=None, title="x"
        )


def test_assignment_notifies_new_assignees(world):
    task = world.a.other_task
    services.task_update(
        actor=world.a.coordinator,
        task=task,
        expected_version=task.version,
        assignees=[world.a.other_officer],
    )
    note = Notification.objects.get(user=world.a.other_officer, kind="assigned")
    assert task.code in note.title
    assert note.url == f"/tasks/{task.pk}/"


def test_update_audit_lists_changed_fields(world):
    task = world.a.task
    services.task_update(
        actor=world.a.coordinator,
        task=task,
        expected_version=task.version,
        due_date=dt.date(2026, 7, 31),
        title=task.title,
    )
    entry = AuditEntry.objects.filter(action="task.update").first()
    assert entry.changes == {"due_date": ["2026-06-30", "2026-07-31"]}


def test_evidence_add_checks_content_and_stores_the_file(world):
    evidence = services.evidence_add(
        actor=world.a.officer,
        task=world.a.task,
        uploaded=io.BytesIO(PDF),
        name="../Biên bản.pdf",
        size=len(PDF),
    )
    assert evidence.original_name == "Biên bản.pdf"
    assert evidence.content_type == "application/pdf"
    with evidence.file.open("rb") as handle:
        assert handle.read() == PDF
    with pytest.raises(ValidationError) as err:
        services.evidence_add(
            actor=world.a.officer,
            task=world.a.task,
            uploaded=io.BytesIO(b"hello"),
            name="x.pdf",
            size=5,
        )
    assert "file" in err.value.message_dict
    assert Evidence.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            actor=world.a.viewer,
            task=world.a.task,
            uploaded=io.BytesIO(PDF),
            name="a.pdf",
            size=len(PDF),
        )


def test_evidence_delete_removes_file(world, django_capture_on_commit_callbacks):
    evidence = services.evidence_add(
        actor=world.a.officer,
        task=world.a.task,
        uploaded=io.BytesIO(PDF),
        name="a.pdf",
        size=len(PDF),
    )
    storage, name = evidence.file.storage, evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=world.a.officer, evidence=evidence)
    assert not storage.exists(name)
    assert not Evidence.objects.exists()


def test_comments(world):
    comment = services.comment_add(
        actor=world.a.leader, task=world.a.task, body="Đề nghị hoàn thành trước 30/6"
    )
    assert comment.author == world.a.leader
    with pytest.raises(ValidationError):
        services.comment_add(actor=world.a.leader, task=world.a.task, body="  ")
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=world.a.viewer, task=world.a.task, body="x")
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=world.appraiser, task=world.a.task, body="x")
