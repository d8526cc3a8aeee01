"""Alerts to the coordinators when a measured rate falls below its target.

Run daily by the scheduler (``cchc.core.schedule``, duty ``indicator_alerts``). For each agency
with a plan for the current year, the year-to-date rates are computed; a rate-backed target that
is "at risk" or "missed" is reported to the agency's coordinators, in the app and by e-mail, at
most once per target, status and ISO week (``IndicatorAlert`` is the record and the lock).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cchc.core.models import Membership, Role, User
from cchc.core.notifications import notify
from cchc.indicators.models import IndicatorAlert, TargetKind
from cchc.indicators.selectors import (
    AT_RISK,
    MISSED,
    STATUS_LABELS,
    TargetRow,
    measured,
    plan_targets,
    target_rows,
    year_to_date,
)
from cchc.plans.models import Plan
from cchc.plans.reminders import recipient_language

log = logging.getLogger(__name__)

KIND = "indicator_alert"
ALERTING = (AT_RISK, MISSED)


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _coordinators(agency_id: int) -> list[User]:
    memberships = Membership.objects.filter(
        agency_id=agency_id, role=Role.COORDINATOR, is_active=True, user__is_active=True
    ).select_related("user")
    return [m.user for m in memberships.order_by("user_id")]


def _number(value: object) -> str:
    return "—" if value is None else formats.number_format(value, decimal_pos=2)


def _message(row: TargetRow, agency_name: str, period_label: str) -> tuple[str, str]:
    title = _(
        "%(indicator)s of %(agency)s is %(status)s: %(value)s %% against a target of %(target)s %%"
    ) % {
        "indicator": row.label,
        "agency": agency_name,
        "status": str(STATUS_LABELS[row.status]).lower(),
        "value": _number(row.value),
        "target": _number(row.target.value),
    }
    body = _(
        "%(indicator)s\n\nAgency: %(agency)s\nPeriod: %(period)s\nMeasured: %(value)s %%\n"
        "Target: %(target)s %%\nThresholds: %(thresholds)s\n\n"
        "Please look at the dossiers behind the rate and take action."
    ) % {
        "indicator": row.label,
        "agency": agency_name,
        "period": period_label,
        "value": _number(row.value),
        "target": _number(row.target.value),
        "thresholds": row.thresholds,
    }
    return title, body


def send_indicator_alerts(today: dt.date | None = None) -> dict[str, int]:
    """Alert the coordinators of every agency whose year-to-date rates fall short of the
    current plan's targets. Returns counts: ``agencies`` checked, ``alerts`` recorded,
    ``notifications`` sent and ``skipped`` (already alerted this week)."""
    today = today or timezone.localdate()
    week = iso_week(today)
    counts = {"agencies": 0, "alerts": 0, "notifications": 0, "skipped": 0}
    plans = (
        Plan.objects.filter(year=today.year, targets__kind=TargetKind.VALUE)
        .filter(targets__indicator__measured_rate__gt="")
        .select_related("agency")
        .distinct()
        .order_by("agency_id")
    )
    for plan in plans:
        counts["agencies"] += 1
        period = year_to_date(plan.year, today)
        targets = [
            t
            for t in plan_targets(plan)
            if t.kind == TargetKind.VALUE and t.indicator and t.indicator.measured_rate
        ]
        rates = dict(measured(plan.agency_id, period.start, period.end).rates)
        rows = [r for r in target_rows(targets, rates, period) if r.status in ALERTING]
        if not rows:
            continue
        people = _coordinators(plan.agency_id)
        for row in rows:
            try:
                with transaction.atomic():
                    IndicatorAlert.objects.create(
                        target=row.target, status=row.status, week=week, value=row.value
                    )
                    url = reverse("indicator_detail", args=[row.target.pk])
                    for person in people:
                        with translation.override(recipient_language(person)):
                            title, body = _message(row, plan.agency.name, str(period.label))
                        notify(
                            user=person,
                            kind=KIND,
                            title=title[:255],
                            body=body,
                            url=url,
                            email=True,
                        )
                        counts["notifications"] += 1
            except IntegrityError:
                counts["skipped"] += 1
                continue
            counts["alerts"] += 1
    log.info("Indicator alerts for %s: %s", today, counts)
    return counts
