"""Small presentation helpers shared by the templates: Bootstrap widgets, progress bars, badges.

Progress bars get their width from a CSS class (``cchc-w-0`` … ``cchc-w-100`` in app.css), never
from a ``style`` attribute, so that a strict Content-Security-Policy can be switched on.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms, template
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from cchc.plans.models import Comment, Evidence, Plan, PlanStatus, Task, TaskStatus

register = template.Library()

_SELECTS = (forms.Select, forms.SelectMultiple)
_CHECKS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def is_checkbox(bound_field: forms.BoundField) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def bs_widget(bound_field: forms.BoundField) -> str:
    """The field's widget with Bootstrap classes, ``is-invalid`` and ARIA links to its help text
    and errors (works for errors added after validation, e.g. from a service)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, _SELECTS):
        css = "form-select"
    elif isinstance(widget, _CHECKS):
        css = ""
    else:
        css = "form-control"
    existing = widget.attrs.get("class", "")
    attrs: dict[str, str] = {"class": f"{existing} {css}".strip()}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


def _as_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def pct_class(value: object) -> str:
    """``cchc-w-<n>``: the CSS width class of a progress bar for a percentage."""
    number = _as_decimal(value) or Decimal(0)
    number = max(Decimal(0), min(Decimal(100), number))
    return f"cchc-w-{int(number.to_integral_value())}"


@register.filter
def pct_int(value: object) -> int:
    number = _as_decimal(value) or Decimal(0)
    return int(max(Decimal(0), min(Decimal(100), number)).to_integral_value())


_TASK_BADGES = {
    TaskStatus.NOT_STARTED: "text-bg-secondary",
    TaskStatus.IN_PROGRESS: "text-bg-primary",
    TaskStatus.DONE: "text-bg-success",
    TaskStatus.CANCELLED: "text-bg-dark",
}


@register.filter
def status_badge(status: str) -> str:
    return _TASK_BADGES.get(status, "text-bg-light")


@register.filter
def plan_badge(status: str) -> str:
    return "text-bg-success" if status == PlanStatus.ISSUED else "text-bg-warning"


@register.filter
def days_late(task: object) -> int:
    days = task.days_left()  # type: ignore[attr-defined]
    return -days if days is not None and days < 0 else 0


_ACTIONS = {
    "plan.create": _("Plan created"),
    "plan.update": _("Plan changed"),
    "plan.issue": _("Plan issued"),
    "area.create": _("Area added"),
    "task.create": _("Task created"),
    "task.update": _("Task changed"),
    "task.progress": _("Progress recorded"),
    "evidence.add": _("Evidence added"),
    "evidence.delete": _("Evidence deleted"),
    "comment.add": _("Comment added"),
    "plan.import": _("Plan imported from its document"),
    "task.import": _("Task imported from the plan document"),
    "indicator.report": _("Indicator value reported"),
    "agency.create": _("Agency created"),
    "unit.create": _("Unit created"),
    "user.create": _("User created"),
    "token.create": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "dossier.negative": _("Dossier marked as badly rated or complained about"),
    "feedback.submit": _("Feedback received"),
    "feedback.classify": _("Feedback classified"),
    "feedback.assign": _("Feedback assigned"),
    "feedback.request_info": _("More information requested from the sender"),
    "feedback.sender_reply": _("The sender replied"),
    "feedback.answer": _("Answer drafted"),
    "feedback.return_draft": _("Answer draft returned"),
    "feedback.approve": _("Answer approved"),
    "feedback.publish": _("Answer published"),
    "feedback.rate": _("The sender rated the answer"),
    "open311_key.create": _("Open311 key issued"),
    "open311_key.revoke": _("Open311 key revoked"),
    "survey.create_default": _("Default survey created"),
    "survey.new_version": _("New survey version"),
    "survey.publish": _("Survey published"),
    "framework.import": _("Index framework imported"),
    "framework.install_starter": _("Starter index framework installed"),
    "assessment.open": _("Index assessment opened"),
    "assessment.refresh": _("Measured criteria refreshed"),
    "assessment.submit": _("Self-assessment submitted"),
    "assessment.appraisal_close": _("Appraisal closed"),
    "assessment.explanations_submit": _("Explanations sent"),
    "assessment.finalize": _("Final index issued"),
    "item.assign": _("Criterion assigned"),
    "item.propose": _("Score proposed"),
    "item.appraise": _("Criterion appraised"),
    "item.explain": _("Explanation written"),
    "item.final": _("Final score given"),
    "item_evidence.add": _("Criterion evidence added"),
    "item_evidence.remove": _("Criterion evidence removed"),
}


@register.filter
def action_label(action: str) -> str:
    return str(_ACTIONS.get(action, action))


@register.filter
def audit_url(entry: object) -> str:
    """A link to the object an audit row is about, when there is a page for it."""
    object_type = entry.object_type  # type: ignore[attr-defined]
    changes = entry.changes or {}  # type: ignore[attr-defined]
    try:
        if object_type == "plans.task":
            return reverse("task_detail", args=[int(entry.object_id)])  # type: ignore[attr-defined]
        if object_type == "plans.plan":
            return reverse("plan_detail", args=[int(entry.object_id)])  # type: ignore[attr-defined]
        if isinstance(changes, dict) and changes.get("task_id"):
            return reverse("task_detail", args=[int(changes["task_id"])])
    except (NoReverseMatch, TypeError, ValueError):
        return ""
    return ""


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+\.\d+$")


def _field(key: str):
    for model in (Task, Plan, Comment, Evidence):
        try:
            return model._meta.get_field(key)
        except FieldDoesNotExist:
            continue
    return None


def _field_label(key: str) -> str:
    field = _field(key)
    return str(field.verbose_name) if field is not None else key


def _choice_label(key: str, value: object) -> object:
    """A stored choice value (``monthly``, ``issued``) as the person reads it."""
    field = _field(key)
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    return choices.get(value, value)


@register.filter
def change_items(changes: object) -> list[tuple[str, str]]:
    """Audit changes as (label, text) pairs; ``[old, new]`` pairs become ``old → new``."""
    if not isinstance(changes, dict):
        return []
    items = []
    for key, value in changes.items():
        if key in ("task_id", "evidence_id", "sha256"):
            continue
        if isinstance(value, list) and len(value) == 2:
            old, new = value
            text = f"{_plain(_choice_label(key, old))} → {_plain(_choice_label(key, new))}"
        else:
            text = _plain(_choice_label(key, value))
        items.append((_field_label(key), text))
    return items


def _plain(value: object) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value) or "—"
    if isinstance(value, str):
        if value in TaskStatus.values:
            return str(TaskStatus(value).label)
        if _ISO_DATE.match(value):
            try:
                return date_format(dt.date.fromisoformat(value), "d/m/Y")
            except ValueError:
                return value
        if _NUMBER.match(value):
            return number_format(Decimal(value).normalize())
    return str(value)


_SECTIONS = {
    "dashboard": "dashboard",
    "plan_list": "plans",
    "plan_create": "plans",
    "plan_detail": "plans",
    "plan_edit": "plans",
    "task_create": "plans",
    "plan_import": "plans",
    "plan_import_review": "plans",
    "task_list": "tasks",
    "task_detail": "tasks",
    "task_edit": "tasks",
    "activity": "activity",
    "notifications": "notifications",
    "indicator_list": "indicators",
    "indicator_detail": "indicators",
    "indicator_report": "indicators",
    "dossier_list": "indicators",
    "dossier_detail": "indicators",
    "dossier_upload": "indicators",
    "dossier_upload_result": "indicators",
    "feedback_list": "citizens",
    "feedback_detail": "citizens",
    "feedback_create": "citizens",
    "survey_results": "citizens",
    "survey_qr_print": "citizens",
    "assessment_list": "index",
    "assessment_open": "index",
    "assessment_detail": "index",
    "assessment_item_detail": "index",
    "scoring_ranking": "index",
    "scoring_forecast": "index",
    "scoring_package": "index",
    "scoring_package_ready": "index",
    "dashboard_agency": "reports",
    "dashboard_province": "reports",
    "report_list": "reports",
    "report_create": "reports",
    "report_detail": "reports",
    "report_template_list": "reports",
}


@register.filter
def nav_section(request: object) -> str:
    match = getattr(request, "resolver_match", None)
    return _SECTIONS.get(getattr(match, "url_name", "") or "", "")
