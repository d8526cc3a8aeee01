"""The handling steps: who may do each, in which state, and what each records."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cchc.core.models import AuditEntry, Notification
from cchc.feedback import services
from cchc.feedback.models import FeedbackEvent, FeedbackState
from cchc.feedback.tests.conftest import submit
from cchc.procedures.models import Dossier


def person(world, role):
    special = {"appraiser": world.appraiser, "admin": world.admin, "stranger": world.b.coordinator}
    return special.get(role) or getattr(world.a, role)


def received(world, topic):
    return submit(world, topic)


def in_progress(world, topic):
    return services.feedback_classify(
        actor=world.a.coordinator,
        feedback=received(world, topic),
        classification="within_competence",
        unit=world.a.unit,
    )


def drafted(world, topic):
    return services.feedback_answer(
        actor=world.a.officer,
        feedback=in_progress(world, topic),
        answer="Cơ quan đã tiếp thu và sửa đổi quy trình.",
        public_summary="Kiến nghị đơn giản hóa thủ tục.",
    )


def answered(world, topic):
    return services.feedback_approve(actor=world.a.leader, feedback=drafted(world, topic))


ROLES = [
    "leader",
    "coordinator",
    "unit_head",
    "officer",
    "other_officer",
    "viewer",
    "appraiser",
    "admin",
    "stranger",
]

# step → (who may, the state it starts from, the call)
STEPS = {
    "classify": (
        {"coordinator", "admin"},
        received,
        lambda actor, f, w: services.feedback_classify(
            actor=actor, feedback=f, classification="within_competence", unit=w.a.unit
        ),
    ),
    "assign": (
        {"coordinator", "unit_head", "admin"},
        in_progress,
        lambda actor, f, w: services.feedback_assign(
            actor=actor, feedback=f, unit=w.a.unit, handler=w.a.officer
        ),
    ),
    "request_info": (
        {"coordinator", "unit_head", "officer", "admin"},
        in_progress,
        lambda actor, f, w: services.feedback_request_info(
            actor=actor, feedback=f, message="Đề nghị bổ sung mã hồ sơ."
        ),
    ),
    "answer": (
        {"coordinator", "unit_head", "officer", "admin"},
        in_progress,
        lambda actor, f, w: services.feedback_answer(
            actor=actor, feedback=f, answer="Trả lời.", public_summary="Tóm tắt."
        ),
    ),
    "approve": (
        {"leader", "admin"},
        drafted,
        lambda actor, f, w: services.feedback_approve(actor=actor, feedback=f),
    ),
    "return": (
        {"leader", "admin"},
        drafted,
        lambda actor, f, w: services.feedback_return_draft(
            actor=actor, feedback=f, note="Bổ sung căn cứ pháp lý."
        ),
    ),
    "publish": (
        {"coordinator", "leader", "admin"},
        answered,
        lambda actor, f, w: services.feedback_publish(actor=actor, feedback=f),
    ),
}
EXPECTED_STATE = {
    "classify": FeedbackState.IN_PROGRESS,
    "assign": FeedbackState.IN_PROGRESS,
    "request_info": FeedbackState.WAITING_SENDER,
    "answer": FeedbackState.ANSWER_DRAFTED,
    "approve": FeedbackState.ANSWERED,
    "return": FeedbackState.IN_PROGRESS,
    "publish": FeedbackState.PUBLISHED,
}


@pytest.mark.parametrize("step", list(STEPS))
def test_who_may_do_each_step(world, topic, step):
    allowed, prepare, call = STEPS[step]
    for role in ROLES:
        feedback = prepare(world, topic)
        before = feedback.state
        actor = person(world, role)
        if role in allowed:
            result = call(actor, feedback, world)
            assert result.state == EXPECTED_STATE[step], role
            assert AuditEntry.objects.filter(
                action__startswith=f"feedback.{step}", actor=actor, object_id=str(feedback.pk)
            ).exists(), role
        else:
            with pytest.raises(PermissionDenied):
                call(actor, feedback, world)
            feedback.refresh_from_db()
            assert feedback.state == before, role
            assert not AuditEntry.objects.filter(
                action__startswith=f"feedback.{step}", object_id=str(feedback.pk)
            ).exists(), role


@pytest.mark.parametrize(
    ("step", "prepare"),
    [
        ("classify", in_progress),
        ("approve", received),
        ("publish", drafted),
        ("return", in_progress),
        ("answer", answered),
        ("request_info", drafted),
    ],
)
def test_a_step_in_the_wrong_state_is_refused_with_a_message(world, topic, step, prepare):
    feedback = prepare(world, topic)
    before = feedback.state
    _allowed, _prepare, call = STEPS[step]
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call(world.admin, feedback, world)
    assert caught.value.messages[0].startswith(("Only", "More information"))
    feedback.refresh_from_db()
    assert feedback.state == before


def test_the_sender_can_reply_only_when_asked(world, topic):
    feedback = in_progress(world, topic)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.feedback_sender_reply(feedback=feedback, message="Thêm thông tin")
    assert "No information has been asked" in caught.value.messages[0]


def test_classification_needs_a_reason_or_a_unit(world, topic):
    feedback = received(world, topic)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            services.feedback_classify(
                actor=world.a.coordinator, feedback=feedback, classification="not_accepted"
            )
        assert "note" in refused.value.message_dict
        with pytest.raises(ValidationError) as forwarded:
            services.feedback_classify(
                actor=world.a.coordinator, feedback=feedback, classification="forward"
            )
        assert "agency" in forwarded.value.message_dict["note"][0]
        with pytest.raises(ValidationError) as no_unit:
            services.feedback_classify(
                actor=world.a.coordinator, feedback=feedback, classification="staff_conduct"
            )
        assert "unit" in no_unit.value.message_dict
        with pytest.raises(ValidationError) as foreign_unit:
            services.feedback_classify(
                actor=world.a.coordinator,
                feedback=feedback,
                classification="within_competence",
                unit=world.b.unit,
            )
        assert "unit" in foreign_unit.value.message_dict
    feedback.refresh_from_db()
    assert feedback.state == FeedbackState.RECEIVED


def test_the_unit_head_names_a_handler_but_does_not_move_the_item(world, topic):
    feedback = in_progress(world, topic)
    feedback = services.feedback_assign(
        actor=world.a.unit_head, feedback=feedback, unit=world.a.unit, handler=world.a.officer
    )
    assert feedback.handler == world.a.officer
    with pytest.raises(ValidationError) as moved:
        services.feedback_assign(
            actor=world.a.unit_head, feedback=feedback, unit=world.a.other_unit
        )
    assert "unit" in moved.value.message_dict
    with pytest.raises(ValidationError) as outsider:
        services.feedback_assign(
            actor=world.a.coordinator,
            feedback=feedback,
            unit=world.a.unit,
            handler=world.a.other_officer,
        )
    assert "handler" in outsider.value.message_dict
    # The coordinator moves it; the officers of the new unit handle it from then on.
    feedback = services.feedback_assign(
        actor=world.a.coordinator,
        feedback=feedback,
        unit=world.a.other_unit,
        handler=world.a.other_officer,
    )
    services.feedback_request_info(
        actor=world.a.other_officer, feedback=feedback, message="Xin bổ sung."
    )
    with pytest.raises(PermissionDenied):
        services.feedback_answer(
            actor=world.a.officer, feedback=feedback, answer="x", public_summary="y"
        )


def test_the_whole_handling_and_what_the_sender_sees(
    world, topic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        feedback = received(world, topic)
    assert Notification.objects.filter(user=world.a.coordinator, kind="feedback_new").exists()
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_classify(
            actor=world.a.coordinator,
            feedback=feedback,
            classification="within_competence",
            unit=world.a.unit,
            note="Giao Phòng Nghiệp vụ 1 xử lý.",
        )
    assert Notification.objects.filter(user=world.a.unit_head, kind="feedback_assigned").exists()
    feedback = services.feedback_request_info(
        actor=world.a.officer, feedback=feedback, message="Đề nghị cho biết mã hồ sơ."
    )
    feedback = services.feedback_sender_reply(feedback=feedback, message="Mã hồ sơ STP-1.")
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_answer(
            actor=world.a.officer,
            feedback=feedback,
            answer="Cơ quan đã giảm thành phần hồ sơ.",
            public_summary="Kiến nghị giảm thành phần hồ sơ.",
        )
    assert Notification.objects.filter(user=world.a.leader, kind="feedback_approve").exists()
    feedback = services.feedback_return_draft(
        actor=world.a.leader, feedback=feedback, note="Nêu rõ căn cứ."
    )
    feedback = services.feedback_answer(
        actor=world.a.officer,
        feedback=feedback,
        answer="Căn cứ Nghị định 118/2025, cơ quan đã giảm thành phần hồ sơ.",
        public_summary="Kiến nghị giảm thành phần hồ sơ.",
    )
    feedback = services.feedback_approve(actor=world.a.leader, feedback=feedback)
    assert feedback.handled_at is not None and feedback.on_time is True
    assert feedback.approved_by == world.a.leader and feedback.answered_by == world.a.officer
    feedback = services.feedback_publish(actor=world.a.coordinator, feedback=feedback)
    assert feedback.state == FeedbackState.PUBLISHED
    assert feedback.due_at is None and feedback.published_at is not None
    assert "can cu nghi dinh 118 2025" in feedback.search_text
    assert "kien nghi giam thanh phan ho so" in feedback.search_text

    public = list(
        FeedbackEvent.objects.filter(feedback=feedback, public=True).values_list(
            "state", "from_sender", "note"
        )
    )
    assert [state for state, _s, _n in public] == [
        "received",
        "in_progress",
        "waiting_sender",
        "in_progress",
        "answered",
        "published",
    ]
    assert ("waiting_sender", False, "Đề nghị cho biết mã hồ sơ.") in public
    assert ("in_progress", True, "Mã hồ sơ STP-1.") in public
    # Internal notes (the classification note, the leader's remark) are not shown.
    notes = {note for _s, _f, note in public}
    assert "Giao Phòng Nghiệp vụ 1 xử lý." not in notes and "Nêu rõ căn cứ." not in notes

    # The audit trail has every step and no personal data.
    actions = list(
        AuditEntry.objects.filter(object_id=str(feedback.pk), object_type="feedback.feedback")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[0] == "feedback.submit" and actions[-1] == "feedback.publish"
    assert "feedback.sender_reply" in actions and "feedback.return_draft" in actions
    dumped = json.dumps(
        list(AuditEntry.objects.values_list("changes", flat=True)), ensure_ascii=False
    )
    assert "0912345678" not in dumped and "Nguyễn Thị Người Gửi" not in dumped


def test_rating_after_publication_once(world, topic):
    feedback = answered(world, topic)
    with pytest.raises(ValidationError):
        services.feedback_rate(feedback=feedback, rating=5)  # not published yet
    feedback = services.feedback_publish(actor=world.a.leader, feedback=feedback)
    with pytest.raises(ValidationError):
        services.feedback_rate(feedback=feedback, rating=9)
    feedback = services.feedback_rate(feedback=feedback, rating=4)
    assert feedback.rating == 4
    with pytest.raises(ValidationError):
        services.feedback_rate(feedback=feedback, rating=1)
    feedback.refresh_from_db()
    assert feedback.rating == 4


def test_a_late_first_request_is_recorded(world, topic, clock):
    clock.set("2026-08-21 10:00")
    feedback = in_progress(world, topic)
    clock.set("2026-09-03 09:00")  # past the first-request limit (27/08)
    services.feedback_request_info(actor=world.a.officer, feedback=feedback, message="Bổ sung.")
    entry = AuditEntry.objects.get(action="feedback.request_info")
    assert entry.changes["first_request_late"] is True
    assert entry.changes["first_request"] is True


def _dossier(agency, code="STP-260302-0001"):
    import datetime as dt

    from cchc.procedures.models import Procedure

    received = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    procedure = Procedure.objects.create(
        agency=agency, code="1.000001", name="Thủ tục", time_limit=5
    )
    return Dossier.objects.create(
        agency=agency,
        procedure=procedure,
        code=code,
        channel=1,
        received_at=received,
        due_at=received + dt.timedelta(days=7),
        status=4,
        received_day=received.date(),
    )


def test_feedback_taken_up_about_a_dossier_counts_against_it(world, topic):
    dossier = _dossier(world.a.agency)
    refused = submit(world, topic, dossier_code=dossier.code.lower())
    assert refused.dossier == dossier  # found whatever the case
    services.feedback_classify(
        actor=world.a.coordinator,
        feedback=refused,
        classification="not_accepted",
        note="Không thuộc phạm vi.",
    )
    dossier.refresh_from_db()
    assert dossier.negative_feedback is False
    taken = submit(world, topic, dossier_code=dossier.code)
    services.feedback_classify(
        actor=world.a.coordinator,
        feedback=taken,
        classification="staff_conduct",
        unit=world.a.unit,
    )
    dossier.refresh_from_db()
    assert dossier.negative_feedback is True


def test_an_item_waiting_before_classification_is_not_assigned(world, topic):
    feedback = services.feedback_request_info(
        actor=world.a.coordinator, feedback=received(world, topic), message="Bổ sung."
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.feedback_assign(actor=world.a.coordinator, feedback=feedback, unit=world.a.unit)
    assert caught.value.messages == ["Classify the feedback before assigning it."]


def _mails_to(address):
    """The e-mails queued for ``address`` (rows of the database queue the worker will send;
    running the worker here would close the test's connection on PostgreSQL)."""
    from django_tasks_db.models import DBTaskResult

    return [
        result.args_kwargs["kwargs"]
        for result in DBTaskResult.objects.filter(task_path="cchc.core.tasks.send_email")
        if result.args_kwargs["kwargs"]["to"] == [address]
    ]


def test_the_sender_is_told_by_email_of_a_request_and_of_the_published_answer(
    world, topic, settings, django_capture_on_commit_callbacks
):
    settings.CCHC_BASE_URL = "https://cchc.example.gov.vn"
    address = "nguoi.gui@example.vn"
    feedback = submit(world, topic, contact_email=address)
    services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_request_info(
            actor=world.a.officer, feedback=feedback, message="Đề nghị cho biết mã hồ sơ."
        )
    mails = _mails_to(address)
    assert len(mails) == 1
    link = f"https://cchc.example.gov.vn/p/feedback/{feedback.tracking_code}/"
    assert feedback.public_id in mails[0]["subject"] and link in mails[0]["body"]
    assert "thêm thông tin" in mails[0]["subject"]  # Vietnamese, whatever the actor's language
    # The request itself is read on the tracking page, not sent around by e-mail.
    assert "mã hồ sơ" not in mails[0]["body"]

    feedback = services.feedback_sender_reply(feedback=feedback, message="Mã hồ sơ STP-1.")
    feedback = services.feedback_answer(
        actor=world.a.officer, feedback=feedback, answer="Đã giảm.", public_summary="Kiến nghị."
    )
    feedback = services.feedback_approve(actor=world.a.leader, feedback=feedback)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_publish(actor=world.a.coordinator, feedback=feedback)
    mails = _mails_to(address)
    published = [m for m in mails if "công khai" in m["subject"]]
    assert len(mails) == 2 and len(published) == 1 and link in published[0]["body"]


def test_no_email_when_the_sender_gave_none(world, topic, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from cchc.core.models import User

    feedback = submit(world, topic)  # a phone number only
    services.feedback_classify(
        actor=world.a.coordinator,
        feedback=feedback,
        classification="within_competence",
        unit=world.a.unit,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_request_info(
            actor=world.a.coordinator, feedback=feedback, message="Cho biết thêm."
        )
    staff = set(User.objects.exclude(email="").values_list("email", flat=True))
    recipients = {
        address
        for result in DBTaskResult.objects.filter(task_path="cchc.core.tasks.send_email")
        for address in result.args_kwargs["kwargs"]["to"]
    }
    # Staff may be e-mailed about the step; no mail goes anywhere else.
    assert recipients <= staff
