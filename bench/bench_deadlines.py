"""Benchmark of the working-day calendar (issue: working-day calendar): deadlines of 1,000,000
receipts (random times over 2025–2027, random limits of 1–30 working days) by
``cchc.core.calendar.deadlines_bulk``, next to the ``holidays`` package's own
``get_nth_working_day`` called once per row (the end of the day at 17:00, DESIGN.md §4.1).

The per-row reference is slow, so by default it runs on a sample (the first ``--sample`` rows,
50,000) and its per-row cost is extrapolated to all rows; both the measured sample and the
extrapolation are printed. ``--full-reference`` runs it on every row instead. The results must
be identical on every row the reference computed.

Prints a table (engine, rows, seconds, rows/s, speed-up against the reference) and the peak
memory of each engine (tracemalloc, in a separate untimed run), then PASS/FAIL against the
target (≥ 10× faster, identical results); exits non-zero on FAIL.

Self-contained: it migrates a throw-away SQLite database in a temporary directory (the
development database is never touched). Run: ``.venv/bin/python bench/bench_deadlines.py
[--rows 1000000] [--sample 50000] [--runs 3] [--full-reference]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TMP = tempfile.TemporaryDirectory(prefix="cchc-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "cchc.settings"
os.environ["CCHC_VAR_DIR"] = TMP.name
os.environ["DATABASE_URL"] = f"sqlite:///{Path(TMP.name) / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

import holidays  # noqa: E402
from django.core.management import call_command  # noqa: E402

from cchc.core import calendar  # noqa: E402

TARGET_SPEEDUP = 10.0
END_OF_DAY = dt.time(17, 0)  # DESIGN.md §4.1 default, written out so the reference is independent


def receipts(rows: int, seed: int) -> tuple[list[dt.datetime], list[int]]:
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 1, tzinfo=calendar.TZ)
    span = int((dt.datetime(2028, 1, 1, tzinfo=calendar.TZ) - start).total_seconds())
    received = [start + dt.timedelta(seconds=rng.randrange(span)) for _ in range(rows)]
    limits = [rng.randint(1, 30) for _ in range(rows)]
    return received, limits


def reference(
    public: holidays.HolidayBase, received: list[dt.datetime], limits: list[int]
) -> list[dt.datetime]:
    tz = calendar.TZ
    return [
        dt.datetime.combine(
            public.get_nth_working_day(moment.astimezone(tz).date(), n), END_OF_DAY, tzinfo=tz
        )
        for moment, n in zip(received, limits, strict=True)
    ]


def timed(func: Callable[[], object], runs: int) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = func()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), result


def peak_mib(func: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3, help="Timed runs of the fast engine.")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--full-reference", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    received, limits = receipts(args.rows, args.seed)
    sample = args.rows if args.full_reference else min(args.sample, args.rows)

    began = time.perf_counter()
    calendar.get_calendar().deadlines_bulk(received[:1], limits[:1])  # load and build
    cold = time.perf_counter() - began
    bulk_seconds, bulk = timed(lambda: calendar.deadlines_bulk(received, limits), args.runs)
    bulk_sample_seconds, _ = timed(
        lambda: calendar.deadlines_bulk(received[:sample], limits[:sample]), args.runs
    )

    public = holidays.country_holidays("VN", years=range(2025, 2030))  # built before timing
    ref_seconds, ref = timed(lambda: reference(public, received[:sample], limits[:sample]), 1)

    mismatches = sum(a != b for a, b in zip(bulk[:sample], ref, strict=True))  # type: ignore
    ref_per_row = ref_seconds / sample
    ref_full = ref_per_row * args.rows
    speedup = ref_full / bulk_seconds

    bulk_peak = peak_mib(lambda: calendar.deadlines_bulk(received, limits))
    ref_peak = peak_mib(lambda: reference(public, received[:sample], limits[:sample]))

    rows = [("calendar.deadlines_bulk", args.rows, bulk_seconds, "measured")]
    if sample < args.rows:
        rows.append(("calendar.deadlines_bulk", sample, bulk_sample_seconds, "measured"))
    rows.append(("holidays get_nth_working_day per row", sample, ref_seconds, "measured"))
    if sample < args.rows:
        rows.append(("holidays get_nth_working_day per row", args.rows, ref_full, "extrapolated"))
    print(f"{'engine':<38} {'rows':>10} {'seconds':>9} {'rows/s':>12} {'speed-up':>9}  how")
    for engine, count, seconds, how in rows:
        per_row_ratio = ref_per_row / (seconds / count)
        print(
            f"{engine:<38} {count:>10,} {seconds:>9.3f} {count / seconds:>12,.0f} "
            f"{per_row_ratio:>8.1f}×  {how}"
        )
    print(f"calendar load and build (cold, once per process): {cold * 1000:.1f} ms")
    print(
        f"peak memory (tracemalloc): deadlines_bulk on {args.rows:,} rows {bulk_peak:.1f} MiB "
        f"(the {args.rows:,} results list included); reference on {sample:,} rows "
        f"{ref_peak:.1f} MiB"
    )
    print(f"identical results on {sample:,} compared rows: {sample - mismatches:,} of {sample:,}")
    ok = mismatches == 0 and speedup >= TARGET_SPEEDUP
    verdict = "PASS" if ok else "FAIL"
    print(
        f"{verdict}: {speedup:.1f}× faster on {args.rows:,} rows (target ≥ {TARGET_SPEEDUP:.0f}×), "
        f"{mismatches} mismatches"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        TMP.cleanup()
