"""Deadlines of the handling of a feedback item (DESIGN.md §4.4), in working days.

The number of days of each step is data (``FeedbackDeadlineRule``: the row in force on the day
the clock starts), and every date is computed by the one calendar
(``cchc.core.calendar.deadline``). Which clock runs when:

* received, not yet classified: the item must be classified within the *forward* limit (5 by
  default; Nghị định 20/2008, art. 11: classified, and forwarded when another agency is
  competent, within 5 working days). A refusal (not accepted) must come sooner, within the
  *reject* limit (2): the item is judged against that limit when it is refused. The classifying
  deadline shown while the item waits (``due_at``) is the forward one, because until somebody
  has read it nobody knows that it will be refused;
* classified as about staff conduct or within competence: the *answer* limit (15), counted from
  the receipt;
* the first request for more information should come within the *first request* limit (5);
* once approved, the answer must be published within the *publish* limit (2), counted from the
  approval.

While the agency waits for the sender's information the clock stops; the working days it stood
still are added to the limits counted from the receipt.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q
from django.utils import timezone

from cchc.core.calendar import TZ, deadline, is_working_day
from cchc.feedback.models import Classification, DeadlineStep, Feedback, FeedbackDeadlineRule

# "Due soon" on lists and in alerts: within this many working days (an operator choice).
DUE_SOON_WORKING_DAYS = 2

ANSWERED_CLASSES = frozenset({Classification.STAFF_CONDUCT, Classification.WITHIN_COMPETENCE})


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


def deadline_rule(step: str, on_date: dt.date) -> int:
    """The working days of ``step`` by the rule in force on ``on_date`` (the latest row that
    started by then; a row without a start date applies from the beginning)."""
    days = (
        FeedbackDeadlineRule.objects.filter(step=step)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on_date))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .order_by(F("valid_from").desc(nulls_last=True), "-pk")
        .values_list("working_days", flat=True)
        .first()
    )
    if days is None:
        raise ImproperlyConfigured(
            f"No feedback deadline rule for {step!r} is in force on {on_date:%d/%m/%Y}; "
            "add one in the administration (Feedback deadline rules)."
        )
    return days


class RuleBook:
    """Every rule row read once, for computing many deadlines (the demo, recomputations):
    ``days(step, on_date)`` answers as ``deadline_rule`` does, without a query."""

    def __init__(self) -> None:
        self._rows: dict[str, list[tuple[dt.date, dt.date, int, int]]] = {}
        for row in FeedbackDeadlineRule.objects.order_by("pk"):
            start = row.valid_from or dt.date.min
            end = row.valid_to or dt.date.max
            self._rows.setdefault(row.step, []).append((start, end, row.pk, row.working_days))

    def days(self, step: str, on_date: dt.date) -> int:
        in_force = [r for r in self._rows.get(step, []) if r[0] <= on_date <= r[1]]
        if not in_force:
            return deadline_rule(step, on_date)  # raises the same error
        return max(in_force, key=lambda r: (r[0], r[2]))[3]


def step_deadline(step: str, start: dt.datetime, *, extra_days: int = 0) -> dt.datetime:
    """The deadline of ``step`` for a clock started at ``start`` (rule in force that day), moved
    by ``extra_days`` working days (the days the clock stood still)."""
    return deadline(start, deadline_rule(step, local_date(start)) + extra_days)


def clock_step(feedback: Feedback) -> str:
    """The step the item's main clock measures: the answer once it is classified for an answer,
    otherwise its classification (the forward limit)."""
    if feedback.classification in ANSWERED_CLASSES:
        return DeadlineStep.ANSWER
    return DeadlineStep.FORWARD


def clock_deadline(feedback: Feedback) -> dt.datetime:
    """The deadline of the item's main clock: from the receipt, plus the days paused."""
    return step_deadline(
        clock_step(feedback), feedback.received_at, extra_days=feedback.paused_working_days
    )


def reject_deadline(feedback: Feedback) -> dt.datetime:
    """By when a refusal must come (from the receipt, plus the days paused)."""
    return step_deadline(
        DeadlineStep.REJECT, feedback.received_at, extra_days=feedback.paused_working_days
    )


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days after the local date of ``start`` up to and including that of ``end``: a
    request made on Monday and answered on Wednesday stopped the clock for 2 working days (the
    Tuesday and the Wednesday); answered the same day, for none."""
    first, last = local_date(start), local_date(end)
    count = 0
    day = first + dt.timedelta(days=1)
    while day <= last:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def due_soon_limit(now: dt.datetime | None = None) -> dt.datetime:
    """Items due at or before this moment (and not yet overdue) are "due soon"."""
    return deadline(now or timezone.now(), DUE_SOON_WORKING_DAYS)
