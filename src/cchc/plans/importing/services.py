"""Saving an imported plan: one transaction, idempotent for the same agency and year."""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import Agency, AuditEntry, Role, Unit, User
from cchc.indicators.models import Indicator, Target, TargetKind
from cchc.lib.vn_alphabet import label_for
from cchc.plans.importing.draft import PlanDraft
from cchc.plans.importing.text import fold
from cchc.plans.models import Area, LegalReference, Plan, Recurrence, Task
from cchc.plans.services import STANDARD_AREAS, _create_occurrences

# Below this likeness a re-import that puts another text under an existing code is reported.
TITLE_CHANGED_RATIO = 0.5


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({field: _("Enter a valid date.")}) from exc


def _check_actor(actor: User | None, agency: Agency) -> None:
    """``actor=None`` is the operator running ``cchc import_plan`` on the server."""
    if actor is None:
        return
    scope = get_scope(actor)
    if not scope.can_read_agency(agency.pk):
        raise PermissionDenied
    if not (scope.is_admin or scope.has_role(agency.pk, Role.COORDINATOR)):
        raise PermissionDenied


def _validate(draft: PlanDraft, agency: Agency) -> dict[int, Unit]:
    errors: dict[str, list[str]] = {}
    if not 2000 <= draft.year <= 2100:
        errors.setdefault("year", []).append(_("Enter a year between 2000 and 2100."))
    if not draft.tasks:
        errors.setdefault("tasks", []).append(_("The plan has no tasks to import."))
    units = {u.pk: u for u in agency.units.all()}
    area_numbers = {a.number for a in draft.areas}
    for index, task in enumerate(draft.tasks, 1):
        where = _("Task %(n)s") % {"n": index}
        if not task.title.strip():
            errors.setdefault("tasks", []).append(
                _("%(where)s: describe the task.") % {"where": where}
            )
        if task.area not in area_numbers:
            errors.setdefault("tasks", []).append(
                _("%(where)s: unknown area %(area)s.") % {"where": where, "area": task.area}
            )
        for unit_id in [task.lead_unit_id, *task.coordinating_unit_ids]:
            if unit_id is not None and unit_id not in units:
                errors.setdefault("tasks", []).append(
                    _("%(where)s: the unit is not a unit of this agency.") % {"where": where}
                )
        if task.recurrence not in Recurrence.values:
            errors.setdefault("tasks", []).append(
                _("%(where)s: unknown recurrence.") % {"where": where}
            )
        try:
            _date(task.due_date, "tasks")
        except ValidationError:
            errors.setdefault("tasks", []).append(
                _("%(where)s: the due date is not a valid date.") % {"where": where}
            )
    if errors:
        raise ValidationError(errors)
    return units


def _indicator_for(
    code: str | None, indicators: dict[str, Indicator]
) -> tuple[Indicator | None, str, str]:
    if code and code.startswith("rank:"):
        return None, TargetKind.RANK, code.split(":", 1)[1]
    return indicators.get(code or ""), TargetKind.VALUE, ""


@transaction.atomic
def plan_import(*, actor: User | None, agency: Agency, draft: PlanDraft) -> dict[str, Any]:
    """Create or update the agency's plan of ``draft.year`` from the draft.

    Tasks are keyed by their code ``II.<area>.<label>``: importing the same document again
    changes nothing; a revised one updates the tasks in place (their progress and evidence
    stay). Tasks of the plan that the document no longer lists are kept and reported.
    """
    _check_actor(actor, agency)
    units = _validate(draft, agency)
    issued_on = _date(draft.issued_on, "issued_on")
    summary: dict[str, Any] = {"created": 0, "updated": 0, "unchanged": 0, "warnings": []}

    plan = Plan.objects.filter(agency=agency, year=draft.year).select_for_update().first()
    header = {
        "title": draft.title.strip()[:500]
        or _("Administrative reform plan %(year)s") % {"year": draft.year},
        "number": draft.number.strip()[:32],
        "symbol": draft.symbol.strip()[:64],
        "issued_on": issued_on,
        "signer": draft.signer.strip()[:255],
        "issuer": draft.issuer.strip()[:255],
        "place": draft.place.strip()[:100],
    }
    if plan is None:
        plan = Plan.objects.create(
            agency=agency,
            year=draft.year,
            start_date=dt.date(draft.year, 1, 1),
            end_date=dt.date(draft.year, 12, 31),
            **header,
        )
        summary["plan_created"] = True
    else:
        before = {k: getattr(plan, k) for k in header}
        for key, value in header.items():
            setattr(plan, key, value)
        plan.save()
        summary["plan_created"] = False
        summary["plan_changes"] = audit.diff(before, header)

    areas = {a.number: a for a in plan.areas.all()}
    for number, title in enumerate(STANDARD_AREAS, 1):
        if number not in areas and not any(a.number == number for a in draft.areas):
            areas[number] = Area.objects.create(plan=plan, number=number, title=title)
    for draft_area in draft.areas:
        area = areas.get(draft_area.number)
        title = (
            draft_area.title.strip()[:500]
            or STANDARD_AREAS[min(draft_area.number, len(STANDARD_AREAS)) - 1]
        )
        if area is None:
            areas[draft_area.number] = Area.objects.create(
                plan=plan, number=draft_area.number, title=title
            )
        elif area.title != title:
            area.title = title
            area.save(update_fields=["title"])

    existing = {t.code: t for t in plan.tasks.filter(parent__isnull=True)}
    seen: set[str] = set()
    position_in_area: dict[int, int] = {}
    audit_rows: list[AuditEntry] = []
    for draft_task in draft.tasks:
        index = position_in_area.get(draft_task.area, 0)
        position_in_area[draft_task.area] = index + 1
        area = areas[draft_task.area]
        code = f"{area.code}.{label_for(index)}"
        seen.add(code)
        fields = {
            "title": draft_task.title.strip(),
            "lead_unit": units.get(draft_task.lead_unit_id) if draft_task.lead_unit_id else None,
            "due_date": _date(draft_task.due_date, "tasks"),
            "product": draft_task.product.strip(),
            "description": draft_task.note.strip(),
        }
        task = existing.get(code)
        if task is None:
            task = Task.objects.create(
                plan=plan,
                agency=agency,
                area=area,
                code=code,
                position=index,
                recurrence=draft_task.recurrence,
                **fields,
            )
            task.coordinating_units.set([units[i] for i in draft_task.coordinating_unit_ids])
            if task.recurrence != Recurrence.ONCE:
                _create_occurrences(task)
            summary["created"] += 1
            audit_rows.append(
                _audit_row(actor, agency, "task.import", task, {"code": code, "title": task.title})
            )
            continue
        before = {k: getattr(task, k) for k in fields}
        before_units = sorted(task.coordinating_units.values_list("id", flat=True))
        changes = audit.diff(before, fields)
        if sorted(draft_task.coordinating_unit_ids) != before_units:
            changes["coordinating_units"] = [before_units, sorted(draft_task.coordinating_unit_ids)]
        if not changes:
            summary["unchanged"] += 1
            continue
        ratio = difflib.SequenceMatcher(None, fold(before["title"]), fold(fields["title"])).ratio()
        if ratio < TITLE_CHANGED_RATIO:
            summary["warnings"].append(
                _("%(code)s now describes another task: “%(title)s”.")
                % {"code": code, "title": fields["title"][:80]}
            )
        for key, value in fields.items():
            setattr(task, key, value)
        task.version += 1
        task.save()
        task.coordinating_units.set([units[i] for i in draft_task.coordinating_unit_ids])
        summary["updated"] += 1
        audit_rows.append(_audit_row(actor, agency, "task.import", task, changes))

    missing = sorted(set(existing) - seen)
    if missing:
        summary["warnings"].append(
            _("Tasks not in the document were kept: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    summary["references"] = _save_references(plan, draft)
    summary["targets"] = _save_targets(plan, draft)
    AuditEntry.objects.bulk_create(audit_rows)
    audit.record(
        actor=actor,
        action="plan.import",
        obj=plan,
        agency=agency,
        changes={k: summary[k] for k in ("created", "updated", "unchanged")},
    )
    summary["plan_id"] = plan.pk
    summary["tasks"] = len(seen)
    return summary


def _audit_row(
    actor: User | None, agency: Agency, action: str, task: Task, changes: dict[str, Any]
) -> AuditEntry:
    return AuditEntry(
        actor=actor,
        agency=agency,
        action=action,
        object_type="plans.task",
        object_id=str(task.pk),
        object_repr=str(task)[:255],
        changes={k: audit._plain(v) for k, v in changes.items()},
    )


def _save_references(plan: Plan, draft: PlanDraft) -> int:
    for ref in draft.references:
        number = (ref.get("number") or "").strip()[:64]
        if not number:
            continue
        LegalReference.objects.update_or_create(
            plan=plan,
            number=number,
            defaults={
                "kind": (ref.get("kind") or "").strip()[:64],
                "date": _date(ref.get("date"), "references"),
                "issuer": (ref.get("issuer") or "").strip()[:255],
                "text": (ref.get("text") or "").strip(),
            },
        )
    return plan.references.count()


def _save_targets(plan: Plan, draft: PlanDraft) -> int:
    """Targets that came from the document are replaced; ones entered by hand are kept."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    plan.targets.filter(imported=True).delete()
    rows = []
    for target in draft.targets:
        indicator, kind, ranking = _indicator_for(target.get("indicator"), indicators)
        try:
            value = Decimal(str(target["value"])) if target.get("value") is not None else None
        except (InvalidOperation, ValueError):
            value = None
        rows.append(
            Target(
                plan=plan,
                indicator=indicator,
                kind=kind,
                ranking=ranking[:32],
                value=value,
                unit=(target.get("unit") or "")[:16],
                text=target.get("text") or "",
                imported=True,
            )
        )
    Target.objects.bulk_create(rows)
    return len(rows)
