"""The procedure catalogue (TTHC), the one-stop desk's dossiers (hồ sơ) and the daily rollups
the metrics read (DESIGN.md §4.2–4.3).

Codes and states are the national portal's; a dossier row keeps the fields of the exchange format
as given plus a few values derived on ingest (``finished_effective_at``, ``received_day``,
``finished_day``, ``on_time_when_finished``) so the metrics never recompute them row by row.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class OnlineLevel(models.IntegerChoices):
    NONE = 0, _("No online service")
    PARTIAL = 1, _("Partly online")
    FULL = 2, _("Fully online")


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) handled by an agency."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="procedures"
    )
    code = models.CharField(_("procedure code"), max_length=64)
    name = models.TextField(_("name"))
    field = models.CharField(_("field"), max_length=255, blank=True)
    level = models.CharField(_("level"), max_length=64, blank=True)
    time_limit = models.DecimalField(_("legal time limit"), max_digits=8, decimal_places=2)
    time_unit = models.CharField(
        _("time unit"), max_length=16, choices=TimeUnit, default=TimeUnit.WORKING_DAYS
    )
    reduced_time_limit = models.DecimalField(
        _("reduced time limit"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    online_level = models.PositiveSmallIntegerField(
        _("online service level"), choices=OnlineLevel, default=OnlineLevel.NONE
    )
    fee_bearing = models.BooleanField(_("fee-bearing"), default=False)
    paper_result = models.BooleanField(_("issues a paper result"), default=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")
        ordering = ["agency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="procedure_code_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:80]}"

    @property
    def effective_time_limit(self):
        return self.reduced_time_limit if self.reduced_time_limit is not None else self.time_limit


class Channel(models.IntegerChoices):
    IN_PERSON = 1, _("In person")
    ONLINE = 2, _("Online")
    POST = 3, _("Public postal service")


class DossierStatus(models.IntegerChoices):
    """States of the national portal (DESIGN.md §4.2)."""

    REGISTERED = 1, _("Newly registered")
    ACCEPTED = 2, _("Accepted")
    REFUSED = 3, _("Not accepted")
    PROCESSING = 4, _("Being processed")
    SUPPLEMENT = 5, _("Supplement requested")
    FINANCIAL = 6, _("Financial obligation requested")
    WITHDRAWN = 7, _("Withdrawn by the citizen")
    STOPPED = 8, _("Processing stopped")
    DONE = 9, _("Processed")
    RETURNED = 10, _("Result returned")


# States that end a dossier when neither a finish nor a return time is known.
ENDING_STATES = (DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED)


class PaidOnline(models.IntegerChoices):
    NO = 0, _("No")
    NATIONAL_PORTAL = 1, _("On the national portal")
    LOCAL_GATEWAY = 2, _("On a local payment gateway")


class Dossier(models.Model):
    # No single-column index on agency or procedure: the unique (agency, code) and the index
    # (procedure, received_day) lead with them and serve every lookup by either (each index
    # costs the million-row ingest its share of the writes).
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    code = models.CharField(_("dossier code"), max_length=64)
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    due_computed = models.BooleanField(_("due date computed"), default=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), choices=DossierStatus)
    status_at = models.DateTimeField(_("status since"), null=True, blank=True)
    supplement_requested_at = models.DateTimeField(
        _("supplement requested at"), null=True, blank=True
    )
    supplement_completed_at = models.DateTimeField(
        _("supplement completed at"), null=True, blank=True
    )
    supplement_rounds = models.PositiveSmallIntegerField(_("supplement rounds"), default=0)
    components_digitized = models.BooleanField(_("components digitised"), default=False)
    result_digitized = models.BooleanField(_("result digitised"), default=False)
    paid_online = models.PositiveSmallIntegerField(
        _("paid online"), choices=PaidOnline, default=PaidOnline.NO
    )
    negative_feedback = models.BooleanField(
        _("negative rating or feedback"),
        default=False,
        help_text=_("Set when a citizen rated the handling badly or sent feedback about it."),
    )

    # Derived on ingest (cchc.procedures.rules), never edited by hand.
    finished_effective_at = models.DateTimeField(null=True, blank=True, editable=False)
    received_day = models.DateField(editable=False)
    finished_day = models.DateField(null=True, blank=True, editable=False)
    on_time_when_finished = models.BooleanField(null=True, editable=False)
    row_hash = models.CharField(max_length=32, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="dossier_code_per_agency")
        ]
        indexes = [
            models.Index(fields=["agency", "received_day"]),
            models.Index(fields=["agency", "finished_day"]),
            # The backlog open at the end of a period (metrics.open_at_end): the range on
            # finished_effective_at leads, and received_at in the entry tests "received by the
            # end" without reading the row, which matters for an earlier period (the previous
            # year of a report), where almost every dossier finished after its end.
            models.Index(fields=["agency", "finished_effective_at", "received_at"]),
            models.Index(fields=["procedure", "received_day"]),
        ]

    def __str__(self) -> str:
        return self.code


class DossierEvent(models.Model):
    """A change of state seen on ingest (the dossier's history)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    status = models.PositiveSmallIntegerField(_("status"), choices=DossierStatus)
    at = models.DateTimeField(_("time"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.status}"


class ApologyLetter(models.Model):
    """A letter of apology and new appointment for a dossier that will be late (văn bản xin lỗi
    và hẹn lại); due at least one day before the deadline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    issued_at = models.DateTimeField(_("issued at"))
    new_due_at = models.DateTimeField(_("new appointment"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("apology letter")
        verbose_name_plural = _("apology letters")

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.issued_at:%d/%m/%Y}"


class ReceivedRollup(models.Model):
    """Dossiers received on a day, per agency × unit × procedure (unit_key 0 = no unit)."""

    day = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    unit_key = models.BigIntegerField(default=0)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    # components digitised and (no paper result, or the result digitised too)
    digitized = models.PositiveIntegerField(default=0)
    # components digitised, paper result not (yet) digitised: counts only while unfinished
    digitized_pending_result = models.PositiveIntegerField(default=0)
    fee_bearing = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "unit_key", "procedure"], name="received_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}/{self.unit_key}/{self.procedure_id}"


class FinishedRollup(models.Model):
    """Dossiers finished on a day, per agency × unit × procedure, and how many on time."""

    day = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    unit_key = models.BigIntegerField(default=0)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    finished = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "unit_key", "procedure"], name="finished_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}/{self.unit_key}/{self.procedure_id}"


class ServicePointRule(models.Model):
    """One item of the service-quality points (DESIGN.md §4.3), as data with its source and
    period: full points at ``threshold`` and ``rate ÷ threshold × max_points`` below it; with no
    threshold, ``rate ÷ 100 × max_points``. Edited by the system administrator."""

    item = models.CharField(_("item"), max_length=64)
    rate = models.CharField(
        _("rate"),
        max_length=64,
        blank=True,
        help_text=_("Key of the measured rate, e.g. on_time_rate."),
    )
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    threshold = models.DecimalField(
        _("threshold (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("legal source"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("service point rule")
        verbose_name_plural = _("service point rules")
        ordering = ["item", "rate"]

    def __str__(self) -> str:
        return f"{self.item}/{self.rate}: {self.max_points}"


class MetricParameter(models.Model):
    """A figure from a legal text that a metric uses, with its source and period, e.g. the share
    of the legal time limit at or below which a procedure counts as "cut" (65 %, a cut of at
    least 35 %). The row in force at the end of the period applies."""

    key = models.SlugField(_("key"), max_length=64)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    source = models.CharField(_("legal source"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("metric parameter")
        verbose_name_plural = _("metric parameters")
        ordering = ["key", "valid_from"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class MetricsStamp(models.Model):
    """The version of the inputs of an agency's service metrics (``cchc.procedures.freshness``):
    a random token replaced whenever the agency's rollups, dossiers, catalogue or feedback change;
    ``scope`` 0 stands for what every agency's metrics read (point rules, parameters). The
    metrics cache keys its entries by these tokens, so a change seen by any process makes every
    process compute anew."""

    scope = models.PositiveIntegerField(primary_key=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.scope}: {self.token}"
