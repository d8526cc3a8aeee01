"""Forms of the dossier pages. They parse and describe the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency
from cchc.plans.forms import DateInput
from cchc.procedures.models import DossierStatus

DOSSIER_EXTENSIONS = (".csv", ".xlsx", ".jsonl", ".json")


def max_dossier_file_bytes() -> int:
    return settings.CCHC_DOSSIER_MAX_BYTES


class DossierUploadForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    file = forms.FileField(
        label=_("Dossier file"),
        help_text=_(
            "CSV, XLSX or JSON Lines in the dossier exchange format, one dossier per row, "
            "with the portal's column names (MaHoSo, MaTTHC, NgayTiepNhan …)."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Skip invalid rows and load the others"),
        required=False,
        help_text=_("Without it, a file with any invalid row loads nothing and lists the errors."),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["file"].widget.attrs["accept"] = ",".join(DOSSIER_EXTENSIONS)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        limit = max_dossier_file_bytes()
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; files above %(limit)s are refused."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        if not (upload.name or "").lower().endswith(DOSSIER_EXTENSIONS):
            raise ValidationError(
                _("Choose a %(kinds)s file."),
                code="extension",
                params={"kinds": ".csv/.xlsx/.jsonl"},
            )
        return upload


class DossierFilterForm(forms.Form):
    """The filters of the dossier list; every field is optional and a bad value is ignored."""

    q = forms.CharField(label=_("Dossier code"), required=False, max_length=64)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    procedure = forms.TypedChoiceField(
        label=_("Procedure"), required=False, coerce=int, empty_value=None
    )
    status = forms.TypedChoiceField(
        label=_("Status"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All statuses")), *DossierStatus.choices],
    )
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    received_to = forms.DateField(
        label=_("Received to"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args: Any, agencies=(), procedures=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [
            (a.pk, a.name) for a in agencies
        ]
        self.fields["procedure"].choices = [("", _("All procedures"))] + [
            (p.pk, f"{p.code} {p.name[:80]}") for p in procedures
        ]
