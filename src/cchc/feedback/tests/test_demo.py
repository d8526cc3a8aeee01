"""The demo year of feedback: realistic spread of states, deadlines as the services compute
them, about a fifth tied to the agency's dossiers, and a clean reset."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Sum

from cchc.core import calendar
from cchc.feedback.demo import delete_demo_feedback, load_demo_feedback
from cchc.feedback.models import (
    CLOSED_STATES,
    Classification,
    Feedback,
    FeedbackEvent,
    FeedbackState,
    FeedbackTopic,
)
from cchc.feedback.selectors import feedback_counts
from cchc.feedback.tests.conftest import at
from cchc.procedures.demo import load_demo_dossiers
from cchc.procedures.models import Dossier, ReceivedRollup

NOW = at("2026-11-30 10:00")


def test_a_demo_year_of_feedback(world):
    agency = world.a.agency
    load_demo_dossiers(agency, 2026, 600, 0, now=NOW)
    created = load_demo_feedback(agency, 2026, 0, now=NOW)
    assert 140 <= created <= 150
    assert load_demo_feedback(agency, 2026, 0, now=NOW) == 0  # once

    items = list(Feedback.objects.filter(agency=agency))
    states = Counter(f.state for f in items)
    assert states[FeedbackState.PUBLISHED] > created * 0.6
    for state in (FeedbackState.REJECTED, FeedbackState.FORWARDED, FeedbackState.IN_PROGRESS):
        assert states[state] > 0, state
    assert any(f.state not in CLOSED_STATES for f in items)
    assert all(f.received_at <= NOW for f in items)
    tied = sum(1 for f in items if f.dossier_id)
    assert 0.15 * created <= tied <= 0.25 * created
    negative = Dossier.objects.filter(agency=agency, negative_feedback=True).count()
    assert negative > 0
    # The rollups the metrics read know it (handling_satisfaction_rate).
    assert (
        ReceivedRollup.objects.filter(agency=agency).aggregate(n=Sum("negative"))["n"] == negative
    )

    counts = feedback_counts(
        agency_ids=[agency.pk], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), now=NOW
    )
    assert counts.on_time_rate is not None and 75 <= counts.on_time_rate < 100  # mostly on time
    assert any(f.on_time is False for f in items)  # some late

    # Deadlines as the services compute them.
    for feedback in items:
        if feedback.classification in (
            Classification.WITHIN_COMPETENCE,
            Classification.STAFF_CONDUCT,
        ):
            assert feedback.final_due_at == calendar.deadline(
                feedback.received_at, 15 + feedback.paused_working_days
            )
        if feedback.state == FeedbackState.PUBLISHED:
            assert feedback.search_text and feedback.published_at <= NOW
            assert feedback.on_time == (feedback.handled_at <= feedback.final_due_at)
        if feedback.state == FeedbackState.WAITING_SENDER:
            assert feedback.due_at is None and feedback.waiting_since is not None
    numbers = sorted(f.public_id for f in items)
    assert numbers[0] == "PAKN-2026-000001" and len(set(numbers)) == len(numbers)
    assert FeedbackEvent.objects.filter(feedback__agency=agency, public=True).count() >= created

    other = load_demo_feedback(world.b.agency, 2026, 1, now=NOW)
    assert other > 0
    assert Feedback.objects.filter(public_id=f"PAKN-2026-{created + 1:06d}").exists()

    delete_demo_feedback([agency])
    assert not Feedback.objects.filter(agency=agency).exists()
    assert not FeedbackTopic.objects.filter(agency=agency).exists()
    assert Feedback.objects.filter(agency=world.b.agency).count() == other
