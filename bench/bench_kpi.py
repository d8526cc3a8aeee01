"""Benchmark 2 of the service-quality metrics: the yearly metrics (DESIGN.md §4.3) of one agency
over 1,000,000 dossiers — ``cchc.procedures.metrics.compute`` (daily rollups + the backlog open
at the year's end) against DuckDB computing the same counts and rates from the same rows as CSV.

The dossiers (received 01/12/2025 – 31/12/2026, 300 procedures with a skewed popularity, 8 units,
finishes, returns, refusals, withdrawals, supplements, second rounds, open backlog) are written
with bulk inserts straight into a temporary SQLite database (derived fields from ``rules``, as
the ingest stores them), the rollups rebuilt with ``rollups.rebuild``, and the same rows exported
to ``dossiers.csv`` (+ ``procedures.csv``, the catalogue). DuckDB implements §4.3 in SQL: finish
= finished_at, else returned_at, else status_at of states 3/7/8; the supplement pause and the
stop at an uncompleted request; second rounds late; the paper-result rule of digitisation;
online payment over fee-bearing procedures; rates rounded half up on the exact fraction.

Rows timed (median of ``--runs``): ``compute`` (the project's answer, from the rollups), DuckDB
over the CSV (``read_csv`` each run: the scan the target is about), and for information DuckDB
over a table already loaded in memory. The answer must equal DuckDB's and ``metrics_direct``'s
(a plain loop over every dossier with ``rules``, untimed). PASS when identical and ``compute``
is at least as fast as DuckDB's scan of the CSV. Exits non-zero on FAIL.

Run: ``.venv/bin/python bench/bench_kpi.py [--rows 1000000] [--runs 7] [--no-direct]``
(needs ``duckdb``, a dev dependency).

Two environment variables, read by ``bench_report.py`` too:

* ``CCHC_BENCH_DIR=/some/dir`` keeps the work directory (database file and CSVs) and the
  database after the run, and reuses them when they already hold the same ``--rows`` and
  ``--seed`` (a 1,000,000-row load takes minutes); migrations are applied all the same. Remove
  the directory after changing the generator or the rollups. Without it, a temporary directory
  is made and removed.
* ``CCHC_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_perf_bench`` runs on
  PostgreSQL instead of SQLite: the database (its name must contain ``bench``) is dropped and
  created anew for a fresh load, filled with ``COPY`` and analysed, and dropped at the end
  unless ``CCHC_BENCH_DIR`` keeps it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
KEEP = bool(os.environ.get("CCHC_BENCH_DIR"))
WORKDIR = (
    Path(os.environ["CCHC_BENCH_DIR"]).resolve()
    if KEEP
    else Path(tempfile.mkdtemp(prefix="cchc-bench-kpi-"))
)
WORKDIR.mkdir(parents=True, exist_ok=True)
SQLITE_FILE = WORKDIR / "bench.sqlite3"
DATABASE_URL = os.environ.get("CCHC_BENCH_DATABASE_URL") or f"sqlite:///{SQLITE_FILE}"
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["CCHC_VAR_DIR"] = str(WORKDIR)
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

import django  # noqa: E402

django.setup()

import duckdb  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cchc.core.models import Agency, AgencyKind, Unit  # noqa: E402
from cchc.procedures import freshness, metrics, rollups, rules  # noqa: E402
from cchc.procedures.models import Dossier, Procedure  # noqa: E402

LOCAL = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh has no daylight saving
UTC_SHIFT = dt.timedelta(hours=7)
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
FIRST_RECEIPT = dt.datetime(2025, 12, 1)
EXTRACTED = dt.datetime(2027, 1, 20)
RECEIPT_SPAN = int((dt.datetime(2027, 1, 1) - FIRST_RECEIPT).total_seconds())
PROCEDURES, UNITS, CHUNK = 300, 8, 50_000
CSV_COLUMNS = [
    "code",
    "procedure_code",
    "unit_code",
    "channel",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "status_at",
    "supplement_requested_at",
    "supplement_completed_at",
    "supplement_rounds",
    "components_digitized",
    "result_digitized",
    "paid_online",
    "negative_feedback",
]


def _db_columns() -> list[str]:
    """The dossier columns in the order the ingest writes them (without the id)."""
    from cchc.procedures.models import Dossier
    from cchc.procedures.store import INSERT_FIELDS

    return [Dossier._meta.get_field(name).column for name in INSERT_FIELDS if name != "id"]


# --- data ----------------------------------------------------------------------------------------


def setup_catalogue(rng: random.Random) -> tuple[Agency, list[Procedure], list[Unit]]:
    province = Agency.objects.create(code="T00", name="Tỉnh", kind=AgencyKind.PROVINCE)
    agency = Agency.objects.create(code="BENCH", name="Sở Thử tải", parent=province)
    units = [
        Unit.objects.create(agency=agency, code=f"P{i}", name=f"Phòng {i}") for i in range(UNITS)
    ]
    procedures = []
    for i in range(PROCEDURES):
        limit = rng.choice([1, 3, 5, 7, 10, 15, 20, 30])
        reduced = rng.choice([None, None, round(limit * rng.uniform(0.4, 0.9), 1)])
        procedures.append(
            Procedure(
                agency=agency,
                code=f"1.{i:06d}",
                name=f"Thủ tục {i}",
                field=f"Lĩnh vực {i % 12}",
                time_limit=Decimal(limit),
                reduced_time_limit=None if reduced is None else Decimal(str(reduced)),
                online_level=rng.choice([0, 1, 2, 2]),
                fee_bearing=rng.random() < 0.4,
                paper_result=rng.random() < 0.7,
                valid_from=dt.date(2020, 1, 1),
                valid_to=dt.date(2026, 6, 30) if i % 50 == 7 else None,
            )
        )
    return agency, Procedure.objects.bulk_create(procedures), units


def _local(seconds_from_origin: int) -> dt.datetime:
    return FIRST_RECEIPT + dt.timedelta(seconds=seconds_from_origin)


def generate(rng: random.Random, count: int, procedures, units):
    """One dossier at a time: (db row, csv row)."""
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(procedures))]
    chosen_procedures = rng.choices(procedures, weights=weights, k=count)
    for index in range(count):
        procedure = chosen_procedures[index]
        unit = None if rng.random() < 0.05 else rng.choice(units)
        received = _local(rng.randrange(RECEIPT_SPAN))
        due_day = received.date() + dt.timedelta(days=int(procedure.time_limit) + 2)
        due = dt.datetime.combine(due_day, dt.time(17, 0))
        finished = returned = status_at = requested = completed = None
        rounds = 0
        if rng.random() < 0.1:
            requested = received + dt.timedelta(seconds=rng.randrange(6 * 86400))
            rounds = 1 if rng.random() < 0.8 else rng.choice([2, 3])
            if rng.random() < 0.7:
                completed = requested + dt.timedelta(seconds=rng.randrange(6 * 86400))
        # Most finish before the due time; the data is extracted on 20/01/2027, so what would
        # finish later is still open then (the backlog at the year's end).
        allowed = (due - received).total_seconds()
        end = received + dt.timedelta(seconds=int(rng.uniform(0.05, 1.08) * allowed))
        if completed is not None:
            end += completed - requested
        roll = rng.random()
        if end > EXTRACTED or roll < 0.007:
            status = 5 if requested is not None and completed is None else 4
        elif roll < 0.75:
            status, finished = 10, end
            returned = end + dt.timedelta(hours=rng.randrange(1, 72))
        elif roll < 0.955:
            status, returned = 10, end
        elif roll < 0.997:
            status, status_at = rng.choice([3, 7, 8]), end
        else:
            status = rng.choice([3, 7, 8])  # ended, time unknown: open for ever (§4.3)
        times = rules.DossierTimes(
            *(
                None if value is None else value.replace(tzinfo=LOCAL)
                for value in (received, due, finished, returned)
            ),
            status,
            None if status_at is None else status_at.replace(tzinfo=LOCAL),
            None if requested is None else requested.replace(tzinfo=LOCAL),
            None if completed is None else completed.replace(tzinfo=LOCAL),
            rounds,
        )
        effective = rules.finished_effective_at(times)
        on_time = rules.on_time_when_finished(times)
        fee = procedure.fee_bearing
        components = rng.random() < 0.85
        result = rng.random() < 0.7
        paid = rng.choice([0, 1, 1, 2]) if fee and rng.random() < 0.8 else 0
        negative = rng.random() < 0.03
        channel = rng.choices([1, 2, 3], weights=[40, 55, 5])[0]
        code = f"BENCH-{index:07d}"
        naive_effective = None if effective is None else effective.replace(tzinfo=None)
        db_row = (
            procedure.agency_id,
            None if unit is None else unit.pk,
            procedure.pk,
            code,
            channel,
            _utc(received),
            _utc(due),
            0,
            _utc(finished),
            _utc(returned),
            status,
            _utc(status_at),
            _utc(requested),
            _utc(completed),
            rounds,
            int(components),
            int(result),
            paid,
            int(negative),
            _utc(naive_effective),
            received.date().isoformat(),
            None if naive_effective is None else naive_effective.date().isoformat(),
            None if on_time is None else int(on_time),
            "bench",
            _utc(dt.datetime(2027, 1, 1)),
        )
        csv_row = (
            code,
            procedure.code,
            "" if unit is None else unit.code,
            channel,
            _iso(received),
            _iso(due),
            _iso(finished),
            _iso(returned),
            status,
            _iso(status_at),
            _iso(requested),
            _iso(completed),
            rounds,
            int(components),
            int(result),
            paid,
            int(negative),
        )
        yield db_row, csv_row


def _utc(local: dt.datetime | None) -> str | None:
    """How Django stores a datetime in SQLite: naive UTC text."""
    return None if local is None else str(local - UTC_SHIFT)


def _iso(local: dt.datetime | None) -> str:
    return "" if local is None else local.isoformat(timespec="seconds")


# Raise when the generator or the rows it writes change, so that a kept database is rebuilt.
GENERATOR_VERSION = 1
MARKER = WORKDIR / "loaded.json"


def _marker(rows: int, seed: int) -> dict:
    return {"database": DATABASE_URL, "rows": rows, "seed": seed, "version": GENERATOR_VERSION}


def _reusable(rows: int, seed: int) -> bool:
    """A kept work directory already loaded with the same rows (and its CSVs still there)."""
    if not KEEP or not MARKER.exists():
        return False
    if not (WORKDIR / "dossiers.csv").exists() or not (WORKDIR / "procedures.csv").exists():
        return False
    if connection.vendor == "sqlite" and not SQLITE_FILE.exists():
        return False
    try:
        return json.loads(MARKER.read_text(encoding="utf-8")) == _marker(rows, seed)
    except ValueError:
        return False


def _fresh_database() -> None:
    """An empty database for a new load: the SQLite file removed, or the PostgreSQL database
    dropped and created again (only one whose name says it is a benchmark's)."""
    MARKER.unlink(missing_ok=True)
    connection.close()
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return
    _postgres_database(create=True)


def _postgres_database(*, create: bool) -> None:
    """Drop the PostgreSQL database of the benchmark (only one whose name says it is a
    benchmark's) and, with ``create``, create it again empty."""
    import psycopg

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: a benchmark database's name has 'bench'")
    admin = dict(connection.get_connection_params())
    admin["dbname"] = "postgres"
    admin.pop("context", None)
    admin.pop("cursor_factory", None)
    with psycopg.connect(**admin, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            server.execute(f'CREATE DATABASE "{name}"')


def _insert_rows(cursor, insert: str, columns: list[str], batch: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        # COPY, as the ingest writes on PostgreSQL (store.PostgresStore); the naive UTC text of
        # the rows is read in the connection's time zone, UTC under USE_TZ.
        sql = f"COPY {Dossier._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in batch:
                copy.write_row(row)
    else:
        cursor.executemany(insert, batch)


def load(rows: int, seed: int) -> tuple[Agency, float, float]:
    """The benchmark's agency with ``rows`` dossiers; the seconds of the bulk insert and of the
    rollup rebuild (both 0 when a kept database is reused)."""
    if _reusable(rows, seed):
        call_command("migrate", verbosity=0)
        return Agency.objects.get(code="BENCH"), 0.0, 0.0
    _fresh_database()
    rng = random.Random(seed)
    call_command("migrate", verbosity=0)
    agency, procedures, units = setup_catalogue(rng)
    with (WORKDIR / "procedures.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "code",
                "fee_bearing",
                "paper_result",
                "online_level",
                "time_limit",
                "reduced_time_limit",
                "valid_from",
                "valid_to",
            ]
        )
        for p in procedures:
            writer.writerow(
                [
                    p.code,
                    int(p.fee_bearing),
                    int(p.paper_result),
                    p.online_level,
                    p.time_limit,
                    "" if p.reduced_time_limit is None else p.reduced_time_limit,
                    p.valid_from or "",
                    p.valid_to or "",
                ]
            )
    columns = _db_columns()
    insert = (
        f"INSERT INTO {Dossier._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    began = time.perf_counter()
    with (
        (WORKDIR / "dossiers.csv").open("w", newline="", encoding="utf-8") as handle,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        batch_db, batch_csv = [], []
        for db_row, csv_row in generate(rng, rows, procedures, units):
            batch_db.append(db_row)
            batch_csv.append(csv_row)
            if len(batch_db) == CHUNK:
                _insert_rows(cursor, insert, columns, batch_db)
                writer.writerows(batch_csv)
                batch_db, batch_csv = [], []
        if batch_db:
            _insert_rows(cursor, insert, columns, batch_db)
            writer.writerows(batch_csv)
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    rollups.rebuild(agency.pk)
    rebuilt = time.perf_counter() - began
    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum would gather them shortly after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if KEEP:
        MARKER.write_text(json.dumps(_marker(rows, seed)), encoding="utf-8")
    return agency, loaded, rebuilt


def cleanup() -> None:
    """Close the connection; remove the work directory and a PostgreSQL database unless they
    are kept."""
    connection.close()
    if KEEP:
        return
    if connection.vendor == "postgresql":
        _postgres_database(create=False)
    shutil.rmtree(WORKDIR, ignore_errors=True)


# --- DuckDB ------------------------------------------------------------------------------------

DOSSIER_TYPES = {
    "code": "VARCHAR",
    "procedure_code": "VARCHAR",
    "unit_code": "VARCHAR",
    "channel": "INTEGER",
    "received_at": "TIMESTAMP",
    "due_at": "TIMESTAMP",
    "finished_at": "TIMESTAMP",
    "returned_at": "TIMESTAMP",
    "status": "INTEGER",
    "status_at": "TIMESTAMP",
    "supplement_requested_at": "TIMESTAMP",
    "supplement_completed_at": "TIMESTAMP",
    "supplement_rounds": "INTEGER",
    "components_digitized": "INTEGER",
    "result_digitized": "INTEGER",
    "paid_online": "INTEGER",
    "negative_feedback": "INTEGER",
}
PROCEDURE_TYPES = {
    "code": "VARCHAR",
    "fee_bearing": "INTEGER",
    "paper_result": "INTEGER",
    "online_level": "INTEGER",
    "time_limit": "DECIMAL(8,2)",
    "reduced_time_limit": "DECIMAL(8,2)",
    "valid_from": "DATE",
    "valid_to": "DATE",
}


def _read_csv(path: Path, types: dict[str, str]) -> str:
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
    return f"read_csv('{path}', header = true, columns = {{{columns}}})"


def _hundredths(numerator: str, denominator: str) -> str:
    """numerator ÷ denominator × 100 in hundredths, half up, exactly; NULL on a zero
    denominator (both non-negative integers)."""
    n, d = f"CAST({numerator} AS HUGEINT)", f"CAST({denominator} AS HUGEINT)"
    return f"CASE WHEN {d} = 0 THEN NULL ELSE ({n} * 20000 + {d}) // (2 * {d}) END"


def duckdb_sql(dossiers: str, procedures: str) -> str:
    start = f"TIMESTAMP '{START} 00:00:00'"
    end = f"TIMESTAMP '{END} 23:59:59.999999'"
    return f"""
WITH p AS (SELECT * FROM {procedures}),
base AS (
  SELECT d.*, p.fee_bearing, p.paper_result,
         COALESCE(d.finished_at, d.returned_at,
                  CASE WHEN d.status IN (3, 7, 8) THEN d.status_at END) AS fin
  FROM {dossiers} d JOIN p ON p.code = d.procedure_code
),
eff AS (
  SELECT *,
         received_at BETWEEN {start} AND {end} AS rec_in,
         fin IS NOT NULL AND fin <= {end} AS fin_by_end,
         received_at <= {end} AND (fin IS NULL OR fin >= {start}) AS in_scope,
         CASE WHEN fin IS NOT NULL AND fin <= {end} THEN fin ELSE {end} END AS eff_end
  FROM base
),
supp AS (
  SELECT *,
         supplement_requested_at IS NOT NULL
           AND received_at <= supplement_requested_at
           AND supplement_requested_at <= eff_end AS req_in
  FROM eff
),
clock AS (
  SELECT *,
         CASE
           WHEN req_in AND (supplement_completed_at IS NULL OR supplement_completed_at > eff_end)
             THEN supplement_requested_at
           WHEN req_in AND supplement_completed_at >= supplement_requested_at
             THEN eff_end - (supplement_completed_at - supplement_requested_at)
           ELSE eff_end
         END AS clock_end
  FROM supp
),
c AS (
  SELECT
    count(*) FILTER (WHERE rec_in) AS received,
    count(*) FILTER (WHERE in_scope) AS in_scope,
    count(*) FILTER (WHERE in_scope AND supplement_rounds < 2 AND clock_end <= due_at) AS on_time,
    count(*) FILTER (WHERE rec_in AND channel = 2) AS online,
    count(*) FILTER (WHERE rec_in AND components_digitized = 1
                     AND (result_digitized = 1 OR paper_result = 0 OR NOT fin_by_end)) AS digitized,
    count(*) FILTER (WHERE rec_in AND fee_bearing = 1) AS fee_bearing,
    count(*) FILTER (WHERE rec_in AND fee_bearing = 1 AND paid_online IN (1, 2)) AS paid_online,
    count(*) FILTER (WHERE rec_in AND negative_feedback = 1) AS negative
  FROM clock
),
cat AS (
  SELECT count(*) AS procedures,
         count(*) FILTER (WHERE online_level >= 1) AS online,
         count(*) FILTER (WHERE reduced_time_limit IS NOT NULL AND time_limit > 0
                          AND reduced_time_limit * 100 <= time_limit * 65) AS reduced
  FROM p
  WHERE (valid_from IS NULL OR valid_from <= DATE '{END}')
    AND (valid_to IS NULL OR valid_to >= DATE '{START}')
),
sat AS (
  SELECT CAST(in_scope AS HUGEINT) * received * 100 - CAST(in_scope - on_time AS HUGEINT)
           * received * 100 - CAST(negative AS HUGEINT) * in_scope * 100 AS num,
         CAST(in_scope AS HUGEINT) * received AS den
  FROM c
)
SELECT c.received, c.in_scope, c.on_time, c.in_scope - c.on_time AS late, c.online,
       c.digitized, c.fee_bearing, c.paid_online,
       {_hundredths("c.on_time", "c.in_scope")} AS on_time_rate,
       {_hundredths("c.online", "c.received")} AS online_rate,
       {_hundredths("c.digitized", "c.received")} AS digitization_rate,
       {_hundredths("c.paid_online", "c.fee_bearing")} AS online_payment_rate,
       {_hundredths("cat.online", "cat.procedures")} AS procedures_online_rate,
       {_hundredths("cat.reduced", "cat.procedures")} AS time_reduction_coverage,
       CASE WHEN sat.den = 0 THEN NULL
            WHEN sat.num <= 0 THEN 0
            ELSE (sat.num * 200 + sat.den) // (2 * sat.den) END AS handling_satisfaction_rate
FROM c, cat, sat
"""


def duckdb_answer(row: tuple) -> tuple[dict, dict]:
    counts = dict(zip(metrics.COUNT_KEYS, (int(v) for v in row[:8]), strict=True))
    rate_keys = metrics.RATE_KEYS[:-1]  # feedback_on_time_rate: not measured here
    rates = {
        key: None if value is None else Decimal(int(value)).scaleb(-2)
        for key, value in zip(rate_keys, row[8:], strict=True)
    }
    rates["feedback_on_time_rate"] = None
    return counts, rates


# --- timing ------------------------------------------------------------------------------------


def median_seconds(function, runs: int, setup=None) -> tuple[float, object]:
    """The median of ``runs`` timed calls after one warm-up; ``setup`` runs untimed before each."""
    result = function()  # warm-up
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=1_000_000)
    options.add_argument("--runs", type=int, default=7)
    options.add_argument("--seed", type=int, default=766)
    options.add_argument("--no-direct", action="store_true", help="skip metrics_direct")
    args = options.parse_args()

    agency, loaded, rebuilt = load(args.rows, args.seed)
    received_rows = agency_rows = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procedures_receivedrollup")
        received_rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM procedures_finishedrollup")
        agency_rows = cursor.fetchone()[0]

    def project():
        return metrics.compute(agency_ids=[agency.pk], start=START, end=END)

    def outdate():
        # Each timed run computes: the figures cache (cchc.procedures.freshness) is told the
        # agency's inputs changed, as an ingest would, outside the timing.
        with transaction.atomic():
            freshness.mark_changed([agency.pk])

    project_s, answer = median_seconds(project, args.runs, setup=outdate)
    cached_s, _cached = median_seconds(project, args.runs)
    backlog = answer.details["open_at_end"]

    duck = duckdb.connect()
    dossiers_csv = _read_csv(WORKDIR / "dossiers.csv", DOSSIER_TYPES)
    procedures_csv = _read_csv(WORKDIR / "procedures.csv", PROCEDURE_TYPES)
    scan_sql = duckdb_sql(dossiers_csv, procedures_csv)
    csv_s, csv_row = median_seconds(lambda: duck.execute(scan_sql).fetchone(), args.runs)
    duck.execute(f"CREATE TABLE dossiers AS SELECT * FROM {dossiers_csv}")
    duck.execute(f"CREATE TABLE procedures AS SELECT * FROM {procedures_csv}")
    table_sql = duckdb_sql("dossiers", "procedures")
    table_s, table_row = median_seconds(lambda: duck.execute(table_sql).fetchone(), args.runs)

    duck_counts, duck_rates = duckdb_answer(csv_row)
    same_as_duckdb = (
        answer.counts == duck_counts
        and answer.rates == duck_rates
        and duckdb_answer(table_row) == (duck_counts, duck_rates)
    )
    same_as_direct = None
    direct_s = None
    if not args.no_direct:
        began = time.perf_counter()
        direct = metrics.metrics_direct(agency_ids=[agency.pk], start=START, end=END)
        direct_s = time.perf_counter() - began
        same_as_direct = (direct.counts, direct.rates, direct.points, direct.details) == (
            answer.counts,
            answer.rates,
            answer.points,
            answer.details,
        )

    size_mb = (WORKDIR / "dossiers.csv").stat().st_size / 1e6
    print(
        f"{args.rows:,} dossiers of one agency (CSV {size_mb:.0f} MB), year {START.year}; "
        f"bulk insert {loaded:.1f} s, rollups.rebuild {rebuilt:.1f} s; rollup rows: "
        f"{received_rows:,} received, {agency_rows:,} finished; open at year end: {backlog:,}; "
        f"DuckDB {duckdb.__version__}, {os.cpu_count()} CPUs"
    )
    header = ("engine", "source", "median ms", "same numbers")
    widths = [34, 36, 10, 12]
    lines = [
        ("cchc metrics.compute", "SQLite rollups + open backlog", project_s, "—"),
        ("cchc, for information", "cached answer, data unchanged", cached_s, "—"),
        ("DuckDB SQL (§4.3)", "read_csv of dossiers.csv", csv_s, same_as_duckdb),
        ("DuckDB SQL (§4.3), for information", "table already in memory", table_s, same_as_duckdb),
    ]
    if direct_s is not None:
        lines.append(
            ("cchc metrics_direct (reference)", "SQLite, every dossier", direct_s, same_as_direct)
        )
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for engine, source, seconds, same in lines:
        shown = same if isinstance(same, str) else ("yes" if same else "NO")
        cells = (engine, source, f"{seconds * 1000:.1f}", shown)
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    print()
    print("counts:", answer.counts)
    print("rates: ", {k: None if v is None else str(v) for k, v in answer.rates.items()})
    print("points:", {k: None if v is None else str(v) for k, v in answer.points.items()})
    if not same_as_duckdb:
        print(
            "DuckDB:",
            duck_counts,
            {k: None if v is None else str(v) for k, v in duck_rates.items()},
        )
    failed = not same_as_duckdb or same_as_direct is False or project_s > csv_s
    verdict = "FAIL" if failed else "PASS"
    print(
        f"\n{verdict}: metrics.compute must give DuckDB's numbers (and metrics_direct's) and be "
        f"at least as fast as DuckDB's scan of the CSV "
        f"({project_s * 1000:.1f} ms vs {csv_s * 1000:.1f} ms, "
        f"{csv_s / project_s if project_s else float('inf'):.1f}× faster)."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        cleanup()
    sys.exit(code)
