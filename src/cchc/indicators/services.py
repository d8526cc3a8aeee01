"""Writes of the indicators app: values of a target reported by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import User
from cchc.indicators.models import ReportedValue, Target, TargetKind
from cchc.indicators.selectors import can_report


@transaction.atomic
def reported_value_create(
    *,
    actor: User,
    target: Target,
    period_start: dt.date,
    period_end: dt.date,
    value: Decimal,
    note: str = "",
) -> ReportedValue:
    """Record a value of a target for a period, reported by the agency's coordinator (or an
    administrator). Targets measured from the dossiers take no hand-reported values."""
    agency_id = target.plan.agency_id
    if not get_scope(actor).can_read_agency(agency_id):
        raise PermissionDenied
    if not can_report(actor, agency_id):
        raise PermissionDenied
    indicator = target.indicator
    if target.kind == TargetKind.VALUE and indicator is not None and indicator.measured_rate:
        raise ValidationError(
            _("This target is measured from the dossiers; its value cannot be reported by hand.")
        )
    row = ReportedValue(
        target=target,
        period_start=period_start,
        period_end=period_end,
        value=value,
        note=note.strip(),
        reported_by=actor,
    )
    if period_end < period_start:
        raise ValidationError(
            {"period_end": _("The end of the period must not be before its start.")}
        )
    row.full_clean()
    row.save()
    audit.record(
        actor=actor,
        action="indicator.report",
        obj=target,
        agency=target.plan.agency,
        changes={
            "reported_value_id": row.pk,
            "value": value,
            "period_start": period_start,
            "period_end": period_end,
            "note": row.note,
        },
    )
    return row
