"""The load test's users: coordinators and officers of different agencies of the seeded province
(``seed_province.py``) working through the day — dashboards, their tasks, progress with a small
PDF as evidence, the dossier and report lists.

Each locust user logs in once (Argon2 on the server, as in production) as the coordinator or an
officer of its own agency: user ``n`` takes agency ``n × 4 mod 200`` (so no two users share an
agency and their progress updates never collide on a task's version), even numbers coordinators,
odd numbers officers (who update only the tasks assigned to them, ``?mine=1``).

``HealthUser`` hits ``/healthz`` only, with the same think time: the ceiling (the latency
floor) of the same server, chosen with the user class on the command line.

Run by ``bench/bench_load.py``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import itertools
import os
import random
import re
import threading
import time

import gevent
from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("CCHC_LOAD_PASSWORD", "Tai-thu-tinh-2026")
AGENCIES = int(os.environ.get("CCHC_LOAD_AGENCIES", "200"))
TASK_LINK = re.compile(r'href="/tasks/(\d+)/"')
VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The smallest valid PDF, padded to a realistic small scan (~40 kB) so the upload path streams.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + b"% padding\n" * 4000 + b"trailer<<>>\n%%EOF\n"

# The server runs with the production settings behind a (here absent) TLS proxy: every request
# says it came over HTTPS, as nginx does, so secure cookies, HSTS and the strict Referer check
# of CSRF are all in play.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

# The warm-up (``bench_load.py --warmup-minutes``): the first seconds, in which the 50 users log
# in (Argon2, TOTP) and the server's caches fill, are measured apart; their figures are written
# to WARMUP_CSV and the statistics start again for the measured minutes.
WARMUP_SECONDS = float(os.environ.get("CCHC_LOAD_WARMUP_SECONDS", "0"))
WARMUP_CSV = os.environ.get("CCHC_LOAD_WARMUP_CSV", "")

_numbers = itertools.count()
_lock = threading.Lock()


def _next_number() -> int:
    with _lock:
        return next(_numbers)


def totp_key(name: str) -> str:
    """As ``seed_province.totp_key``."""
    return hashlib.sha1(f"cchc-load-test:{name}".encode()).hexdigest()


def totp_code(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 (30-second steps, 6 digits, SHA-1): what the authenticator app shows."""
    counter = int(at if at is not None else time.time()) // 30
    digest = hmac.new(bytes.fromhex(key_hex), counter.to_bytes(8, "big"), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _write_stats(environment, path: str) -> None:
    """The statistics so far, in the columns of locust's own ``*_stats.csv``."""
    stats = environment.stats
    rows = [*stats.entries.values(), stats.total]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ("Type", "Name", "Request Count", "Failure Count", "50%", "95%", "99%", "Requests/s")
        )
        for entry in rows:
            out.writerow(
                (
                    entry.method or "",
                    entry.name,
                    entry.num_requests,
                    entry.num_failures,
                    entry.get_response_time_percentile(0.5),
                    entry.get_response_time_percentile(0.95),
                    entry.get_response_time_percentile(0.99),
                    entry.total_rps,
                )
            )


def _end_warmup(environment) -> None:
    if WARMUP_CSV:
        _write_stats(environment, WARMUP_CSV)
    environment.stats.reset_all()


@events.test_start.add_listener
def _schedule_warmup_end(environment, **_kwargs) -> None:
    if WARMUP_SECONDS > 0:
        gevent.spawn_later(WARMUP_SECONDS, _end_warmup, environment)


class AgencyUser(HttpUser):
    """A coordinator or an officer of one agency."""

    wait_time = between(1, 3)

    def _plain_cookies(self) -> None:
        """The server marks its cookies Secure (it believes the request came over HTTPS); the
        test talks plain HTTP to it, so the client must be told to send them anyway."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def _referer(self, path: str) -> dict[str, str]:
        origin = "https://" + self.host.split("://", 1)[-1].rstrip("/")
        return {"Referer": origin + path}

    def on_start(self) -> None:
        self.client.headers.update(PROXY_HEADERS)
        number = _next_number()
        agency = (number * 4) % AGENCIES
        prefix = f"s{agency:03d}"
        if number % 2 == 0:
            self.username, self.mine = f"{prefix}.coordinator", False
        else:
            self.username, self.mine = f"{prefix}.u{number % 6}.officer1", True
        self.task_ids: list[int] = []
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF_FIELD.search(page.text)
        self._plain_cookies()
        response = self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers=self._referer("/accounts/login/"),
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {self.username} failed: {response.status_code}")
        self._plain_cookies()
        if not self.mine:  # coordinators must give a second factor (TOTP)
            self._verify_two_factor()
        self._load_task_ids()

    def _verify_two_factor(self) -> None:
        page = self.client.get("/accounts/2fa/verify/", name="2FA page")
        token = CSRF_FIELD.search(page.text)
        self._plain_cookies()
        response = self.client.post(
            "/accounts/2fa/verify/",
            data={
                "code": totp_code(totp_key(self.username)),
                "csrfmiddlewaretoken": token.group(1) if token else self._csrf(),
            },
            headers=self._referer("/accounts/2fa/verify/"),
            name="2FA verify",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"2FA of {self.username} failed: {response.status_code}")
        self._plain_cookies()

    def _csrf(self) -> str:
        self._plain_cookies()
        return self.client.cookies.get("csrftoken", "")

    def _load_task_ids(self) -> None:
        url = "/tasks/?mine=1" if self.mine else "/tasks/"
        with self.client.get(url, name="task list", catch_response=True) as response:
            ids = [int(i) for i in TASK_LINK.findall(response.text)]
            if response.status_code == 200 and not ids:
                response.failure(f"no task links for {self.username}")
        self.task_ids = ids or self.task_ids

    def _task_id(self) -> int | None:
        return random.choice(self.task_ids) if self.task_ids else None

    @task(4)
    def home_dashboard(self) -> None:
        self.client.get("/", name="home dashboard")

    @task(3)
    def agency_dashboard(self) -> None:
        self.client.get("/dashboards/agency/", name="agency dashboard")

    @task(3)
    def agency_dashboard_json(self) -> None:
        self.client.get("/dashboards/agency/data.json", name="agency dashboard JSON")

    @task(3)
    def task_list(self) -> None:
        self._load_task_ids()

    @task(4)
    def task_page(self) -> None:
        task_id = self._task_id()
        if task_id is not None:
            self.client.get(f"/tasks/{task_id}/", name="task page")

    @task(2)
    def record_progress(self) -> None:
        task_id = self._task_id()
        if task_id is None:
            return
        page = self.client.get(f"/tasks/{task_id}/", name="task page")
        version = VERSION_FIELD.search(page.text)
        data = {
            "percent": str(random.choice([10, 20, 30, 40, 50, 60, 70, 80, 90])),
            "note": "Cập nhật tiến độ (thử tải)",
            "csrfmiddlewaretoken": self._csrf(),
        }
        if version:
            data["version"] = version.group(1)
        with self.client.post(
            f"/tasks/{task_id}/progress/",
            data=data,
            headers=self._referer(f"/tasks/{task_id}/"),
            name="record progress",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 302):
                response.failure(f"HTTP {response.status_code}")

    @task(1)
    def upload_evidence(self) -> None:
        task_id = self._task_id()
        if task_id is None:
            return
        with self.client.post(
            f"/tasks/{task_id}/evidence/",
            data={"description": "Biên bản (thử tải)", "csrfmiddlewaretoken": self._csrf()},
            files={"file": ("bien-ban.pdf", PDF, "application/pdf")},
            headers=self._referer(f"/tasks/{task_id}/"),
            name="upload evidence",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def dossier_list(self) -> None:
        self.client.get("/dossiers/", name="dossier list")

    @task(1)
    def report_list(self) -> None:
        self.client.get("/reports/", name="report list")


class HealthUser(HttpUser):
    """The ceiling: the trivial health endpoint of the same server, no think time."""

    wait_time = between(1, 3)  # the same arrivals as the people: a like-for-like floor

    def on_start(self) -> None:
        self.client.headers.update(PROXY_HEADERS)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="health (ceiling)")
