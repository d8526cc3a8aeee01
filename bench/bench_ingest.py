"""Benchmark 1 of the dossier register: ``ingest_dossiers`` of a generated CSV of 1,000,000
dossiers (a few hundred procedures, several units, dates in 2026) against the engine's own bulk
load of the same file into a plain table of the same columns:

* SQLite: the CSV read with the ``csv`` module and ``executemany`` of its rows in one
  transaction, into a file database;
* PostgreSQL: ``COPY … FROM STDIN (FORMAT csv, HEADER)`` of the file via psycopg, into
  ``postgres://postgres@127.0.0.1:5432/cchc_bench`` (created and dropped here; skipped with a
  message when the server cannot be reached).

The project's ingest runs in a child process on a freshly migrated database of its own (never
the development database), with production settings (``DJANGO_DEBUG=0``); the child times the
command alone and reports its peak RSS (``ru_maxrss``). Prints a table and PASS/FAIL against the
targets (ingest ≥ 50 % of the raw rate, peak memory < 300 MB); exits non-zero on FAIL.

A further column, the *store floor*, shows where the gap comes from: after the ingest, the
dossier rows it wrote are copied inside the engine (``INSERT … SELECT``, no Python at all)
into an empty table with the register's own columns, keys, indexes and foreign keys. That is
the least any ingest keeping this register can spend on writing alone (the first events and
the rollups come on top); it is printed beside the raw load.

Run: ``.venv/bin/python bench/bench_ingest.py [--rows 1000000] [--engines sqlite,postgresql]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "cchc_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
TARGET_RATIO = 0.5
TARGET_RSS_MB = 300
AGENCY = "BENCH"
PROCEDURES = 300
UNITS = 8
HEADER = [
    "MaHoSo",
    "MaTTHC",
    "MaDonVi",
    "KenhThucHien",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThaiHoSo",
    "NgayYeuCauBoSung",
    "NgayCongDanBoSung",
    "SoLanBoSung",
    "HoSoCoThanhPhanSoHoa",
    "DaSoHoaKetQua",
    "DuocThanhToanTrucTuyen",
]


def procedure_code(i: int) -> str:
    return f"1.{i:06d}"


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    """Dossiers received through 2026 in order, as an export of the one-stop system writes
    them: most finished and returned, some late, some with a supplement round, a few open.

    As at a real one-stop desk, a few procedures take most dossiers (Zipf-like weights) and
    each procedure is handled by one unit."""
    rnd = random.Random(seed)
    weights = [1 / (k + 1) ** 1.1 for k in range(PROCEDURES)]
    codes = list(range(PROCEDURES))
    rnd.shuffle(codes)
    picks = rnd.choices(codes, weights, k=rows)
    start = datetime(2026, 1, 2, 7, 30)
    span = (datetime(2026, 12, 25) - start).total_seconds()
    fmt = "%Y-%m-%dT%H:%M:%S"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(HEADER)
        per_day: dict[str, int] = {}
        for i in range(rows):
            received = start + timedelta(seconds=span * i / rows + rnd.random() * 60)
            day = received.strftime("%y%m%d")
            per_day[day] = per_day.get(day, 0) + 1
            code = f"{AGENCY}-{day}-{per_day[day]:05d}"
            limit = rnd.choice((1, 3, 5, 7, 10, 15, 20))
            due = (received + timedelta(days=limit + limit // 5 * 2)).replace(hour=17, minute=0)
            status = rnd.choices((10, 9, 4, 5, 2, 3, 7), (70, 10, 8, 4, 4, 2, 2))[0]
            requested = completed = ""
            rounds = 0
            if rnd.random() < 0.08:
                req = received + timedelta(hours=rnd.randint(4, 72))
                requested = req.strftime(fmt)
                rounds = 1 if rnd.random() < 0.9 else 2
                if status != 5:
                    completed = (req + timedelta(hours=rnd.randint(2, 96))).strftime(fmt)
            finished = returned = ""
            if status in (9, 10):
                end = received + timedelta(hours=rnd.randint(2, 24 * (limit + 5)))
                finished = end.strftime(fmt)
                if status == 10:
                    returned = (end + timedelta(hours=rnd.randint(0, 48))).strftime(fmt)
            # About one row in five writes the Vietnamese way, as some exports do.
            received_text = (
                received.strftime("%d/%m/%Y %H:%M:%S") if i % 5 == 0 else received.strftime(fmt)
            )
            procedure = picks[i]
            out.writerow(
                [
                    code,
                    procedure_code(procedure),
                    f"U{procedure % UNITS + 1}",
                    rnd.choices((1, 2, 3), (45, 50, 5))[0],
                    received_text,
                    due.strftime(fmt),
                    finished,
                    returned,
                    status,
                    requested,
                    completed,
                    rounds,
                    int(rnd.random() < 0.7),
                    int(rnd.random() < 0.5),
                    rnd.choices((0, 1, 2), (60, 30, 10))[0],
                ]
            )


# --- raw loads ---------------------------------------------------------------------------------


def raw_sqlite(csv_path: Path, db_path: Path) -> float:
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f'"{h}" TEXT' for h in HEADER)
    db.execute(f"CREATE TABLE raw_dossier ({columns})")
    marks = ", ".join("?" * len(HEADER))
    began = time.perf_counter()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO raw_dossier VALUES ({marks})", rows)
        db.execute("COMMIT")
    elapsed = time.perf_counter() - began
    db.close()
    return elapsed


def pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def pg_recreate() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_BENCH_DB}")


def pg_drop() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def raw_postgres(csv_path: Path) -> float:
    import psycopg

    with psycopg.connect(PG_URL) as db:
        columns = ", ".join(f'"{h}" text' for h in HEADER)
        db.execute(f"CREATE TABLE raw_dossier ({columns})")
        db.commit()
        began = time.perf_counter()
        with db.cursor() as cursor:
            sql = "COPY raw_dossier FROM STDIN (FORMAT csv, HEADER true)"
            with cursor.copy(sql) as copy, csv_path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        db.commit()
        return time.perf_counter() - began


# --- the project's ingest, in a child process --------------------------------------------------


def child_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        CCHC_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="cchc.settings",
        DJANGO_DEBUG="0",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def child_setup() -> None:
    """Migrate the bench database and create the agency, its units and procedures."""
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command

    from cchc.core.models import Agency, Unit
    from cchc.procedures.models import Procedure

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(code=AGENCY, name="Sở Thử nghiệm hiệu năng")
    Unit.objects.bulk_create(
        Unit(agency=agency, code=f"U{i}", name=f"Phòng {i}") for i in range(1, UNITS + 1)
    )
    Procedure.objects.bulk_create(
        Procedure(
            agency=agency,
            code=procedure_code(i),
            name=f"Thủ tục số {i}",
            time_limit=Decimal((1, 3, 5, 7, 10, 15, 20)[i % 7]),
            fee_bearing=i % 3 == 0,
            paper_result=i % 4 != 0,
            online_level=i % 3,
        )
        for i in range(PROCEDURES)
    )


def child_ingest(csv_path: str) -> None:
    import django

    django.setup()
    import io

    from django.core.management import call_command

    out = io.StringIO()
    began = time.perf_counter()
    call_command("ingest_dossiers", csv_path, agency=AGENCY, json=True, stdout=out)
    elapsed = time.perf_counter() - began
    summary = json.loads(out.getvalue())
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "summary": summary, "rss_mb": rss_kb / 1024}))


def child_floor() -> None:
    """Time ``INSERT … SELECT`` of every stored dossier into an empty table of the same
    definition (columns, unique key, indexes, foreign keys), then drop it."""
    import django

    django.setup()
    from django.db import connection

    from cchc.procedures.models import Dossier

    table = Dossier._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE floor_copy (LIKE {table} INCLUDING ALL)")
            # LIKE copies neither the foreign keys nor their checks; the register has three.
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE floor_copy ADD CONSTRAINT "floor_{name}" {definition}')
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type DESC",
                [table],
            )
            statements = [row[0] for row in cursor.fetchall()]
            for number, sql in enumerate(statements):
                sql = sql.replace(f'"{table}"', '"floor_copy"')
                if sql.startswith("CREATE INDEX"):
                    sql = sql.replace('CREATE INDEX "', f'CREATE INDEX "floor{number}_', 1)
                cursor.execute(sql)
            cursor.execute("PRAGMA cache_size = -65536")  # as the ingest sets it
        began = time.perf_counter()
        with transaction_of(connection):
            cursor.execute(f"INSERT INTO floor_copy SELECT * FROM {table}")
        elapsed = time.perf_counter() - began
        cursor.execute("DROP TABLE floor_copy")
    print(json.dumps({"seconds": elapsed}))


def transaction_of(connection):
    from django.db import transaction

    return transaction.atomic(using=connection.alias)


def run_child(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"child {args[0]} failed")
    return done.stdout


def project_ingest(csv_path: Path, database_url: str, var_dir: Path) -> dict:
    env = child_env(database_url, var_dir)
    run_child(["--child-setup"], env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(run_child(["--child-ingest", str(csv_path)], env).strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # RUSAGE_CHILDREN holds the largest child so far; the ingest child's own figure is exact.
    result["children_rss_mb"] = max(before, after) / 1024
    floor = json.loads(run_child(["--child-floor"], env).strip().splitlines()[-1])
    result["floor_seconds"] = floor["seconds"]
    return result


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--child-setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-ingest", help=argparse.SUPPRESS)
    parser.add_argument("--child-floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_setup:
        child_setup()
        return 0
    if args.child_ingest:
        child_ingest(args.child_ingest)
        return 0
    if args.child_floor:
        child_floor()
        return 0

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    results = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="cchc-bench-") as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "dossiers.csv"
        began = time.perf_counter()
        generate(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        print(
            f"Generated {args.rows:,} dossiers ({size_mb:.0f} MB) in "
            f"{time.perf_counter() - began:.1f} s"
        )
        for engine in engines:
            if engine == "sqlite":
                raw = raw_sqlite(csv_path, tmp / "raw.sqlite3")
                url = f"sqlite:///{tmp / 'ingest.sqlite3'}"
                ingest = project_ingest(csv_path, url, tmp / "var-sqlite")
            elif engine == "postgresql":
                problem = pg_available()
                if problem:
                    print(f"PostgreSQL skipped: the server is not reachable ({problem}).")
                    continue
                pg_recreate()
                try:
                    raw = raw_postgres(csv_path)
                    pg_recreate()
                    ingest = project_ingest(csv_path, PG_URL, tmp / "var-pg")
                finally:
                    pg_drop()
            else:
                raise SystemExit(f"unknown engine {engine}")
            summary = ingest["summary"]
            if summary.get("created") != args.rows or not summary.get("written"):
                print(f"{engine}: the ingest did not load every row: {summary}")
                failed = True
            raw_rate = args.rows / raw
            rate = args.rows / ingest["seconds"]
            ratio = rate / raw_rate
            rss = ingest["rss_mb"]
            ok = ratio >= TARGET_RATIO and rss < TARGET_RSS_MB
            failed |= not ok
            floor = ingest["floor_seconds"]
            results.append((engine, raw, raw_rate, ingest["seconds"], rate, ratio, rss, ok, floor))

    print()
    print(
        f"{'engine':<11}{'raw s':>8}{'raw rows/s':>12}{'ingest s':>10}{'ingest rows/s':>15}"
        f"{'ratio':>8}{'peak RSS':>10}{'floor s':>9}{'floor ratio':>12}  result"
    )
    for engine, raw, raw_rate, seconds, rate, ratio, rss, ok, floor in results:
        print(
            f"{engine:<11}{raw:>8.1f}{raw_rate:>12,.0f}{seconds:>10.1f}{rate:>15,.0f}"
            f"{ratio:>7.0%}{rss:>7.0f} MB{floor:>9.1f}{raw / floor:>11.0%}  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    print(
        f"\nTargets: ingest ≥ {TARGET_RATIO:.0%} of the raw rate, peak RSS < {TARGET_RSS_MB} MB "
        f"({args.rows:,} rows)."
    )
    print(
        "floor: the engine alone copying the stored dossiers (INSERT … SELECT) into an empty "
        "table of the register's definition; floor ratio = its rate ÷ the raw rate."
    )
    print("FAIL" if failed or not results else "PASS")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
