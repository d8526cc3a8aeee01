"""Alerts about feedback items that are overdue or due within two working days.

Run daily by the scheduler (``cchc.core.schedule``) through ``cchc.feedback.tasks``, or by an
operator with ``cchc run_periodic``. The person who must act is told — the handler; else the head
of the unit that has the item; the leader when an answer awaits approval; the coordinators when
nobody has it yet — and so are the agency's coordinators. Each alert is recorded in
``FeedbackAlertLog`` (item, person, kind, day) before it is sent, so that a repeated run on the
same day, or a second scheduler, sends nothing new.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cchc.core.models import User
from cchc.core.notifications import notify
from cchc.feedback.deadlines import local_date
from cchc.feedback.models import Feedback, FeedbackAlertLog, FeedbackState
from cchc.feedback.people import coordinators_of, feedback_url, leaders_of, unit_heads_of
from cchc.feedback.selectors import due_soon_q, overdue_q

log = logging.getLogger(__name__)

KIND_OVERDUE = "overdue"
KIND_DUE_SOON = "due_soon"


def responsible_for(feedback: Feedback) -> list[User]:
    """Who must act on the item now (besides the coordinators)."""
    if feedback.state == FeedbackState.ANSWER_DRAFTED:
        return leaders_of(feedback.agency_id)
    if feedback.handler_id is not None and feedback.handler.is_active:
        return [feedback.handler]
    if feedback.unit_id is not None:
        heads = unit_heads_of(feedback)
        if heads:
            return heads
    return []


def _message(feedback: Feedback, kind: str) -> tuple[str, str]:
    due = formats.date_format(timezone.localtime(feedback.due_at), "SHORT_DATETIME_FORMAT")
    if kind == KIND_OVERDUE:
        title = _("Feedback %(number)s is overdue") % {"number": feedback.public_id}
    else:
        title = _("Feedback %(number)s is due soon") % {"number": feedback.public_id}
    body = _("%(title)s\n\nAgency: %(agency)s\nState: %(state)s\nDeadline: %(due)s") % {
        "title": feedback.title,
        "agency": feedback.agency.name,
        "state": feedback.get_state_display(),
        "due": due,
    }
    return title, body


def _send_once(*, feedback: Feedback, user: User, kind: str, day: dt.date) -> bool:
    from cchc.plans.reminders import recipient_language

    with transaction.atomic():
        _row, created = FeedbackAlertLog.objects.get_or_create(
            feedback=feedback, user=user, kind=kind, day=day
        )
        if not created:
            return False
        with translation.override(recipient_language(user)):
            title, body = _message(feedback, kind)
        notify(
            user=user,
            kind=f"feedback_{kind}",
            title=title[:255],
            body=body,
            url=feedback_url(feedback),
            email=True,
        )
    return True


def send_feedback_alerts(now: dt.datetime | None = None) -> dict[str, int]:
    """Alert about every open item whose step is overdue or due within two working days.
    Returns counts of alerts sent (``overdue``, ``due_soon``) and ``skipped`` (already sent)."""
    now = now or timezone.now()
    day = local_date(now)
    counts = {KIND_OVERDUE: 0, KIND_DUE_SOON: 0, "skipped": 0}
    items = (
        Feedback.objects.filter(overdue_q(now) | due_soon_q(now))
        .select_related("agency", "handler", "unit")
        .order_by("agency_id", "due_at", "pk")
    )
    coordinators: dict[int, list[User]] = {}
    for feedback in items:
        kind = KIND_OVERDUE if feedback.due_at < now else KIND_DUE_SOON
        if feedback.agency_id not in coordinators:
            coordinators[feedback.agency_id] = coordinators_of(feedback.agency_id)
        people: dict[int, User] = {}
        for person in [*responsible_for(feedback), *coordinators[feedback.agency_id]]:
            people.setdefault(person.pk, person)
        for person in people.values():
            if _send_once(feedback=feedback, user=person, kind=kind, day=day):
                counts[kind] += 1
            else:
                counts["skipped"] += 1
    log.info("Feedback alerts for %s: %s", day, counts)
    return counts
