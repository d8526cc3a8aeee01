"""The figures of a periodic report (DESIGN.md §4.7), read from live data through the existing
selectors and metrics — this module computes no rule of its own.

``report_snapshot(agency=, period=)`` returns plain JSON (ints, floats, strings, nulls, ISO dates)
so it can be stored with a generated report and rendered again to the same document.

Plan figures are over the tasks the plan lists (top level, not cancelled), as the plan dashboard
counts them: *planned* = all of them, *due* = those due by the end of the window, *done* = done
with their completion by the end of the window (*done_in_period* = completed within it),
*overdue* = still open and due before the end of the window (or before today when the window has
not ended yet). Progress = done ÷ planned (DESIGN.md §4.7).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cchc.core.models import Agency
from cchc.feedback.selectors import feedback_counts
from cchc.indicators import selectors as indicator_selectors
from cchc.plans.models import Plan, ProgressUpdate, Task, TaskStatus
from cchc.plans.selectors import OPEN_STATUSES
from cchc.procedures.metrics import compute, local_zone, percent, period_bounds
from cchc.reports.periods import Period
from cchc.scoring.models import Assessment, RankingBand
from cchc.surveys.selectors import satisfaction_index

SNAPSHOT_VERSION = 1
OVERDUE_LISTED = 50
NOTABLE_LISTED = 30


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _agency(agency: Agency) -> dict[str, Any]:
    parent = agency.parent
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name or agency.code,
        "parent": parent.name if parent is not None else "",
    }


def _period(period: Period) -> dict[str, Any]:
    return {
        "code": period.code,
        "kind": period.kind,
        "year": period.year,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "due": period.due.isoformat() if period.due else None,
        "label_vi": period.label_vi,
    }


def _latest_notes(task_ids: list[int]) -> dict[int, str]:
    notes: dict[int, str] = {}
    rows = (
        ProgressUpdate.objects.filter(task_id__in=task_ids)
        .exclude(note="")
        .order_by("task_id", "-at", "-id")
        .values_list("task_id", "note")
    )
    for task_id, note in rows:
        notes.setdefault(task_id, note)
    return notes


def _plan(plan: Plan | None, period: Period, today: dt.date) -> dict[str, Any]:
    if plan is None:
        return {"exists": False, "areas": [], "totals": None, "overdue": [], "notable": []}
    start_at, end_at = period_bounds(period.start, period.end)
    as_of = min(period.end, today)
    tasks = Task.objects.filter(plan=plan, parent__isnull=True).exclude(status=TaskStatus.CANCELLED)
    done_q = Q(status=TaskStatus.DONE) & (
        Q(completed_at__isnull=True) | Q(completed_at__lte=end_at)
    )
    overdue_q = Q(status__in=OPEN_STATUSES, due_date__lt=as_of)
    all_tasks = list(tasks.select_related("area", "lead_unit"))
    done_ids = set(tasks.filter(done_q).values_list("id", flat=True))
    in_period_ids = set(
        tasks.filter(status=TaskStatus.DONE, completed_at__range=(start_at, end_at)).values_list(
            "id", flat=True
        )
    )
    overdue_ids = set(tasks.filter(overdue_q).values_list("id", flat=True))
    rows = []
    for area in plan.areas.order_by("number"):
        mine = [t for t in all_tasks if t.area_id == area.pk]
        planned = len(mine)
        done = sum(t.pk in done_ids for t in mine)
        rows.append(
            {
                "number": area.number,
                "title": area.title,
                "planned": planned,
                "due": sum(t.due_date is not None and t.due_date <= period.end for t in mine),
                "done": done,
                "done_in_period": sum(t.pk in in_period_ids for t in mine),
                "overdue": sum(t.pk in overdue_ids for t in mine),
                "progress": _num(percent(done, planned)),
            }
        )
    planned = len(all_tasks)
    done = len(done_ids)
    totals = {
        "planned": planned,
        "due": sum(r["due"] for r in rows),
        "done": done,
        "done_in_period": len(in_period_ids),
        "overdue": len(overdue_ids),
        "progress": _num(percent(done, planned)),
    }
    late = sorted(
        (t for t in all_tasks if t.pk in overdue_ids), key=lambda t: (t.due_date, t.code, t.pk)
    )[:OVERDUE_LISTED]
    notes = _latest_notes([t.pk for t in late])
    notable = sorted(
        (t for t in all_tasks if t.pk in in_period_ids),
        key=lambda t: (t.area.number, t.position, t.pk),
    )[:NOTABLE_LISTED]
    return {
        "exists": True,
        "title": plan.title,
        "symbol": plan.symbol,
        "number": plan.number,
        "areas": rows,
        "totals": totals,
        "overdue": [
            {
                "code": t.code,
                "title": t.title,
                "area": t.area.number,
                "due_date": t.due_date.isoformat() if t.due_date else None,
                "unit": t.lead_unit.name if t.lead_unit else "",
                "progress": _num(t.progress),
                "reason": notes.get(t.pk, ""),
            }
            for t in late
        ],
        "notable": [
            {
                "code": t.code,
                "title": t.title,
                "area": t.area.number,
                "product": t.product,
                "completed_on": timezone.localtime(t.completed_at, local_zone()).date().isoformat()
                if t.completed_at
                else None,
            }
            for t in notable
        ],
    }


def _targets(plan: Plan | None, rates: dict[str, Decimal | None], period: Period) -> list[dict]:
    targets = indicator_selectors.plan_targets(plan)
    window = indicator_selectors.Period(
        kind="custom", start=period.start, end=period.end, label=period.label_vi
    )
    rows = []
    for row in indicator_selectors.target_rows(targets, rates, window):
        rows.append(
            {
                "indicator": row.indicator.code if row.indicator else "",
                "label": row.label,
                "kind": row.target.kind,
                "rate": row.rate,
                "target": _num(row.target.value),
                "unit": row.unit,
                "value": _num(row.value),
                "source": row.source,
                "status": row.status,
            }
        )
    return rows


def _par_index(agency: Agency, year: int) -> dict[str, Any] | None:
    assessment = (
        Assessment.objects.filter(agency=agency, framework__year=year)
        .select_related("framework")
        .order_by("-framework__version", "-id")
        .first()
    )
    if assessment is None:
        return None
    band_name = ""
    if assessment.band:
        band = RankingBand.objects.filter(code=assessment.band).order_by("-id").first()
        band_name = band.name if band else ""
    return {
        "year": year,
        "framework": assessment.framework.title,
        "status": assessment.status,
        "status_label": str(assessment.get_status_display()),
        "self_total": _num(assessment.self_total),
        "appraisal_total": _num(assessment.appraisal_total),
        "final_total": _num(assessment.final_total),
        "final_percent": _num(assessment.final_percent),
        "band": assessment.band,
        "band_name": band_name,
    }


def _metrics(agency: Agency, period: Period) -> tuple[dict[str, Any], Any]:
    result = compute(agency_ids=[agency.pk], start=period.start, end=period.end)
    data = result.as_json()
    data["details"] = dict(result.details)
    return data, result


def report_snapshot(
    *, agency: Agency, period: Period, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Every figure the report shows, as plain JSON."""
    now = now or timezone.now()
    today = timezone.localtime(now, local_zone()).date()
    plan = Plan.objects.filter(agency=agency, year=period.year).first()
    dossiers, current = _metrics(agency, period)
    previous_period = period.previous()
    previous, _unused = _metrics(agency, previous_period)
    feedback = feedback_counts(agency_ids=[agency.pk], start=period.start, end=period.end, now=now)
    return {
        "version": SNAPSHOT_VERSION,
        "generated_at": now.isoformat(),
        "agency": _agency(agency),
        "period": _period(period),
        "previous_period": _period(previous_period),
        "plan": _plan(plan, period, today),
        "dossiers": dossiers,
        "dossiers_previous": previous,
        "targets": _targets(plan, dict(current.rates), period),
        "feedback": {
            "received": feedback.received,
            "open": feedback.open,
            "overdue": feedback.overdue,
            "due": feedback.due,
            "answered_on_time": feedback.answered_on_time,
            "on_time_rate": _num(feedback.on_time_rate),
            "rating_mean": _num(feedback.rating_mean),
            "ratings": feedback.ratings,
        },
        "satisfaction_index": _num(satisfaction_index([agency.pk], period.start, period.end)),
        "par_index": _par_index(agency, period.year),
    }
