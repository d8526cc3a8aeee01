"""The reform index (PAR INDEX): frameworks, self-assessment, appraisal and ranking
(DESIGN.md §4.6; national method Quyết định 876/QĐ-BNV of 2022, each province issuing its own).

A ``Framework`` (one per year, level and version) is a tree of ``Criterion`` rows: areas
(lĩnh vực, no parent) → criteria (tiêu chí) → sub-criteria (tiêu chí thành phần). Leaves are
scored; a parent's score is the sum of its children capped at its maximum. How a leaf is scored
is its ``method``: by people (manual), from a measured rate or indicator through a table of
``ThresholdBand`` rows (automatic), from the satisfaction survey, or as a bonus or penalty with
a cap. The framework is data: imported from and exported to XLSX, edited in the admin.

An ``Assessment`` is one agency's index for one framework. Its ``AssessmentItem`` rows (one per
leaf criterion) keep every round's score side by side — self-assessment, appraisal, final — so
the differences stay visible; evidence is attached to an item (``ItemEvidence``). Rounds:
open (units propose) → submitted (leader approved) → appraised (Sở Nội vụ scored) → explaining
(the agency answers, giải trình) → final.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit

POINTS = {"max_digits": 7, "decimal_places": 2}


class Level(models.TextChoices):
    DEPARTMENT = "department", _("Department (sở, ban, ngành)")
    COMMUNE = "commune", _("Commune (xã, phường)")


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("In use")
    RETIRED = "retired", _("Retired")


class Framework(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=300)
    decision = models.CharField(
        _("decision"),
        max_length=300,
        blank=True,
        help_text=_("The province's decision that issues this index, e.g. its number and date."),
    )
    is_template = models.BooleanField(
        _("starter template"),
        default=False,
        help_text=_("Shipped as a starting point; adapt it to the province's own decision."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("index framework")
        verbose_name_plural = _("index frameworks")
        ordering = ["-year", "level", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "level", "version"], name="framework_year_level_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year}, v{self.version})"


class Method(models.TextChoices):
    MANUAL = "manual", _("Scored by the appraisers")
    AUTO = "auto", _("Automatic from a measured rate")
    SURVEY = "survey", _("From the satisfaction survey")
    BONUS = "bonus", _("Bonus points")
    PENALTY = "penalty", _("Penalty points")


class Criterion(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=20)  # "1", "1.2", "1.2.a"
    title = models.TextField(_("title"))
    max_points = models.DecimalField(
        _("maximum points"), validators=[MinValueValidator(Decimal(0))], **POINTS
    )
    method = models.CharField(
        _("scoring method"), max_length=10, choices=Method.choices, default=Method.MANUAL
    )
    # For AUTO: a rate key of the service metrics (e.g. "on_time_rate", DESIGN.md §4.3) or
    # "plan_progress"; for SURVEY: "overall" or an aspect code of the survey.
    source = models.CharField(_("data source"), max_length=64, blank=True)
    # For BONUS and PENALTY: the most points it may add or take away.
    cap = models.DecimalField(_("cap"), null=True, blank=True, **POINTS)
    guidance = models.TextField(_("guidance"), blank=True)
    required_evidence = models.TextField(_("required evidence"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["framework", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="criterion_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title[:80]}"


class ThresholdBand(models.Model):
    """For an automatic criterion: a measured rate at or above ``min_rate`` earns ``points``
    (the highest band reached applies; below every band, 0)."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="bands"
    )
    min_rate = models.DecimalField(_("from rate (%)"), max_digits=6, decimal_places=2)
    points = models.DecimalField(_("points"), **POINTS)

    class Meta:
        verbose_name = _("threshold band")
        verbose_name_plural = _("threshold bands")
        ordering = ["criterion", "-min_rate"]

    def __str__(self) -> str:
        return f"≥ {self.min_rate} % → {self.points}"


class RankingBand(models.Model):
    """A ranking band (xếp loại) by index %: A ≥ 90, B 80–< 90, C below (defaults, editable)."""

    code = models.CharField(_("band"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    min_percent = models.DecimalField(_("from index (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("source"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("ranking band")
        verbose_name_plural = _("ranking bands")
        ordering = ["-min_percent"]

    def __str__(self) -> str:
        return f"{self.code} ≥ {self.min_percent} %"


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("Self-assessment in progress")
    SUBMITTED = "submitted", _("Submitted for appraisal")
    APPRAISED = "appraised", _("Appraised, awaiting the agency's explanations")
    EXPLAINED = "explained", _("Explanations sent, awaiting the final appraisal")
    FINAL = "final", _("Final")


class Assessment(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN
    )
    submission_deadline = models.DateField(_("submission deadline"), null=True, blank=True)
    explanation_deadline = models.DateField(_("explanation deadline"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    # Totals of each round, kept when the round closes (points and index %).
    self_total = models.DecimalField(_("self-assessed points"), null=True, blank=True, **POINTS)
    appraisal_total = models.DecimalField(_("appraised points"), null=True, blank=True, **POINTS)
    final_total = models.DecimalField(_("final points"), null=True, blank=True, **POINTS)
    final_percent = models.DecimalField(
        _("final index (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    band = models.CharField(_("band"), max_length=8, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("index assessment")
        verbose_name_plural = _("index assessments")
        ordering = ["-framework__year", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "framework"], name="assessment_per_framework")
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.framework.year}"

    @property
    def year(self) -> int:
        return self.framework.year


class AssessmentItem(models.Model):
    """One leaf criterion of one assessment, with the score of every round."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="items"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="items"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessment_items",
    )
    # Automatic criteria: the measured value and the points it gives, with what was measured.
    measured_value = models.DecimalField(
        _("measured value"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    measured_points = models.DecimalField(_("computed points"), null=True, blank=True, **POINTS)
    measured_detail = models.JSONField(_("data behind the value"), default=dict, blank=True)
    measured_at = models.DateTimeField(_("measured at"), null=True, blank=True)
    # Round 1: the unit's proposal.
    self_score = models.DecimalField(_("self-assessed score"), null=True, blank=True, **POINTS)
    self_note = models.TextField(_("explanation"), blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    self_at = models.DateTimeField(null=True, blank=True)
    # Round 2: the appraisers.
    appraisal_score = models.DecimalField(_("appraised score"), null=True, blank=True, **POINTS)
    appraisal_comment = models.TextField(_("appraisal comment"), blank=True)
    appraisal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appraisal_at = models.DateTimeField(null=True, blank=True)
    # Round 3: the agency's explanation (giải trình) of a disputed score.
    explanation = models.TextField(_("explanation to the appraisers"), blank=True)
    explanation_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    explanation_at = models.DateTimeField(null=True, blank=True)
    # Round 4: the final appraisal.
    final_score = models.DecimalField(_("final score"), null=True, blank=True, **POINTS)
    final_comment = models.TextField(_("final comment"), blank=True)
    final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    final_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assessed criterion")
        verbose_name_plural = _("assessed criteria")
        ordering = ["assessment", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="item_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.criterion.code}"


def item_evidence_path(instance: ItemEvidence, filename: str) -> str:
    assessment = instance.item.assessment
    return f"scoring/{assessment.agency_id}/{assessment.framework.year}/{filename}"


class ItemEvidence(models.Model):
    """Proof for an assessed criterion: an uploaded file, a task of the plan (with its evidence
    files), a task's evidence file, or a link to a measured indicator — one of them."""

    item = models.ForeignKey(
        AssessmentItem,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=item_evidence_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=128, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    task = models.ForeignKey(
        "plans.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task_evidence = models.ForeignKey(
        "plans.Evidence",
        verbose_name=_("task evidence file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target = models.ForeignKey(
        "indicators.Target",
        verbose_name=_("measured target"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("criterion evidence")
        verbose_name_plural = _("criterion evidence")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.description or str(self.pk)
