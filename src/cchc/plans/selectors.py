"""Reads of plans and tasks, always scoped to what the acting user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from cchc.core.access import get_scope
from cchc.core.models import Agency, AuditEntry, Role, User
from cchc.plans.models import Area, Plan, Task, TaskStatus

OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)


def plans_visible_to(user: User) -> QuerySet[Plan]:
    scope = get_scope(user)
    qs = Plan.objects.select_related("agency")
    return qs if scope.is_admin else qs.filter(agency_id__in=scope.readable_agency_ids)


def tasks_visible_to(user: User) -> QuerySet[Task]:
    scope = get_scope(user)
    qs = Task.objects.all()
    return qs if scope.is_admin else qs.filter(agency_id__in=scope.readable_agency_ids)


def task_list(
    *,
    user: User,
    plan: Plan | None = None,
    agency_id: int | None = None,
    area_number: int | None = None,
    lead_unit_id: int | None = None,
    assignee_id: int | None = None,
    status: str | None = None,
    overdue: bool = False,
    due_within_days: int | None = None,
    search: str | None = None,
    top_level_only: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Task]:
    """Tasks the user may see, filtered, with everything a list row shows loaded up front."""
    today = today or timezone.localdate()
    qs = tasks_visible_to(user).select_related("area", "lead_unit", "agency", "plan")
    qs = qs.prefetch_related(
        Prefetch("assignees", queryset=User.objects.only("id", "username", "full_name"))
    ).annotate(evidence_count=Count("evidence", distinct=True))
    if plan is not None:
        qs = qs.filter(plan=plan)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if area_number is not None:
        qs = qs.filter(area__number=area_number)
    if lead_unit_id is not None:
        qs = qs.filter(lead_unit_id=lead_unit_id)
    if assignee_id is not None:
        qs = qs.filter(assignees__id=assignee_id)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(due_date__lt=today, status__in=OPEN_STATUSES)
    if due_within_days is not None:
        qs = qs.filter(
            due_date__gte=today,
            due_date__lte=today + dt.timedelta(days=due_within_days),
            status__in=OPEN_STATUSES,
        )
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(code__icontains=search))
    if top_level_only:
        qs = qs.filter(parent__isnull=True)
    return qs.order_by("area__number", "position", "id")


def my_tasks(*, user: User, today: dt.date | None = None) -> QuerySet[Task]:
    """Open tasks assigned to the user or led by a unit the user heads or works in."""
    scope = get_scope(user)
    unit_ids: set[int] = set()
    for agency_id in scope.roles:
        unit_ids |= scope.unit_ids(agency_id, Role.UNIT_HEAD)
        unit_ids |= scope.unit_ids(agency_id, Role.OFFICER)
    return (
        tasks_visible_to(user)
        .filter(Q(assignees=user) | Q(lead_unit_id__in=unit_ids), status__in=OPEN_STATUSES)
        .filter(children__isnull=True)
        .select_related("area", "lead_unit", "agency")
        .distinct()
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def plan_detail(*, user: User, plan: Plan) -> Plan:
    """The plan with its areas and each area's top-level tasks, in one round of queries."""
    tasks = (
        Task.objects.filter(parent__isnull=True)
        .select_related("lead_unit")
        .prefetch_related("assignees")
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("position", "id")
    )
    return (
        plans_visible_to(user)
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=Area.objects.prefetch_related(
                    Prefetch("tasks", queryset=tasks, to_attr="top_tasks")
                ),
            )
        )
        .get(pk=plan.pk)
    )


@dataclass
class ProgressRow:
    key: str
    label: str
    tasks: int
    done: int
    overdue: int
    progress: Decimal | None  # weighted mean, None when there is nothing to weigh


def _weighted(rows: QuerySet) -> Decimal | None:
    agg = rows.aggregate(w=Sum("weight"), wp=Sum(F("weight") * F("progress")))
    if not agg["w"]:
        return None
    return (Decimal(agg["wp"]) / Decimal(agg["w"])).quantize(Decimal("0.1"))


def _grouped(qs: QuerySet[Task], key: str, label: str, today: dt.date) -> list[ProgressRow]:
    rows = (
        qs.values(key, label)
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            late=Count("id", filter=Q(due_date__lt=today, status__in=OPEN_STATUSES)),
            w=Sum("weight"),
            wp=Sum(F("weight") * F("progress")),
        )
        .order_by(key)
    )
    return [
        ProgressRow(
            key=str(r[key]),
            label=r[label] or "",
            tasks=r["n"],
            done=r["done"],
            overdue=r["late"],
            progress=(Decimal(r["wp"]) / Decimal(r["w"])).quantize(Decimal("0.1"))
            if r["w"]
            else None,
        )
        for r in rows
    ]


@dataclass
class Dashboard:
    agencies: list[Agency]
    agency: Agency | None
    year: int
    total: int
    done: int
    in_progress: int
    not_started: int
    overdue_count: int
    progress: Decimal | None
    by_area: list[ProgressRow]
    by_unit: list[ProgressRow]
    overdue: list[Task]
    due_soon: list[Task]
    mine: list[Task]
    activity: list[AuditEntry]


def dashboard(
    *,
    user: User,
    agency_id: int | None = None,
    year: int | None = None,
    today: dt.date | None = None,
) -> Dashboard:
    """The dashboard of the user's scope: one agency when given (or when the user has one)."""
    today = today or timezone.localdate()
    year = year or today.year
    scope = get_scope(user)
    agencies_qs = Agency.objects.filter(kind="agency").order_by("name")
    if not scope.is_admin:
        agencies_qs = agencies_qs.filter(pk__in=scope.readable_agency_ids)
    agencies = list(agencies_qs)
    agency = next((a for a in agencies if a.pk == agency_id), None)
    if agency is None and len(agencies) == 1:
        agency = agencies[0]

    # Counts and progress are over the tasks the plan lists (top level, their progress rolled up
    # from their parts); the lists of late and due work are over leaves, where the work happens.
    scoped = tasks_visible_to(user).filter(plan__year=year)
    if agency is not None:
        scoped = scoped.filter(agency=agency)
    tasks = scoped.filter(parent__isnull=True)
    counts = tasks.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=TaskStatus.DONE)),
        in_progress=Count("id", filter=Q(status=TaskStatus.IN_PROGRESS)),
        not_started=Count("id", filter=Q(status=TaskStatus.NOT_STARTED)),
        overdue=Count("id", filter=Q(due_date__lt=today, status__in=OPEN_STATUSES)),
    )
    listed = scoped.filter(children__isnull=True).select_related("area", "lead_unit", "agency")
    overdue = list(
        listed.filter(due_date__lt=today, status__in=OPEN_STATUSES).order_by("due_date")[:15]
    )
    due_soon = list(
        listed.filter(
            due_date__gte=today,
            due_date__lte=today + dt.timedelta(days=settings.CCHC_DUE_SOON_DAYS),
            status__in=OPEN_STATUSES,
        ).order_by("due_date")[:15]
    )
    activity_qs = AuditEntry.objects.select_related("actor", "agency")
    if agency is not None:
        activity_qs = activity_qs.filter(agency=agency)
    elif not scope.is_admin:
        activity_qs = activity_qs.filter(agency_id__in=scope.readable_agency_ids)
    return Dashboard(
        agencies=agencies,
        agency=agency,
        year=year,
        total=counts["total"],
        done=counts["done"],
        in_progress=counts["in_progress"],
        not_started=counts["not_started"],
        overdue_count=counts["overdue"],
        progress=_weighted(tasks),
        by_area=_grouped(tasks, "area__number", "area__title", today),
        by_unit=_grouped(
            tasks.filter(lead_unit__isnull=False), "lead_unit_id", "lead_unit__name", today
        ),
        overdue=overdue,
        due_soon=due_soon,
        mine=list(my_tasks(user=user, today=today).filter(plan__year=year)[:15]),
        activity=list(activity_qs[:20]),
    )


def task_history(*, task: Task) -> QuerySet[AuditEntry]:
    """Audit rows of the task and of its evidence, comments and progress, newest first."""
    return AuditEntry.objects.filter(
        Q(object_type="plans.task", object_id=str(task.pk)) | Q(changes__task_id=task.pk)
    ).select_related("actor")
