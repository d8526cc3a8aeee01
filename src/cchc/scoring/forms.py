"""Forms of the assessment pages. They parse and describe the input; the services decide (the
score's range, the round, who may act)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.forms import FlexibleDecimalField
from cchc.plans.forms import DateInput
from cchc.scoring.models import AssessmentStatus


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


def _score_field(label: str, help_text: str = "") -> FlexibleDecimalField:
    # The range is the service's to check: its refusal names the criterion's maximum.
    return FlexibleDecimalField(label=label, max_digits=9, decimal_places=4, help_text=help_text)


def _text_field(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssessmentFilterForm(forms.Form):
    """The filters of the assessment list; every field is optional and a bad value is ignored."""

    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *AssessmentStatus.choices],
    )

    def __init__(self, *args: Any, agencies=(), years=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [
            (a.pk, a.name) for a in agencies
        ]
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]


class AssessmentOpenForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=None)
    framework = forms.ModelChoiceField(
        label=_("Index framework"),
        queryset=None,
        help_text=_("Only frameworks in use are listed."),
    )
    submission_deadline = _date_field(
        _("Submission deadline"),
        help_text=_("The day the leader must submit the self-assessment by."),
    )

    def __init__(self, *args: Any, agencies, frameworks, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["framework"].queryset = frameworks


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=None, required=False, empty_label=_("Nobody yet")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ProposeForm(forms.Form):
    score = _score_field(_("Proposed score"))
    note = _text_field(
        _("Explanation"),
        help_text=_("Required when there is no evidence: say why the criterion earns this score."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("Optional. PDF, Word, Excel or an image; checked by its content."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, Excel or an image; checked by its content."),
    )
    task = forms.TypedChoiceField(
        label=_("or a task of the plan"), required=False, coerce=int, empty_value=None
    )
    task_evidence = forms.TypedChoiceField(
        label=_("or an evidence file of a task"), required=False, coerce=int, empty_value=None
    )
    target = forms.TypedChoiceField(
        label=_("or a measured indicator"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args: Any, tasks=(), task_evidence=(), targets=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        self.fields["task"].choices = none + [(t.pk, f"{t.code} {t.title[:90]}") for t in tasks]
        self.fields["task_evidence"].choices = none + [
            (e.pk, f"{e.task.code} · {e.original_name}") for e in task_evidence
        ]
        self.fields["target"].choices = none + [
            (t.pk, f"{t.indicator.name}") for t in targets if t.indicator_id
        ]

    def clean(self) -> dict:
        data = super().clean()
        chosen = [k for k in ("file", "task", "task_evidence", "target") if data.get(k)]
        if len(chosen) != 1:
            raise forms.ValidationError(
                _("Choose one thing: a file, a task, a task's evidence file or a measured target.")
            )
        return data


class AppraisalForm(forms.Form):
    score = _score_field(_("Appraised score"))
    comment = _text_field(
        _("Comment"), help_text=_("Required when the score differs from the self-assessment.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ExplanationForm(forms.Form):
    explanation = _text_field(
        _("Explanation to the appraisers"),
        required=True,
        help_text=_("Why the agency's score should stand; link any further evidence here."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FinalForm(forms.Form):
    score = _score_field(_("Final score"))
    comment = _text_field(
        _("Comment"), help_text=_("Required when the score differs from the appraisal.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AppraisalCloseForm(forms.Form):
    explanation_deadline = _date_field(
        _("Explanations accepted until"),
        required=True,
        help_text=_("The last day on which the agency may explain the disputed criteria."),
    )
