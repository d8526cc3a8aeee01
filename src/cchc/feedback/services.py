"""Writes of the feedback app: receiving a feedback (``feedback_submit``, in
``cchc.feedback.intake`` and re-exported here) and each step of its handling (Nghị định
20/2008/NĐ-CP as amended by 48/2013; DESIGN.md §4.4).

Every service checks who acts (``cchc.feedback.access``), checks the state the item is in, runs
in one transaction with the row locked, records a ``FeedbackEvent`` (``public`` when the sender
sees it on the tracking page) and an audit row, and notifies the people concerned once the
transaction commits. Audit rows never hold the sender's contact details or the content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import audit
from cchc.core.access import get_scope
from cchc.core.models import Membership, Role, Unit, User
from cchc.feedback import deadlines
from cchc.feedback.access import FeedbackAction, can_on_feedback
from cchc.feedback.intake import (
    DEFAULT_TOPICS,
    MAX_ANSWER,
    MAX_ATTACHMENTS,
    MAX_CONTENT,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_NOTE,
    MAX_SUMMARY,
    MAX_TITLE,
    PUBLIC_ID_PREFIX,
    Errors,
    attachment_limits,
    checked_files,
    clean_text,
    feedback_submit,
    forget_files,
    normalise_phone,
    require,
    store_files,
    topics_ensure_defaults,
)
from cchc.feedback.models import (
    Classification,
    DeadlineStep,
    Feedback,
    FeedbackEvent,
    FeedbackState,
)
from cchc.feedback.people import (
    coordinators_of,
    email_sender_on_commit,
    feedback_url,
    leaders_of,
    notify_on_commit,
    short_date,
    unit_heads_of,
)
from cchc.feedback.search import search_text_of

__all__ = [
    "DEFAULT_TOPICS",
    "MAX_ANSWER",
    "MAX_ATTACHMENTS",
    "MAX_CONTENT",
    "MAX_MESSAGE",
    "MAX_NAME",
    "MAX_NOTE",
    "MAX_SUMMARY",
    "MAX_TITLE",
    "PUBLIC_ID_PREFIX",
    "attachment_limits",
    "coordinators_of",
    "feedback_answer",
    "feedback_approve",
    "feedback_assign",
    "feedback_classify",
    "feedback_publish",
    "feedback_rate",
    "feedback_request_info",
    "feedback_return_draft",
    "feedback_sender_reply",
    "feedback_submit",
    "feedback_url",
    "leaders_of",
    "normalise_phone",
    "topics_ensure_defaults",
    "unit_heads_of",
]


# --- handling -----------------------------------------------------------------------------------


def _locked(feedback: Feedback) -> Feedback:
    """Lock the item's row for the transaction and bring the caller's instance up to date
    with it (the services change and return that same instance)."""
    if not Feedback.objects.select_for_update().filter(pk=feedback.pk).exists():
        raise Feedback.DoesNotExist
    feedback.refresh_from_db()
    return feedback


def _check_state(feedback: Feedback, allowed: Iterable[str], message: str) -> None:
    if feedback.state not in set(allowed):
        raise ValidationError(message, code="state")


def _event(
    feedback: Feedback,
    *,
    actor: User | None,
    at: dt.datetime,
    note: str = "",
    public: bool = False,
    from_sender: bool = False,
    state: str | None = None,
) -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        feedback=feedback,
        state=state or feedback.state,
        actor=actor,
        at=at,
        note=note,
        public=public,
        from_sender=from_sender,
    )


def _mark_dossier(feedback: Feedback) -> None:
    """Feedback about a dossier that is taken up counts against the dossier's handling
    (DESIGN.md §4.3, handling_satisfaction_rate)."""
    if feedback.dossier_id is None or feedback.classification not in deadlines.ANSWERED_CLASSES:
        return
    from cchc.procedures.services import dossier_mark_negative

    dossier_mark_negative(dossier=feedback.dossier, source="feedback")


def _check_unit(errors: Errors, feedback: Feedback, unit: Unit | None) -> None:
    field = "unit"
    if unit is None:
        errors.add(field, _("Choose the unit that handles the feedback."))
    elif unit.agency_id != feedback.agency_id or not unit.is_active:
        errors.add(field, _("Choose an active unit of this agency."))


@transaction.atomic
def feedback_classify(
    *,
    actor: User,
    feedback: Feedback,
    classification: str,
    unit: Unit | None = None,
    note: str = "",
) -> Feedback:
    """Classify a received item (coordinator):

    * not accepted → refused (the reason, ``note``, is required and shown to the sender); judged
      against the reject limit;
    * forward → forwarded to the competent agency (named in ``note``); judged against the
      forward limit;
    * about staff conduct / within competence → being handled by ``unit``; the deadline becomes
      the answer limit from the receipt (plus the days paused).
    """
    feedback = _locked(feedback)
    require(can_on_feedback(get_scope(actor), feedback, FeedbackAction.CLASSIFY))
    _check_state(
        feedback,
        [FeedbackState.RECEIVED],
        _("Only a feedback waiting to be classified can be classified."),
    )
    errors = Errors()
    if classification not in Classification.values:
        errors.add("classification", _("Choose a classification."))
    closing = classification in (Classification.NOT_ACCEPTED, Classification.FORWARD)
    note = clean_text(
        errors,
        "note",
        note,
        max_length=MAX_NOTE,
        required=(
            _("Say why the feedback is not accepted.")
            if classification == Classification.NOT_ACCEPTED
            else _("Name the agency the feedback is forwarded to.")
            if classification == Classification.FORWARD
            else None
        ),
    )
    if classification in deadlines.ANSWERED_CLASSES:
        _check_unit(errors, feedback, unit)
    errors.raise_if_any()

    now = timezone.now()
    before = {"state": feedback.state, "unit": feedback.unit}
    feedback.classification = classification
    feedback.classified_at = now
    if closing:
        step = (
            DeadlineStep.REJECT
            if classification == Classification.NOT_ACCEPTED
            else DeadlineStep.FORWARD
        )
        feedback.state = (
            FeedbackState.REJECTED
            if classification == Classification.NOT_ACCEPTED
            else FeedbackState.FORWARDED
        )
        feedback.decision_note = note
        feedback.final_due_at = deadlines.step_deadline(
            step, feedback.received_at, extra_days=feedback.paused_working_days
        )
        feedback.handled_at = now
        feedback.on_time = now <= feedback.final_due_at
        feedback.due_at = None
    else:
        feedback.state = FeedbackState.IN_PROGRESS
        if unit is not None and feedback.unit_id != unit.pk:
            feedback.handler = None
        feedback.unit = unit
        feedback.final_due_at = deadlines.clock_deadline(feedback)
        feedback.due_at = feedback.final_due_at
    feedback.save(
        update_fields=[
            "classification",
            "classified_at",
            "state",
            "decision_note",
            "final_due_at",
            "handled_at",
            "on_time",
            "due_at",
            "unit",
            "handler",
            "updated_at",
        ]
    )
    if closing:
        _event(feedback, actor=actor, at=now, note=note, public=True)
    else:
        if note:
            _event(feedback, actor=actor, at=now, note=note)
        _event(feedback, actor=actor, at=now, public=True)
    _mark_dossier(feedback)
    audit.record(
        actor=actor,
        action="feedback.classify",
        obj=feedback,
        agency=feedback.agency,
        changes={
            **audit.diff(before, {"state": feedback.state, "unit": feedback.unit}),
            "classification": classification,
            "final_due_at": feedback.final_due_at,
            **({"on_time": feedback.on_time} if closing else {}),
        },
    )
    if not closing:
        notify_on_commit(
            unit_heads_of(feedback),
            feedback=feedback,
            kind="feedback_assigned",
            message=lambda: (
                _("Feedback %(number)s was given to your unit") % {"number": feedback.public_id},
                _("%(title)s\nAnswer due by %(due)s.")
                % {"title": feedback.title, "due": short_date(feedback.final_due_at)},
            ),
            skip=actor,
        )
    return feedback


@transaction.atomic
def feedback_assign(
    *, actor: User, feedback: Feedback, unit: Unit, handler: User | None = None
) -> Feedback:
    """Give the item to a unit and, optionally, to one of its people. The coordinator may move
    it to any unit; the head of the unit that has it may only name its handler."""
    feedback = _locked(feedback)
    scope = get_scope(actor)
    require(can_on_feedback(scope, feedback, FeedbackAction.ASSIGN))
    _check_state(
        feedback,
        [FeedbackState.IN_PROGRESS, FeedbackState.WAITING_SENDER],
        _("Only a feedback being handled can be assigned."),
    )
    if feedback.classification not in deadlines.ANSWERED_CLASSES:
        raise ValidationError(_("Classify the feedback before assigning it."), code="state")
    errors = Errors()
    _check_unit(errors, feedback, unit)
    may_move = scope.is_admin or scope.has_role(feedback.agency_id, Role.COORDINATOR)
    if unit is not None and unit.pk != feedback.unit_id and not may_move:
        errors.add("unit", _("Only the coordinator may give the feedback to another unit."))
    if handler is not None and unit is not None:
        member = Membership.objects.filter(
            user=handler,
            agency_id=feedback.agency_id,
            unit=unit,
            role__in=(Role.UNIT_HEAD, Role.OFFICER),
            is_active=True,
            user__is_active=True,
        ).exists()
        if not member:
            errors.add("handler", _("The handler must be one of the unit's people."))
    errors.raise_if_any()

    now = timezone.now()
    before = {"unit": feedback.unit, "handler": feedback.handler}
    feedback.unit = unit
    feedback.handler = handler
    feedback.save(update_fields=["unit", "handler", "updated_at"])
    changes = audit.diff(before, {"unit": unit, "handler": handler})
    note = (
        _("Assigned to %(unit)s, handled by %(person)s.")
        % {"unit": unit.name, "person": handler.display_name}
        if handler is not None
        else _("Assigned to %(unit)s.") % {"unit": unit.name}
    )
    _event(feedback, actor=actor, at=now, note=note)
    audit.record(
        actor=actor, action="feedback.assign", obj=feedback, agency=feedback.agency, changes=changes
    )
    people = [handler] if handler is not None else unit_heads_of(feedback)
    notify_on_commit(
        people,
        feedback=feedback,
        kind="feedback_assigned",
        message=lambda: (
            _("Feedback %(number)s was assigned to you") % {"number": feedback.public_id},
            _("%(title)s\nAnswer due by %(due)s.")
            % {"title": feedback.title, "due": short_date(feedback.final_due_at)},
        ),
        skip=actor,
    )
    return feedback


@transaction.atomic
def feedback_request_info(*, actor: User, feedback: Feedback, message: str) -> Feedback:
    """Ask the sender for more information: the clock stops until the sender replies. The
    message is shown on the tracking page. The first request should come within the
    first-request limit; a late one is recorded in the audit trail."""
    feedback = _locked(feedback)
    require(can_on_feedback(get_scope(actor), feedback, FeedbackAction.REQUEST_INFO))
    _check_state(
        feedback,
        [FeedbackState.RECEIVED, FeedbackState.IN_PROGRESS],
        _("More information can be asked only while the feedback is being classified or handled."),
    )
    errors = Errors()
    message = clean_text(
        errors,
        "message",
        message,
        max_length=MAX_NOTE,
        required=_("Write what the sender should add."),
    )
    errors.raise_if_any()
    now = timezone.now()
    first = not feedback.events.filter(state=FeedbackState.WAITING_SENDER).exists()
    late = bool(
        first and feedback.first_request_due_at is not None and now > feedback.first_request_due_at
    )
    feedback.state = FeedbackState.WAITING_SENDER
    feedback.waiting_since = now
    feedback.due_at = None
    feedback.save(update_fields=["state", "waiting_since", "due_at", "updated_at"])
    _event(feedback, actor=actor, at=now, note=message, public=True)
    email_sender_on_commit(feedback, kind="request_info")
    changes: dict[str, Any] = {"state": FeedbackState.WAITING_SENDER, "first_request": first}
    if first:
        changes["first_request_late"] = late
    audit.record(
        actor=actor,
        action="feedback.request_info",
        obj=feedback,
        agency=feedback.agency,
        changes=changes,
    )
    return feedback


@transaction.atomic
def feedback_sender_reply(
    *, feedback: Feedback, message: str, attachments: Iterable[Any] = ()
) -> Feedback:
    """The sender's reply to a request for information (through the tracking code): the clock
    starts again, and the deadlines counted from the receipt move by the working days it stood
    still."""
    feedback = _locked(feedback)
    _check_state(
        feedback,
        [FeedbackState.WAITING_SENDER],
        _("No information has been asked of you for this feedback."),
    )
    errors = Errors()
    message = clean_text(
        errors,
        "message",
        message,
        max_length=MAX_MESSAGE,
        required=_("Write the information asked for."),
    )
    checked = checked_files(errors, "attachments", attachments)
    errors.raise_if_any()
    now = timezone.now()
    paused = deadlines.working_days_between(feedback.waiting_since or now, now)
    feedback.paused_working_days += paused
    feedback.waiting_since = None
    feedback.state = (
        FeedbackState.IN_PROGRESS if feedback.classification else FeedbackState.RECEIVED
    )
    feedback.final_due_at = deadlines.clock_deadline(feedback)
    feedback.due_at = feedback.final_due_at
    stored: list[str] = []
    try:
        feedback.save(
            update_fields=[
                "paused_working_days",
                "waiting_since",
                "state",
                "final_due_at",
                "due_at",
                "updated_at",
            ]
        )
        store_files(feedback, checked, stored)
        _event(feedback, actor=None, at=now, note=message, public=True, from_sender=True)
        audit.record(
            actor=None,
            action="feedback.sender_reply",
            obj=feedback,
            agency=feedback.agency,
            changes={
                "state": feedback.state,
                "paused_working_days": feedback.paused_working_days,
                "final_due_at": feedback.final_due_at,
                "attachments": len(checked),
            },
        )
    except BaseException:
        forget_files(stored)
        raise
    people = [feedback.handler] if feedback.handler_id else unit_heads_of(feedback)
    notify_on_commit(
        [*people, *coordinators_of(feedback.agency_id)],
        feedback=feedback,
        kind="feedback_reply",
        message=lambda: (
            _("The sender of %(number)s replied") % {"number": feedback.public_id},
            _("%(title)s\nDeadline now %(due)s.")
            % {"title": feedback.title, "due": short_date(feedback.final_due_at)},
        ),
    )
    return feedback


@transaction.atomic
def feedback_answer(
    *, actor: User, feedback: Feedback, answer: str, public_summary: str
) -> Feedback:
    """Draft the answer and the public summary of the feedback (which the public reads instead
    of the sender's own words); the leader approves it."""
    feedback = _locked(feedback)
    require(can_on_feedback(get_scope(actor), feedback, FeedbackAction.ANSWER))
    _check_state(
        feedback,
        [FeedbackState.IN_PROGRESS, FeedbackState.ANSWER_DRAFTED],
        _("Only a feedback being handled can be answered."),
    )
    errors = Errors()
    answer = clean_text(
        errors, "answer", answer, max_length=MAX_ANSWER, required=_("Write the answer.")
    )
    public_summary = clean_text(
        errors,
        "public_summary",
        public_summary,
        max_length=MAX_SUMMARY,
        required=_("Summarise the feedback for the public, without personal details."),
    )
    errors.raise_if_any()
    now = timezone.now()
    redraft = feedback.state == FeedbackState.ANSWER_DRAFTED
    feedback.answer = answer
    feedback.public_summary = public_summary
    feedback.answered_by = actor
    feedback.state = FeedbackState.ANSWER_DRAFTED
    feedback.save(update_fields=["answer", "public_summary", "answered_by", "state", "updated_at"])
    _event(feedback, actor=actor, at=now)
    audit.record(
        actor=actor,
        action="feedback.answer",
        obj=feedback,
        agency=feedback.agency,
        changes={"state": feedback.state, "redraft": redraft},
    )
    notify_on_commit(
        leaders_of(feedback.agency_id),
        feedback=feedback,
        kind="feedback_approve",
        message=lambda: (
            _("The answer to %(number)s awaits your approval") % {"number": feedback.public_id},
            _("%(title)s\nAnswer due by %(due)s.")
            % {"title": feedback.title, "due": short_date(feedback.final_due_at)},
        ),
        skip=actor,
    )
    return feedback


@transaction.atomic
def feedback_approve(*, actor: User, feedback: Feedback) -> Feedback:
    """The leader approves the drafted answer: it is given (the on-time test uses this moment)
    and must be published within the publish limit."""
    feedback = _locked(feedback)
    require(can_on_feedback(get_scope(actor), feedback, FeedbackAction.APPROVE))
    _check_state(
        feedback,
        [FeedbackState.ANSWER_DRAFTED],
        _("Only a drafted answer can be approved."),
    )
    now = timezone.now()
    feedback.state = FeedbackState.ANSWERED
    feedback.approved_by = actor
    feedback.handled_at = now
    feedback.on_time = feedback.final_due_at is None or now <= feedback.final_due_at
    feedback.publish_due_at = deadlines.step_deadline(DeadlineStep.PUBLISH, now)
    feedback.due_at = feedback.publish_due_at
    feedback.save(
        update_fields=[
            "state",
            "approved_by",
            "handled_at",
            "on_time",
            "publish_due_at",
            "due_at",
            "updated_at",
        ]
    )
    _event(feedback, actor=actor, at=now, public=True)
    audit.record(
        actor=actor,
        action="feedback.approve",
        obj=feedback,
        agency=feedback.agency,
        changes={
            "state": feedback.state,
            "on_time": feedback.on_time,
            "publish_due_at": feedback.publish_due_at,
        },
    )
    notify_on_commit(
        [feedback.answered_by, *coordinators_of(feedback.agency_id)],
        feedback=feedback,
        kind="feedback_approved",
        message=lambda: (
            _("The answer to %(number)s was approved") % {"number": feedback.public_id},
            _("%(title)s\nPublish it by %(due)s.")
            % {"title": feedback.title, "due": short_date(feedback.publish_due_at)},
        ),
        skip=actor,
    )
    return feedback


@transaction.atomic
def feedback_return_draft(*, actor: User, feedback: Feedback, note: str) -> Feedback:
    """The leader sends the drafted answer back with a note; the item is handled again."""
    feedback = _locked(feedback)
    require(can_on_feedback(get_scope(actor), feedback, FeedbackAction.APPROVE))
    _check_state(
        feedback,
        [FeedbackState.ANSWER_DRAFTED],
        _("Only a drafted answer can be sent back."),
    )
    errors = Errors()
    note = clean_text(
        errors, "note", note, max_length=MAX_NOTE, required=_("Say what should be changed.")
    )
    errors.raise_if_any()
    now = timezone.now()
    feedback.state = FeedbackState.IN_PROGRESS
    feedback.save(update_fields=["state", "updated_at"])
    _event(feedback, actor=actor, at=now, note=note)
    audit.record(
        actor=actor,
        action="feedback.return_draft",
        obj=feedback,
        agency=feedback.agency,
        changes={"state": feedback.state},
    )
    notify_on_commit(
        [feedback.answered_by, feedback.handler],
        feedback=feedback,
        kind="feedback_returned",
        message=lambda: (
            _("The answer to %(number)s was sent back") % {"number": feedback.public_id},
            note,
        ),
        skip=actor,
    )
    return feedback


@transaction.atomic
def feedback_publish(*, actor: User, feedback: Feedback) -> Feedback:
    """Publish the approved answer: the public summary and the answer become searchable on the
    agency's public page and are shown on the sender's tracking page."""
    feedback = _locked(feedback)
    require(can_on_feedback(get_scope(actor), feedback, FeedbackAction.PUBLISH))
    _check_state(
        feedback,
        [FeedbackState.ANSWERED],
        _("Only an approved answer can be published."),
    )
    now = timezone.now()
    feedback.state = FeedbackState.PUBLISHED
    feedback.published_at = now
    feedback.search_text = search_text_of(feedback.public_summary, feedback.answer)
    feedback.due_at = None
    feedback.save(update_fields=["state", "published_at", "search_text", "due_at", "updated_at"])
    _event(feedback, actor=actor, at=now, public=True)
    email_sender_on_commit(feedback, kind="published")
    audit.record(
        actor=actor,
        action="feedback.publish",
        obj=feedback,
        agency=feedback.agency,
        changes={
            "state": feedback.state,
            "published_late": bool(feedback.publish_due_at and now > feedback.publish_due_at),
        },
    )
    return feedback


RATINGS = range(1, 6)


@transaction.atomic
def feedback_rate(*, feedback: Feedback, rating: Any) -> Feedback:
    """The sender's rating (1–5) of a published answer, given once."""
    feedback = _locked(feedback)
    _check_state(
        feedback, [FeedbackState.PUBLISHED], _("The answer can be rated once it is published.")
    )
    if feedback.rating is not None:
        raise ValidationError(_("You have already rated this answer. Thank you."), code="rated")
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if value not in RATINGS:
        raise ValidationError({"rating": _("Choose from 1 to 5.")})
    feedback.rating = value
    feedback.save(update_fields=["rating", "updated_at"])
    audit.record(
        actor=None,
        action="feedback.rate",
        obj=feedback,
        agency=feedback.agency,
        changes={"rating": value},
    )
    return feedback
