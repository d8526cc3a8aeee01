"""Reminders (đôn đốc): a nudge before a task falls due and when it is late, and a weekly digest
for each agency's coordinator. Run by the scheduler (``cchc.core.schedule``) through the job
queue, or by an operator with ``cchc run_periodic``.

Each reminder is recorded in ``ReminderLog`` (task, person, kind, due date) before it is sent, so
that a run repeated on the same day — or by a second scheduler — sends nothing new, and a task
whose due date moves is reminded again for the new date.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cchc.core.models import Agency, Membership, Role, User
from cchc.core.notifications import notify
from cchc.plans.models import ReminderLog, Task, TaskStatus

log = logging.getLogger(__name__)

OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)
KIND_OVERDUE = "overdue"
KIND_DIGEST = "digest"


def _due_kind(days: int) -> str:
    return f"due_in_{days}"


def task_url(task: Task) -> str:
    """The task's page, relative to the site (``notify`` makes it absolute for e-mails)."""
    return f"/tasks/{task.pk}/"


def absolute_url(path: str) -> str:
    return f"{settings.CCHC_BASE_URL.rstrip('/')}{path}"


def recipient_language(user: User) -> str:
    """People have no language preference yet: everyone reads the site's language (Vietnamese)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _open_leaf_tasks(today: dt.date) -> QuerySet[Task]:
    """Open tasks where the work happens (not the parents of recurring tasks), of agencies that
    still exist on ``today``."""
    return (
        Task.objects.filter(status__in=OPEN_STATUSES, children__isnull=True, due_date__isnull=False)
        .filter(Q(agency__valid_to__isnull=True) | Q(agency__valid_to__gte=today))
        .select_related("agency", "lead_unit", "plan")
    )


def _active(users: Iterable[User]) -> list[User]:
    return [u for u in users if u.is_active]


def recipients_of(task: Task) -> list[User]:
    """The assignees; when nobody is assigned, the heads of the lead unit."""
    assignees = _active(task.assignees.all())
    if assignees:
        return sorted(assignees, key=lambda u: u.pk)
    if task.lead_unit_id is None:
        return []
    heads = User.objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__role=Role.UNIT_HEAD,
        memberships__unit_id=task.lead_unit_id,
    ).distinct()
    return list(heads.order_by("pk"))


def _format_date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _due_message(task: Task, days: int) -> tuple[str, str]:
    if days == 0:
        title = _("Task %(code)s is due today") % {"code": task.code}
    else:
        title = ngettext(
            "Task %(code)s is due in %(days)s day",
            "Task %(code)s is due in %(days)s days",
            days,
        ) % {"code": task.code, "days": days}
    body = _(
        "%(title)s\n\nAgency: %(agency)s\nDue date: %(due)s\nProgress: %(progress)s %%\n\n"
        "Please complete the task and attach its evidence before the due date."
    ) % {
        "title": task.title,
        "agency": task.agency.name,
        "due": _format_date(task.due_date),
        "progress": formats.number_format(task.progress, decimal_pos=0),
    }
    return title, body


def _overdue_message(task: Task, today: dt.date) -> tuple[str, str]:
    late = (today - task.due_date).days
    title = _("Task %(code)s is overdue") % {"code": task.code}
    body = ngettext(
        "%(title)s\n\nAgency: %(agency)s\nDue date: %(due)s (%(days)s day ago)\n"
        "Progress: %(progress)s %%\n\nPlease complete the task or agree a new due date with "
        "the coordinator.",
        "%(title)s\n\nAgency: %(agency)s\nDue date: %(due)s (%(days)s days ago)\n"
        "Progress: %(progress)s %%\n\nPlease complete the task or agree a new due date with "
        "the coordinator.",
        late,
    ) % {
        "title": task.title,
        "agency": task.agency.name,
        "due": _format_date(task.due_date),
        "days": late,
        "progress": formats.number_format(task.progress, decimal_pos=0),
    }
    return title, body


def _send_once(*, task: Task, user: User, kind: str, title: str, body: str) -> bool:
    """Record the reminder, then notify; False when it was already sent (by this or another
    run). The log row and the notification commit together; the e-mail is queued on commit."""
    with transaction.atomic():
        _log, created = ReminderLog.objects.get_or_create(
            task=task, user=user, kind=kind, due_date=task.due_date
        )
        if not created:
            return False
        notify(
            user=user,
            kind=kind if kind == KIND_OVERDUE else "due_soon",
            title=title[:255],
            body=body,
            url=task_url(task),
            email=True,
        )
    return True


def send_due_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Remind the people of every open task due exactly N days ahead (N from the agency's
    ``reminder_offsets()``, by default 7 and 1) and of every overdue task (once per due date).

    Returns counts: ``due_soon`` and ``overdue`` reminders sent, ``skipped`` (already sent) and
    ``no_recipient`` (tasks with neither assignees nor a head of their lead unit).
    """
    today = today or timezone.localdate()
    counts = {"due_soon": 0, "overdue": 0, "skipped": 0, "no_recipient": 0}
    offsets_by_agency = {a.pk: a.reminder_offsets() for a in Agency.objects.all()}
    horizon = max((max(o) for o in offsets_by_agency.values() if o), default=0)
    candidates = (
        _open_leaf_tasks(today)
        .filter(due_date__lte=today + dt.timedelta(days=horizon))
        .prefetch_related("assignees")
        .order_by("agency_id", "due_date", "pk")
    )
    for task in candidates:
        days = (task.due_date - today).days
        if days >= 0:
            if days not in offsets_by_agency.get(task.agency_id, []):
                continue
            kind, counter = _due_kind(days), "due_soon"
        else:
            kind, counter = KIND_OVERDUE, "overdue"
        people = recipients_of(task)
        if not people:
            counts["no_recipient"] += 1
            continue
        for person in people:
            with translation.override(recipient_language(person)):
                if counter == "due_soon":
                    title, body = _due_message(task, days)
                else:
                    title, body = _overdue_message(task, today)
            if _send_once(task=task, user=person, kind=kind, title=title, body=body):
                counts[counter] += 1
            else:
                counts["skipped"] += 1
    log.info("Due reminders for %s: %s", today, counts)
    return counts


# --- weekly digest -------------------------------------------------------------------------


def _digest_lines(tasks: list[Task]) -> list[str]:
    by_unit: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_unit[task.lead_unit.name if task.lead_unit_id else _("No lead unit")].append(task)
    lines: list[str] = []
    for unit_name in sorted(by_unit):
        lines.append(f"{unit_name}:")
        for task in by_unit[unit_name]:
            lines.append(
                _("- %(code)s %(title)s — due %(due)s, %(progress)s %% — %(url)s")
                % {
                    "code": task.code,
                    "title": task.title[:120],
                    "due": _format_date(task.due_date),
                    "progress": formats.number_format(task.progress, decimal_pos=0),
                    "url": absolute_url(task_url(task)),
                }
            )
    return lines


def _digest_message(
    agency: Agency, overdue: list[Task], due_soon: list[Task], today: dt.date, days: int
) -> tuple[str, str]:
    title = _(
        "Reform tasks of %(agency)s: %(overdue)s overdue, %(soon)s due within %(days)s days"
    ) % {"agency": agency.name, "overdue": len(overdue), "soon": len(due_soon), "days": days}
    parts = [_("Week of %(date)s.") % {"date": _format_date(today)}]
    if overdue:
        parts += ["", _("Overdue tasks (%(count)s):") % {"count": len(overdue)}]
        parts += _digest_lines(overdue)
    if due_soon:
        parts += [
            "",
            _("Tasks due within %(days)s days (%(count)s):")
            % {"days": days, "count": len(due_soon)},
        ]
        parts += _digest_lines(due_soon)
    return title, "\n".join(parts)


def _digest_url(agency: Agency, overdue: list[Task]) -> str:
    """The task list filtered to the agency's late (or else due-soon) tasks."""
    flag = "overdue" if overdue else "due_soon"
    return f"/tasks/?agency={agency.pk}&{flag}=1"


def send_weekly_digest(today: dt.date | None = None) -> dict[str, int]:
    """Send each agency's coordinators one digest of the agency's overdue tasks and the tasks
    due within ``CCHC_DUE_SOON_DAYS`` (7) days, grouped by lead unit; agencies with nothing to
    report are skipped. Returns counts of ``agencies`` reported on and ``notifications`` sent."""
    today = today or timezone.localdate()
    days = settings.CCHC_DUE_SOON_DAYS
    tasks = list(
        _open_leaf_tasks(today)
        .filter(due_date__lte=today + dt.timedelta(days=days))
        .order_by("agency_id", "due_date", "code")
    )
    by_agency: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_agency[task.agency_id].append(task)
    coordinators: dict[int, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        agency_id__in=list(by_agency), role=Role.COORDINATOR, is_active=True, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        coordinators[membership.agency_id].append(membership.user)

    counts = {"agencies": 0, "notifications": 0}
    for agency_id, agency_tasks in by_agency.items():
        people = coordinators.get(agency_id, [])
        if not people:
            continue
        agency = agency_tasks[0].agency
        overdue = [t for t in agency_tasks if t.due_date < today]
        due_soon = [t for t in agency_tasks if t.due_date >= today]
        counts["agencies"] += 1
        for person in people:
            with translation.override(recipient_language(person)):
                title, body = _digest_message(agency, overdue, due_soon, today, days)
            with transaction.atomic():
                notify(
                    user=person,
                    kind=KIND_DIGEST,
                    title=title[:255],
                    body=body,
                    url=_digest_url(agency, overdue),
                    email=True,
                )
            counts["notifications"] += 1
    log.info("Weekly digest for %s: %s", today, counts)
    return counts
