"""The period rules of the periodic CCHC reports (DESIGN.md §4.7) — legal rules kept as data."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    Q1 = "q1", _("First quarter")
    H1 = "h1", _("First half-year")
    Q3 = "q3", _("Third quarter")
    YEAR = "year", _("Year")


class ReportPeriodRule(models.Model):
    """The data window and due day of one kind of report: from ``start_day``/``start_month`` of
    the report's year plus ``start_year_offset`` (−1: the previous year) to ``end_day``/
    ``end_month`` of the report's year; due on ``due_day`` of the end month."""

    kind = models.CharField(_("kind"), max_length=8, choices=PeriodKind.choices)
    start_month = models.PositiveSmallIntegerField(_("window starts (month)"))
    start_day = models.PositiveSmallIntegerField(_("window starts (day)"))
    start_year_offset = models.SmallIntegerField(
        _("start year offset"),
        default=0,
        help_text=_("-1 when the window starts in the previous year, 0 in the report's year."),
    )
    end_month = models.PositiveSmallIntegerField(_("window ends (month)"))
    end_day = models.PositiveSmallIntegerField(_("window ends (day)"))
    due_day = models.PositiveSmallIntegerField(_("due on day of the end month"))
    source = models.CharField(_("legal source"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("report period rule")
        verbose_name_plural = _("report period rules")
        ordering = ["kind", "valid_from"]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.start_day:02d}/{self.start_month:02d} → "
            f"{self.end_day:02d}/{self.end_month:02d}"
        )


def _template_upload_to(instance: ReportTemplate, filename: str) -> str:
    return f"report_templates/{instance.agency.code}/{instance.sha256[:16]}.docx"


def _report_upload_to(instance: Report, filename: str) -> str:
    return f"reports/{instance.agency.code}/{instance.period_code}/{instance.pk}-{filename}"


class ReportTemplate(models.Model):
    """A Word template uploaded by an agency (or by the province for all its agencies), checked
    against the placeholders the report provides before it is accepted. Templates are never
    edited: a new upload is a new version, and a report keeps the version it was written with."""

    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=150)
    file = models.FileField(_("file"), upload_to=_template_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_active = models.BooleanField(_("in use"), default=True)
    uploaded_by = models.ForeignKey(
        "core.User",
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:8]})"

    @property
    def version_label(self) -> str:
        return f"#{self.pk} · {self.sha256[:12]}"


class ReportStatus(models.TextChoices):
    PREPARING = "preparing", _("Collecting figures")
    DRAFT = "draft", _("Draft")
    GENERATING = "generating", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Report(models.Model):
    """A periodic report of one agency: its inputs (period, the snapshot of figures and when it
    was taken, the narrative the Office wrote, the header options, the template version) and the
    files generated from them. Rendering the stored inputs again gives the same document."""

    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )
    period_code = models.CharField(_("period"), max_length=32)
    period_kind = models.CharField(_("kind of period"), max_length=8)
    period_start = models.DateField(_("window starts"))
    period_end = models.DateField(_("window ends"))
    period_due = models.DateField(_("due on"), null=True, blank=True)
    period_label = models.CharField(_("period label"), max_length=100)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus, default=ReportStatus.PREPARING
    )
    snapshot = models.JSONField(_("figures"), null=True, blank=True)
    snapshot_at = models.DateTimeField(_("figures taken at"), null=True, blank=True)
    narrative = models.JSONField(_("narrative"), default=dict, blank=True)
    options = models.JSONField(_("header and signature"), default=dict, blank=True)
    template = models.ForeignKey(
        ReportTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    template_version = models.CharField(_("template version"), max_length=100, blank=True)
    docx = models.FileField(_("Word file"), upload_to=_report_upload_to, max_length=255, blank=True)
    xlsx = models.FileField(
        _("statistics appendix"), upload_to=_report_upload_to, max_length=255, blank=True
    )
    pdf = models.FileField(_("PDF file"), upload_to=_report_upload_to, max_length=255, blank=True)
    pdf_note = models.CharField(_("why there is no PDF"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    files_version = models.PositiveIntegerField(
        _("version the files were generated from"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        "core.User",
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "period_code"])]

    def __str__(self) -> str:
        return f"{self.agency} · {self.period_label}"

    @property
    def files_are_older(self) -> bool:
        """The text or the figures changed after the files were generated."""
        return self.files_version is not None and self.version > self.files_version

    @property
    def is_busy(self) -> bool:
        return self.status in (ReportStatus.PREPARING, ReportStatus.GENERATING)
