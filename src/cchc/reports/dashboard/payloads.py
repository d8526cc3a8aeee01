"""The JSON behind the dashboards' charts: plain numbers (floats from the Decimals, nulls for
"nothing to measure"), ISO dates, and the words the charts print in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cchc.indicators.selectors import STATUS_LABELS
from cchc.reports.dashboard.selectors import (
    LIGHT_COLUMNS,
    MONTHLY_RATES,
    AgencyDashboard,
    Light,
    ProvinceDashboard,
    ProvinceRow,
)


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _status(light: Light | None) -> str | None:
    return None if light is None else light.status


def _progress_rows(rows: list) -> list[dict[str, Any]]:
    return [
        {
            "key": row.key,
            "label": row.label,
            "tasks": row.tasks,
            "done": row.done,
            "overdue": row.overdue,
            "progress": number(row.progress),
        }
        for row in rows
    ]


def _forecast(d: AgencyDashboard) -> dict[str, Any] | None:
    result = d.forecast
    if result is None:
        return None
    totals = result.totals
    return {
        "as_of": result.as_of.isoformat(),
        "framework": result.framework.title,
        "has_basis": result.has_basis,
        "percent": number(totals.percent) if result.has_basis else None,
        "points": number(totals.points),
        "max_points": number(totals.max_points),
        "band": result.band.code if result.band else None,
        "band_name": result.band.name if result.band else None,
        "lost_total": number(result.lost_total),
        "areas": [
            {
                "code": area.code,
                "title": area.title,
                "points": number(area.points),
                "max_points": number(area.max_points),
                "percent": number(area.percent),
            }
            for area in d.forecast_areas
        ],
        "losing": [
            {
                "code": line.code,
                "title": line.title,
                "area": line.area_code,
                "max_points": number(line.max_points),
                "projected": number(line.projected),
                "lost": number(line.lost),
            }
            for line in d.losing
        ],
    }


def agency_payload(d: AgencyDashboard) -> dict[str, Any]:
    plan = d.plan
    months = d.months
    return {
        "agency": {"id": d.agency.pk, "code": d.agency.code, "name": d.agency.name},
        "year": d.year,
        "period": {"from": d.period.start.isoformat(), "to": d.period.end.isoformat()},
        "plan": {
            "exists": d.board.plan is not None,
            "tasks": plan.total,
            "done": plan.done,
            "in_progress": plan.in_progress,
            "not_started": plan.not_started,
            "overdue": plan.overdue_count,
            "progress": number(plan.progress),
        },
        "overdue_tasks": [
            {
                "id": task.pk,
                "code": task.code,
                "title": task.title,
                "due_date": task.due_date.isoformat() if task.due_date else None,
                "unit": task.lead_unit.name if task.lead_unit else None,
            }
            for task in plan.overdue
        ],
        "areas": _progress_rows(plan.by_area),
        "units": _progress_rows(plan.by_unit),
        "indicators": [
            {
                "code": row.indicator.code if row.indicator else "",
                "label": row.label,
                "unit": row.unit,
                "value": number(row.value),
                "target": number(row.target.value),
                "source": row.source,
                "status": row.status,
                "status_label": row.status_label,
                "thresholds": row.thresholds,
            }
            for row in d.targets
        ],
        "dossiers": {
            "year_to_date": {
                "counts": dict(d.board.counts),
                "rates": {key: number(value) for key, value in d.board.rates.items()},
            },
            "months": [row.label for row in months],
            "received": [row.counts["received"] if row.counts else None for row in months],
            "in_scope": [row.counts["in_scope"] if row.counts else None for row in months],
            **{key: [number(row.rates.get(key)) for row in months] for key in MONTHLY_RATES},
        },
        "feedback": {
            "received": d.feedback.received,
            "open": d.feedback.open,
            "overdue": d.feedback.overdue,
            "due": d.feedback.due,
            "answered_on_time": d.feedback.answered_on_time,
            "on_time_rate": number(d.feedback.on_time_rate),
        },
        "satisfaction_index": number(d.satisfaction_index),
        "forecast": _forecast(d),
        "text": {
            "progress": _("Progress (%)"),
            "value": _("Value"),
            "target": _("Target"),
            "received": _("Dossiers received"),
            "on_time_rate": _("On time (%)"),
            "online_rate": _("Received online (%)"),
            "digitization_rate": _("Digitised (%)"),
            "online_payment_rate": _("Paid online (%)"),
            "projected": _("Projected (%)"),
            "statuses": {key: str(label) for key, label in STATUS_LABELS.items()},
        },
    }


def _province_row(row: ProvinceRow) -> dict[str, Any]:
    index = row.index
    return {
        "agency": {"id": row.agency.pk, "code": row.agency.code, "name": row.agency.name},
        "tasks": row.tasks,
        "done": row.done,
        "overdue": row.overdue,
        "progress": number(row.progress),
        **{key: number(row.rates[key]) for key in LIGHT_COLUMNS},
        "status": {key: _status(row.lights.get(key)) for key in LIGHT_COLUMNS},
        "index": {
            "status": index.status or None,
            "self_percent": number(index.self_percent),
            "appraised_percent": number(index.appraised_percent),
            "final": index.final,
            "band": index.band_code or None,
            "forecast_percent": number(index.forecast_percent),
            "forecast_band": index.forecast_band or None,
        },
    }


def province_payload(d: ProvinceDashboard) -> dict[str, Any]:
    return {
        "year": d.year,
        "period": {"from": d.period.start.isoformat(), "to": d.period.end.isoformat()},
        "sort": d.sort,
        "descending": d.descending,
        "rows": [_province_row(row) for row in d.rows],
        "text": {
            "progress": _("Plan progress (%)"),
            "on_time_rate": _("On time (%)"),
            "forecast_percent": _("Projected index (%)"),
        },
    }
