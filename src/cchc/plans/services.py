"""Writes to plans and tasks. Each service validates, runs in one transaction, records an audit
row and defers side effects (notifications) until the transaction commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import Agency, Membership, Role, Unit, User
from cchc.core.notifications import notify
from cchc.lib.uploads import check_upload
from cchc.lib.vn_alphabet import label_for
from cchc.plans.access import PlanAction, TaskAction, can_on_plan, can_on_task
from cchc.plans.models import (
    Area,
    Comment,
    Evidence,
    Plan,
    PlanStatus,
    Priority,
    ProgressUpdate,
    Recurrence,
    Task,
    TaskStatus,
)
from cchc.plans.periods import periods_of

# The seven reform areas of Section II of every plan (DESIGN.md §1; Nghị quyết 76/NQ-CP).
STANDARD_AREAS = (
    "Chỉ đạo, điều hành và tuyên truyền cải cách hành chính",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính; thực hiện cơ chế một cửa, một cửa liên thông",
    "Cải cách tổ chức bộ máy",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
)


class StaleVersion(Exception):
    """Somebody else saved the task since the actor loaded it."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("This task was changed by someone else. Reload it to see their changes.")
        )
        self.current_version = current_version


def _require(allowed: bool) -> None:
    if not allowed:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied


# --- plans ---------------------------------------------------------------------------------


def _validate_plan_dates(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError({"end_date": _("The end date must not be before the start date.")})


@transaction.atomic
def plan_create(
    *,
    actor: User,
    agency: Agency,
    year: int,
    title: str = "",
    number: str = "",
    symbol: str = "",
    issued_on: dt.date | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    signer: str = "",
    with_standard_areas: bool = True,
) -> Plan:
    scope = get_scope(actor)
    _require(scope.is_admin or scope.has_role(agency.pk, Role.COORDINATOR))
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    if Plan.objects.filter(agency=agency, year=year).exists():
        raise ValidationError({"year": _("This agency already has a plan for that year.")})
    start_date = start_date or dt.date(year, 1, 1)
    end_date = end_date or dt.date(year, 12, 31)
    _validate_plan_dates(start_date, end_date)
    plan = Plan(
        agency=agency,
        year=year,
        title=title.strip() or _("Administrative reform plan %(year)s") % {"year": year},
        number=number.strip(),
        symbol=symbol.strip(),
        issued_on=issued_on,
        start_date=start_date,
        end_date=end_date,
        signer=signer.strip(),
    )
    plan.full_clean()
    plan.save()
    if with_standard_areas:
        Area.objects.bulk_create(
            Area(plan=plan, number=i, title=title) for i, title in enumerate(STANDARD_AREAS, 1)
        )
    audit.record(
        actor=actor,
        action="plan.create",
        obj=plan,
        agency=agency,
        changes={"year": year, "title": plan.title},
    )
    return plan


PLAN_FIELDS = ("title", "number", "symbol", "issued_on", "start_date", "end_date", "signer")


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, **fields: Any) -> Plan:
    _require(can_on_plan(get_scope(actor), plan, PlanAction.MANAGE))
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    before = {f: getattr(plan, f) for f in fields}
    for name, value in fields.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    _validate_plan_dates(plan.start_date, plan.end_date)
    plan.full_clean()
    plan.save()
    audit.record(
        actor=actor,
        action="plan.update",
        obj=plan,
        agency=plan.agency,
        changes=audit.diff(before, {f: getattr(plan, f) for f in fields}),
    )
    return plan


@transaction.atomic
def plan_issue(
    *, actor: User, plan: Plan, number: str = "", issued_on: dt.date | None = None
) -> Plan:
    """The leader approves and issues the plan (status draft → issued)."""
    _require(can_on_plan(get_scope(actor), plan, PlanAction.ISSUE))
    if plan.status == PlanStatus.ISSUED:
        raise ValidationError(_("The plan has already been issued."))
    if not plan.tasks.exists():
        raise ValidationError(_("A plan without tasks cannot be issued."))
    plan.status = PlanStatus.ISSUED
    plan.number = number.strip() or plan.number
    plan.issued_on = issued_on or plan.issued_on or timezone.localdate()
    plan.save(update_fields=["status", "number", "issued_on", "updated_at"])
    audit.record(
        actor=actor,
        action="plan.issue",
        obj=plan,
        agency=plan.agency,
        changes={"status": PlanStatus.ISSUED, "issued_on": plan.issued_on},
    )
    return plan


@transaction.atomic
def area_create(*, actor: User, plan: Plan, number: int, title: str) -> Area:
    _require(can_on_plan(get_scope(actor), plan, PlanAction.MANAGE))
    if plan.areas.filter(number=number).exists():
        raise ValidationError({"number": _("The plan already has an area with this number.")})
    area = Area(plan=plan, number=number, title=title.strip())
    area.full_clean()
    area.save()
    audit.record(actor=actor, action="area.create", obj=area, agency=plan.agency)
    return area


# --- tasks: validation helpers -------------------------------------------------------------


def _parse_percent(value: Any, field: str = "percent") -> Decimal:
    try:
        percent = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter a number from 0 to 100.")}) from exc
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError({field: _("Enter a number from 0 to 100.")})
    return percent.quantize(Decimal("0.01"))


def _check_units(agency: Agency, lead_unit: Unit | None, coordinating: Iterable[Unit]) -> None:
    errors: dict[str, str] = {}
    if lead_unit is not None and lead_unit.agency_id != agency.pk:
        errors["lead_unit"] = _("The lead unit must be a unit of this agency.")
    if any(u.agency_id != agency.pk for u in coordinating):
        errors["coordinating_units"] = _("Coordinating units must be units of this agency.")
    if errors:
        raise ValidationError(errors)


def _check_assignees(agency: Agency, assignees: Iterable[User]) -> None:
    ids = {u.pk for u in assignees}
    if not ids:
        return
    members = set(
        Membership.objects.filter(agency=agency, user_id__in=ids, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if ids - members:
        raise ValidationError({"assignees": _("Assignees must be people of this agency.")})


def _check_dates(plan: Plan, start: dt.date | None, due: dt.date | None) -> None:
    if start and due and due < start:
        raise ValidationError({"due_date": _("The due date must not be before the start date.")})


def _status_for(percent: Decimal, current: str) -> str:
    if current == TaskStatus.CANCELLED:
        return current
    if percent >= 100:
        return TaskStatus.DONE
    if percent > 0:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


def _next_code(plan: Plan, area: Area, parent: Task | None) -> tuple[str, int]:
    if parent is not None:
        siblings = parent.children.count()
        return f"{parent.code}.{siblings + 1}", siblings
    taken = set(plan.tasks.filter(area=area, parent__isnull=True).values_list("code", flat=True))
    index = 0
    while f"{area.code}.{label_for(index)}" in taken:
        index += 1
    return f"{area.code}.{label_for(index)}", index


# --- tasks ---------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: User,
    plan: Plan,
    area: Area,
    title: str,
    code: str = "",
    parent: Task | None = None,
    description: str = "",
    lead_unit: Unit | None = None,
    coordinating_units: Iterable[Unit] = (),
    assignees: Iterable[User] = (),
    start_date: dt.date | None = None,
    due_date: dt.date | None = None,
    recurrence: str = Recurrence.ONCE,
    product: str = "",
    priority: str = Priority.NORMAL,
    weight: Decimal | int | str = 1,
) -> Task:
    scope = get_scope(actor)
    _require(can_on_plan(scope, plan, PlanAction.MANAGE))
    if area.plan_id != plan.pk:
        raise ValidationError({"area": _("The area does not belong to this plan.")})
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError({"parent": _("The parent task does not belong to this plan.")})
    coordinating_units = list(coordinating_units)
    assignees = list(assignees)
    _check_units(plan.agency, lead_unit, coordinating_units)
    _check_assignees(plan.agency, assignees)
    _check_dates(plan, start_date, due_date)
    if not title or not title.strip():
        raise ValidationError({"title": _("Describe the task.")})
    auto_code, position = _next_code(plan, area, parent)
    code = code.strip() or auto_code
    if plan.tasks.filter(code=code).exists():
        raise ValidationError(
            {"code": _("Another task of this plan has the code %(code)s.") % {"code": code}}
        )
    task = Task(
        plan=plan,
        agency=plan.agency,
        area=area,
        parent=parent,
        code=code,
        title=title.strip(),
        description=description.strip(),
        lead_unit=lead_unit,
        start_date=start_date,
        due_date=due_date,
        recurrence=recurrence,
        product=product.strip(),
        priority=priority,
        weight=_parse_percent(weight, "weight") if weight not in ("", None) else Decimal(1),
        position=position,
    )
    if task.weight <= 0:
        raise ValidationError({"weight": _("The weight must be greater than zero.")})
    task.full_clean(exclude=["assignees", "coordinating_units"])
    task.save()
    task.coordinating_units.set(coordinating_units)
    task.assignees.set(assignees)
    if recurrence != Recurrence.ONCE:
        _create_occurrences(task)
    if parent is not None:
        _roll_up(parent)
    audit.record(
        actor=actor,
        action="task.create",
        obj=task,
        agency=plan.agency,
        changes={
            "code": code,
            "title": task.title,
            "lead_unit": lead_unit,
            "due_date": due_date,
            "recurrence": recurrence,
        },
    )
    _notify_assigned(task, assignees, actor)
    return task


def _create_occurrences(task: Task) -> None:
    """One child task per period of a recurring task, due at the end of its period."""
    start = task.start_date or task.plan.start_date
    end = task.due_date or task.plan.end_date
    for position, period in enumerate(periods_of(task.recurrence, start, end)):
        child = Task.objects.create(
            plan=task.plan,
            agency=task.agency,
            area=task.area,
            parent=task,
            code=f"{task.code}/{period.label}",
            title=task.title,
            lead_unit=task.lead_unit,
            start_date=period.start,
            due_date=period.end,
            period_label=period.label,
            product=task.product,
            priority=task.priority,
            position=position,
        )
        child.coordinating_units.set(task.coordinating_units.all())
        child.assignees.set(task.assignees.all())


TASK_FIELDS = (
    "title",
    "description",
    "lead_unit",
    "start_date",
    "due_date",
    "product",
    "priority",
    "weight",
    "status",
    "code",
)
TASK_M2M_FIELDS = ("coordinating_units", "assignees")


def _bump_version(task: Task, expected_version: int | None) -> None:
    """Optimistic lock: the write wins only if nobody saved since ``expected_version``."""
    if expected_version is None:
        Task.objects.filter(pk=task.pk).update(version=F("version") + 1)
    else:
        updated = Task.objects.filter(pk=task.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not updated:
            raise StaleVersion(Task.objects.values_list("version", flat=True).get(pk=task.pk))
    task.version = Task.objects.values_list("version", flat=True).get(pk=task.pk)


@transaction.atomic
def task_update(*, actor: User, task: Task, expected_version: int | None, **fields: Any) -> Task:
    """Change a task's fields. Unit heads may edit the tasks their unit leads but not hand them
    to another unit; only the coordinator does that."""
    scope = get_scope(actor)
    _require(can_on_task(scope, task, TaskAction.EDIT, user_id=actor.pk))
    unknown = set(fields) - set(TASK_FIELDS) - set(TASK_M2M_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    is_manager = scope.is_admin or scope.has_role(task.agency_id, Role.COORDINATOR)
    if not is_manager and "lead_unit" in fields and fields["lead_unit"] != task.lead_unit:
        raise ValidationError({"lead_unit": _("Only the coordinator can change the lead unit.")})
    if not is_manager and "code" in fields and fields["code"] != task.code:
        raise ValidationError({"code": _("Only the coordinator can change the task code.")})
    _bump_version(task, expected_version)

    before: dict[str, Any] = {f: getattr(task, f) for f in fields if f in TASK_FIELDS}
    if "coordinating_units" in fields:
        before["coordinating_units"] = sorted(str(u) for u in task.coordinating_units.all())
    if "assignees" in fields:
        before["assignees"] = sorted(str(u) for u in task.assignees.all())
    old_assignee_ids = set(task.assignees.values_list("id", flat=True))

    for name in TASK_FIELDS:
        if name in fields:
            value = fields[name]
            if name == "weight":
                value = _parse_percent(value, "weight")
                if value <= 0:
                    raise ValidationError({"weight": _("The weight must be greater than zero.")})
            setattr(task, name, value.strip() if isinstance(value, str) else value)
    if (
        "code" in fields
        and Task.objects.filter(plan=task.plan, code=task.code).exclude(pk=task.pk).exists()
    ):
        raise ValidationError(
            {"code": _("Another task of this plan has the code %(code)s.") % {"code": task.code}}
        )
    coordinating = list(fields.get("coordinating_units", task.coordinating_units.all()))
    _check_units(task.agency, task.lead_unit, coordinating)
    _check_dates(task.plan, task.start_date, task.due_date)
    if "assignees" in fields:
        _check_assignees(task.agency, fields["assignees"])
    if not (task.title or "").strip():
        raise ValidationError({"title": _("Describe the task.")})
    if task.status == TaskStatus.DONE and task.completed_at is None:
        task.completed_at = timezone.now()
    elif task.status != TaskStatus.DONE:
        task.completed_at = None
    task.full_clean(exclude=["assignees", "coordinating_units", "version"])
    task.save()
    if "coordinating_units" in fields:
        task.coordinating_units.set(fields["coordinating_units"])
    if "assignees" in fields:
        task.assignees.set(fields["assignees"])
    after: dict[str, Any] = {f: getattr(task, f) for f in before if f in TASK_FIELDS}
    if "coordinating_units" in fields:
        after["coordinating_units"] = sorted(str(u) for u in task.coordinating_units.all())
    if "assignees" in fields:
        after["assignees"] = sorted(str(u) for u in task.assignees.all())
        new_people = [u for u in fields["assignees"] if u.pk not in old_assignee_ids]
        _notify_assigned(task, new_people, actor)
    audit.record(
        actor=actor,
        action="task.update",
        obj=task,
        agency=task.agency,
        changes=audit.diff(before, after),
    )
    if task.parent_id:
        _roll_up(task.parent)
    return task


@transaction.atomic
def task_update_progress(
    *,
    actor: User,
    task: Task,
    percent: Decimal | int | str,
    note: str = "",
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Record progress on a task (leaf tasks only: a parent's progress comes from its parts)."""
    _require(can_on_task(get_scope(actor), task, TaskAction.PROGRESS, user_id=actor.pk))
    value = _parse_percent(percent)
    if task.children.exists():
        raise ValidationError(
            {"percent": _("This task's progress is computed from its parts; update those instead.")}
        )
    if task.status == TaskStatus.CANCELLED:
        raise ValidationError({"percent": _("The task is cancelled.")})
    _bump_version(task, expected_version)
    update = ProgressUpdate.objects.create(
        task=task,
        author=actor,
        percent=value,
        previous_percent=task.progress,
        note=note.strip(),
    )
    previous_status = task.status
    task.progress = value
    task.status = _status_for(value, task.status)
    task.completed_at = timezone.now() if task.status == TaskStatus.DONE else None
    task.save(update_fields=["progress", "status", "completed_at", "updated_at"])
    audit.record(
        actor=actor,
        action="task.progress",
        obj=task,
        agency=task.agency,
        changes={
            "progress": [str(update.previous_percent), str(value)],
            "status": [previous_status, task.status],
            "note": update.note,
        },
    )
    if task.parent_id:
        _roll_up(task.parent)
    return update


def _roll_up(parent: Task | None) -> None:
    """Recompute progress (weighted mean) and status up the chain of parents."""
    while parent is not None:
        children = parent.children.exclude(status=TaskStatus.CANCELLED)
        agg = children.aggregate(w=Sum("weight"), wp=Sum(F("weight") * F("progress")))
        if agg["w"]:
            progress = (Decimal(agg["wp"]) / Decimal(agg["w"])).quantize(Decimal("0.01"))
        else:
            progress = Decimal(0)
        all_done = not children.exclude(status=TaskStatus.DONE).exists() and children.exists()
        status = (
            TaskStatus.DONE
            if all_done
            else _status_for(min(progress, Decimal("99.99")), parent.status)
        )
        if parent.status == TaskStatus.CANCELLED:
            status = parent.status
        Task.objects.filter(pk=parent.pk).update(
            progress=progress,
            status=status,
            completed_at=timezone.now() if status == TaskStatus.DONE else None,
            version=F("version") + 1,
        )
        parent = parent.parent


# --- evidence and comments -----------------------------------------------------------------


def evidence_add(
    *,
    actor: User,
    task: Task,
    uploaded: IO[bytes],
    name: str,
    size: int,
    description: str = "",
) -> Evidence:
    """Keep an evidence file for a task. The file is checked by content (type, size, name);
    if recording it fails, the stored file is removed again so nothing is left half-written."""
    _require(can_on_task(get_scope(actor), task, TaskAction.PROGRESS, user_id=actor.pk))
    try:
        checked = check_upload(uploaded, name=name, size=size)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    evidence = Evidence(
        task=task,
        original_name=checked.safe_name,
        content_type=checked.mime,
        size=checked.size,
        sha256=checked.sha256,
        description=description.strip()[:500],
        uploaded_by=actor,
    )
    evidence.file.save(checked.safe_name, File(uploaded), save=False)
    try:
        with transaction.atomic():
            evidence.save()
            audit.record(
                actor=actor,
                action="evidence.add",
                obj=evidence,
                agency=task.agency,
                changes={
                    "task_id": task.pk,
                    "name": checked.safe_name,
                    "size": checked.size,
                    "sha256": checked.sha256,
                },
            )
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User, evidence: Evidence) -> None:
    task = evidence.task
    _require(can_on_task(get_scope(actor), task, TaskAction.PROGRESS, user_id=actor.pk))
    name = evidence.original_name
    pk = evidence.pk
    stored = evidence.file.name
    storage = evidence.file.storage
    audit.record(
        actor=actor,
        action="evidence.delete",
        obj=evidence,
        agency=task.agency,
        changes={"task_id": task.pk, "name": name, "evidence_id": pk},
    )
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def comment_add(*, actor: User, task: Task, body: str) -> Comment:
    _require(can_on_task(get_scope(actor), task, TaskAction.COMMENT, user_id=actor.pk))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("A comment may have at most 5,000 characters.")})
    comment = Comment.objects.create(task=task, author=actor, body=body)
    audit.record(
        actor=actor,
        action="comment.add",
        obj=comment,
        agency=task.agency,
        changes={"task_id": task.pk, "body": body[:200]},
    )
    return comment


def _notify_assigned(task: Task, people: Iterable[User], actor: User) -> None:
    for person in people:
        if person.pk == actor.pk:
            continue
        notify(
            user=person,
            kind="assigned",
            title=_("You were assigned task %(code)s") % {"code": task.code},
            body=task.title,
            url=f"/tasks/{task.pk}/",
            email=True,
        )


def next_area_number(plan: Plan) -> int:
    return (plan.areas.aggregate(m=Max("number"))["m"] or 0) + 1
