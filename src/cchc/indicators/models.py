"""Indicators (chỉ số) and the plan's targets (chỉ tiêu) for them.

The standard indicators are rows shipped by a data migration, each naming the legal text it
comes from, so a province can edit or add to them without code (DESIGN.md §4).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.plans.models import Plan


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=16, default="%")
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    source = models.CharField(_("legal source"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)

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
