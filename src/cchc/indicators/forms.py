"""Forms of the indicator pages. They parse and describe the input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.forms import FlexibleDecimalField
from cchc.plans.forms import DateInput

PERIOD_KINDS = [
    ("year", _("Whole year")),
    ("quarter", _("Quarter")),
    ("month", _("Month")),
    ("custom", _("From … to …")),
]


def _date(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


class PeriodForm(forms.Form):
    """The agency and period of the indicators page; every field is optional and a bad value is
    ignored (the page falls back to the whole year)."""

    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIOD_KINDS)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(q, f"Q{q}") for q in range(1, 5)],
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(m, f"{m:02d}") for m in range(1, 13)],
    )
    start = _date(_("From"))
    end = _date(_("To"))

    def __init__(self, *args, agencies=(), years=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["year"].choices = [(y, str(y)) for y in years]


class ReportValueForm(forms.Form):
    period_start = _date(_("Period from"), required=True)
    period_end = _date(_("Period to"), required=True)
    value = FlexibleDecimalField(label=_("Value"), max_digits=12, decimal_places=2)
    note = forms.CharField(
        label=_("Note or source"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. the survey report or the ranking decision the value comes from."),
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period must not be before its start."))
        return data
