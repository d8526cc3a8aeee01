"""The period rules of the periodic CCHC reports (DESIGN.md §4.7) — legal rules kept as data."""

from __future__ import annotations

from django.db import models
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
