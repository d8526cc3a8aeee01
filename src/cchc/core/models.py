"""Agencies, units, people and their roles, the audit trail, in-app notifications, and the
working-day calendar's data (extra days off and working days, working hours)."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DESIGN.md §2, from the most to the least powerful."""

    ADMIN = "admin", _("System administrator")
    APPRAISER = "appraiser", _("Appraiser (Department of Home Affairs)")
    LEADER = "leader", _("Agency leader")
    COORDINATOR = "coordinator", _("Reform coordinator (Office)")
    UNIT_HEAD = "unit_head", _("Unit head")
    OFFICER = "officer", _("Officer")
    VIEWER = "viewer", _("Viewer")


class AgencyKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    AGENCY = "agency", _("Agency")


class Agency(models.Model):
    """A node of the province's tree: the province itself, or a department, commune or board.

    Agencies are merged and renamed by reorganisations; instead of being deleted they get an end
    of validity and may name their successor, so that history stays readable.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind, default=AgencyKind.AGENCY)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    reminder_days = models.CharField(
        _("reminder days before due date"),
        max_length=32,
        blank=True,
        help_text=_("Comma-separated numbers of days, e.g. 7,1. Empty: the server default."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def province(self) -> "Agency":
        node = self
        while node.parent_id is not None and node.kind != AgencyKind.PROVINCE:
            node = node.parent
        return node

    def reminder_offsets(self) -> list[int]:
        if self.reminder_days.strip():
            return sorted(
                {int(x) for x in self.reminder_days.split(",") if x.strip().isdigit()},
                reverse=True,
            )
        return sorted(set(settings.CCHC_REMINDER_DAYS), reverse=True)


class Unit(models.Model):
    """A division of an agency (phòng, đơn vị trực thuộc) that leads or supports tasks."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    job_title = models.CharField(_("job title"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Membership(models.Model):
    """A person's role in an agency (and, for unit heads and officers, in one of its units)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role_in_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class AuditEntry(models.Model):
    """One write, as the service that made it saw it: who, when, what, and the changed fields.

    Written only by services (``cchc.core.audit.record``), never by signals, so every row has an
    actor and a reason.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["agency", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"


class Notification(models.Model):
    """An in-app message (reminders, assignments); e-mails are sent alongside when relevant."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # The token acts with at most this agency and this role of its owner (empty: all of them);
    # see cchc.core.security.token_scope.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return "cchc_" + secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(raw: str) -> str:
        return _hash_token(raw)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class PeriodicRun(models.Model):
    """Marks that a periodic duty was enqueued for one time slot, so that several schedulers
    never enqueue it twice (the unique constraint is the lock)."""

    name = models.CharField(max_length=100)
    slot = models.CharField(max_length=32)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


def job_input_upload_to(instance: "Job", filename: str) -> str:
    return f"jobs/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Job(models.Model):
    """Work a person waits for (an import, a report): its progress, log and result.

    The work itself is a service run by the job worker (``cchc.core.jobs``); the page polls this
    row. After NetBox's ``Job`` and STYLE.md §5.
    """

    kind = models.CharField(_("kind"), max_length=64)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.CASCADE
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("current step"), max_length=255, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.FileField(
        _("input file"), upload_to=job_input_upload_to, max_length=255, blank=True
    )
    input_name = models.CharField(_("input file name"), max_length=255, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


# --- Working-day calendar (DESIGN.md §4.1) -----------------------------------------------------


class CalendarExceptionKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Extra working day")


class CalendarException(models.Model):
    """A day the government (or the province) ordered off or worked, beyond what the ``holidays``
    package knows. It wins over the package: a day off on a weekday, a working Saturday.

    Read by ``cchc.core.calendar``; saving or deleting a row refreshes the calendar.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarExceptionKind)
    reason = models.CharField(_("reason"), max_length=255)
    decision = models.CharField(
        _("decision"),
        max_length=255,
        help_text=_("The document that ordered it, e.g. Thông báo 123/TB-BNV."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class WorkingHours(models.Model):
    """The office's working periods (a morning and an afternoon), valid over a range of dates.

    The row in force on a date applies (``valid_to`` empty: still in force). A single
    uninterrupted period is a morning that ends when the afternoon starts. The default row is
    shipped by migration ``0003`` and may be edited or superseded by a newer row.
    """

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    morning_start = models.TimeField(_("morning starts"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("morning ends"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("afternoon starts"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("afternoon ends"), default=dt.time(17, 0))
    source = models.CharField(
        _("source"),
        max_length=255,
        help_text=_("The decision that set these hours."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return (
            f"{self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M} "
            f"({self.valid_from:%d/%m/%Y})"
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        times = [self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end]
        if None not in times and not (times[0] < times[1] <= times[2] < times[3]):
            errors["afternoon_end"] = _(
                "The periods must follow each other: morning start < morning end ≤ "
                "afternoon start < afternoon end."
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity must not be before its start.")
        if self.valid_from and not errors:
            overlapping = WorkingHours.objects.exclude(pk=self.pk).filter(
                models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from)
            )
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            if overlapping.exists():
                errors["valid_from"] = _(
                    "These dates overlap another row of working hours; end that row first."
                )
        if errors:
            raise ValidationError(errors)

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The working periods of a day, in order; an empty lunch break merges them."""
        if self.morning_end == self.afternoon_start:
            return ((self.morning_start, self.afternoon_end),)
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))


@receiver(post_save, sender=CalendarException)
@receiver(post_delete, sender=CalendarException)
@receiver(post_save, sender=WorkingHours)
@receiver(post_delete, sender=WorkingHours)
def _calendar_data_changed(**kwargs: object) -> None:
    """Cache invalidation only (no business logic): the process-wide working-day calendar is
    rebuilt on its next use. Other processes notice within ``calendar.REFRESH_SECONDS``."""
    from cchc.core.calendar import data_changed

    data_changed()


class RateLimitBucket(models.Model):
    """How many times one key (a scope and a hashed client address) acted in one fixed window.

    Rate limits live in the database rather than a cache: an installation runs on PostgreSQL or
    SQLite alone, and a limit must hold across the web processes (see ``cchc.lib.ratelimit``)."""

    key = models.CharField(_("key"), max_length=128)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("rate limit bucket")
        verbose_name_plural = _("rate limit buckets")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
