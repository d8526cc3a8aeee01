"""The plan as the coordinator reviews it before saving: the parsed document with the appendix
merged into the tasks and unit names matched to the agency's units.

A ``PlanDraft`` is plain JSON-able data: it is kept in the import job's result, edited in the
preview page and handed to :func:`cchc.plans.importing.services.plan_import`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cchc.core.models import Agency, Unit
from cchc.plans.importing.document import ParsedPlan
from cchc.plans.importing.text import fold
from cchc.plans.importing.units import match_unit

# An appendix row "is" a task of the body when their folded texts are at least this alike.
SAME_TASK_RATIO = 0.6


@dataclass
class DraftTask:
    area: int
    title: str
    lead_unit_id: int | None = None
    lead_unit_text: str = ""  # as written, kept when no unit matched
    coordinating_unit_ids: list[int] = field(default_factory=list)
    due_date: str | None = None  # ISO
    recurrence: str = "once"
    product: str = ""
    note: str = ""
    source: str = "document"  # document | appendix | both
    source_line: int | None = None


@dataclass
class DraftArea:
    number: int
    title: str


@dataclass
class PlanDraft:
    year: int
    title: str = ""
    number: str = ""
    symbol: str = ""
    issued_on: str | None = None
    place: str = ""
    issuer: str = ""
    signer: str = ""
    areas: list[DraftArea] = field(default_factory=list)
    tasks: list[DraftTask] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanDraft:
        data = dict(data)
        data["areas"] = [DraftArea(**a) for a in data.get("areas", [])]
        data["tasks"] = [DraftTask(**t) for t in data.get("tasks", [])]
        return cls(**data)


def _unit(name: str | None, units: list[Unit], warnings: list[str], where: str) -> Unit | None:
    if not name or not name.strip():
        return None
    match = match_unit(name, units)
    if match.unit is not None:
        return match.unit
    if match.suggestions:
        warnings.append(
            _("%(where)s: no unit is called “%(name)s”; did you mean %(suggestions)s?")
            % {"where": where, "name": name, "suggestions": ", ".join(match.suggestions)}
        )
    else:
        warnings.append(
            _("%(where)s: no unit is called “%(name)s”.") % {"where": where, "name": name}
        )
    return None


def draft_from_parsed(parsed: ParsedPlan, *, agency: Agency, year: int | None = None) -> PlanDraft:
    year = year or parsed.document.year
    if year is None:
        year = (parsed.document.date.year + 1) if parsed.document.date else dt.date.today().year
    units = list(agency.units.filter(is_active=True))
    warnings = list(parsed.warnings)
    doc = parsed.document
    if doc.issuer and not _same_body(doc.issuer, agency.name):
        warnings.insert(
            0,
            _(
                "The document was issued by “%(issuer)s”, but it is being imported as the plan of "
                "“%(agency)s”. Check that this is the right agency."
            )
            % {"issuer": doc.issuer, "agency": agency.name},
        )
    draft = PlanDraft(
        year=year,
        title=doc.title or "",
        number=doc.number or "",
        symbol=doc.symbol or "",
        issued_on=doc.date.isoformat() if doc.date else None,
        place=doc.place or "",
        issuer=doc.issuer or "",
        signer=doc.signer or "",
        areas=[DraftArea(number=a.number, title=a.title) for a in parsed.areas],
        references=[
            {**asdict(r), "date": r.date.isoformat() if r.date else None}
            for r in parsed.legal_references
        ],
        targets=[asdict(t) for t in parsed.targets],
    )
    for area in parsed.areas:
        for task in area.tasks:
            draft.tasks.append(DraftTask(area=area.number, title=task.text, source_line=task.line))
    _merge_appendix(parsed, draft, units, warnings)
    known_areas = {a.number for a in draft.areas}
    for task in draft.tasks:
        if task.area not in known_areas:
            draft.areas.append(
                DraftArea(number=task.area, title=_("Area %(n)s") % {"n": task.area})
            )
            known_areas.add(task.area)
    draft.areas.sort(key=lambda a: a.number)
    draft.warnings = warnings
    return draft


def _same_body(issuer: str, agency_name: str) -> bool:
    """Whether the issuer printed on the document names the agency ("SỞ TƯ PHÁP" is "Sở Tư
    pháp tỉnh Đồng Nai"): one folded name contains the other."""
    a, b = fold(issuer), fold(agency_name)
    return a in b or b in a


def _merge_appendix(
    parsed: ParsedPlan, draft: PlanDraft, units: list[Unit], warnings: list[str]
) -> None:
    """Appendix rows give tasks their units, dates and products. A row that restates a task of
    the body completes it; any other row becomes a task of its area."""
    for row in parsed.appendix.tasks:
        where = _("Appendix row %(row)s") % {"row": row.row}
        lead = _unit(row.lead_unit, units, warnings, where)
        coordinating = [
            u.pk
            for name in row.coordinating_units
            if (u := _unit(name, units, warnings, where)) is not None
        ]
        area = row.area or 1
        if row.area is None:
            warnings.append(
                _("%(where)s has no reform area; it was put in area 1.") % {"where": where}
            )
        folded = fold(row.text)
        best, best_ratio = None, 0.0
        for task in draft.tasks:
            if task.area != area or task.source != "document":
                continue
            ratio = difflib.SequenceMatcher(None, fold(task.title), folded).ratio()
            if ratio > best_ratio:
                best, best_ratio = task, ratio
        target = best if best is not None and best_ratio >= SAME_TASK_RATIO else None
        if target is None:
            target = DraftTask(area=area, title=row.text, source="appendix")
            draft.tasks.append(target)
        else:
            target.source = "both"
        target.lead_unit_id = lead.pk if lead else None
        target.lead_unit_text = row.lead_unit or ""
        target.coordinating_unit_ids = coordinating
        target.due_date = row.due_date.isoformat() if row.due_date else None
        target.recurrence = row.recurrence or "once"
        target.product = row.product or ""
        target.note = row.note or ""
    draft.tasks.sort(key=lambda t: t.area)  # stable: keeps document order inside an area
