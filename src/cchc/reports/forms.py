"""Forms of the reports pages: choosing a period, editing the narrative and the header, and
uploading a template."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency
from cchc.reports.models import PeriodKind, ReportTemplate
from cchc.reports.narrative import NARRATIVE_KEYS
from cchc.reports.periods import Period, adhoc, period_of

ADHOC = "adhoc"
KIND_CHOICES = [
    (PeriodKind.Q1.value, _("First quarter (15/12 of the previous year – 14/3)")),
    (PeriodKind.H1.value, _("First half-year (15/12 of the previous year – 14/6)")),
    (PeriodKind.Q3.value, _("Third quarter (15/6 – 14/9)")),
    (PeriodKind.YEAR.value, _("Year (15/12 of the previous year – 14/12)")),
    (ADHOC, _("Other period (choose the dates)")),
]
# The headings of the outline (DESIGN.md §4.7) each narrative paragraph belongs to.
SECTION_LABELS = {
    "direction": _("I. Direction and management"),
    "strengths": _("III. Overall assessment — strengths"),
    "weaknesses": _("III. Overall assessment — shortcomings"),
    "causes": _("III. Overall assessment — causes"),
    "next_tasks": _("IV. Tasks for the next period"),
    "proposals": _("V. Proposals"),
}


class ReportCreateForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Period"), choices=KIND_CHOICES)
    start = forms.DateField(label=_("From"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    end = forms.DateField(label=_("To"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=ReportTemplate.objects.none(),
        required=False,
        empty_label=_("The default template (Nghị định 30/2020)"),
    )

    def __init__(self, *args: Any, agencies: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["template"].queryset = templates
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.period: Period | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, year = data.get("kind"), data.get("year")
        if kind is None or year is None:
            return data
        try:
            if kind == ADHOC:
                start, end = data.get("start"), data.get("end")
                if start is None or end is None:
                    raise ValidationError(_("Choose the first and the last day of the period."))
                if (end - start) > dt.timedelta(days=731):
                    raise ValidationError(_("A report covers at most two years."))
                self.period = adhoc(start, end)
            else:
                self.period = period_of(kind, year)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        agency, template = data.get("agency"), data.get("template")
        if agency is not None and template is not None:
            allowed = {agency.pk, agency.province.pk}
            if template.agency_id not in allowed:
                self.add_error("template", _("This template cannot be used for this agency."))
        return data


class ReportEditForm(forms.Form):
    """The narrative (one text area per paragraph) and the header and signature options."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=40,
        help_text=_("Left blank, a space is kept for the clerk to write the number."),
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=100)
    date = forms.DateField(
        label=_("Date of the report"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Left blank, the day and month are left for the signer to write."),
    )
    signer_title = forms.CharField(label=_("Signer's title"), required=False, max_length=100)
    signer_name = forms.CharField(label=_("Signer's name"), required=False, max_length=100)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=ReportTemplate.objects.none(),
        required=False,
        empty_label=_("The default template (Nghị định 30/2020)"),
    )

    def __init__(
        self, *args: Any, templates: Any, area_titles: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        for key in NARRATIVE_KEYS:
            label = area_titles.get(key) or SECTION_LABELS.get(key, key)
            self.fields[f"n_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 4})
            )

    def narrative_fields(self) -> list[forms.BoundField]:
        return [self[f"n_{key}"] for key in NARRATIVE_KEYS if f"n_{key}" in self.fields]

    def narrative(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"n_{key}", "") for key in NARRATIVE_KEYS}

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "number": data.get("number", ""),
            "place": data.get("place", ""),
            "date": data.get("date"),
            "signer_title": data.get("signer_title", ""),
            "signer_name": data.get("signer_name", ""),
            "recipients": (data.get("recipients") or "").splitlines(),
        }


class TemplateUploadForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("For"), queryset=Agency.objects.none())
    name = forms.CharField(label=_("Name"), max_length=150)
    file = forms.FileField(label=_("Word template (.docx)"))

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].help_text = _(
            "A template of the province can be used by every agency of the province."
        )
