"""Forms of the plan and task pages. They parse and describe the input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.forms import FlexibleDecimalField
from cchc.core.models import Agency, Unit, User
from cchc.plans.models import Area, Plan, Priority, Recurrence, Task, TaskStatus
from cchc.plans.services import STANDARD_AREAS


class DateInput(forms.DateInput):
    """A native date picker; its value is ISO (``2026-06-30``) whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


def agency_people(agency: Agency):
    return (
        User.objects.filter(memberships__agency=agency, memberships__is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


# --- plans ---------------------------------------------------------------------------------


class PlanEditForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=500,
        required=False,
        help_text=_("Leave empty for “Administrative reform plan <year>”."),
    )
    number = forms.CharField(
        label=_("Number"), max_length=32, required=False, help_text=_("e.g. 12")
    )
    symbol = forms.CharField(
        label=_("Symbol"), max_length=64, required=False, help_text=_("e.g. KH-STP")
    )
    issued_on = _date_field(_("Issued on"))
    start_date = _date_field(_("Start date"))
    end_date = _date_field(_("End date"))
    signer = forms.CharField(label=_("Signer"), max_length=255, required=False)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        return data

    @classmethod
    def for_plan(cls, plan: Plan, data=None) -> PlanEditForm:
        initial = {name: getattr(plan, name) for name in cls.base_fields}
        form = cls(data, initial=initial)
        form.fields["title"].required = True
        form.fields["start_date"].required = True
        form.fields["end_date"].required = True
        return form


class PlanCreateForm(PlanEditForm):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    with_standard_areas = forms.BooleanField(
        label=_("Add the seven standard reform areas"), required=False, initial=True
    )

    field_order = ["agency", "year", "title", "number", "symbol", "issued_on"]

    def __init__(self, *args, agencies=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_date"].help_text = _("Empty: 1 January of the year.")
        self.fields["end_date"].help_text = _("Empty: 31 December of the year.")
        if agencies is not None:
            self.fields["agency"].queryset = agencies


class PlanIssueForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=32, required=False)
    issued_on = _date_field(_("Issued on"), help_text=_("Empty: today."))


# --- tasks ---------------------------------------------------------------------------------


class TaskFieldsForm(forms.Form):
    """The fields a task shares between creation and editing."""

    title = forms.CharField(label=_("Task"), widget=forms.Textarea(attrs={"rows": 3}))
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        required=False,
        help_text=_("e.g. II.3.a. Leave empty to number the task automatically."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False
    )
    coordinating_units = forms.ModelMultipleChoiceField(
        label=_("Coordinating units"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    assignees = forms.ModelMultipleChoiceField(
        label=_("Assignees"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("People of the agency who carry out the task."),
    )
    start_date = _date_field(_("Start date"))
    due_date = _date_field(_("Due date"))
    product = forms.CharField(
        label=_("Expected product"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The result that shows the task is done, e.g. a report or a decision."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority, initial=Priority.NORMAL)
    weight = FlexibleDecimalField(
        label=_("Weight"),
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
        initial=1,
        help_text=_("How much this task counts in the progress of the plan or its parent."),
    )

    def __init__(self, *args, agency: Agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(agency=agency, is_active=True).order_by("name")
        self.fields["lead_unit"].queryset = units
        self.fields["coordinating_units"].queryset = units
        self.fields["assignees"].queryset = agency_people(agency)

    def clean(self) -> dict:
        data = super().clean()
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date must not be before the start date."))
        return data


class TaskCreateForm(TaskFieldsForm):
    area = forms.ModelChoiceField(label=_("Reform area"), queryset=Area.objects.none())
    recurrence = forms.ChoiceField(
        label=_("Recurrence"),
        choices=Recurrence,
        initial=Recurrence.ONCE,
        help_text=_("A recurring task gets one sub-task per period, due at the period's end."),
    )

    field_order = ["area", "title", "code", "description", "lead_unit", "coordinating_units"]

    def __init__(self, *args, plan: Plan, parent: Task | None = None, **kwargs) -> None:
        super().__init__(*args, agency=plan.agency, **kwargs)
        self.fields["area"].queryset = plan.areas.order_by("number")
        if parent is not None:
            self.fields["area"].initial = parent.area_id
            self.fields["area"].disabled = True
            self.fields["recurrence"].initial = Recurrence.ONCE


class TaskEditForm(TaskFieldsForm):
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus)
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = ["title", "code", "status"]

    def __init__(self, *args, task: Task, is_manager: bool, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": task.title,
                "code": task.code,
                "description": task.description,
                "lead_unit": task.lead_unit_id,
                "coordinating_units": [u.pk for u in task.coordinating_units.all()],
                "assignees": [u.pk for u in task.assignees.all()],
                "start_date": task.start_date,
                "due_date": task.due_date,
                "product": task.product,
                "priority": task.priority,
                "weight": task.weight,
                "status": task.status,
                "version": task.version,
            },
        )
        super().__init__(*args, agency=task.agency, **kwargs)
        self.fields["code"].required = True
        self.fields["code"].help_text = ""
        if not is_manager:
            for name in ("code", "lead_unit"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the coordinator can change this.")


class ProgressForm(forms.Form):
    percent = FlexibleDecimalField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("From 0 to 100. At 100 the task is done."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done since the last update."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("Optional. PDF, Word, Excel or an image."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["percent"].widget.attrs.update({"min": "0", "max": "100"})


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word, Excel or an image; checked by its content.")
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskFilterForm(forms.Form):
    """The filters of the task list; every field is optional and a bad value is ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(
        label=_("Plan year"), required=False, coerce=int, empty_value=None
    )
    area = forms.TypedChoiceField(
        label=_("Reform area"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All areas"))]
        + [(n, f"II.{n}. {title}") for n, title in enumerate(STANDARD_AREAS, 1)],
    )
    unit = forms.TypedChoiceField(
        label=_("Lead unit"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *TaskStatus.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    due_soon = forms.BooleanField(label=_("Due soon"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, agencies=(), years=(), units=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [
            (a.pk, a.name) for a in agencies
        ]
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, str(u)) for u in units]
