"""Receiving a feedback (web form, Open311, desk): the checks of what the sender typed and
attached, the default topics, the public number, and ``feedback_submit`` (DESIGN.md §4.4).
``cchc.feedback.services`` re-exports what other apps use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import Agency, User
from cchc.feedback import deadlines
from cchc.feedback.access import can_record
from cchc.feedback.models import (
    DeadlineStep,
    Feedback,
    FeedbackAttachment,
    FeedbackChannel,
    FeedbackEvent,
    FeedbackState,
    FeedbackTopic,
    new_tracking_code,
)
from cchc.feedback.people import coordinators_of, notify_on_commit, short_date
from cchc.lib.text import plain_text, validate_plain_text
from cchc.lib.uploads import check_upload

MAX_TITLE = 200
MAX_CONTENT = 5000
MAX_NAME = 150
MAX_MESSAGE = 5000
MAX_NOTE = 2000
MAX_SUMMARY = 2000
MAX_ANSWER = 10000
MAX_ATTACHMENTS = 3
PUBLIC_ID_PREFIX = "PAKN"

# Vietnamese numbers: 0 or +84 then 8–10 digits (mobile 10 digits, landline with area code).
_PHONE = re.compile(r"^(?:\+84|0)\d{8,10}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")

# The topics an agency starts with (the usual areas of the national portal's PAKN form).
DEFAULT_TOPICS = (
    ("thu-tuc-hanh-chinh", "Thủ tục hành chính"),
    ("quy-dinh-hanh-chinh", "Quy định hành chính"),
    ("thai-do-can-bo", "Thái độ, hành vi của cán bộ, công chức"),
    ("dich-vu-cong-truc-tuyen", "Chất lượng dịch vụ công trực tuyến"),
    ("khac", "Khác"),
)


def attachment_limits() -> tuple[int, int]:
    """(bytes per file, bytes for all the files of one submission) — abuse limits of the public
    form, settable as ``CCHC_FEEDBACK_FILE_MAX_BYTES`` / ``CCHC_FEEDBACK_FILES_MAX_BYTES``."""
    per_file = min(
        settings.CCHC_UPLOAD_MAX_BYTES,
        getattr(settings, "CCHC_FEEDBACK_FILE_MAX_BYTES", 5 * 1024 * 1024),
    )
    total = getattr(settings, "CCHC_FEEDBACK_FILES_MAX_BYTES", 10 * 1024 * 1024)
    return per_file, total


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- validation helpers -------------------------------------------------------------------------


class Errors(dict):
    """Collects field → messages, raised at once so the sender sees every problem."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def clean_text(
    errors: Errors,
    field: str,
    value: str | None,
    *,
    max_length: int,
    required: str | None = None,
) -> str:
    """``value`` as plain NFC text; errors when required and empty, too long or with markup."""
    text = plain_text(value or "")
    if not text:
        if required:
            errors.add(field, required)
        return text
    if len(text) > max_length:
        errors.add(
            field,
            _("At most %(limit)s characters, please (this text has %(count)s).")
            % {
                "limit": formats.number_format(max_length, force_grouping=True),
                "count": formats.number_format(len(text), force_grouping=True),
            },
        )
    try:
        validate_plain_text(text)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add(field, message)
    return text


def normalise_phone(value: str) -> str:
    return _PHONE_SEPARATORS.sub("", value or "")


def _coordinate(errors: Errors, field: str, value: Any, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter a number."))
        return None
    if not number.is_finite() or not -bound <= number <= bound:
        errors.add(
            field, _("Enter a number from %(low)s to %(high)s.") % {"low": -bound, "high": bound}
        )
        return None
    return number


def checked_files(errors: Errors, field: str, attachments: Iterable[Any]) -> list[tuple]:
    """Each upload (a Django ``File``/``UploadedFile``: ``name``, ``size``, readable) checked by
    content like evidence files; at most ``MAX_ATTACHMENTS`` and a total size limit."""
    files = [f for f in attachments if f is not None]
    if not files:
        return []
    if len(files) > MAX_ATTACHMENTS:
        errors.add(
            field,
            _("Attach at most %(count)s files.") % {"count": MAX_ATTACHMENTS},
        )
        return []
    per_file, total = attachment_limits()
    size = sum(int(getattr(f, "size", 0) or 0) for f in files)
    if size > total:
        errors.add(
            field,
            _("The files together are %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(total)},
        )
        return []
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or ""
        try:
            result = check_upload(
                upload, name=name, size=int(getattr(upload, "size", 0) or 0), max_bytes=per_file
            )
        except ValidationError as exc:
            for message in exc.messages:
                errors.add(field, f"{name}: {message}" if name else message)
            continue
        checked.append((upload, result))
    return checked


def store_files(feedback: Feedback, checked: Sequence[tuple], stored: list[str]) -> None:
    """Save the files and their rows; the names of the stored files are appended to ``stored``
    so that the caller can remove them if the transaction fails."""
    for upload, result in checked:
        attachment = FeedbackAttachment(
            feedback=feedback,
            original_name=result.safe_name,
            content_type=result.mime,
            size=result.size,
        )
        upload.seek(0)
        attachment.file.save(result.safe_name, File(upload), save=False)
        stored.append(attachment.file.name)
        attachment.save()


def forget_files(stored: list[str]) -> None:
    storage = FeedbackAttachment._meta.get_field("file").storage
    for name in stored:
        storage.delete(name)


# --- topics -------------------------------------------------------------------------------------


def topics_ensure_defaults(agency: Agency) -> int:
    """Give an agency without feedback topics the default ones; returns how many were made."""
    if FeedbackTopic.objects.filter(agency=agency).exists():
        return 0
    created = FeedbackTopic.objects.bulk_create(
        [
            FeedbackTopic(agency=agency, code=code, name=name, position=index)
            for index, (code, name) in enumerate(DEFAULT_TOPICS, 1)
        ],
        ignore_conflicts=True,
    )
    return len(created)


# --- receiving ----------------------------------------------------------------------------------


def _next_public_id(year: int) -> str:
    prefix = f"{PUBLIC_ID_PREFIX}-{year}-"
    last = (
        Feedback.objects.filter(public_id__startswith=prefix)
        .order_by(Length("public_id").desc(), "-public_id")
        .values_list("public_id", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{number:06d}"


def _insert_numbered(feedback: Feedback, year: int, attempts: int = 20) -> None:
    """Insert with the next ``PAKN-<year>-<nnnnnn>``. Two submissions at the same moment may
    pick the same number: the unique index refuses the second, which takes the next number (the
    insert runs in a savepoint, so the retry works on PostgreSQL too)."""
    for attempt in range(attempts):
        feedback.public_id = _next_public_id(year)
        try:
            with transaction.atomic():
                feedback.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            feedback.pk = None
            feedback._state.adding = True
            feedback.tracking_code = new_tracking_code()


def feedback_submit(
    *,
    agency: Agency,
    topic: FeedbackTopic | None,
    title: str,
    content: str,
    contact_name: str,
    contact_phone: str = "",
    contact_email: str = "",
    dossier_code: str = "",
    attachments: Iterable[Any] = (),
    channel: str = FeedbackChannel.WEB,
    sender_key: str = "",
    latitude: Any = None,
    longitude: Any = None,
    actor: User | None = None,
) -> Feedback:
    """Receive a feedback: validate everything (a ``ValidationError`` names each bad field and
    nothing is stored), number it ``PAKN-<year>-<nnnnnn>``, start its clocks, keep its files,
    record a public "received" event and an audit row, and tell the agency's coordinators.

    ``actor`` is the official who records a feedback received at the desk; citizens (web form,
    Open311) act without one. ``attachments`` are Django ``File``/``UploadedFile`` objects.
    Deadlines: see ``cchc.feedback.deadlines`` — ``due_at`` (and, until classification,
    ``final_due_at``) is the classification deadline (forward limit); a refusal is judged
    against the reject limit when it is made.
    """
    if actor is not None:
        require(can_record(get_scope(actor), agency))
    errors = Errors()
    title = clean_text(
        errors, "title", title, max_length=MAX_TITLE, required=_("Give a short title.")
    )
    content = clean_text(
        errors,
        "content",
        content,
        max_length=MAX_CONTENT,
        required=_("Describe your feedback."),
    )
    contact_name = clean_text(
        errors,
        "contact_name",
        contact_name,
        max_length=MAX_NAME,
        required=_("Give your name so that we can answer you."),
    )
    contact_phone = normalise_phone(plain_text(contact_phone or ""))
    contact_email = plain_text(contact_email or "").lower()
    if not contact_phone and not contact_email:
        errors.add(
            "contact_phone",
            _("Give a phone number or an e-mail address so that we can answer you."),
        )
    if contact_phone and not _PHONE.match(contact_phone):
        errors.add(
            "contact_phone",
            _("Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 912 345 678."),
        )
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors.add("contact_email", _("Enter a valid e-mail address."))
        if len(contact_email) > 254:
            errors.add("contact_email", _("Enter a valid e-mail address."))
    if topic is None:
        errors.add("topic", _("Choose what your feedback is about."))
    elif topic.agency_id != agency.pk or not topic.active:
        errors.add("topic", _("Choose one of the topics offered."))
    dossier = None
    dossier_code = plain_text(dossier_code or "")
    if dossier_code:
        from cchc.procedures.models import Dossier

        dossiers = Dossier.objects.filter(agency=agency)
        dossier = dossiers.filter(code=dossier_code).first() or (
            dossiers.filter(code__iexact=dossier_code).order_by("pk").first()
            if len(dossier_code) <= 64
            else None
        )
        if dossier is None:
            errors.add("dossier_code", _("No dossier with this code was found at this agency."))
    if channel not in FeedbackChannel.values:
        errors.add("channel", _("Unknown channel."))
    latitude = _coordinate(errors, "latitude", latitude, 90)
    longitude = _coordinate(errors, "longitude", longitude, 180)
    checked = checked_files(errors, "attachments", attachments)
    errors.raise_if_any()

    received_at = timezone.now()
    due = deadlines.step_deadline(DeadlineStep.FORWARD, received_at)
    feedback = Feedback(
        agency=agency,
        topic=topic,
        channel=channel,
        title=title,
        content=content,
        dossier=dossier,
        latitude=latitude,
        longitude=longitude,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        sender_key=(sender_key or "")[:128],
        state=FeedbackState.RECEIVED,
        unit=topic.unit if topic.unit_id and topic.unit.is_active else None,
        received_at=received_at,
        due_at=due,
        final_due_at=due,
        first_request_due_at=deadlines.step_deadline(DeadlineStep.FIRST_REQUEST, received_at),
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            _insert_numbered(feedback, deadlines.local_date(received_at).year)
            store_files(feedback, checked, stored)
            FeedbackEvent.objects.create(
                feedback=feedback,
                state=FeedbackState.RECEIVED,
                actor=actor,
                at=received_at,
                public=True,
            )
            audit.record(
                actor=actor,
                action="feedback.submit",
                obj=feedback,
                agency=agency,
                changes={
                    "public_id": feedback.public_id,
                    "topic": topic,
                    "channel": channel,
                    "dossier": dossier.code if dossier else "",
                    "attachments": len(checked),
                    "due_at": due,
                },
            )

            def message() -> tuple[str, str]:
                return (
                    _("New feedback %(number)s: %(title)s")
                    % {"number": feedback.public_id, "title": feedback.title},
                    _("Topic: %(topic)s\nTo be classified by %(due)s.")
                    % {"topic": topic.name, "due": short_date(due)},
                )

            notify_on_commit(
                coordinators_of(agency.pk),
                feedback=feedback,
                kind="feedback_new",
                message=message,
                skip=actor,
            )
    except BaseException:
        forget_files(stored)
        raise
    return feedback
