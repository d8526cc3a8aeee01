"""Reads of the feedback app. Lists take the acting user (nothing is read unscoped); the figures
for metrics and dashboards take agency ids the caller has already scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone

from cchc.core.access import get_scope
from cchc.core.models import User
from cchc.feedback.deadlines import due_soon_limit
from cchc.feedback.models import (
    CLOSED_STATES,
    Feedback,
    FeedbackEvent,
    FeedbackState,
    FeedbackTopic,
)


def feedback_visible_to(user: User) -> QuerySet[Feedback]:
    scope = get_scope(user)
    feedback = Feedback.objects.all()
    if scope.is_admin:
        return feedback
    return feedback.filter(agency_id__in=scope.readable_agency_ids)


OPEN = ~Q(state__in=CLOSED_STATES)


def overdue_q(now: dt.datetime) -> Q:
    """Open items past the deadline of their current step (the clock runs: not waiting)."""
    return OPEN & Q(due_at__lt=now)


def due_soon_q(now: dt.datetime) -> Q:
    return OPEN & Q(due_at__gte=now, due_at__lte=due_soon_limit(now))


def feedback_list(
    *,
    user: User,
    agency_id: int | None = None,
    state: str | None = None,
    topic_id: int | None = None,
    unit_id: int | None = None,
    overdue: bool = False,
    search: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Feedback]:
    """The back office's list: what is late first (the earliest deadline of an open step),
    then the rest, newest first."""
    now = now or timezone.now()
    items = feedback_visible_to(user).select_related("agency", "topic", "unit", "handler")
    if agency_id is not None:
        items = items.filter(agency_id=agency_id)
    if state:
        items = items.filter(state=state)
    if topic_id is not None:
        items = items.filter(topic_id=topic_id)
    if unit_id is not None:
        items = items.filter(unit_id=unit_id)
    if overdue:
        items = items.filter(overdue_q(now))
    search = (search or "").strip()
    if search:
        items = items.filter(Q(public_id__icontains=search) | Q(title__icontains=search))
    return items.order_by(F("due_at").asc(nulls_last=True), "-received_at", "-pk")


def public_events(feedback: Feedback) -> list[FeedbackEvent]:
    """The steps the sender sees on the tracking page (never who did them)."""
    return list(feedback.events.filter(public=True).order_by("at", "id"))


def published_answers(agency_id: int) -> QuerySet[Feedback]:
    """What the public may read of an agency's feedback: the published answers."""
    return (
        Feedback.objects.filter(agency_id=agency_id, state=FeedbackState.PUBLISHED)
        .select_related("topic")
        .only(
            "public_id",
            "agency_id",
            "topic__name",
            "received_at",
            "handled_at",
            "published_at",
            "public_summary",
            "answer",
            "state",
        )
        .order_by("-published_at", "-pk")
    )


def active_topics(agency_id: int) -> QuerySet[FeedbackTopic]:
    return FeedbackTopic.objects.filter(agency_id=agency_id, active=True).order_by(
        "position", "name"
    )


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from cchc.procedures.metrics import period_bounds

    return period_bounds(start, end)


def due_in_period(
    *, agency_ids: list[int], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> QuerySet[Feedback]:
    """The items the on-time rate judges for [start, end]: their deadline (``final_due_at``)
    falls in the period (local dates), and they were handled — answered, refused or forwarded —
    or are already overdue (not handled, deadline passed, not waiting for the sender)."""
    now = now or timezone.now()
    first, last = _period(start, end)
    return Feedback.objects.filter(
        agency_id__in=agency_ids, final_due_at__range=(first, last)
    ).filter(
        Q(handled_at__isnull=False)
        | (
            Q(handled_at__isnull=True, final_due_at__lt=now)
            & ~Q(state=FeedbackState.WAITING_SENDER)
        )
    )


# Answered within its deadline (DESIGN.md §4.3): the one definition the rate and the counts use.
ANSWERED_ON_TIME = Q(handled_at__isnull=False, handled_at__lte=F("final_due_at"))


def feedback_on_time_rate(
    *, agency_ids: list[int], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Decimal | None:
    """PAKN answered within its deadline ÷ PAKN due in the period × 100 (DESIGN.md §4.3),
    rounded to 2 decimals; None when nothing was due."""
    from cchc.procedures.metrics import percent

    counts = due_in_period(agency_ids=agency_ids, start=start, end=end, now=now).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=ANSWERED_ON_TIME),
    )
    return percent(counts["on_time"], counts["due"])


@dataclass(frozen=True)
class FeedbackCounts:
    received: int  # received in the period
    open: int  # not closed, now
    overdue: int  # open and past the deadline of their step, now
    due_soon: int  # open and due within DUE_SOON_WORKING_DAYS working days, now
    due: int  # judged in the period (see due_in_period)
    answered_on_time: int  # of those, handled by the deadline
    on_time_rate: Decimal | None
    rating_mean: Decimal | None  # mean rating of the answers published in the period
    ratings: int


def feedback_counts(
    *,
    agency_ids: list[int],
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> FeedbackCounts:
    """The figures of the feedback panel of a dashboard, for the agencies and the period."""
    from cchc.procedures.metrics import percent

    now = now or timezone.now()
    first, last = _period(start, end)
    mine = Feedback.objects.filter(agency_id__in=agency_ids)
    live = mine.aggregate(
        received=Count("pk", filter=Q(received_at__range=(first, last))),
        open=Count("pk", filter=OPEN),
        overdue=Count("pk", filter=overdue_q(now)),
        due_soon=Count("pk", filter=due_soon_q(now)),
    )
    judged = due_in_period(agency_ids=agency_ids, start=start, end=end, now=now).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=ANSWERED_ON_TIME),
    )
    rated = mine.filter(published_at__range=(first, last), rating__isnull=False).aggregate(
        mean=Avg("rating"), n=Count("pk")
    )
    mean = rated["mean"]
    return FeedbackCounts(
        received=live["received"],
        open=live["open"],
        overdue=live["overdue"],
        due_soon=live["due_soon"],
        due=judged["due"],
        answered_on_time=judged["on_time"],
        on_time_rate=percent(judged["on_time"], judged["due"]),
        rating_mean=None if mean is None else Decimal(str(mean)).quantize(Decimal("0.01")),
        ratings=rated["n"],
    )
