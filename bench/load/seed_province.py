"""Scale the data to a province for the load test: 200 agencies with units and people, one 2026
plan each with 50,000 tasks in total, 5,000,000 dossiers with their rollups.

The dossiers come from the generator of ``bench/bench_kpi.py`` (the same skewed procedures,
finishes, supplements and backlog), 25,000 per agency, written with ``COPY`` as the ingest
writes on PostgreSQL; the rollups are rebuilt once at the end and the planner's statistics
gathered. People: per agency a leader, a coordinator, and for each of 6 units a unit head and
two officers (4,000 people). They all share one password (``PASSWORD``), hashed once with the
production hasher (Argon2) and stored on every row: hashing 4,200 times would cost minutes and
prove nothing; logging in still runs Argon2 on every attempt.

The database (``CCHC_LOAD_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/cchc_load``;
its name must contain ``load``) is dropped and created anew, unless it already holds a marker of
the same scale and generator version, in which case only the migrations are applied.

Run: ``.venv/bin/python bench/load/seed_province.py [--agencies 200] [--tasks 50000]
[--dossiers 5000000] [--force]``; prints the timings of each step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOAD_DATABASE_URL = os.environ.get(
    "CCHC_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_load"
)
# bench_kpi sets up Django on import from these: the load database, and its work directory
# (kept, so that it does not make and leave a temporary one) under var/bench.
os.environ["CCHC_BENCH_DATABASE_URL"] = LOAD_DATABASE_URL
os.environ.setdefault("CCHC_BENCH_DIR", str(ROOT / "var" / "bench" / "load-seed"))
sys.path.insert(0, str(ROOT / "bench"))

import bench_kpi  # noqa: E402  (sets up Django)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cchc.core.models import Agency, AgencyKind, Membership, Role, Unit, User  # noqa: E402
from cchc.plans.models import Area, Plan, PlanStatus, Task, TaskStatus  # noqa: E402
from cchc.procedures import rollups  # noqa: E402
from cchc.procedures.models import Dossier, Procedure  # noqa: E402

PASSWORD = "Tai-thu-tinh-2026"
YEAR = 2026
UNITS_PER_AGENCY = 6
OFFICERS_PER_UNIT = 2
PROCEDURES_PER_AGENCY = 40
SEED_VERSION = 1
AREAS = (
    "Chỉ đạo, điều hành và tuyên truyền CCHC",
    "Cải cách thể chế",
    "Cải cách TTHC; cơ chế một cửa, một cửa liên thông",
    "Cải cách tổ chức bộ máy",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
)
LETTERS = tuple("abcdđeghiklmnopqrstuvxy")  # the Vietnamese item labels: no f, j, w, z


def agency_code(index: int) -> str:
    return f"S{index:03d}"


def username(agency_index: int, role: str, unit: int = 0, number: int = 0) -> str:
    """``s007.coordinator``, ``s007.u3.officer2``: the load test derives logins from these."""
    prefix = agency_code(agency_index).lower()
    if role in (Role.LEADER, Role.COORDINATOR):
        return f"{prefix}.{role}"
    if role == Role.UNIT_HEAD:
        return f"{prefix}.u{unit}.head"
    return f"{prefix}.u{unit}.officer{number}"


def totp_key(name: str) -> str:
    """The TOTP secret (hex) of a seeded person: derived from the username, so that the load
    test computes the codes an authenticator app would show."""
    return hashlib.sha1(f"cchc-load-test:{name}".encode()).hexdigest()


def ensure_two_factor_devices() -> int:
    """A confirmed TOTP device for every seeded person of a role that must use two factors
    (when the two-factor app is installed); returns how many were added."""
    from django.apps import apps

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return 0
    from django_otp.plugins.otp_totp.models import TOTPDevice

    roles = [Role.ADMIN, Role.APPRAISER, Role.LEADER, Role.COORDINATOR]
    user_ids = set(
        Membership.objects.filter(role__in=roles).values_list("user_id", flat=True)
    ) - set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    devices = [
        TOTPDevice(user=user, name="cchc", confirmed=True, key=totp_key(user.username))
        for user in User.objects.filter(pk__in=user_ids)
    ]
    TOTPDevice.objects.bulk_create(devices, batch_size=2000)
    return len(devices)


def _marker(args: argparse.Namespace) -> dict:
    return {
        "database": LOAD_DATABASE_URL,
        "agencies": args.agencies,
        "tasks": args.tasks,
        "dossiers": args.dossiers,
        "seed": args.seed,
        "version": SEED_VERSION,
        "generator": bench_kpi.GENERATOR_VERSION,
    }


def _stored_marker() -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('cchc_load_marker')")
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT body FROM cchc_load_marker")
        row = cursor.fetchone()
    return None if row is None else json.loads(row[0])


def _fresh_database() -> None:
    import psycopg

    name = connection.settings_dict["NAME"]
    if "load" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the load database's name has 'load'")
    connection.close()
    admin = dict(connection.get_connection_params())
    admin["dbname"] = "postgres"
    admin.pop("context", None)
    admin.pop("cursor_factory", None)
    with psycopg.connect(**admin, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')


def _ensure_database() -> None:
    """Create the load database when it does not exist yet (reading the marker needs it)."""
    import psycopg

    name = connection.settings_dict["NAME"]
    admin = dict(connection.get_connection_params())
    admin["dbname"] = "postgres"
    admin.pop("context", None)
    admin.pop("cursor_factory", None)
    with psycopg.connect(**admin, autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{name}"')


def seed_people_and_plans(args: argparse.Namespace, rng: random.Random) -> list[Agency]:
    province = Agency.objects.create(code="T00", name="UBND tỉnh", kind=AgencyKind.PROVINCE)
    agencies = Agency.objects.bulk_create(
        [
            Agency(code=agency_code(i), name=f"Sở thử tải {i:03d}", parent=province)
            for i in range(args.agencies)
        ]
    )
    units = Unit.objects.bulk_create(
        [
            Unit(agency=agency, code=f"P{u}", name=f"Phòng {u}")
            for agency in agencies
            for u in range(UNITS_PER_AGENCY)
        ]
    )
    units_of = {agency.pk: [u for u in units if u.agency_id == agency.pk] for agency in agencies}
    hashed = make_password(PASSWORD)
    people: list[tuple[User, Agency, str, Unit | None]] = []
    for i, agency in enumerate(agencies):
        for role in (Role.LEADER, Role.COORDINATOR):
            people.append((User(username=username(i, role)), agency, role, None))
        for u, unit in enumerate(units_of[agency.pk]):
            people.append(
                (User(username=username(i, Role.UNIT_HEAD, u)), agency, Role.UNIT_HEAD, unit)
            )
            for n in range(1, OFFICERS_PER_UNIT + 1):
                people.append(
                    (User(username=username(i, Role.OFFICER, u, n)), agency, Role.OFFICER, unit)
                )
    for user, _agency, _role, _unit in people:
        user.password = hashed
        user.full_name = user.username
        user.email = f"{user.username}@load.example.gov.vn"
    users = User.objects.bulk_create([p[0] for p in people], batch_size=2000)
    Membership.objects.bulk_create(
        [
            Membership(user=user, agency=agency, role=role, unit=unit)
            for user, (_u, agency, role, unit) in zip(users, people, strict=True)
        ],
        batch_size=2000,
    )
    officers_of: dict[int, list[User]] = {}
    for user, (_u, _agency, role, unit) in zip(users, people, strict=True):
        if role == Role.OFFICER:
            officers_of.setdefault(unit.pk, []).append(user)

    plans = Plan.objects.bulk_create(
        [
            Plan(
                agency=agency,
                year=YEAR,
                title=f"Kế hoạch CCHC năm {YEAR} của {agency.name}",
                number=str(10 + i),
                symbol=f"KH-{agency.code}",
                issued_on=dt.date(YEAR - 1, 12, 20),
                start_date=dt.date(YEAR, 1, 1),
                end_date=dt.date(YEAR, 12, 31),
                status=PlanStatus.ISSUED,
            )
            for i, agency in enumerate(agencies)
        ]
    )
    areas = Area.objects.bulk_create(
        [
            Area(plan=plan, number=n, title=title)
            for plan in plans
            for n, title in enumerate(AREAS, start=1)
        ]
    )
    areas_of = {plan.pk: [a for a in areas if a.plan_id == plan.pk] for plan in plans}
    per_plan = args.tasks // len(plans)
    tasks, leads = [], []
    for index, plan in enumerate(plans):
        count = per_plan + (1 if index < args.tasks % len(plans) else 0)
        plan_units = units_of[plan.agency_id]
        for t in range(count):
            area = areas_of[plan.pk][t % len(AREAS)]
            item = t // len(AREAS)
            unit = plan_units[t % len(plan_units)]
            due = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(30, 364))
            progress = Decimal(rng.choice([0, 0, 10, 25, 50, 75, 100]))
            status = (
                TaskStatus.DONE
                if progress == 100
                else TaskStatus.IN_PROGRESS
                if progress
                else TaskStatus.NOT_STARTED
            )
            tasks.append(
                Task(
                    plan=plan,
                    agency_id=plan.agency_id,
                    area=area,
                    code=f"{area.code}.{item + 1}.{LETTERS[t % len(LETTERS)]}",
                    title=f"Nhiệm vụ {item + 1} thuộc lĩnh vực {area.number}: {area.title}",
                    lead_unit=unit,
                    start_date=dt.date(YEAR, 1, 1),
                    due_date=due,
                    product="Báo cáo kết quả thực hiện",
                    status=status,
                    progress=progress,
                    position=t,
                )
            )
            leads.append(unit)
    tasks = Task.objects.bulk_create(tasks, batch_size=5000)
    through = Task.assignees.through
    through.objects.bulk_create(
        [
            through(task_id=task.pk, user_id=rng.choice(officers_of[unit.pk]).pk)
            for task, unit in zip(tasks, leads, strict=True)
        ],
        batch_size=10000,
    )
    return agencies


def seed_dossiers(args: argparse.Namespace, rng: random.Random, agencies: list[Agency]) -> None:
    columns = bench_kpi._db_columns()
    code_at = columns.index(Dossier._meta.get_field("code").column)
    per_agency = args.dossiers // len(agencies)
    for index, agency in enumerate(agencies):
        units = list(Unit.objects.filter(agency=agency).order_by("code"))
        procedures = Procedure.objects.bulk_create(
            [
                Procedure(
                    agency=agency,
                    code=f"{index + 1}.{p:06d}",
                    name=f"Thủ tục {p}",
                    field=f"Lĩnh vực {p % 12}",
                    time_limit=Decimal(rng.choice([1, 3, 5, 7, 10, 15, 20, 30])),
                    online_level=rng.choice([0, 1, 2, 2]),
                    fee_bearing=rng.random() < 0.4,
                    paper_result=rng.random() < 0.7,
                    valid_from=dt.date(2020, 1, 1),
                )
                for p in range(PROCEDURES_PER_AGENCY)
            ]
        )
        count = per_agency + (1 if index < args.dossiers % len(agencies) else 0)
        batch = []
        with transaction.atomic(), connection.cursor() as cursor:
            for number, (row, _csv) in enumerate(bench_kpi.generate(rng, count, procedures, units)):
                row = list(row)
                row[code_at] = f"{agency.code}-{number:07d}"
                batch.append(row)
                if len(batch) == bench_kpi.CHUNK:
                    bench_kpi._insert_rows(cursor, "", columns, batch)
                    batch = []
            if batch:
                bench_kpi._insert_rows(cursor, "", columns, batch)
        if (index + 1) % 20 == 0:
            print(f"  dossiers: {index + 1} of {len(agencies)} agencies", flush=True)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--agencies", type=int, default=200)
    options.add_argument("--tasks", type=int, default=50_000)
    options.add_argument("--dossiers", type=int, default=5_000_000)
    options.add_argument("--seed", type=int, default=2026)
    options.add_argument("--force", action="store_true", help="reload even when the marker fits")
    args = options.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("the load database must be PostgreSQL (CCHC_LOAD_DATABASE_URL)")

    began = time.perf_counter()
    _ensure_database()
    if not args.force and _stored_marker() == _marker(args):
        call_command("migrate", verbosity=0)
        print(
            f"{LOAD_DATABASE_URL}: already seeded at this scale; migrations applied "
            f"({time.perf_counter() - began:.1f} s)"
        )
        return 0
    _fresh_database()
    rng = random.Random(args.seed)
    step = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - step:.1f} s", flush=True)
    step = time.perf_counter()
    with transaction.atomic():
        agencies = seed_people_and_plans(args, rng)
    print(
        f"agencies, units, {User.objects.count():,} people, plans, "
        f"{Task.objects.count():,} tasks: {time.perf_counter() - step:.1f} s",
        flush=True,
    )
    print(f"two-factor devices: {ensure_two_factor_devices():,}", flush=True)
    step = time.perf_counter()
    seed_dossiers(args, rng, agencies)
    print(f"{args.dossiers:,} dossiers (COPY): {time.perf_counter() - step:.1f} s", flush=True)
    step = time.perf_counter()
    rollups.rebuild()
    print(f"rollups.rebuild: {time.perf_counter() - step:.1f} s", flush=True)
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CREATE TABLE cchc_load_marker (body text NOT NULL)")
        cursor.execute("INSERT INTO cchc_load_marker VALUES (%s)", [json.dumps(_marker(args))])
    print(f"analyse + marker: {time.perf_counter() - step:.1f} s")
    print(f"seeded {LOAD_DATABASE_URL} in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        connection.close()
