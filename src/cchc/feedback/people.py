"""Who is told about a feedback item, and how: the people of its agency by role, and
notifications sent once the transaction commits, each in the recipient's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation

from cchc.core.models import Membership, Role, Unit, User
from cchc.core.notifications import notify
from cchc.feedback.models import Feedback


def _people(agency_id: int, *roles: str, unit_id: int | None = None) -> list[User]:
    memberships = Membership.objects.filter(
        agency_id=agency_id, role__in=roles, is_active=True, user__is_active=True
    )
    if unit_id is not None:
        memberships = memberships.filter(unit_id=unit_id)
    users = User.objects.filter(pk__in=memberships.values("user_id")).order_by("pk")
    return list(users)


def coordinators_of(agency_id: int) -> list[User]:
    return _people(agency_id, Role.COORDINATOR)


def leaders_of(agency_id: int) -> list[User]:
    return _people(agency_id, Role.LEADER)


def unit_heads_of(feedback_or_unit: Feedback | Unit) -> list[User]:
    unit_id = (
        feedback_or_unit.unit_id if isinstance(feedback_or_unit, Feedback) else feedback_or_unit.pk
    )
    if unit_id is None:
        return []
    agency_id = feedback_or_unit.agency_id
    return _people(agency_id, Role.UNIT_HEAD, unit_id=unit_id)


def feedback_url(feedback: Feedback) -> str:
    return reverse("feedback_detail", args=[feedback.pk])


def notify_on_commit(
    people: Iterable[User | None],
    *,
    feedback: Feedback,
    kind: str,
    message: Callable[[], tuple[str, str]],
    skip: User | None = None,
) -> None:
    """After the commit, tell each person (once, not the one who acted) in their language;
    ``message`` builds (title, body) under that language."""
    seen: set[int] = set()
    recipients = []
    for person in people:
        if person is None or person.pk in seen or (skip is not None and person.pk == skip.pk):
            continue
        seen.add(person.pk)
        recipients.append(person)
    if not recipients:
        return
    url = feedback_url(feedback)

    def send() -> None:
        from cchc.plans.reminders import recipient_language

        for person in recipients:
            with translation.override(recipient_language(person)):
                title, body = message()
            notify(user=person, kind=kind, title=title[:255], body=body, url=url, email=True)

    transaction.on_commit(send)


def short_date(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")
