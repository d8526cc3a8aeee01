"""Reads of the reports app, scoped to what the acting person may see (DESIGN.md §2): reports
and templates of the agencies they read; writing is for the agency's coordinator and admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.core.access import PLAN_MANAGERS, agencies_visible_to, get_scope
from cchc.core.models import Agency, Job, User
from cchc.reports.models import Report, ReportTemplate
from cchc.reports.services import REPORT_RENDER, REPORT_SNAPSHOT


def can_manage(user: User, agency_id: int) -> bool:
    scope = get_scope(user)
    return scope.is_admin or scope.has_role(agency_id, *PLAN_MANAGERS)


def agencies_managed_by(user: User) -> QuerySet[Agency]:
    scope = get_scope(user)
    if scope.is_admin:
        return Agency.objects.order_by("name")
    ids = [agency_id for agency_id in scope.roles if scope.has_role(agency_id, *PLAN_MANAGERS)]
    return Agency.objects.filter(pk__in=ids).order_by("name")


def reports_visible_to(user: User) -> QuerySet[Report]:
    scope = get_scope(user)
    reports = Report.objects.select_related("agency", "created_by", "template")
    if scope.is_admin:
        return reports
    return reports.filter(agency_id__in=scope.readable_agency_ids)


def access_report(*, actor: User, report_id: int, for_write: bool = False) -> Report:
    """The report if the actor may see it (404 otherwise); ``for_write``: 403 for readers."""
    report = reports_visible_to(actor).select_related("agency__parent").filter(pk=report_id)
    found = report.first()
    if found is None:
        raise Http404
    if for_write and not can_manage(actor, found.agency_id):
        raise PermissionDenied
    return found


def templates_visible_to(user: User) -> QuerySet[ReportTemplate]:
    """Templates of the agencies the person reads, and of their provinces."""
    visible = agencies_visible_to(user)
    templates = ReportTemplate.objects.select_related("agency", "uploaded_by")
    if get_scope(user).is_admin:
        return templates
    province_ids = {a.province.pk for a in visible.select_related("parent")}
    return templates.filter(Q(agency__in=visible) | Q(agency_id__in=province_ids))


def access_template(*, actor: User, template_id: int, for_write: bool = False) -> ReportTemplate:
    found = templates_visible_to(actor).filter(pk=template_id).first()
    if found is None:
        raise Http404
    if for_write and not can_manage(actor, found.agency_id):
        raise PermissionDenied
    return found


def latest_job(report: Report) -> Job | None:
    return (
        Job.objects.filter(kind__in=(REPORT_SNAPSHOT, REPORT_RENDER), params__report=report.pk)
        .order_by("-created_at", "-id")
        .first()
    )
