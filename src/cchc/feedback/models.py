"""Citizens' feedback on administrative regulations and their handling (phản ánh, kiến nghị —
PAKN), after Nghị định 20/2008/NĐ-CP as amended by Nghị định 48/2013/NĐ-CP (DESIGN.md §4.4).

A feedback item is received (web form, Open311, or entered at the desk), classified (not
accepted / about staff conduct / within competence / forwarded to another agency), handled by a
unit, answered, approved by the leader and published. Each step has a deadline in working days
taken from ``FeedbackDeadlineRule`` (data, with its legal source and period) and computed by the
one calendar (``cchc.core.calendar.deadline``). The clock stops while the agency waits for the
sender to supply more information.

Personal data (the sender's name, phone, e-mail, address hash) lives in the ``contact_*`` fields
and is shown only to the people who handle the item; public pages and the Open311 feed use
``public_id``, the topic, the state, the dates, and — once published — ``public_summary`` and
``answer``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit


class FeedbackTopic(models.Model):
    """What a feedback is about (lĩnh vực); the Open311 "service" of the agency."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="feedback_topics"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("default unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("The unit that usually handles feedback on this topic."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("feedback topic")
        verbose_name_plural = _("feedback topics")
        ordering = ["agency", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="feedback_topic_code")
        ]

    def __str__(self) -> str:
        return self.name


class Classification(models.TextChoices):
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    STAFF_CONDUCT = "staff_conduct", _("About staff conduct")
    WITHIN_COMPETENCE = "within_competence", _("Within the agency's competence")
    FORWARD = "forward", _("Forward to another agency")


class FeedbackState(models.TextChoices):
    RECEIVED = "received", _("Received, to be classified")
    IN_PROGRESS = "in_progress", _("Being handled")
    WAITING_SENDER = "waiting_sender", _("Waiting for information from the sender")
    ANSWER_DRAFTED = "answer_drafted", _("Answer awaiting approval")
    ANSWERED = "answered", _("Answered, to be published")
    PUBLISHED = "published", _("Answer published")
    REJECTED = "rejected", _("Not accepted")
    FORWARDED = "forwarded", _("Forwarded to another agency")


# Open311 has two statuses; the native state travels in an extension field.
CLOSED_STATES = frozenset(
    {FeedbackState.PUBLISHED, FeedbackState.REJECTED, FeedbackState.FORWARDED}
)
# The states in which the agency's answer (or refusal) has been given to the sender.
HANDLED_STATES = frozenset(
    {
        FeedbackState.ANSWERED,
        FeedbackState.PUBLISHED,
        FeedbackState.REJECTED,
        FeedbackState.FORWARDED,
    }
)


class FeedbackChannel(models.TextChoices):
    WEB = "web", _("Web form")
    OPEN311 = "open311", _("Open311 application")
    DESK = "desk", _("At the desk, by phone or by letter")


class DeadlineStep(models.TextChoices):
    REJECT = "reject", _("Refuse a feedback that is not accepted")
    FORWARD = "forward", _("Forward to the competent agency")
    FIRST_REQUEST = "first_request", _("First request for more information")
    ANSWER = "answer", _("Answer")
    PUBLISH = "publish", _("Publish the answer")


class FeedbackDeadlineRule(models.Model):
    """A deadline of the handling, in working days, with its source and period. The row in force
    on the day the clock starts applies; the defaults (reject 2, forward 5, first request 5,
    answer 15, publish 2) are the operator's rule after Nghị định 20/2008/NĐ-CP."""

    step = models.CharField(_("step"), max_length=20, choices=DeadlineStep.choices)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    source = models.CharField(_("legal source"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback deadline rule")
        verbose_name_plural = _("feedback deadline rules")
        ordering = ["step", "valid_from"]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.working_days}"


def new_tracking_code() -> str:
    """The sender's secret: 12 characters without look-alikes (no 0/O, 1/I/L)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Feedback(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="feedback"
    )
    # Public identifier (Open311 service_request_id, shown on public pages): PAKN-<year>-<n>.
    public_id = models.CharField(_("number"), max_length=32, unique=True)
    # The sender's secret for following the item and answering a request for information.
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code
    )
    topic = models.ForeignKey(
        FeedbackTopic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="feedback"
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=FeedbackChannel.choices, default=FeedbackChannel.WEB
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    dossier = models.ForeignKey(
        "procedures.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Personal data: shown only to the people who handle the item.
    contact_name = models.CharField(_("sender's name"), max_length=150)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    sender_key = models.CharField(_("sender address (hashed)"), max_length=128, blank=True)

    state = models.CharField(
        _("state"), max_length=20, choices=FeedbackState.choices, default=FeedbackState.RECEIVED
    )
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, blank=True
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_feedback",
    )
    decision_note = models.TextField(
        _("reason or receiving agency"),
        blank=True,
        help_text=_("Why it is not accepted, or to which agency it is forwarded."),
    )

    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    # The deadline of the step in progress; None while the clock is stopped (waiting for the
    # sender) or once the item is closed with its final deadline kept in ``final_due_at``.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # The deadline the item is judged by: classification (reject/forward) or the answer, moved
    # by the working days spent waiting for the sender.
    final_due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    first_request_due_at = models.DateTimeField(_("first request due at"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    # When the answer (or refusal, or transfer) was given: the on-time test uses this.
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    publish_due_at = models.DateTimeField(_("publication due at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the public reads: the handler's summary of the feedback without personal details.
    public_summary = models.TextField(_("public summary"), blank=True)
    # The sender's rating of the answer (1–5), optional.
    rating = models.PositiveSmallIntegerField(_("sender's rating"), null=True, blank=True)
    # Folded text (no diacritics, lower case) of the public summary and answer, for search.
    search_text = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["agency", "state"]),
            models.Index(fields=["agency", "final_due_at"]),
            models.Index(fields=["agency", "received_at"]),
            models.Index(fields=["agency", "published_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} — {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()


def feedback_attachment_path(instance: FeedbackAttachment, filename: str) -> str:
    return f"feedback/{instance.feedback.agency_id}/{instance.feedback.public_id}/{filename}"


class FeedbackAttachment(models.Model):
    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=feedback_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback attachment")
        verbose_name_plural = _("feedback attachments")

    def __str__(self) -> str:
        return self.original_name


class FeedbackEvent(models.Model):
    """One step of the handling. ``public`` steps (received, request for information, answer
    published, …) are listed on the sender's tracking page, without the actor's name."""

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="events"
    )
    state = models.CharField(_("state"), max_length=20, choices=FeedbackState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # The sender's words (a reply to a request for information) rather than the agency's.
    from_sender = models.BooleanField(_("from the sender"), default=False)
    public = models.BooleanField(_("shown to the sender"), default=False)

    class Meta:
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.state} {self.at:%Y-%m-%d %H:%M}"


class Open311Key(models.Model):
    """An API key with which an application (a city app, the province's portal) may create
    feedback of one agency through Open311 (``api_key`` parameter). Only its SHA-256 is kept."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="open311_keys"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.agency.code})"


class FeedbackAlertLog(models.Model):
    """One alert sent about a feedback item (overdue or due soon), so that the daily run — or a
    second scheduler — alerts each person once per item, kind and day."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="alerts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "user", "kind", "day"], name="feedback_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.feedback_id} → {self.user_id} ({self.day})"
