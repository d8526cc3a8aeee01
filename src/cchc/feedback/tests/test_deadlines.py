"""Deadlines of the handling, worked by hand on the 2026 calendar.

August–September 2026 in Vietnam: Saturday 22/08 is worked (it pays for Monday 31/08, a day
off), and 1/9–2/9 are National Day. From a receipt on Friday 21/08/2026 the working days are:
Sat 22/08 (1), Mon 24 (2), Tue 25 (3), Wed 26 (4), Thu 27 (5), Fri 28 (6), Thu 03/09 (7),
Fri 04 (8), Mon 07 (9), Tue 08 (10), Wed 09 (11), Thu 10 (12), Fri 11 (13), Mon 14 (14),
Tue 15/09 (15), Wed 16 (16), Thu 17 (17), Fri 18/09 (18).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from cchc.feedback import deadlines, services
from cchc.feedback.models import DeadlineStep, FeedbackDeadlineRule, FeedbackState
from cchc.feedback.tests.conftest import at, submit


def received_friday(world, topic, clock):
    clock.set("2026-08-21 10:00")
    return submit(world, topic)


def test_receipt_starts_the_classification_and_first_request_clocks(world, topic, clock):
    feedback = received_friday(world, topic, clock)
    # Forward limit 5 working days: Thursday 27/08 (Saturday 22/08 is a working day).
    assert feedback.due_at == at("2026-08-27 17:00")
    assert feedback.final_due_at == at("2026-08-27 17:00")
    assert feedback.first_request_due_at == at("2026-08-27 17:00")
    # A refusal must come within 2 working days: Monday 24/08.
    assert deadlines.reject_deadline(feedback) == at("2026-08-24 17:00")


def test_the_answer_is_due_on_the_fifteenth_working_day(world, topic, clock):
    feedback = received_friday(world, topic, clock)
    clock.set("2026-08-24 09:00")
    feedback = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    # 31/08 (swapped), 01/09 and 02/09 (National Day) are not counted.
    assert feedback.final_due_at == at("2026-09-15 17:00")
    assert feedback.due_at == feedback.final_due_at
    assert feedback.state == FeedbackState.IN_PROGRESS


def test_a_pause_of_three_working_days_moves_the_answer_by_three(world, topic, clock):
    feedback = received_friday(world, topic, clock)
    clock.set("2026-08-24 09:00")
    feedback = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    feedback = services.feedback_request_info(
        actor=world.a.officer, feedback=feedback, message="Xin cho biết mã hồ sơ."
    )
    assert feedback.state == FeedbackState.WAITING_SENDER
    assert feedback.due_at is None  # the clock stops
    assert feedback.waiting_since == at("2026-08-24 09:00")
    clock.set("2026-08-27 10:30")  # Tue 25, Wed 26, Thu 27: 3 working days
    feedback = services.feedback_sender_reply(feedback=feedback, message="Mã hồ sơ STP-1.")
    assert feedback.paused_working_days == 3
    assert feedback.final_due_at == at("2026-09-18 17:00")  # the 18th working day
    assert feedback.due_at == feedback.final_due_at
    assert feedback.state == FeedbackState.IN_PROGRESS


def test_days_off_during_the_pause_do_not_count(world, topic, clock):
    feedback = received_friday(world, topic, clock)
    clock.set("2026-08-28 15:00")  # a request on Friday 28/08, before classification
    feedback = services.feedback_request_info(
        actor=world.a.coordinator, feedback=feedback, message="Nội dung chưa rõ."
    )
    clock.set("2026-09-03 08:00")  # Sat, Sun, Mon 31 (swapped), 1/9 and 2/9 are off
    feedback = services.feedback_sender_reply(feedback=feedback, message="Tôi bổ sung.")
    assert feedback.paused_working_days == 1
    assert feedback.state == FeedbackState.RECEIVED  # back to be classified
    # The classification deadline moves by one working day: Friday 28/08.
    assert feedback.due_at == at("2026-08-28 17:00")


def test_a_refusal_is_judged_against_the_reject_limit(world, topic, clock):
    late = received_friday(world, topic, clock)
    clock.set("2026-08-25 09:00")
    late = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=late,
        classification="not_accepted",
        note="Tranh chấp dân sự, không thuộc phạm vi.",
    )
    assert late.state == FeedbackState.REJECTED
    assert late.final_due_at == at("2026-08-24 17:00")
    assert late.handled_at == at("2026-08-25 09:00")
    assert late.on_time is False
    assert late.due_at is None

    in_time = received_friday(world, topic, clock)
    clock.set("2026-08-24 16:00")
    in_time = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=in_time,
        classification="not_accepted",
        note="Không đủ thông tin.",
    )
    assert in_time.on_time is True


def test_a_transfer_is_judged_against_the_forward_limit(world, topic, clock):
    feedback = received_friday(world, topic, clock)
    clock.set("2026-08-27 16:00")
    feedback = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="forward",
        note="Chuyển Công an tỉnh.",
    )
    assert feedback.state == FeedbackState.FORWARDED
    assert feedback.final_due_at == at("2026-08-27 17:00")
    assert feedback.on_time is True


def test_publication_is_due_two_working_days_after_approval(world, topic, clock):
    feedback = received_friday(world, topic, clock)
    feedback = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    feedback = services.feedback_answer(
        actor=world.a.officer, feedback=feedback, answer="Trả lời.", public_summary="Tóm tắt."
    )
    clock.set("2026-08-28 10:00")  # Friday; then Mon 31/08, 1/9, 2/9 are off
    feedback = services.feedback_approve(actor=world.a.leader, feedback=feedback)
    assert feedback.publish_due_at == at("2026-09-04 17:00")  # Thu 03 (1), Fri 04 (2)
    assert feedback.due_at == feedback.publish_due_at
    assert feedback.on_time is True


def test_the_rule_in_force_on_the_receipt_day_applies(world, topic, clock):
    FeedbackDeadlineRule.objects.create(
        step=DeadlineStep.ANSWER,
        working_days=10,
        valid_from=dt.date(2026, 9, 1),
        source="Quyết định thử nghiệm của UBND tỉnh",
    )
    assert deadlines.deadline_rule(DeadlineStep.ANSWER, dt.date(2026, 8, 21)) == 15
    assert deadlines.deadline_rule(DeadlineStep.ANSWER, dt.date(2026, 9, 3)) == 10
    assert deadlines.RuleBook().days(DeadlineStep.ANSWER, dt.date(2026, 8, 21)) == 15
    assert deadlines.RuleBook().days(DeadlineStep.ANSWER, dt.date(2026, 9, 3)) == 10

    feedback = received_friday(world, topic, clock)
    clock.set("2026-09-03 09:00")
    feedback = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    assert feedback.final_due_at == at("2026-09-15 17:00")  # received before the change: 15

    clock.set("2026-09-03 09:00")
    later = submit(world, topic)
    later = services.feedback_classify(
        actor=world.a.coordinator,
        feedback=later,
        classification="within_competence",
        unit=world.a.unit,
    )
    # 10 working days from Thu 03/09: Fri 04 (1) … Thu 17/09 (10).
    assert later.final_due_at == at("2026-09-17 17:00")


def test_a_step_without_a_rule_is_a_configuration_error(db):
    FeedbackDeadlineRule.objects.filter(step=DeadlineStep.PUBLISH).delete()
    with pytest.raises(ImproperlyConfigured):
        deadlines.deadline_rule(DeadlineStep.PUBLISH, dt.date(2026, 8, 21))


def test_working_days_between(db):
    assert deadlines.working_days_between(at("2026-08-24 09:00"), at("2026-08-24 16:00")) == 0
    assert deadlines.working_days_between(at("2026-08-21 16:00"), at("2026-08-24 08:00")) == 2
    assert deadlines.working_days_between(at("2026-08-28 09:00"), at("2026-09-04 09:00")) == 2
