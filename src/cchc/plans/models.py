"""The annual reform plan (Kế hoạch CCHC): areas, tasks, progress, evidence and comments."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit, User


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class Plan(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("number"), max_length=32, blank=True)
    symbol = models.CharField(_("symbol"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus, default=PlanStatus.DRAFT
    )
    signer = models.CharField(_("signer"), max_length=255, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=255, blank=True)
    place = models.CharField(_("place of issue"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="plan_one_per_agency_year"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="plan_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """The document's "Số: 12/KH-STP" as printed, or the symbol alone for a draft."""
        if self.number and self.symbol:
            return f"{self.number}/{self.symbol}"
        return self.symbol


class Area(models.Model):
    """A reform area of the plan (section II.1 … II.7)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="areas"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        verbose_name = _("reform area")
        verbose_name_plural = _("reform areas")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="area_number_unique_in_plan")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def code(self) -> str:
        return f"II.{self.number}"


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """A task of the plan (nhiệm vụ), e.g. ``II.3.g``.

    A recurring task owns one child task per period (its occurrences); a parent's progress is the
    weighted mean of its children's, recomputed by the services whenever a child changes.
    ``version`` grows with every write and is the optimistic lock against concurrent edits.
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="tasks"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("reform area"), on_delete=models.PROTECT, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=64)
    title = models.TextField(_("task"))
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    coordinating_units = models.ManyToManyField(
        Unit, verbose_name=_("coordinating units"), blank=True, related_name="supported_tasks"
    )
    assignees = models.ManyToManyField(
        User, verbose_name=_("assignees"), blank=True, related_name="assigned_tasks"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    recurrence = models.CharField(
        _("recurrence"), max_length=16, choices=Recurrence, default=Recurrence.ONCE
    )
    period_label = models.CharField(_("period"), max_length=32, blank=True)
    product = models.TextField(_("expected product"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus, default=TaskStatus.NOT_STARTED
    )
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=Decimal("1"))
    position = models.PositiveIntegerField(_("position"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "area__number", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique_in_plan"),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=100),
                name="task_progress_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="task_dates_in_order",
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="task_weight_positive"),
        ]
        indexes = [
            models.Index(fields=["agency", "due_date"]),
            models.Index(fields=["agency", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.due_date is not None
            and self.due_date < today
            and self.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)
        )

    def days_left(self, today: dt.date | None = None) -> int | None:
        if self.due_date is None:
            return None
        return (self.due_date - (today or timezone.localdate())).days


class ProgressUpdate(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="progress_updates"
    )
    author = models.ForeignKey(User, verbose_name=_("author"), null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("time"), default=timezone.now)
    percent = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=2)
    previous_percent = models.DecimalField(
        _("previous progress (%)"), max_digits=5, decimal_places=2
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.percent}%"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name is random: the original (sanitised) name is kept in a field and only ever
    # used in the Content-Disposition of a permission-checked download.
    return f"evidence/{instance.task.agency.code}/{instance.task.plan.year}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file kept as proof of a task's result (tài liệu kiểm chứng)."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=128)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(User, verbose_name=_("author"), null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(_("time"), default=timezone.now)
    body = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class LegalReference(models.Model):
    """A legal or party document the plan is based on or cites (Căn cứ …)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="references"
    )
    kind = models.CharField(_("kind of document"), max_length=64)
    number = models.CharField(_("number"), max_length=64)
    date = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    text = models.TextField(_("wording in the plan"), blank=True)

    class Meta:
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="reference_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class ReminderLog(models.Model):
    """One reminder sent, so that a reminder run repeated on the same day sends nothing new."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    kind = models.CharField(max_length=32)
    due_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "user", "kind", "due_date"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.task.code} → {self.user}"
