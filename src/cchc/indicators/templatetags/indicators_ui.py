"""The dashboard's service-quality cards, read through the indicators' selector."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from cchc.indicators.selectors import service_quality_summary

register = template.Library()


@register.inclusion_tag("indicators/partials/service_quality_cards.html", takes_context=True)
def service_quality_cards(context: template.Context, agency: Any, year: int) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    summary = None
    if user is not None and user.is_authenticated and agency is not None:
        summary = service_quality_summary(
            user=user, agency=agency, year=year, today=timezone.localdate()
        )
    return {"summary": summary, "agency": agency, "year": year}
