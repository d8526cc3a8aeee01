"""Forms of the plan import pages: the upload, and the review of the draft the importer made.

The review is a header form, a formset of areas and a formset of tasks; :func:`build_draft`
turns them (with merges, splits and the bulk values applied) into the ``PlanDraft`` that is kept
in the job or handed to ``plan_import``. Row errors attach to the row they are about.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import BaseFormSet, formset_factory
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit
from cchc.plans.forms import DateInput
from cchc.plans.models import Recurrence

if TYPE_CHECKING:
    from cchc.plans.importing.draft import DraftTask, PlanDraft

DOCUMENT_EXTENSIONS = (".docx", ".txt", ".pdf")
APPENDIX_EXTENSIONS = (".xlsx",)
# A blank line (possibly with spaces) separates the pieces of a task to split.
BLANK_LINES = re.compile(r"\n[ \t\r]*\n")


def _date_field(label: str, *, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


# --- upload --------------------------------------------------------------------------------


class PlanUploadForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    document = forms.FileField(
        label=_("Plan document"),
        help_text=_("The signed plan as .docx, .txt, or .pdf with selectable text."),
    )
    appendix = forms.FileField(
        label=_("Task appendix"),
        required=False,
        help_text=_("Optional. The appendix table as .xlsx, in the format of the template."),
    )
    year = forms.IntegerField(
        label=_("Plan year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Only needed when the title of the plan does not give the year."),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["document"].widget.attrs["accept"] = ",".join(DOCUMENT_EXTENSIONS)
        self.fields["appendix"].widget.attrs["accept"] = ",".join(APPENDIX_EXTENSIONS)

    @staticmethod
    def _check(upload: UploadedFile | None, extensions: tuple[str, ...], kinds: str):
        if upload is None:
            return None
        # The size first: a huge file is refused before anything looks at it.
        limit = settings.CCHC_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _(
                    "The file is %(size)s; files above %(limit)s are refused. "
                    "A plan document is much smaller: check that you chose the right file."
                ),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        if not (upload.name or "").lower().endswith(extensions):
            raise ValidationError(
                _("Choose a %(kinds)s file."), code="extension", params={"kinds": kinds}
            )
        return upload

    def clean_document(self) -> UploadedFile:
        return self._check(
            self.cleaned_data.get("document"), DOCUMENT_EXTENSIONS, ".docx/.txt/.pdf"
        )

    def clean_appendix(self) -> UploadedFile | None:
        return self._check(self.cleaned_data.get("appendix"), APPENDIX_EXTENSIONS, ".xlsx")


# --- review --------------------------------------------------------------------------------


class DraftHeaderForm(forms.Form):
    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    number = forms.CharField(label=_("Number"), max_length=32, required=False)
    symbol = forms.CharField(label=_("Symbol"), max_length=64, required=False)
    issued_on = _date_field(_("Issued on"))
    signer = forms.CharField(label=_("Signer"), max_length=255, required=False)


class DraftAreaForm(forms.Form):
    original = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99)
    title = forms.CharField(label=_("Area"), max_length=500)


class BaseDraftAreaFormSet(BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            number = form.cleaned_data["number"]
            if number in seen:
                raise ValidationError(
                    _("Two areas have the number %(number)s; give each area its own number."),
                    code="duplicate_area",
                    params={"number": number},
                )
            seen.add(number)


class DraftTaskForm(forms.Form):
    origin = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    selected = forms.BooleanField(
        label=_("Select for the bulk change"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-bulk-select": ""}),
    )
    title = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    area = forms.TypedChoiceField(label=_("Reform area"), coerce=int)
    lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"), coerce=int, required=False, empty_value=None
    )
    due_date = _date_field(_("Due date"))
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence)
    product = forms.CharField(label=_("Expected product"), max_length=2000, required=False)
    merge_up = forms.BooleanField(label=_("Merge into the task above"), required=False)
    split = forms.BooleanField(
        label=_("Split at blank lines"),
        required=False,
        help_text=_("Put an empty line in the text where a new task begins."),
    )
    remove = forms.BooleanField(label=_("Leave out of the plan"), required=False)

    def __init__(
        self, *args: Any, area_choices: list[tuple[int, str]], unit_choices: list, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices
        self.fields["lead_unit"].choices = [("", _("— no lead unit —")), *unit_choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("split") and len(split_pieces(data.get("title") or "")) < 2:
            self.add_error(
                "split", _("Put an empty line in the text where the task should be split.")
            )
        return data


class BulkForm(forms.Form):
    bulk_lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"), coerce=int, required=False, empty_value=None
    )
    bulk_due_date = _date_field(_("Due date"))

    def __init__(self, *args: Any, unit_choices: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bulk_lead_unit"].choices = [("", _("— keep —")), *unit_choices]


DraftAreaFormSet = formset_factory(DraftAreaForm, formset=BaseDraftAreaFormSet, extra=0)
DraftTaskFormSet = formset_factory(DraftTaskForm, extra=0)


def split_pieces(text: str) -> list[str]:
    return [
        piece.strip() for piece in BLANK_LINES.split(text.replace("\r\n", "\n")) if piece.strip()
    ]


class ReviewForms:
    """The forms of the review page, bound to a POST or filled from a draft."""

    def __init__(self, draft: PlanDraft, units: list[Unit], data: Any = None) -> None:
        self.draft = draft
        unit_choices = [(u.pk, u.name) for u in units]
        area_choices = [(a.number, f"{a.number}. {a.title}") for a in draft.areas]
        bound = data is not None
        self.header = DraftHeaderForm(
            data,
            prefix="plan",
            initial=None
            if bound
            else {
                "year": draft.year,
                "title": draft.title,
                "number": draft.number,
                "symbol": draft.symbol,
                "issued_on": draft.issued_on,
                "signer": draft.signer,
            },
        )
        self.areas = DraftAreaFormSet(
            data,
            prefix="areas",
            initial=None
            if bound
            else [
                {"original": a.number, "number": a.number, "title": a.title} for a in draft.areas
            ],
        )
        self.tasks = DraftTaskFormSet(
            data,
            prefix="tasks",
            form_kwargs={"area_choices": area_choices, "unit_choices": unit_choices},
            initial=None
            if bound
            else [
                {
                    "origin": index,
                    "title": task.title,
                    "area": task.area,
                    "lead_unit": task.lead_unit_id,
                    "due_date": task.due_date,
                    "recurrence": task.recurrence,
                    "product": task.product,
                }
                for index, task in enumerate(draft.tasks)
            ],
        )
        self.bulk = BulkForm(data, unit_choices=unit_choices)
        for form in self.tasks.forms:
            form.draft_task = self._draft_task(form)

    def _draft_task(self, form: DraftTaskForm) -> DraftTask | None:
        """The task of the kept draft the row was made from (for its source line and the lead
        unit as written)."""
        origin = _as_int(form["origin"].value())
        if origin is None or not 0 <= origin < len(self.draft.tasks):
            return None
        return self.draft.tasks[origin]

    def is_valid(self) -> bool:
        results = [f.is_valid() for f in (self.header, self.areas, self.tasks, self.bulk)]
        return all(results)

    def sections(self) -> list[dict[str, Any]]:
        """Area forms with the task rows under them, in the page's order."""
        sections: list[dict[str, Any]] = []
        by_number: dict[int | None, dict[str, Any]] = {}
        for form in self.areas.forms:
            section = {"form": form, "number": _as_int(form["original"].value()), "tasks": []}
            sections.append(section)
            by_number.setdefault(section["number"], section)
        for form in self.tasks.forms:
            section = by_number.get(_as_int(form["area"].value()))
            if section is None:
                section = by_number.get(None)
                if section is None:
                    section = {"form": None, "number": None, "tasks": []}
                    sections.append(section)
                    by_number[None] = section
            section["tasks"].append(form)
        return sections


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _merge(into: DraftTask, other: DraftTask) -> None:
    """``other`` continues ``into``: its text is appended; what ``into`` lacks is taken."""
    into.title = f"{into.title}\n{other.title}"
    if into.lead_unit_id is None:
        into.lead_unit_id = other.lead_unit_id
    into.lead_unit_text = into.lead_unit_text or other.lead_unit_text
    into.due_date = into.due_date or other.due_date
    into.product = "\n".join(p for p in (into.product, other.product) if p)
    into.note = "\n".join(n for n in (into.note, other.note) if n)
    into.coordinating_unit_ids = list(
        dict.fromkeys([*into.coordinating_unit_ids, *other.coordinating_unit_ids])
    )


def build_draft(forms_: ReviewForms, *, bulk: bool = False) -> PlanDraft | None:
    """The edited draft, from valid forms; None when a row cannot be applied (its error is
    added to the row). With ``bulk``, the bulk values are set on the selected rows first."""
    from cchc.plans.importing.draft import DraftArea, DraftTask, PlanDraft

    stored = forms_.draft
    renumber = {f.cleaned_data["original"]: f.cleaned_data["number"] for f in forms_.areas.forms}
    bulk_unit = forms_.bulk.cleaned_data.get("bulk_lead_unit") if bulk else None
    bulk_due = forms_.bulk.cleaned_data.get("bulk_due_date") if bulk else None
    tasks: list[DraftTask] = []
    last_in_area: dict[int, DraftTask] = {}
    failed = False
    for form in forms_.tasks.forms:
        data = form.cleaned_data
        if data["remove"]:
            continue
        base = form.draft_task or DraftTask(area=data["area"], title="")
        lead, due = data["lead_unit"], data["due_date"]
        if bulk and data["selected"]:
            lead = bulk_unit if bulk_unit is not None else lead
            due = bulk_due or due
        area = renumber.get(data["area"], data["area"])
        task = dataclasses.replace(
            base,
            area=area,
            title=data["title"].strip(),
            lead_unit_id=lead,
            due_date=due.isoformat() if due else None,
            recurrence=data["recurrence"],
            product=data["product"].strip(),
            coordinating_unit_ids=list(base.coordinating_unit_ids),
        )
        pieces = split_pieces(task.title) if data["split"] else [task.title]
        for position, piece in enumerate(pieces):
            part = dataclasses.replace(
                task, title=piece, coordinating_unit_ids=list(task.coordinating_unit_ids)
            )
            if position == 0 and data["merge_up"]:
                above = last_in_area.get(area)
                if above is None:
                    form.add_error(
                        "merge_up", _("There is no task above it in this area to merge into.")
                    )
                    failed = True
                    break
                _merge(above, part)
                continue
            tasks.append(part)
            last_in_area[area] = part
    if failed:
        return None
    tasks.sort(key=lambda t: t.area)  # stable: keeps the order of the rows inside an area
    header = forms_.header.cleaned_data
    areas = sorted(
        (
            DraftArea(number=f.cleaned_data["number"], title=f.cleaned_data["title"].strip())
            for f in forms_.areas.forms
        ),
        key=lambda a: a.number,
    )
    return PlanDraft(
        year=header["year"],
        title=header["title"].strip(),
        number=header["number"].strip(),
        symbol=header["symbol"].strip(),
        issued_on=header["issued_on"].isoformat() if header["issued_on"] else None,
        place=stored.place,
        issuer=stored.issuer,
        signer=header["signer"].strip(),
        areas=areas,
        tasks=tasks,
        references=list(stored.references),
        targets=list(stored.targets),
        warnings=list(stored.warnings),
    )
