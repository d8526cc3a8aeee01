"""Forms of the feedback pages. They parse and describe the input; the services decide (length,
markup, contact, dossier code and file checks live in ``cchc.feedback.services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Membership, Role, Unit, User
from cchc.feedback import services
from cchc.feedback.models import Classification, FeedbackState, FeedbackTopic


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the service limits how many and how large)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        items = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(item, initial) for item in items if item]


def _text_input(max_length: int, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"maxlength": max_length, **attrs})


def _area(max_length: int, rows: int = 5, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"maxlength": max_length, "rows": rows, **attrs})


ACCEPTED_FILES = ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.gif,.webp"


def _files_field(label: str) -> MultipleFileField:
    field = MultipleFileField(
        label=label,
        help_text=_(
            "Up to 3 files: PDF, Word, Excel or pictures (JPEG, PNG). Leave out documents that "
            "are not needed."
        ),
    )
    field.widget.attrs["accept"] = ACCEPTED_FILES
    return field


# --- public -------------------------------------------------------------------------------------


class PublicFeedbackForm(forms.Form):
    """The citizens' form. Fields marked required are checked by the browser and again by the
    service, whose messages are shown."""

    topic = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=FeedbackTopic.objects.none(),
        empty_label=_("— Choose —"),
        required=False,
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        widget=_text_input(services.MAX_TITLE, required=True),
    )
    content = forms.CharField(
        label=_("Your feedback or proposal"),
        required=False,
        strip=False,
        widget=_area(services.MAX_CONTENT, rows=7, required=True),
        help_text=_(
            "Describe the regulation or procedure, what happened and what you propose. "
            "Plain text only."
        ),
    )
    dossier_code = forms.CharField(
        label=_("Dossier code (if it is about a dossier)"),
        required=False,
        widget=_text_input(64, autocomplete="off", placeholder="STP-260302-0001"),
        help_text=_("The code on your receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả)."),
    )
    attachments = _files_field(_("Attached files (optional)"))
    contact_name = forms.CharField(
        label=_("Your name"),
        required=False,
        widget=_text_input(services.MAX_NAME, required=True, autocomplete="name"),
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "tel", "maxlength": 20, "autocomplete": "tel", "inputmode": "tel"}
        ),
    )
    contact_email = forms.CharField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"maxlength": 254, "autocomplete": "email"}),
        help_text=_("Give a phone number or an e-mail address (or both)."),
    )
    # A honeypot: hidden from people (and from screen readers), filled in by spam robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, topics: QuerySet[FeedbackTopic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics
        self.fields["topic"].widget.attrs["required"] = True

    @property
    def is_spam(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class SenderReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your reply"),
        required=False,
        strip=False,
        widget=_area(services.MAX_MESSAGE, rows=5, required=True),
    )
    attachments = _files_field(_("Attached files (optional)"))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        coerce=int,
        choices=[
            (1, _("1 — very dissatisfied")),
            (2, _("2 — dissatisfied")),
            (3, _("3 — neither")),
            (4, _("4 — satisfied")),
            (5, _("5 — very satisfied")),
        ],
        widget=forms.RadioSelect,
    )


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the answers"), required=False, max_length=100)


class TrackingLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


# --- back office --------------------------------------------------------------------------------


class FeedbackFilterForm(forms.Form):
    """The filters of the back-office list; every field is optional and a bad value ignored."""

    q = forms.CharField(label=_("Number or title"), required=False, max_length=100)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *FeedbackState.choices],
    )
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, agencies=(), topics=(), units=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [
            (a.pk, a.name) for a in agencies
        ]
        self.fields["topic"].choices = [("", _("All topics"))] + [(t.pk, t.name) for t in topics]
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, u.name) for u in units]


def units_of(agency_id: int) -> QuerySet[Unit]:
    return Unit.objects.filter(agency_id=agency_id, is_active=True).order_by("name")


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, widget=forms.RadioSelect
    )
    unit = forms.ModelChoiceField(
        label=_("Handling unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Required when the feedback is taken up (staff conduct, within competence)."),
    )
    note = forms.CharField(
        label=_("Reason, or the agency it is forwarded to"),
        required=False,
        widget=_area(services.MAX_NOTE, rows=3),
        help_text=_(
            "Required when it is not accepted or forwarded; shown to the sender on the "
            "tracking page."
        ),
    )

    def __init__(self, *args: Any, feedback: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "classify")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of(feedback.agency_id)


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=Unit.objects.none())
    handler = forms.ModelChoiceField(
        label=_("Handler"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, feedback: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_of(feedback.agency_id)
        members = Membership.objects.filter(
            agency_id=feedback.agency_id,
            unit__isnull=False,
            role__in=(Role.UNIT_HEAD, Role.OFFICER),
            is_active=True,
        )
        self.fields["handler"].queryset = User.objects.filter(
            is_active=True, pk__in=members.values("user_id")
        ).order_by("full_name", "username")
        self.fields["handler"].label_from_instance = lambda user: user.display_name


class RequestInfoForm(forms.Form):
    message = forms.CharField(
        label=_("What should the sender add?"),
        required=False,
        widget=_area(services.MAX_NOTE, rows=3),
        help_text=_("Shown to the sender on the tracking page. The deadline stops meanwhile."),
    )

    def __init__(self, *args: Any, feedback: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "info")
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    public_summary = forms.CharField(
        label=_("Public summary of the feedback"),
        required=False,
        widget=_area(services.MAX_SUMMARY, rows=3),
        help_text=_(
            "What the public reads instead of the sender's words: no names, phone numbers, "
            "addresses or other personal details."
        ),
    )
    answer = forms.CharField(
        label=_("Answer"), required=False, widget=_area(services.MAX_ANSWER, rows=7)
    )

    def __init__(self, *args: Any, feedback: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "answer")
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should be changed?"),
        required=False,
        widget=_area(services.MAX_NOTE, rows=3),
    )

    def __init__(self, *args: Any, feedback: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)


class ConfirmForm(forms.Form):
    """Approve and publish take no input."""

    def __init__(self, *args: Any, feedback: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class DeskFeedbackForm(PublicFeedbackForm):
    """A feedback received at the desk, by phone or by letter, recorded by an official."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["website"]
        self.fields["contact_name"].label = _("Sender's name")
        self.fields["content"].label = _("Content of the feedback")
