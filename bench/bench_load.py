"""Load test: 50 people of different agencies working at once against gunicorn on PostgreSQL with
a province's data (``bench/load/seed_province.py``: 200 agencies, 50,000 tasks, 5,000,000
dossiers), for 5 minutes; then the same server's trivial health endpoint as the ceiling.

The server runs with the production settings (``DJANGO_ENV=production``, DEBUG off, hashed
static files through WhiteNoise, Argon2, two-factor for coordinators, CSP, persistent database
connections), ``CCHC_SSL_REDIRECT=0`` and the requests saying ``X-Forwarded-Proto: https`` as
the TLS proxy would (there is no nginx here). gunicorn starts from ``deploy/gunicorn.conf.py``
with 4 sync workers: gunicorn's rule, 2 × cores + 1, assumes the cores are the web server's,
but on this 2-core machine PostgreSQL and locust itself run on the same cores, so a fifth
process adds contention, not throughput; 4 keep both cores busy while one worker waits on
the database.

The mix per locust user (weights): home dashboard 4, agency dashboard 3 and its JSON 3, task
list 3, a task page 4, recording progress on a task 2 (reads the page for its version, then
POSTs with CSRF), uploading a small PDF as evidence 1, the dossier list 2, the report list 1;
think time 1–3 s. Each user logs in once (and gives a TOTP code when it is a coordinator).

The first minute (``--warmup-minutes``) is a warm-up, measured and printed apart: the 50 users
log in at 10 a second (Argon2 and TOTP on the server) and the figures cache
(``cchc.procedures.freshness``) fills, as on a morning after a restart. The verdict is over the
``--minutes`` after it, the steady working day the target is about; the warm-up's figures are
printed beside it so nothing is hidden.

Prints per endpoint: requests, errors, p50, p95, p99 (ms), the health ceiling, and PASS/FAIL
against "no errors, p95 < 300 ms" (over all measured requests of the mix; errors of the
warm-up count too). The raw locust CSVs go to ``var/bench/``; the server's log to
``var/bench/load_gunicorn.log``.

Run: ``.venv/bin/python bench/bench_load.py [--minutes 5] [--warmup-minutes 1] [--users 50]
[--workers 4]``
(the first run seeds the database: several minutes). Exits non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "bench"
LOAD_DATABASE_URL = os.environ.get(
    "CCHC_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_load"
)
P95_TARGET_MS = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": LOAD_DATABASE_URL,
            "CCHC_SSL_REDIRECT": "0",
            "CCHC_VAR_DIR": str(OUT / "load-run"),
            "CCHC_LOG_LEVEL": "WARNING",  # Django wants it upper-case
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    env.pop("DJANGO_DEBUG", None)
    return env


def uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def run_locust(
    host: str, user_class: str, users: int, seconds: int, prefix: Path, warmup: int = 0
) -> None:
    env = dict(os.environ)
    env["CCHC_LOAD_WARMUP_SECONDS"] = str(warmup)
    env["CCHC_LOAD_WARMUP_CSV"] = f"{prefix}_warmup_stats.csv" if warmup else ""
    Path(f"{prefix}_warmup_stats.csv").unlink(missing_ok=True)
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        "10",
        "--run-time",
        f"{seconds + warmup}s",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    with open(f"{prefix}_locust.log", "w", encoding="utf-8") as log:
        subprocess.run(
            command, check=False, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_failures(prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def print_table(rows: list[dict[str, str]]) -> None:
    header = ("endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s")
    widths = (32, 9, 7, 7, 7, 7, 7)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        if row["Request Count"] == "0":
            continue  # an endpoint of the warm-up only (logging in)
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL (aggregated)"
        cells = (
            f"{row['Type']} {name}".strip() if row["Type"] not in ("", "GET") else name,
            row["Request Count"],
            row["Failure Count"],
            row["50%"],
            row["95%"],
            row["99%"],
            f"{float(row['Requests/s']):.1f}",
        )
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)))


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--minutes", type=float, default=5.0)
    options.add_argument("--warmup-minutes", type=float, default=1.0)
    options.add_argument("--users", type=int, default=50)
    options.add_argument("--workers", type=int, default=4)
    options.add_argument("--health-minutes", type=float, default=None)
    options.add_argument("--skip-seed", action="store_true")
    args = options.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    if not args.skip_seed:
        seeded = subprocess.run([sys.executable, str(ROOT / "bench" / "load" / "seed_province.py")])
        if seeded.returncode:
            return seeded.returncode
    env = server_environment()
    subprocess.run(
        [str(BIN / "cchc"), "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True
    )
    # Start cold, as after a restart: the figures cache of the last run is dropped.
    shutil.rmtree(Path(env["CCHC_VAR_DIR"]) / "cache", ignore_errors=True)
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    env.update(
        {
            "CCHC_BIND": f"127.0.0.1:{port}",
            "CCHC_WEB_WORKERS": str(args.workers),
            "CCHC_ACCESS_LOG": str(OUT / "load_access.log"),
        }
    )
    config = ROOT / "deploy" / "gunicorn.conf.py"
    gunicorn = [str(BIN / "gunicorn")]
    gunicorn += ["-c", str(config)] if config.exists() else ["--workers", str(args.workers)]
    gunicorn += ["--bind", env["CCHC_BIND"], "cchc.wsgi:application"]
    log = (OUT / "load_gunicorn.log").open("w", encoding="utf-8")
    before = uptime()
    server = subprocess.Popen(gunicorn, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"{host}/healthz")
        seconds = round(args.minutes * 60)
        warmup = round(args.warmup_minutes * 60)
        print(
            f"load: {args.users} users, {warmup} s of warm-up then {seconds} s measured, "
            f"against {host} ({args.workers} workers)"
        )
        run_locust(host, "AgencyUser", args.users, seconds, OUT / "load", warmup)
        health_seconds = round((args.health_minutes or min(1.0, args.minutes)) * 60)
        run_locust(host, "HealthUser", args.users, health_seconds, OUT / "load_health")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    after = uptime()

    stats = read_stats(OUT / "load")
    health = read_stats(OUT / "load_health")
    failures = read_failures(OUT / "load") + read_failures(OUT / "load_health")
    server_errors = (OUT / "load_gunicorn.log").read_text(encoding="utf-8").count("Traceback")
    print(
        f"\n{os.cpu_count()} CPUs; load average (1, 5, 15 min) before {before}, after {after} "
        "(other work on the machine shares these cores)"
    )
    warmup_path = OUT / "load_warmup_stats.csv"
    if warmup_path.exists():
        with warmup_path.open(newline="", encoding="utf-8") as handle:
            warm = list(csv.DictReader(handle))
        print(
            f"\nwarm-up ({args.warmup_minutes:g} min: the {args.users} users log in, with Argon2 "
            "and TOTP, and the caches fill; not in the verdict):"
        )
        print_table(warm)
    print(f"\nthe mix, measured ({args.users} users, {args.minutes:g} min after the warm-up):")
    print_table(stats)
    print(f"\nceiling: /healthz, {args.users} users, same think time, {health_seconds} s:")
    print_table([row for row in health if row["Name"] != "Aggregated"])
    if failures:
        print("\nerrors:")
        for row in failures:
            print(f"  {row['Method']} {row['Name']}: {row['Occurrences']} × {row['Error']}")
    print(f"server tracebacks in the log: {server_errors}")

    total = next(row for row in stats if row["Name"] == "Aggregated")
    errors = int(total["Failure Count"]) + sum(int(r["Failure Count"]) for r in health)
    if warmup_path.exists():
        errors += sum(int(r["Failure Count"]) for r in warm if r["Name"] == "Aggregated")
    p95 = float(total["95%"])
    slow = [
        r["Name"]
        for r in stats
        if r["Name"] != "Aggregated"
        and r["Request Count"] != "0"
        and float(r["95%"]) >= P95_TARGET_MS
    ]
    failed = errors > 0 or server_errors > 0 or p95 >= P95_TARGET_MS
    print(
        f"\n{'FAIL' if failed else 'PASS'}: no errors and p95 < {P95_TARGET_MS} ms "
        f"({errors} errors, {server_errors} server tracebacks, p95 {p95:.0f} ms over "
        f"{total['Request Count']} requests)"
        + (f"; endpoints at or over {P95_TARGET_MS} ms at p95: {', '.join(slow)}" if slow else "")
    )
    print(f"raw CSVs: {OUT}/load_*.csv, {OUT}/load_health_*.csv")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
