"""``feedback_on_time_rate`` and the counts: through the selector, ``metrics.compute`` and
``cchc kpi``; and the daily alerts about overdue and due-soon items."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

from django.core.management import call_command

from cchc.core.models import Notification
from cchc.feedback import services
from cchc.feedback.alerts import send_feedback_alerts
from cchc.feedback.models import FeedbackAlertLog
from cchc.feedback.selectors import feedback_counts, feedback_on_time_rate
from cchc.feedback.tests.conftest import at, submit
from cchc.procedures.metrics import compute

SEPTEMBER = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def rate(world, now=None):
    return feedback_on_time_rate(
        agency_ids=[world.a.agency.pk], start=SEPTEMBER[0], end=SEPTEMBER[1], now=now
    )


def kpi_rate(world):
    out = io.StringIO()
    call_command(
        "kpi",
        "--agency",
        world.a.agency.code,
        "--from",
        SEPTEMBER[0].isoformat(),
        "--to",
        SEPTEMBER[1].isoformat(),
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())["rates"]["feedback_on_time_rate"]


def handled_in_progress(world, topic, clock, received="2026-08-21 10:00"):
    """Received on Friday 21/08, classified at once: the answer is due Tuesday 15/09 17:00."""
    clock.set(received)
    feedback = submit(world, topic)
    return services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )


def answer_and_approve(world, feedback, clock, when):
    clock.set(when)
    feedback = services.feedback_answer(
        actor=world.a.officer, feedback=feedback, answer="Trả lời", public_summary="Tóm tắt"
    )
    return services.feedback_approve(actor=world.a.leader, feedback=feedback)


def test_the_rate_moves_with_answers_within_and_after_the_deadline(world, topic, clock):
    first = handled_in_progress(world, topic, clock)
    second = handled_in_progress(world, topic, clock)
    clock.set("2026-09-10 09:00")
    # Nothing is due yet in September (the deadlines are ahead and nothing was handled).
    assert rate(world) is None
    assert (
        compute(agency_ids=[world.a.agency.pk], start=SEPTEMBER[0], end=SEPTEMBER[1]).rates[
            "feedback_on_time_rate"
        ]
        is None
    )
    assert kpi_rate(world) is None

    answer_and_approve(world, first, clock, "2026-09-15 16:59")  # within the deadline
    assert rate(world) == Decimal("100.00")
    metrics = compute(agency_ids=[world.a.agency.pk], start=SEPTEMBER[0], end=SEPTEMBER[1])
    assert metrics.rates["feedback_on_time_rate"] == Decimal("100.00")
    assert kpi_rate(world) == 100.0

    second = answer_and_approve(world, second, clock, "2026-09-16 08:00")  # after it
    assert rate(world) == Decimal("50.00")
    assert kpi_rate(world) == 50.0
    assert second.on_time is False


def test_an_overdue_unhandled_item_counts_as_late_but_not_while_waiting(world, topic, clock):
    on_time = handled_in_progress(world, topic, clock)
    answer_and_approve(world, on_time, clock, "2026-09-01 09:00")
    stalled = handled_in_progress(world, topic, clock)
    waiting = handled_in_progress(world, topic, clock)
    services.feedback_request_info(actor=world.a.officer, feedback=waiting, message="Bổ sung")
    # Before the deadline (15/09 17:00), the open item is not judged yet.
    assert rate(world, now=at("2026-09-15 16:00")) == Decimal("100.00")
    # After it, the stalled one counts as late; the one waiting for its sender does not.
    assert rate(world, now=at("2026-09-16 08:00")) == Decimal("50.00")
    stalled.refresh_from_db()
    assert stalled.handled_at is None
    # Another agency's items are not counted.
    assert (
        feedback_on_time_rate(
            agency_ids=[world.b.agency.pk], start=SEPTEMBER[0], end=SEPTEMBER[1], now=None
        )
        is None
    )


def test_refusals_are_judged_by_their_own_deadline(world, topic, clock):
    clock.set("2026-09-01 09:00")  # a holiday: the clock starts Thu 03/09
    feedback = submit(world, topic)
    clock.set("2026-09-07 09:00")  # reject limit 2: Fri 04/09 17:00 — late
    services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="not_accepted",
        note="Không thuộc phạm vi điều chỉnh.",
    )
    assert rate(world) == Decimal("0.00")


def test_counts_for_the_dashboard(world, topic, clock):
    done = handled_in_progress(world, topic, clock)
    answer_and_approve(world, done, clock, "2026-09-01 09:00")
    services.feedback_publish(actor=world.a.coordinator, feedback=done)
    done.refresh_from_db()
    services.feedback_rate(feedback=done, rating=4)
    handled_in_progress(world, topic, clock)  # due Tue 15/09
    clock.set("2026-09-11 10:00")
    fresh = submit(world, topic)  # to be classified by Fri 18/09
    assert fresh.due_at == at("2026-09-18 17:00")
    counts = feedback_counts(
        agency_ids=[world.a.agency.pk],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        now=at("2026-09-14 09:00"),  # Monday: due soon = by Tue 15/09 17:00
    )
    assert counts.received == 3
    assert counts.open == 2
    assert counts.overdue == 0
    assert counts.due_soon == 1
    assert (counts.due, counts.answered_on_time, counts.on_time_rate) == (1, 1, Decimal("100.00"))
    assert (counts.rating_mean, counts.ratings) == (Decimal("4.00"), 1)
    later = feedback_counts(
        agency_ids=[world.a.agency.pk],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        now=at("2026-09-16 09:00"),
    )
    assert later.overdue == 1
    assert later.due_soon == 1  # the fresh one, due Fri 18/09 — two working days ahead
    assert later.on_time_rate == Decimal("50.00")


def test_alerts_go_to_the_handler_and_the_coordinators_once_a_day(world, topic, clock):
    late = handled_in_progress(world, topic, clock)
    services.feedback_assign(
        actor=world.a.coordinator, feedback=late, unit=world.a.unit, handler=world.a.officer
    )
    clock.set("2026-09-14 10:00")
    unassigned = submit(world, topic)  # to be classified by 21/09: not due soon on 16/09

    counts = send_feedback_alerts(now=at("2026-09-16 07:00"))
    assert counts == {"overdue": 2, "due_soon": 0, "skipped": 0}
    officer_note = Notification.objects.get(user=world.a.officer, kind__startswith="feedback")
    assert officer_note.kind == "feedback_overdue"
    assert late.public_id in officer_note.title
    assert officer_note.url == f"/feedback/{late.pk}/"
    assert Notification.objects.filter(user=world.a.coordinator, kind="feedback_overdue").exists()
    assert not Notification.objects.filter(
        user=world.a.unit_head, kind__startswith="feedback"
    ).exists()

    again = send_feedback_alerts(now=at("2026-09-16 15:00"))
    assert again == {"overdue": 0, "due_soon": 0, "skipped": 2}
    next_day = send_feedback_alerts(now=at("2026-09-18 07:00"))
    # The next day: the late one again, and the one still to be classified (due 21/09).
    assert next_day["overdue"] == 2
    assert next_day["due_soon"] == 1
    assert FeedbackAlertLog.objects.filter(feedback=unassigned, kind="due_soon").count() == 1
    assert FeedbackAlertLog.objects.get(feedback=unassigned).user == world.a.coordinator


def test_a_drafted_answer_alerts_the_leader(world, topic, clock):
    feedback = handled_in_progress(world, topic, clock)
    clock.set("2026-09-14 10:00")
    services.feedback_answer(
        actor=world.a.officer, feedback=feedback, answer="Trả lời", public_summary="Tóm tắt"
    )
    counts = send_feedback_alerts(now=at("2026-09-15 08:00"))
    assert counts["due_soon"] == 2  # the leader and the coordinator
    assert Notification.objects.filter(user=world.a.leader, kind="feedback_due_soon").exists()
