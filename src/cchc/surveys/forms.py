"""Forms of the survey pages. They parse and describe the input; ``response_submit`` decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.lib.text import plain_text, validate_plain_text
from cchc.plans.forms import DateInput
from cchc.surveys.models import TEXT_MAX_LENGTH, Question, QuestionKind, Survey

HONEYPOT = "website"


class ScaleWidget(forms.RadioSelect):
    """Radio buttons drawn as a row of big buttons (``btn-check``): easy to tap on a phone."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"class": "btn-check", "autocomplete": "off", **(attrs or {})})


class SurveyForm(forms.Form):
    """A field per question (``q<id>``) and the honeypot: a field hidden from people that
    robots fill in."""

    def __init__(self, *args: Any, survey: Survey, questions: list[Question], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = questions
        scale = survey.scale()
        for question in questions:
            name = self.field_name(question)
            if question.kind == QuestionKind.SCALE:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=[(value, label or str(value)) for value, label in scale],
                    coerce=int,
                    empty_value=None,
                    required=question.required,
                    widget=ScaleWidget(),
                    error_messages={"required": _("Please choose an answer.")},
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=question.required,
                    max_length=TEXT_MAX_LENGTH,
                    validators=[validate_plain_text],
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX_LENGTH}),
                )
        self.fields[HONEYPOT] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.pk}"

    def is_robot(self) -> bool:
        """True when the honeypot was filled in (read from the raw data, before validation)."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for question in self.questions:
            name = self.field_name(question)
            if question.kind == QuestionKind.TEXT and isinstance(data.get(name), str):
                data[name] = plain_text(data[name])
        answered = any(str(self.data.get(self.field_name(q)) or "").strip() for q in self.questions)
        if not answered:
            raise forms.ValidationError(
                _("Please answer at least one question before sending."), code="empty"
            )
        return data

    def answers(self) -> dict[int, int | str | None]:
        return {q.pk: self.cleaned_data.get(self.field_name(q)) for q in self.questions}

    def sections(self) -> list[dict[str, Any]]:
        """The questions grouped under their aspects, in order, for the template."""
        sections: list[dict[str, Any]] = []
        for question in self.questions:
            title = question.aspect.name if question.aspect_id else ""
            if not sections or sections[-1]["title"] != title:
                sections.append({"title": title, "fields": []})
            sections[-1]["fields"].append(
                {"field": self[self.field_name(question)], "scale": question.kind == "scale"}
            )
        return sections


class ResultsFilterForm(forms.Form):
    """The agency and period of the results page; a bad value is ignored (defaults used)."""

    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    start = forms.DateField(
        label=_("From"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )

    def __init__(self, *args: Any, agencies: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen dates; by default the current year; swapped when given backwards; at
        most ten years."""
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or dt.date(today.year, 1, 1)
        end = data.get("end") or dt.date(today.year, 12, 31)
        if end < start:
            start, end = end, start
        if (end - start).days > 3660:
            start = end - dt.timedelta(days=3660)
        return start, end
