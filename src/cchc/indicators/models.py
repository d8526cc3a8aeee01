"""Indicators (chỉ số) and the plan's targets (chỉ tiêu) for them.

The standard indicators are rows shipped by a data migration, each naming the legal text it
comes from, so a province can edit or add to them without code (DESIGN.md §4).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.plans.models import Plan


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=16, default="%")
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    source = models.CharField(_("legal source"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    measured_rate = models.CharField(
        _("measured rate"),
        max_length=64,
        blank=True,
        help_text=_(
            "Key of the rate measured from the dossiers (e.g. on_time_rate); empty when the "
            "value is reported by hand."
        ),
    )
    at_risk_margin = models.DecimalField(
        _("at-risk margin"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("5"),
        help_text=_(
            "A value short of the target by at most this much is “at risk”; further short of it, "
            "“missed”."
        ),
    )
    margin_source = models.CharField(_("source of the margin"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TargetKind(models.TextChoices):
    VALUE = "value", _("Value to reach")
    RANK = "rank", _("Ranking goal")


class Target(models.Model):
    """A measurable goal of a plan: "satisfaction ≥ 90 %", or a ranking goal such as
    "PAR INDEX in the top 10" (``kind=rank``, ``ranking=PAR_INDEX``)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=TargetKind, default=TargetKind.VALUE)
    ranking = models.CharField(_("ranking"), max_length=32, blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    text = models.TextField(_("wording in the plan"), blank=True)
    imported = models.BooleanField(_("imported from the plan document"), default=False)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        subject = self.indicator or self.ranking or self.text[:40]
        return f"{subject}: {self.value if self.value is not None else ''} {self.unit}".strip()


class ReportedValue(models.Model):
    """A value of a target reported by hand for a period (e.g. the SIPAS survey's satisfaction,
    a ranking), for targets no rate measures."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="reported_values"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        ordering = ["target", "-period_end", "-reported_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="reported_value_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.value} ({self.period_start}–{self.period_end})"


class IndicatorAlert(models.Model):
    """An alert sent to the coordinators about a target at risk or missed: at most one per
    target, status and ISO week (``2026-W48``)."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="alerts"
    )
    status = models.CharField(_("status"), max_length=16)
    week = models.CharField(_("ISO week"), max_length=8)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator alert")
        verbose_name_plural = _("indicator alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "status", "week"], name="indicator_alert_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.status} {self.week}"
