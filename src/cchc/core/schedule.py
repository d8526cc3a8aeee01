"""The periodic duties of the system, declared in one place (STYLE.md §5).

``cchc scheduler`` calls ``enqueue_due`` every 30 seconds. For each duty whose latest slot (e.g.
"today at 07:00", local time) has come, it inserts a ``PeriodicRun(name, slot)`` row and enqueues
the duty's job in the same transaction. The row's unique constraint is the lock: when several
schedulers run (one per server), only the first insert succeeds and the job is enqueued once.
A scheduler that was down at 07:00 catches up on its next pass within the duty's grace period.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from cchc.core.models import PeriodicRun

log = logging.getLogger(__name__)

MONDAY = 0


@dataclass(frozen=True)
class Duty:
    name: str
    task_path: str  # the @task enqueued by the scheduler
    service_path: str  # the function it wraps, run directly by ``cchc run_periodic``
    at: dt.time  # local time of day
    weekday: int | None = None  # None: every day; 0 = Monday … 6 = Sunday
    grace: dt.timedelta = dt.timedelta(hours=20)  # how late a missed slot is still caught up
    description: str = ""
    every: dt.timedelta | None = None  # repeated through the day from ``at`` (daily when None)

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """The latest scheduled moment at or before ``now`` (aware, local time)."""
        local = timezone.localtime(now)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if candidate > local:
            candidate -= dt.timedelta(days=1)
        if self.every is not None:
            candidate += ((local - candidate) // self.every) * self.every
        if self.weekday is not None:
            candidate -= dt.timedelta(days=(candidate.weekday() - self.weekday) % 7)
        # Re-anchor the wall-clock time in case a DST change lies between (not in Vietnam).
        naive = candidate.replace(tzinfo=None)
        return timezone.make_aware(naive, timezone.get_current_timezone())

    def task(self) -> Any:
        return import_string(self.task_path)

    def service(self) -> Any:
        return import_string(self.service_path)


DUTIES: tuple[Duty, ...] = (
    Duty(
        name="due_reminders",
        task_path="cchc.plans.tasks.send_due_reminders_job",
        service_path="cchc.plans.reminders.send_due_reminders",
        at=dt.time(7, 0),
        description="Remind people of tasks due in 7 and 1 days and of overdue tasks.",
    ),
    Duty(
        name="weekly_digest",
        task_path="cchc.plans.tasks.send_weekly_digest_job",
        service_path="cchc.plans.reminders.send_weekly_digest",
        at=dt.time(7, 0),
        weekday=MONDAY,
        description="Send coordinators the week's overdue and due-soon tasks of their agency.",
    ),
    Duty(
        name="indicator_alerts",
        task_path="cchc.indicators.tasks.send_indicator_alerts_job",
        service_path="cchc.indicators.alerts.send_indicator_alerts",
        at=dt.time(6, 30),
        # Not caught up later in the day: the next morning's run alerts anyway, and an alert
        # holds for the whole week.
        grace=dt.timedelta(minutes=20),
        description="Alert coordinators when a measured rate falls below the plan's target "
        "(once per target, status and week).",
    ),
    Duty(
        name="feedback_alerts",
        task_path="cchc.feedback.tasks.send_feedback_alerts_job",
        service_path="cchc.feedback.alerts.send_feedback_alerts",
        at=dt.time(7, 15),
        grace=dt.timedelta(hours=1),
        description="Alert handlers and coordinators of citizens' feedback that is overdue or "
        "due within two working days (once per item, kind and day).",
    ),
    Duty(
        name="index_refresh",
        task_path="cchc.scoring.tasks.refresh_open_assessments_job",
        service_path="cchc.scoring.services.assessments_refresh_open",
        at=dt.time(5, 0),
        grace=dt.timedelta(hours=1),
        description="Measure again the automatic criteria of open index assessments.",
    ),
    Duty(
        name="warm_dashboards",
        task_path="cchc.reports.dashboard.warm.warm_dashboards_job",
        service_path="cchc.reports.dashboard.warm.warm_dashboards",
        at=dt.time(6, 0),
        # After 07:30 people are at work and each dashboard computes its own figures anyway.
        grace=dt.timedelta(minutes=90),
        description="Compute today's dashboard figures of every agency before the offices open.",
    ),
    Duty(
        name="forget_index_packages",
        task_path="cchc.scoring.tasks.forget_old_packages_job",
        service_path="cchc.scoring.package.package_forget_old",
        at=dt.time(3, 15),
        grace=dt.timedelta(hours=1),
        description="Delete evidence packages built more than a week ago.",
    ),
    Duty(
        name="forget_rate_limits",
        task_path="cchc.core.tasks.forget_rate_limits_job",
        service_path="cchc.lib.ratelimit.forget_old",
        at=dt.time(3, 0),
        # Missing a night costs nothing: the next run deletes everything old enough.
        grace=dt.timedelta(hours=1),
        description="Delete the rate-limit counters of the public forms older than two days.",
    ),
    Duty(
        name="forget_orphan_files",
        task_path="cchc.core.orphan_files.forget_orphan_files_job",
        service_path="cchc.core.orphan_files.forget_orphan_files",
        at=dt.time(3, 30),
        grace=dt.timedelta(hours=1),
        description="Delete uploaded or generated files that no row owns (left by a crash "
        "between the file and its row), once a day old.",
    ),
    Duty(
        name="fail_stale_jobs",
        task_path="cchc.core.stale_jobs.fail_stale_jobs_job",
        service_path="cchc.core.stale_jobs.fail_stale_jobs",
        at=dt.time(0, 5),
        every=dt.timedelta(minutes=15),
        grace=dt.timedelta(minutes=15),
        description="Mark failed, with the reason, the jobs left running by a worker that stopped.",
    ),
)


def duty(name: str) -> Duty:
    for item in DUTIES:
        if item.name == name:
            return item
    raise KeyError(name)


def slot_key(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def due_slots(now: dt.datetime | None = None) -> list[tuple[Duty, str]]:
    """The duties whose latest slot has come and is within its grace period, with the slot key."""
    now = now or timezone.now()
    found = []
    for item in DUTIES:
        slot = item.latest_slot(now)
        if now - slot <= item.grace:
            found.append((item, slot_key(slot)))
    return found


def enqueue_due(now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Enqueue each due duty once per slot, whatever the number of schedulers. Returns the
    ``(name, slot)`` pairs enqueued by this call."""
    enqueued = []
    for item, slot in due_slots(now):
        if PeriodicRun.objects.filter(name=item.name, slot=slot).exists():
            continue  # the common case; spares the database a failed insert every pass
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=item.name, slot=slot)
                item.task().enqueue()
        except IntegrityError:
            continue  # another scheduler won the slot
        log.info("Enqueued %s for %s", item.name, slot)
        enqueued.append((item.name, slot))
    return enqueued
