"""Reads of core objects, scoped to the acting user."""

from __future__ import annotations

from django.db.models import QuerySet

from cchc.core.access import get_scope
from cchc.core.models import AuditEntry, Notification, User


def activity_visible_to(user: User, *, agency_id: int | None = None) -> QuerySet[AuditEntry]:
    """The audit trail of the agencies the user may read (one of them when ``agency_id``
    names one the user may read; an agency outside the scope is ignored, not an error)."""
    scope = get_scope(user)
    entries = AuditEntry.objects.select_related("actor", "agency")
    if not scope.is_admin:
        entries = entries.filter(agency_id__in=scope.readable_agency_ids)
    if agency_id is not None and scope.can_read_agency(agency_id):
        entries = entries.filter(agency_id=agency_id)
    return entries


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)
