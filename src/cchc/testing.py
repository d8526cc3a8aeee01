"""Shared test fixtures: a small province with two agencies and a person of every role in each.

The personas (after Healthchecks' alice/bob/charlie) are named by agency and role, e.g.
``world.a.coordinator`` and ``world.b.officer``: every view and endpoint is tried by the people of
agency A on agency A's objects (allowed or 403) and by agency B's people (404).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from cchc.core.models import Agency, AgencyKind, Membership, Role, Unit, User

PASSWORD = "Mat-khau-thu-2026"


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip a test whose external need (Chromium, PostgreSQL…) is missing — except in CI, where
    ``CCHC_REQUIRE_ALL=1`` makes the missing need a failure, so nothing is skipped silently."""
    if condition:
        return
    if os.environ.get("CCHC_REQUIRE_ALL"):
        pytest.fail(f"Required in CI: {reason}")
    pytest.skip(reason)


def make_user(
    username: str,
    *,
    agency: Agency,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    email: str | None = None,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        full_name=full_name or username,
        email=email if email is not None else f"{username}@example.gov.vn",
    )
    Membership.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


@dataclass
class AgencyPeople:
    agency: Agency
    office: Unit  # Văn phòng
    unit: Unit  # the unit whose head and officer are personas
    other_unit: Unit
    leader: User
    coordinator: User
    unit_head: User
    officer: User
    other_officer: User  # an officer of another unit, not assigned
    viewer: User
    plan: object = None
    task: object = None  # led by ``unit``, assigned to ``officer``
    other_task: object = None  # led by ``other_unit``
    extra: dict = field(default_factory=dict)


def _agency_people(code: str, name: str, province: Agency) -> AgencyPeople:
    agency = Agency.objects.create(code=code, name=name, parent=province)
    office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
    unit = Unit.objects.create(agency=agency, code="P1", name="Phòng Nghiệp vụ 1")
    other = Unit.objects.create(agency=agency, code="P2", name="Phòng Nghiệp vụ 2")
    low = code.lower()
    return AgencyPeople(
        agency=agency,
        office=office,
        unit=unit,
        other_unit=other,
        leader=make_user(
            f"{low}_leader", agency=agency, role=Role.LEADER, full_name="Nguyễn Văn Lãnh"
        ),
        coordinator=make_user(
            f"{low}_coord",
            agency=agency,
            role=Role.COORDINATOR,
            unit=office,
            full_name="Trần Thị Điều Phối",
        ),
        unit_head=make_user(
            f"{low}_head", agency=agency, role=Role.UNIT_HEAD, unit=unit, full_name="Lê Văn Trưởng"
        ),
        officer=make_user(
            f"{low}_officer",
            agency=agency,
            role=Role.OFFICER,
            unit=unit,
            full_name="Phạm Thị Chuyên",
        ),
        other_officer=make_user(
            f"{low}_officer2",
            agency=agency,
            role=Role.OFFICER,
            unit=other,
            full_name="Hoàng Văn Khác",
        ),
        viewer=make_user(
            f"{low}_viewer", agency=agency, role=Role.VIEWER, full_name="Đỗ Thị Thanh Tra"
        ),
    )


def _seed_plan(people: AgencyPeople, year: int) -> None:
    from cchc.plans import services

    plan = services.plan_create(
        actor=people.coordinator, agency=people.agency, year=year, symbol=f"KH-{people.agency.code}"
    )
    area = plan.areas.get(number=3)
    people.plan = plan
    people.task = services.task_create(
        actor=people.coordinator,
        plan=plan,
        area=area,
        title="Rà soát, đơn giản hóa thủ tục hành chính",
        lead_unit=people.unit,
        assignees=[people.officer],
        start_date=dt.date(year, 1, 15),
        due_date=dt.date(year, 6, 30),
        product="Báo cáo kết quả rà soát",
    )
    people.other_task = services.task_create(
        actor=people.coordinator,
        plan=plan,
        area=plan.areas.get(number=5),
        title="Cập nhật vị trí việc làm",
        lead_unit=people.other_unit,
        start_date=dt.date(year, 2, 1),
        due_date=dt.date(year, 9, 30),
    )


def build_world(year: int = 2026) -> SimpleNamespace:
    province = Agency.objects.create(code="T01", name="Tỉnh Thử Nghiệm", kind=AgencyKind.PROVINCE)
    home_affairs = Agency.objects.create(code="SNV", name="Sở Nội vụ", parent=province)
    a = _agency_people("STP", "Sở Tư pháp", province)
    b = _agency_people("SYT", "Sở Y tế", province)
    appraiser = make_user(
        "snv_appraiser", agency=home_affairs, role=Role.APPRAISER, full_name="Vũ Thị Thẩm Định"
    )
    admin = User.objects.create_superuser("admin", "admin@example.gov.vn", PASSWORD)
    _seed_plan(a, year)
    _seed_plan(b, year)
    return SimpleNamespace(
        province=province,
        home_affairs=home_affairs,
        a=a,
        b=b,
        appraiser=appraiser,
        admin=admin,
        year=year,
    )


def fresh_metrics() -> None:
    """Every agency's service metrics are computed anew at their next read (new tokens for their
    inputs, ``cchc.procedures.freshness``), and every agency has a token: a query count then
    measures the computation plus the one read of the tokens."""
    from cchc.core.models import Agency
    from cchc.procedures import freshness

    freshness.mark_changed(None)
    freshness.mark_changed(Agency.objects.values_list("pk", flat=True))
