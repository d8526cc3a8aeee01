"""Who is told about a feedback item, and how: the people of its agency by role, and
notifications sent once the transaction commits, each in the recipient's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

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


def email_sender_on_commit(feedback: Feedback, *, kind: str) -> None:
    """After the commit, tell the sender by e-mail — when they gave an address — that the agency
    asked for more information (``kind="request_info"``) or published its answer
    (``kind="published"``). The mail is in Vietnamese (the sender has no account, hence no
    language of their own) and carries only the number and the tracking link: the answer and
    any request are read on the tracking page."""
    address = feedback.contact_email
    if not address:
        return
    from django.conf import settings

    link = settings.CCHC_BASE_URL.rstrip("/") + reverse(
        "feedback_track", args=[feedback.tracking_code]
    )
    number, agency = feedback.public_id, feedback.agency.name

    def send() -> None:
        from cchc.core.tasks import send_email

        with translation.override(settings.LANGUAGE_CODE):
            if kind == "request_info":
                subject = _("%(number)s: %(agency)s asks you for more information") % {
                    "number": number,
                    "agency": agency,
                }
                lead = _(
                    "To go on handling your feedback, the agency needs more information from you. "
                    "Read the request and reply on the tracking page:"
                )
            else:
                subject = _("%(number)s: %(agency)s has published its answer") % {
                    "number": number,
                    "agency": agency,
                }
                lead = _("The answer to your feedback is published. Read it on the tracking page:")
            body = f"{lead}\n\n{link}\n"
        send_email.enqueue(to=[address], subject=subject, body=body)

    transaction.on_commit(send)
