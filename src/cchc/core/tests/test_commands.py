"""Operator commands: create_agency, create_user, demo, scheduler and run_periodic."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
import zlib
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.core import schedule
from cchc.core.management.commands import demo
from cchc.core.models import Agency, AgencyKind, AuditEntry, Membership, PeriodicRun, Role, User
from cchc.plans.models import Comment, Evidence, Plan, Task, TaskStatus

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


def fails(*args: str) -> tuple[CommandError, dict | None]:
    """Run a command expected to fail; return the error and, with --json, the printed payload."""
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(*args, stdout=out, stderr=io.StringIO())
    assert info.value.returncode == 1
    printed = out.getvalue().strip()
    return info.value, json.loads(printed) if "--json" in args else None


def counts() -> tuple[int, ...]:
    return (
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )


# --- create_agency ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_agency_province_then_agency():
    province = run_json("create_agency", "T99", "Tỉnh Mới", "--kind", "province")
    assert province == {"id": province["id"], "code": "T99", "name": "Tỉnh Mới"} | {
        "kind": "province",
        "parent": None,
    }
    text = run("create_agency", "SXD", "Sở Xây dựng", "--parent", "t99")
    assert "SXD" in text
    agency = Agency.objects.get(code="SXD")
    assert agency.parent.code == "T99" and agency.kind == AgencyKind.AGENCY
    entry = AuditEntry.objects.get(action="agency.create", object_id=str(agency.pk))
    assert entry.agency == agency and entry.changes["parent"] == "Tỉnh Mới"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("SXD", "Sở Xây dựng", "--parent", "NOPE"), "parent"),
        (("SXD", "Sở Xây dựng"), "parent"),  # an agency needs its province
        (("T01", "Tỉnh Trùng", "--kind", "province"), "code"),  # duplicate (case-insensitive)
        (("t01", "Tỉnh Trùng", "--kind", "province"), "code"),
        (("SXD", "Sở Xây dựng", "--parent", "T01", "--kind", "ministry"), "kind"),
        (("S X/D", "Sở Xây dựng", "--parent", "T01"), "code"),
        (("SXD", "  ", "--parent", "T01"), "name"),
        (("T02", "Tỉnh Con", "--kind", "province", "--parent", "T01"), "parent"),
    ],
)
def test_create_agency_rejects_bad_input(world, args, field):
    before = counts()
    error, payload = fails("create_agency", *args, "--json")
    assert set(payload) == {"error"}
    assert field in payload["error"]["fields"]
    assert payload["error"]["message"] == str(error)
    assert counts() == before
    # Without --json: the same error, nothing printed on standard output.
    error_text, payload_text = fails("create_agency", *args)
    assert str(error_text) == str(error) and payload_text is None


# --- create_user -----------------------------------------------------------------------------


def test_create_user_with_password_json(world, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    data = run_json(
        "create_user",
        "stp_new",
        "--agency",
        "STP",
        "--role",
        "unit_head",
        "--unit",
        "P2",
        "--password",
        "Rat-kho-doan-2026",
        "--email",
        "new@example.gov.vn",
        "--full-name",
        "Nguyễn Thị Mới",
    )
    assert data == {
        "id": data["id"],
        "username": "stp_new",
        "full_name": "Nguyễn Thị Mới",
        "email": "new@example.gov.vn",
        "agency": "STP",
        "role": "unit_head",
        "unit": "P2",
        "is_superuser": False,
    }  # the given password is never echoed
    user = authenticate(username="stp_new", password="Rat-kho-doan-2026")
    assert user is not None and user.pk == data["id"]
    membership = user.memberships.get()
    assert (membership.agency, membership.role, membership.unit) == (
        world.a.agency,
        Role.UNIT_HEAD,
        world.a.other_unit,
    )
    entry = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert entry.agency == world.a.agency and entry.changes["role"] == "unit_head"


def test_create_user_generates_and_prints_a_password(world, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    data = run_json("create_user", "it_admin", "--agency", "T01", "--role", "admin")
    assert len(data["password"]) >= 12 and data["is_superuser"]
    assert authenticate(username="it_admin", password=data["password"]).is_staff
    text = run("create_user", "syt_viewer2", "--agency", "SYT", "--role", "viewer")
    password = text.strip().splitlines()[-1].split()[-1]
    assert authenticate(username="syt_viewer2", password=password) is not None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--agency", "NOPE", "--role", "officer"), "agency"),
        (("--agency", "STP", "--role", "officer", "--unit", "NOPE"), "unit"),
        (("--agency", "STP", "--role", "boss"), "role"),
        (("--agency", "STP", "--role", "unit_head"), "unit"),  # a unit head needs a unit
        (("--agency", "STP", "--role", "officer", "--password", "123"), "password"),
        (("--agency", "STP", "--role", "officer", "--password", "password"), "password"),
        (("--agency", "STP", "--role", "officer", "--email", "not-an-email"), "email"),
    ],
)
def test_create_user_rejects_bad_input(world, args, field):
    before = counts()
    error, payload = fails("create_user", "stp_new", *args, "--json")
    assert field in payload["error"]["fields"], payload
    assert payload["error"]["message"] == str(error)
    assert counts() == before
    assert not User.objects.filter(username="stp_new").exists()


def test_create_user_rejects_a_taken_user_name(world):
    before = counts()
    _error, payload = fails(
        "create_user", "STP_Officer", "--agency", "SYT", "--role", "viewer", "--json"
    )
    assert "username" in payload["error"]["fields"]
    assert counts() == before


def test_create_user_rejects_a_unit_of_another_agency(world):
    # P1 exists in both agencies; the command looks it up in the given agency only, and the
    # service itself refuses a foreign unit.
    from django.core.exceptions import ValidationError

    from cchc.core.services import user_create

    with pytest.raises(ValidationError) as info:
        user_create(
            actor=None,
            username="x",
            agency=world.a.agency,
            role=Role.OFFICER,
            unit=world.b.unit,
        )
    assert "unit" in info.value.message_dict
    assert not User.objects.filter(username="x").exists()


# --- demo ------------------------------------------------------------------------------------


def _demo_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Agency, User, Membership, Plan, Task, Evidence, Comment, AuditEntry)
    }


@pytest.mark.django_db
def test_demo_json_logins_work_and_a_second_run_changes_nothing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    data = run_json("demo")
    assert list(data) == ["users"]
    users = data["users"]
    assert all(list(row) == ["username", "password", "role", "agency"] for row in users)
    assert {row["role"] for row in users} == set(Role.values)
    assert {row["agency"] for row in users} == {"DEMO", "DEMO-SNV", "DEMO-STP", "DEMO-XAB"}
    assert {"username": "admin", "password": demo.DEMO_PASSWORD, "role": "admin"} | {
        "agency": "DEMO"
    } in users
    for row in users:
        assert authenticate(username=row["username"], password=row["password"]) is not None, row
    assert User.objects.get(username="admin").is_superuser
    assert all(u.full_name for u in User.objects.all())

    before = _demo_counts()
    assert run_json("demo") == data
    text = run("demo")
    assert _demo_counts() == before
    assert "stp.coordinator" in text and demo.DEMO_PASSWORD in text


@pytest.mark.django_db
def test_demo_plans_look_like_real_plans_and_reset_reloads(django_capture_on_commit_callbacks):
    run("demo")
    today = timezone.localdate()
    province = Agency.objects.get(code="DEMO")
    assert province.kind == AgencyKind.PROVINCE and province.name == "Tỉnh Demo"
    for code, symbol in (("DEMO-STP", "KH-STP"), ("DEMO-XAB", "KH-UBND")):
        plan = Plan.objects.get(agency__code=code)
        assert plan.symbol == symbol and plan.status == "issued"
        assert plan.title == f"Kế hoạch cải cách hành chính năm {plan.year}"
        top = plan.tasks.filter(parent__isnull=True)
        assert 35 <= top.count() <= 50
        assert set(top.values_list("area__number", flat=True)) == set(range(1, 8))
        assert top.filter(status=TaskStatus.DONE).count() >= 5
        assert top.filter(status=TaskStatus.IN_PROGRESS).exists()
        assert top.exclude(recurrence="once").exists()  # recurring reports with occurrences
        assert plan.tasks.filter(parent__isnull=False).exists()
        leaves = plan.tasks.filter(children__isnull=True)
        if today.year == plan.year and today.month > 2:
            assert leaves.filter(due_date__lt=today, status__in=["not_started", "in_progress"])
        assert all(t.lead_unit_id for t in top)
        assert top.filter(coordinating_units__isnull=False).exists()
        assert top.filter(assignees__isnull=False).exists()
        assert Evidence.objects.filter(task__plan=plan).count() >= 10
        assert Comment.objects.filter(task__plan=plan).exists()
        # The trail is real: the services wrote it, with actors, dated through the year.
        entries = AuditEntry.objects.filter(agency=plan.agency)
        assert entries.filter(action="task.progress", actor__isnull=False).exists()
        assert entries.filter(at__date__lt=today - dt.timedelta(days=30)).exists()
    kinds = set(Evidence.objects.values_list("content_type", flat=True))
    assert {"application/pdf", "image/png"} <= kinds

    pdf = Evidence.objects.filter(content_type="application/pdf").first()
    with pdf.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")

    first_ids = set(Task.objects.values_list("pk", flat=True))
    old_file = pdf.file.name
    storage = pdf.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        run("demo", "--reset")
    assert not set(Task.objects.values_list("pk", flat=True)) & first_ids
    assert Plan.objects.count() == 2 and Agency.objects.filter(code__startswith="DEMO").count() == 4
    assert not storage.exists(old_file)


def test_demo_files_are_well_formed():
    pdf = demo.pdf_bytes(["Báo cáo (kết quả)", "Dòng hai"])
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split()[0])
    assert pdf[start:].startswith(b"xref")
    offsets = [int(line[:10]) for line in pdf[start:].splitlines()[3:8]]
    for number, offset in enumerate(offsets, 1):
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    png = demo.png_bytes(8, 4)
    assert png.startswith(b"\x89PNG") and len(zlib.decompress(png[41:-16])) == 4 * (1 + 8 * 3)
    with zipfile.ZipFile(io.BytesIO(demo.docx_bytes(["Xin chào"]))) as archive:
        assert "Xin chào" in archive.read("word/document.xml").decode()
    with zipfile.ZipFile(io.BytesIO(demo.xlsx_bytes([["a", 1]]))) as archive:
        assert "xl/workbook.xml" in archive.namelist()


# --- scheduler -------------------------------------------------------------------------------


def _local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def _jobs() -> list[str]:
    return list(
        DBTaskResult.objects.filter(task_path__startswith="cchc.plans.tasks.").values_list(
            "task_path", flat=True
        )
    )


def _daily(now: dt.datetime) -> list[tuple[str, str]]:
    return [(d.name, s) for d, s in schedule.due_slots(now) if d.every is None]


def test_due_slots_follow_the_declared_cadence():
    monday_morning = _local(2026, 11, 30, 7, 0)  # a Monday
    assert _daily(monday_morning) == [
        ("due_reminders", "2026-11-30T07:00"),
        ("weekly_digest", "2026-11-30T07:00"),
        ("warm_dashboards", "2026-11-30T06:00"),  # still within its grace
    ]
    # Tuesday before 7:00: only the early duty
    assert _daily(_local(2026, 12, 1, 6, 59)) == [("warm_dashboards", "2026-12-01T06:00")]
    assert _daily(_local(2026, 12, 1, 15, 0)) == [("due_reminders", "2026-12-01T07:00")]
    assert _daily(_local(2026, 12, 6, 23, 0)) == [("due_reminders", "2026-12-06T07:00")]


def test_a_duty_repeated_through_the_day_has_a_slot_every_interval():
    stale = schedule.duty("fail_stale_jobs")
    assert stale.every == dt.timedelta(minutes=15)
    for now, slot in (
        (_local(2026, 12, 1, 0, 5), "2026-12-01T00:05"),
        (_local(2026, 12, 1, 0, 19, 59), "2026-12-01T00:05"),
        (_local(2026, 12, 1, 15, 21), "2026-12-01T15:20"),
        (_local(2026, 12, 2, 0, 2), "2026-12-01T23:50"),
    ):
        assert schedule.slot_key(stale.latest_slot(now)) == slot
    due = {d.name: s for d, s in schedule.due_slots(_local(2026, 12, 1, 15, 21))}
    assert due["fail_stale_jobs"] == "2026-12-01T15:20"


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the worker closes a connection left in a transaction
def test_enqueue_due_enqueues_once_per_slot():
    now = _local(2026, 11, 30, 7, 0, 20)
    assert schedule.enqueue_due(now) == [
        ("due_reminders", "2026-11-30T07:00"),
        ("weekly_digest", "2026-11-30T07:00"),
        ("warm_dashboards", "2026-11-30T06:00"),
        ("fail_stale_jobs", "2026-11-30T06:50"),
    ]
    assert schedule.enqueue_due(now + dt.timedelta(seconds=30)) == []
    assert PeriodicRun.objects.count() == 4
    assert sorted(_jobs()) == [
        "cchc.plans.tasks.send_due_reminders_job",
        "cchc.plans.tasks.send_weekly_digest_job",
    ]
    # Another scheduler that passes the existence check still loses on the unique constraint.
    with mock.patch.object(QuerySet, "exists", return_value=False):
        assert schedule.enqueue_due(now + dt.timedelta(seconds=60)) == []
    assert PeriodicRun.objects.count() == 4 and len(_jobs()) == 2
    # The next day brings the next daily slot, and the quarter-hourly duty its own.
    assert schedule.enqueue_due(_local(2026, 12, 1, 7, 1)) == [
        ("due_reminders", "2026-12-01T07:00"),
        ("warm_dashboards", "2026-12-01T06:00"),
        ("fail_stale_jobs", "2026-12-01T06:50"),
    ]
    assert len(_jobs()) == 3

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db
def test_scheduler_once_and_run_periodic_commands():
    with mock.patch("django.utils.timezone.now", return_value=_local(2026, 12, 2, 9, 0)):
        text = run("scheduler", "--once")
    assert PeriodicRun.objects.filter(name="due_reminders").count() == 1
    assert "due_reminders" in text
    with mock.patch("django.utils.timezone.now", return_value=_local(2026, 12, 2, 9, 1)):
        run("scheduler", "--once")
    assert PeriodicRun.objects.filter(name="due_reminders").count() == 1

    result = run_json("run_periodic", "due_reminders")
    assert result["duty"] == "due_reminders" and result["result"]["due_soon"] == 0
    assert "weekly_digest" in run("run_periodic", "--list")
    error, _payload = fails("run_periodic", "nope")
    assert "nope" in str(error)
