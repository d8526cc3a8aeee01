"""Satisfaction surveys after the SIPAS method of Bộ Nội vụ (DESIGN.md §4.5).

A survey belongs to an agency and is versioned: editing the questions of a survey that has
answers means making a new version (a copy), so every answer keeps pointing to the exact
question it answered. One version per agency is active; the public pages show that one.

A survey has aspects (the five of SIPAS by default: access to the service, the procedure, the
civil servant, the result, the handling of feedback) and questions; a scale question belongs to
an aspect, a free-text question may stand alone. The scale, the point from which an answer
counts as "satisfied" and the rule that makes a response a negative rating of its dossier are
fields of the survey — data, editable by the administrator, not constants.

A response carries no personal data: no name, no contact, no address (the rate limiter keeps
only a keyed hash of the address, in its own table, for an hour). When it comes from a
dossier's link it points to the dossier, once (a unique constraint), and copies the dossier's
unit and procedure so results can be read per unit and per procedure.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit

TEXT_MAX_LENGTH = 2000


class Survey(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="surveys"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    introduction = models.TextField(_("introduction"), blank=True)
    scale_max = models.PositiveSmallIntegerField(
        _("points of the scale"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("Answers go from 1 to this number."),
    )
    scale_labels = models.TextField(
        _("labels of the scale"),
        blank=True,
        help_text=_("One label per line, from point 1 up. Empty: the points are numbered only."),
    )
    satisfied_from = models.PositiveSmallIntegerField(
        _("satisfied from"),
        default=4,
        validators=[MinValueValidator(1)],
        help_text=_("An answer at or above this point counts as satisfied (4 on a 5-point scale)."),
    )
    negative_below = models.DecimalField(
        _("negative rating below"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("3.00"),
        help_text=_(
            "A response tied to a dossier whose mean scale answer is below this value counts as "
            "a negative rating of the dossier's handling."
        ),
    )
    method = models.CharField(
        _("method"),
        max_length=255,
        blank=True,
        help_text=_("The method the questionnaire follows, e.g. the SIPAS method."),
    )
    active = models.BooleanField(_("active"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["agency", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "version"], name="survey_version_unique"),
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(active=True),
                name="survey_one_active_per_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfied_from__gte=1)
                & models.Q(satisfied_from__lte=models.F("scale_max")),
                name="survey_satisfied_within_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def clean(self) -> None:
        if self.scale_max and self.satisfied_from and self.satisfied_from > self.scale_max:
            raise ValidationError(
                {"satisfied_from": _("The satisfied point must lie on the scale.")}
            )
        labels = self.labels()
        if labels and len(labels) != self.scale_max:
            raise ValidationError(
                {"scale_labels": _("Give one label for every point of the scale, or none.")}
            )

    def labels(self) -> list[str]:
        return [line.strip() for line in self.scale_labels.splitlines() if line.strip()]

    def scale(self) -> list[tuple[int, str]]:
        """The points of the scale with their labels (empty labels when none are set)."""
        labels = self.labels()
        if len(labels) != self.scale_max:
            labels = [""] * self.scale_max
        return list(zip(range(1, self.scale_max + 1), labels, strict=True))


class Aspect(models.Model):
    """A part of the service the citizen rates (yếu tố), e.g. "the civil servant"."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="aspects"
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Stays the same across versions, so results can be compared."),
    )
    name = models.CharField(_("name"), max_length=255)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")
        ordering = ["survey", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="survey_aspect_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Rating on the scale")
    TEXT = "text", _("Free text")


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    aspect = models.ForeignKey(
        Aspect,
        verbose_name=_("aspect"),
        on_delete=models.CASCADE,
        related_name="questions",
        null=True,
        blank=True,
        help_text=_("Required for a rating; a free-text question may stand alone."),
    )
    text = models.TextField(_("question"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(
        _("kind"), max_length=8, choices=QuestionKind, default=QuestionKind.SCALE
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="text") | models.Q(aspect__isnull=False),
                name="survey_scale_question_has_aspect",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if self.kind == QuestionKind.SCALE and self.aspect_id is None:
            raise ValidationError({"aspect": _("A rating question belongs to an aspect.")})
        if self.aspect_id is not None and self.aspect.survey_id != self.survey_id:
            raise ValidationError({"aspect": _("The aspect belongs to another survey.")})


class ResponseChannel(models.TextChoices):
    WEB = "web", _("Public link")
    QR_DOSSIER = "qr_dossier", _("Dossier's QR code")
    KIOSK = "kiosk", _("Kiosk at the one-stop desk")


class Response(models.Model):
    """One citizen's answers. No personal data is stored with it."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
        db_index=False,  # the index (agency, submitted_at) serves it
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ResponseChannel)
    dossier = models.ForeignKey(
        "procedures.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        db_index=False,  # the unique constraint indexes it
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    negative = models.BooleanField(
        _("negative rating"),
        default=False,
        help_text=_("The mean of the scale answers is below the survey's negative threshold."),
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], name="survey_one_response_per_dossier")
        ]
        indexes = [models.Index(fields=["agency", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.submitted_at:%d/%m/%Y %H:%M}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    value = models.PositiveSmallIntegerField(_("value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="survey_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value if self.value is not None else self.text[:40]}"
