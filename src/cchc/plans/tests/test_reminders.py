"""Reminders before and after due dates, and the coordinators' weekly digest."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from cchc.core.models import Notification
from cchc.plans import reminders, services
from cchc.plans.models import ReminderLog, TaskStatus

# The real worker (db_worker --batch) checks its database connection between jobs and closes
# one left in a transaction, so these tests commit for real instead of running in a rolled-back
# transaction.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BASE = "https://cchc.example.gov.vn"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.CCHC_BASE_URL = BASE
    settings.CCHC_REMINDER_DAYS = [7, 1]


def deliver() -> None:
    """Run the queued e-mail jobs for real, as the worker would."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def sent(run, django_capture_on_commit_callbacks, **kwargs):
    """Run a reminder service, let its transactions 'commit' (queueing the e-mails) and deliver."""
    deliver()  # e-mails queued while the world was built (task assignments)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = run(**kwargs)
    deliver()
    return result


def notes(user, kind=None):
    qs = Notification.objects.filter(user=user)
    return list(qs.filter(kind=kind) if kind else qs.exclude(kind="assigned"))


def test_due_in_7_and_1_days_notify_assignees_once(world, django_capture_on_commit_callbacks):
    a = world.a
    today = dt.date(2026, 6, 23)  # a.task (and b.task) are due on 30/06: 7 days ahead
    tomorrow_task = services.task_create(
        actor=a.coordinator,
        plan=a.plan,
        area=a.plan.areas.get(number=2),
        title="Rà soát văn bản quy phạm pháp luật",
        lead_unit=a.unit,
        assignees=[a.officer],
        due_date=dt.date(2026, 6, 24),
    )
    result = sent(reminders.send_due_reminders, django_capture_on_commit_callbacks, today=today)
    assert result == {"due_soon": 3, "overdue": 0, "skipped": 0, "no_recipient": 0}

    mine = notes(a.officer, "due_soon")
    assert {n.url for n in mine} == {f"/tasks/{a.task.pk}/", f"/tasks/{tomorrow_task.pk}/"}
    assert all(a.task.code in n.title or tomorrow_task.code in n.title for n in mine)
    assert notes(world.b.officer, "due_soon")[0].url == f"/tasks/{world.b.task.pk}/"
    for person in (a.coordinator, a.unit_head, a.other_officer, a.leader):
        assert notes(person) == []

    to_officer = [m for m in mail.outbox if m.to == [a.officer.email]]
    assert len(to_officer) == 2 and len(mail.outbox) == 3
    assert any(f"{BASE}/tasks/{a.task.pk}/" in m.body for m in to_officer)
    assert any(f"{BASE}/tasks/{tomorrow_task.pk}/" in m.body for m in to_officer)
    assert any("30/06/2026" in m.body for m in to_officer)  # dates the Vietnamese way
    assert ReminderLog.objects.filter(kind="due_in_7").count() == 2
    assert ReminderLog.objects.filter(kind="due_in_1").count() == 1

    # The same day again (a second scheduler, a retry): nothing new.
    again = sent(reminders.send_due_reminders, django_capture_on_commit_callbacks, today=today)
    assert again == {"due_soon": 0, "overdue": 0, "skipped": 3, "no_recipient": 0}
    assert len(notes(a.officer, "due_soon")) == 2 and mail.outbox == []


def test_other_days_done_tasks_and_parents_are_not_reminded(
    world, django_capture_on_commit_callbacks
):
    a = world.a
    # 6 and 2 days ahead are not reminder days.
    for today in (dt.date(2026, 6, 24), dt.date(2026, 6, 28)):
        result = reminders.send_due_reminders(today=today)
        assert result["due_soon"] == 0
    services.task_update_progress(actor=a.officer, task=a.task, percent=100)
    services.task_update(
        actor=world.b.coordinator,
        task=world.b.task,
        expected_version=None,
        status=TaskStatus.CANCELLED,
    )
    assert reminders.send_due_reminders(today=dt.date(2026, 6, 23))["due_soon"] == 0

    # A recurring task: its occurrences are reminded, never the parent itself.
    report = services.task_create(
        actor=a.coordinator,
        plan=a.plan,
        area=a.plan.areas.get(number=1),
        title="Báo cáo CCHC hằng quý",
        lead_unit=a.unit,
        assignees=[a.officer],
        recurrence="quarterly",
        due_date=dt.date(2026, 12, 31),
    )
    q4 = report.children.get(period_label="Q4")
    assert report.due_date == q4.due_date == dt.date(2026, 12, 31)
    sent(
        reminders.send_due_reminders,
        django_capture_on_commit_callbacks,
        today=dt.date(2026, 12, 24),
    )
    assert [n.url for n in notes(a.officer, "due_soon")] == [f"/tasks/{q4.pk}/"]


def test_without_assignees_the_unit_heads_are_reminded(world, django_capture_on_commit_callbacks):
    a = world.a
    task = services.task_create(
        actor=a.coordinator,
        plan=a.plan,
        area=a.plan.areas.get(number=4),
        title="Rà soát chức năng, nhiệm vụ",
        lead_unit=a.unit,
        due_date=dt.date(2026, 4, 2),
    )
    result = sent(
        reminders.send_due_reminders, django_capture_on_commit_callbacks, today=dt.date(2026, 4, 1)
    )
    assert result["due_soon"] == 1
    assert [n.url for n in notes(a.unit_head, "due_soon")] == [f"/tasks/{task.pk}/"]
    assert notes(a.officer) == []
    assert [m.to for m in mail.outbox] == [[a.unit_head.email]]
    # other_task (due 30/09) of each agency has neither assignees nor a unit head: counted.
    late = reminders.send_due_reminders(today=dt.date(2026, 10, 1))
    assert late["no_recipient"] == 2


def test_overdue_reminder_once_per_due_date(world, django_capture_on_commit_callbacks):
    a = world.a
    result = sent(
        reminders.send_due_reminders, django_capture_on_commit_callbacks, today=dt.date(2026, 7, 3)
    )
    assert result["overdue"] == 2  # a.task and b.task, both due 30/06
    overdue = notes(a.officer, "overdue")
    assert len(overdue) == 1 and a.task.code in overdue[0].title
    assert "30/06/2026" in overdue[0].body
    assert any(f"{BASE}/tasks/{a.task.pk}/" in m.body for m in mail.outbox)

    for later in (dt.date(2026, 7, 3), dt.date(2026, 7, 10)):
        again = sent(reminders.send_due_reminders, django_capture_on_commit_callbacks, today=later)
        assert again["overdue"] == 0 and mail.outbox == []

    # A new due date that passes in turn is a new reminder.
    services.task_update(
        actor=a.coordinator, task=a.task, expected_version=None, due_date=dt.date(2026, 7, 15)
    )
    moved = reminders.send_due_reminders(today=dt.date(2026, 7, 20))
    assert moved["overdue"] == 1 and len(notes(a.officer, "overdue")) == 2


def test_agency_reminder_days_override_the_default(world):
    world.a.agency.reminder_days = "3"
    world.a.agency.save()
    assert reminders.send_due_reminders(today=dt.date(2026, 6, 23))["due_soon"] == 1  # b only
    assert notes(world.a.officer) == []
    assert reminders.send_due_reminders(today=dt.date(2026, 6, 27))["due_soon"] == 1
    assert len(notes(world.a.officer, "due_soon")) == 1


def test_reminders_leave_the_active_language_alone(world):
    with translation.override("en"):
        reminders.send_due_reminders(today=dt.date(2026, 6, 23))
        assert translation.get_language() == "en"


def test_weekly_digest_goes_to_coordinators_only(world, django_capture_on_commit_callbacks):
    a, b = world.a, world.b
    late = services.task_create(
        actor=a.coordinator,
        plan=a.plan,
        area=a.plan.areas.get(number=7),
        title="Kết nối dữ liệu với IOC của tỉnh",
        lead_unit=a.other_unit,
        due_date=dt.date(2026, 6, 10),
    )
    services.task_update_progress(actor=b.officer, task=b.task, percent=100)  # b: nothing due
    result = sent(
        reminders.send_weekly_digest, django_capture_on_commit_callbacks, today=dt.date(2026, 6, 25)
    )
    assert result == {"agencies": 1, "notifications": 1}

    (digest,) = notes(a.coordinator, "digest")
    assert a.task.code in digest.body and late.code in digest.body
    assert a.other_task.code not in digest.body  # due 30/09: neither late nor due soon
    assert a.unit.name in digest.body and a.other_unit.name in digest.body  # grouped by unit
    assert f"{BASE}/tasks/{late.pk}/" in digest.body
    assert digest.body.index(late.code) < digest.body.index(a.task.code)  # late work first
    assert "agency=" in digest.url
    for person in (a.leader, a.unit_head, a.officer, a.viewer, b.coordinator):
        assert notes(person, "digest") == []
    assert [m.to for m in mail.outbox] == [[a.coordinator.email]]
    assert f"{BASE}/tasks/{a.task.pk}/" in mail.outbox[0].body


def test_digest_skips_agencies_with_nothing_to_report(world):
    assert reminders.send_weekly_digest(today=dt.date(2026, 2, 1)) == {
        "agencies": 0,
        "notifications": 0,
    }
    assert not Notification.objects.filter(kind="digest").exists()


def test_jobs_wrap_the_services(world):
    from cchc.plans.tasks import send_due_reminders_job, send_weekly_digest_job

    send_due_reminders_job.enqueue()
    send_weekly_digest_job.enqueue()
    deliver()
    results = DBTaskResult.objects.filter(task_path__startswith="cchc.plans.tasks.")
    assert results.count() == 2
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
