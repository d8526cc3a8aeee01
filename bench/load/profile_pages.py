"""Where the load test's time goes: each page of its mix requested alone, in-process, against the
seeded province (``seed_province.py``), with the production settings.

For each endpoint: the median and the worst server time over ``--repeat`` requests (after one
warm-up) and the number of SQL queries, for a coordinator and an officer of one agency; with
``--queries`` also the slowest queries of each endpoint. Nothing runs concurrently: this is the
cost of one request, which the load test multiplies.

Run: ``.venv/bin/python bench/load/profile_pages.py [--agency 8] [--repeat 5] [--queries]``,
after ``bench/bench_load.py`` has seeded the database and collected the static files into
``var/bench/load-run`` (the production settings need their manifest).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.update(
    {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": os.environ.get(
            "CCHC_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_load"
        ),
        "CCHC_SSL_REDIRECT": "0",
        "CCHC_REQUIRE_2FA": "0",  # the test client logs in directly; 2FA is one cheap lookup
        "CCHC_VAR_DIR": str(ROOT / "var" / "bench" / "load-run"),
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
    }
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cchc.core.models import User  # noqa: E402
from cchc.plans.models import Task  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + b"% padding\n" * 4000 + b"trailer<<>>\n%%EOF\n"


def measure(client: Client, method: str, path: str, data=None, repeat: int = 5):
    times, queries, slowest = [], 0, []
    for attempt in range(repeat + 1):
        payload = data() if callable(data) else data
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            if method == "GET":
                response = client.get(path, secure=True)
            else:
                response = client.post(path, payload, secure=True)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 302):
            raise SystemExit(f"{method} {path}: HTTP {response.status_code}")
        if attempt:  # the first is the warm-up
            times.append(elapsed)
            queries = len(captured.captured_queries)
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]
    return statistics.median(times), max(times), queries, slowest


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--agency", type=int, default=8)
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--queries", action="store_true")
    args = options.parse_args()
    prefix = f"s{args.agency:03d}"
    rows = []
    for username in (f"{prefix}.coordinator", f"{prefix}.u1.officer1"):
        user = User.objects.get(username=username)
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.force_login(user)
        tasks = Task.objects.filter(agency__code__iendswith=prefix[1:], children__isnull=True)
        if username.endswith("officer1"):
            tasks = tasks.filter(assignees=user)
        task = tasks.order_by("id").first() or Task.objects.filter(children__isnull=True).first()

        def progress_data(client=client, task=task):
            task.refresh_from_db()
            return {"percent": "40", "note": "Đo thời gian", "version": str(task.version)}

        endpoints = [
            ("GET", "/", None),
            ("GET", "/dashboards/agency/", None),
            ("GET", "/dashboards/agency/data.json", None),
            ("GET", "/tasks/", None),
            ("GET", "/tasks/?mine=1", None),
            ("GET", f"/tasks/{task.pk}/", None),
            ("POST", f"/tasks/{task.pk}/progress/", progress_data),
            (
                "POST",
                f"/tasks/{task.pk}/evidence/",
                lambda: {"description": "Biên bản", "file": _pdf()},
            ),
            ("GET", "/dossiers/", None),
            ("GET", "/reports/", None),
        ]
        for method, path, data in endpoints:
            median, worst, queries, slowest = measure(client, method, path, data, args.repeat)
            rows.append((username.split(".", 1)[1], method, path, median, worst, queries))
            print(
                f"{rows[-1][0]:<14} {method:<4} {path:<32} {median:8.1f} {worst:8.1f} {queries:5d}"
            )
            if args.queries:
                for query in slowest:
                    print(f"      {float(query['time']) * 1000:7.1f} ms  {query['sql'][:220]}")
    return 0


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")


if __name__ == "__main__":
    sys.exit(main())
