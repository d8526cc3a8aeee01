"""Benchmark of issue 7: the yearly report of one agency whose register holds 1,000,000 dossiers,
from live data to files — the snapshot of figures (``report_snapshot``), the DOCX and the XLSX —
timed end to end against the 5-second target. The register is generated and loaded exactly as
in ``bench_kpi.py`` (same generator, same rollups). For reference, the same dossier figures
computed by scanning every dossier (``metrics.metrics_direct``) are timed in the same run and
compared with the report's.

Run: ``.venv/bin/python bench/bench_report.py [--rows 1000000] [--runs 3]``; the environment
variables ``CCHC_BENCH_DIR`` (keep and reuse the loaded database) and
``CCHC_BENCH_DATABASE_URL`` (PostgreSQL instead of SQLite) work as in ``bench_kpi.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_kpi as kpi
from django.db import transaction

from cchc.procedures import freshness, metrics
from cchc.reports.docx_render import render_docx
from cchc.reports.periods import parse_period
from cchc.reports.snapshot import report_snapshot
from cchc.reports.xlsx_render import render_xlsx

TARGET_SECONDS = 5.0


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=1_000_000)
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--seed", type=int, default=766)
    args = options.parse_args()

    agency, loaded, rebuilt = kpi.load(args.rows, args.seed)
    period = parse_period(str(kpi.START.year))
    timings: list[dict[str, float]] = []
    for _ in range(args.runs):
        # Each run computes the figures (not the figures cache's answer), as after an ingest.
        with transaction.atomic():
            freshness.mark_changed([agency.pk])
        began = time.perf_counter()
        snapshot = report_snapshot(agency=agency, period=period)
        snapped = time.perf_counter()
        docx = render_docx(snapshot)
        rendered = time.perf_counter()
        xlsx = render_xlsx(snapshot)
        done = time.perf_counter()
        timings.append(
            {
                "snapshot": snapped - began,
                "docx": rendered - snapped,
                "xlsx": done - rendered,
                "total": done - began,
            }
        )
    best = min(timings, key=lambda t: t["total"])
    worst = max(t["total"] for t in timings)

    began = time.perf_counter()
    direct = metrics.metrics_direct(agency_ids=[agency.pk], start=period.start, end=period.end)
    direct_s = time.perf_counter() - began
    # Every dossier figure of the report (counts, rates, points, details), not the counts alone.
    same = snapshot["dossiers"] == {**direct.as_json(), "details": dict(direct.details)}

    prepared = (
        f"bulk insert {loaded:.1f} s, rollups {rebuilt:.1f} s"
        if loaded or rebuilt
        else f"kept database reused ({kpi.WORKDIR})"
    )
    print(
        f"{args.rows:,} dossiers of one agency on {kpi.connection.vendor}; {prepared}; "
        f"period {period.code} "
        f"({period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}); "
        f"DOCX {len(docx):,} bytes, XLSX {len(xlsx):,} bytes"
    )
    print()
    print(f"{'step':<44}{'best s':>8}")
    for step in ("snapshot", "docx", "xlsx", "total"):
        print(f"{'report ' + step:<44}{best[step]:>8.2f}")
    print(f"{'reference: metrics_direct (every dossier)':<44}{direct_s:>8.2f}")
    print()
    print(
        "dossier figures of the report (counts, rates, points, details) equal the direct "
        f"scan's: {'yes' if same else 'NO'}"
    )
    ok = same and worst < TARGET_SECONDS
    print(
        f"{'PASS' if ok else 'FAIL'}: the yearly report in under {TARGET_SECONDS:.0f} s "
        f"(slowest of {args.runs} runs: {worst:.2f} s)."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        code = main()
    finally:
        kpi.cleanup()
    sys.exit(code)
