"""Form helpers shared by the HTML views of every app."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _


def apply_service_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Put the errors a service raised onto the form: on the field they name when the form has
    it (``field_map`` renames service fields to form fields), otherwise at the top."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            target = field_map.get(name, name)
            if target == NON_FIELD_ERRORS or target not in form.fields:
                form.add_error(None, messages)
            else:
                form.add_error(target, messages)
    else:
        form.add_error(None, exc.messages)


class DecimalInput(forms.NumberInput):
    """A number input that shows ``12.5`` rather than ``12.50`` and accepts any step."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"step": "any", "inputmode": "decimal", **(attrs or {})})

    def format_value(self, value: object) -> str | None:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return super().format_value(value)


class FlexibleDecimalField(forms.DecimalField):
    """Accepts both ``12.5`` (what browsers send from a number input) and ``12,5`` (how people
    in Vietnam type it in a plain text field)."""

    widget = DecimalInput

    def to_python(self, value: object) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class DashboardFilterForm(forms.Form):
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agencies=(), years=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [
            (a.pk, a.name) for a in agencies
        ]
        self.fields["year"].choices = [(y, str(y)) for y in years]


class NotificationReadForm(forms.Form):
    notification = forms.IntegerField(required=False, widget=forms.HiddenInput)
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)
