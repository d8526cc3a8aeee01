"""Fault tests on PostgreSQL: what is left after a crash, an outage or a full disk.

Each scenario is scripted end to end on a database of its own
(``CCHC_FAULTS_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/cchc_faults``,
dropped and created anew, dropped at the end) and files under ``var/bench/faults/``, and prints
what happened and PASS/FAIL:

a. ``kill -9`` of a ``cchc db_worker`` in the middle of a dossier ingest job (a generated file of
   ``--rows`` dossiers, the job kind ``dossier_ingest``): the register holds nothing or everything
   of the file; the job does not stay "running" for ever (``cchc.core.stale_jobs`` fails it with a
   reason); the same ingest run again, twice, gives the identical register (a hash of the dossier
   rows and of the rollups).
b. ``kill -9`` of gunicorn (the whole process group) during evidence uploads of a 15 MB PDF: in
   the middle of the body, and at several moments just after it was sent: never an evidence
   row without its file; a file left without its row by a kill between the two is deleted by
   ``cchc sweep_orphan_files`` (the nightly duty ``forget_orphan_files``), after which none is
   left in MEDIA_ROOT; the server works after a restart.
c. the database unreachable for 30 s while a worker runs ingest jobs: the worker talks to
   PostgreSQL through a TCP forwarder of this script, which drops every connection and refuses
   new ones for 30 s. Every job ends succeeded, or failed with a reason (after the stale-job
   sweep when its worker died); no agency's register is half-loaded.
d. the disk full while a report's files are written: MEDIA_ROOT on a 2 MB tmpfs filled to a few
   kB (needs root to mount; skipped otherwise): the report is marked failed with a reason, no
   partial file remains.

Run: ``.venv/bin/python bench/bench_faults.py [--only a,b,c,d] [--rows 200000]``.
Exits non-zero when a scenario FAILs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "bench" / "faults"
DATABASE_URL = os.environ.get(
    "CCHC_FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_faults"
)
PG_HOST, PG_PORT = "127.0.0.1", 5432
PASSWORD = "Loi-thu-2026-mat-khau"
FULL_MOUNT = Path("/mnt/cchc_full")

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["CCHC_VAR_DIR"] = str(OUT)
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")


def _database_name() -> str:
    return DATABASE_URL.rsplit("/", 1)[-1]


def recreate_database(*, create: bool = True) -> None:
    import psycopg

    name = _database_name()
    if "faults" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the fault tests' database has 'faults'")
    with psycopg.connect(
        f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres", autocommit=True
    ) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            server.execute(f'CREATE DATABASE "{name}"')


recreate_database()
shutil.rmtree(OUT, ignore_errors=True)
OUT.mkdir(parents=True)

import django  # noqa: E402

django.setup()

import bench_ingest  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

import cchc.procedures.jobs  # noqa: E402  (registers the ingest job kind)
import cchc.reports.jobs  # noqa: E402  (registers the report job kinds)
from cchc.core.jobs import job_create, job_run  # noqa: E402
from cchc.core.models import Agency, Job, JobStatus, Membership, Role, Unit, User  # noqa: E402
from cchc.core.orphan_files import sweep_orphan_files  # noqa: E402
from cchc.core.stale_jobs import fail_stale_jobs  # noqa: E402
from cchc.plans.models import Area, Evidence, Plan, PlanStatus, Task  # noqa: E402
from cchc.procedures.models import Dossier, Procedure  # noqa: E402

RESULTS: list[tuple[str, bool | None, str]] = []


def say(text: str) -> None:
    print(f"    {text}", flush=True)


def verdict(name: str, passed: bool | None, summary: str) -> None:
    RESULTS.append((name, passed, summary))
    word = {True: "PASS", False: "FAIL", None: "SKIP"}[passed]
    print(f"  {word}: {summary}\n", flush=True)


# --- data -----------------------------------------------------------------------------------


def make_agency(code: str) -> tuple[Agency, User]:
    """An agency with bench_ingest's units and procedures, and its coordinator."""
    agency = Agency.objects.create(code=code, name=f"Sở thử lỗi {code}")
    Unit.objects.bulk_create(
        Unit(agency=agency, code=f"U{i}", name=f"Phòng {i}")
        for i in range(1, bench_ingest.UNITS + 1)
    )
    Procedure.objects.bulk_create(
        Procedure(
            agency=agency,
            code=bench_ingest.procedure_code(i),
            name=f"Thủ tục số {i}",
            time_limit=Decimal((1, 3, 5, 7, 10, 15, 20)[i % 7]),
            fee_bearing=i % 3 == 0,
            paper_result=i % 4 != 0,
            online_level=i % 3,
        )
        for i in range(bench_ingest.PROCEDURES)
    )
    user = User.objects.create_user(username=f"{code.lower()}.coordinator", password=PASSWORD)
    Membership.objects.create(user=user, agency=agency, role=Role.COORDINATOR)
    return agency, user


def dossier_file(rows: int) -> Path:
    path = OUT / f"dossiers-{rows}.csv"
    if not path.exists():
        began = time.perf_counter()
        bench_ingest.generate(path, rows)
        say(
            f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - began:.1f} s"
        )
    return path


def register_state(agency: Agency) -> tuple[int, str]:
    """The agency's dossier count and a hash of its rows (all columns but the surrogate id) and
    of its rollups."""
    from cchc.procedures.store import INSERT_FIELDS

    columns = [Dossier._meta.get_field(f).column for f in INSERT_FIELDS if f != "id"]
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(row_text, E'\\n' ORDER BY code), '')) "
            f"FROM (SELECT code, ROW({', '.join(columns)})::text AS row_text "
            f"FROM {Dossier._meta.db_table} WHERE agency_id = %s) d",
            [agency.pk],
        )
        count, rows_md5 = cursor.fetchone()
        digest.update(rows_md5.encode())
        for table in ("procedures_receivedrollup", "procedures_finishedrollup"):
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                f"FROM (SELECT day, unit_key, procedure_id, "
                f"to_jsonb(r) - 'id' - 'updated_at' AS body FROM {table} r "
                f"WHERE agency_id = %s) t",
                [agency.pk],
            )
            digest.update(cursor.fetchone()[0].encode())
    return count, digest.hexdigest()[:16]


def ingest_job(agency: Agency, user: User, path: Path) -> Job:
    with path.open("rb") as handle:
        return job_create(
            actor=user,
            kind=cchc.procedures.jobs.DOSSIER_INGEST,
            agency=agency,
            params={"agency": agency.pk, "skip_invalid": False},
            input_file=handle,
            input_name=path.name,
        )


def clear_queue() -> None:
    """Scenarios run their jobs themselves; leave nothing queued for the next one's worker."""
    DBTaskResult.objects.all().delete()


def child_env(database_url: str = DATABASE_URL, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        CCHC_VAR_DIR=str(OUT),
        DJANGO_DEBUG="0",
        PYTHONPATH=str(ROOT / "src"),
        CCHC_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def start_worker(log_name: str, database_url: str = DATABASE_URL, batch: bool = False):
    command = [
        str(BIN / "cchc"),
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.2",
    ]
    if batch:
        command.append("--batch")
    log = (OUT / log_name).open("a", encoding="utf-8")
    return subprocess.Popen(
        command, env=child_env(database_url), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
    )


def job_state(job: Job) -> Job:
    job.refresh_from_db()
    return job


def wait_for(predicate, seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


# --- a. kill -9 of a worker during an ingest -----------------------------------------------


def ingest_holds_lock(agency: Agency) -> bool:
    """Whether some session holds the agency's ingest lock (``store.LOCK_NAMESPACE``)."""
    from cchc.procedures.store import LOCK_NAMESPACE

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s AND objid = %s",
            [LOCK_NAMESPACE, agency.pk],
        )
        return cursor.fetchone()[0] > 0


def ingest_started(job: Job, agency: Agency, worker) -> float | None:
    """Wait until the job runs and holds its agency's ingest lock; the monotonic time then."""
    started = wait_for(
        lambda: (
            worker.poll() is not None
            or job_state(job).is_finished
            or (job.status == JobStatus.RUNNING and ingest_holds_lock(agency))
        ),
        600,
        0.05,
    )
    if not started or job.is_finished or worker.poll() is not None:
        return None
    return time.monotonic()


def scenario_worker_killed(rows: int, kill_after: float) -> None:
    print("a. kill -9 of the job worker during a dossier ingest", flush=True)
    clear_queue()
    path = dossier_file(rows)
    agency, user = make_agency("FA")
    job = ingest_job(agency, user, path)
    worker = start_worker("a_worker.log")
    # The job's progress cannot tell how far the load is: it is written inside the ingest's
    # transaction and shows only at the end (a finding of this test). The agency's ingest lock
    # (a PostgreSQL advisory lock held for the whole transaction) says the load is under way.
    began = ingest_started(job, agency, worker)
    if began is None:
        worker.kill()
        verdict("a", False, f"the ingest did not start or ended too soon ({job.status})")
        return
    time.sleep(kill_after)
    if job_state(job).is_finished or not ingest_holds_lock(agency):
        worker.kill()
        verdict("a", False, f"the ingest ended within {kill_after} s: raise --rows")
        return
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    say(
        f"killed the worker (pid {worker.pid}) {time.monotonic() - began:.1f} s into the ingest "
        f"(the job showed {job.progress} %)"
    )
    time.sleep(2)  # PostgreSQL notices the closed connection and rolls its transaction back
    count_after_kill, _ = register_state(agency)
    job_state(job)
    say(
        f"after the kill: {count_after_kill:,} of {rows:,} dossiers in the register; "
        f"job #{job.pk} status {job.status!r}"
    )
    stuck = job.status == JobStatus.RUNNING
    swept = fail_stale_jobs(older_than=dt.timedelta(0))
    job_state(job)
    say(f"stale-job sweep failed {swept} job(s); job #{job.pk} now {job.status!r}: {job.error!r}")

    states = []
    for attempt in (1, 2):
        again = ingest_job(agency, user, path)
        runner = start_worker("a_worker.log", batch=True)
        runner.wait(timeout=1800)
        job_state(again)
        states.append(register_state(agency))
        say(
            f"ingest run {attempt} again: job #{again.pk} {again.status!r}; "
            f"{states[-1][0]:,} dossiers, state hash {states[-1][1]}"
        )
    all_or_nothing = count_after_kill in (0, rows)
    visible = job.status == JobStatus.FAILED and bool(job.error)
    identical = states[0] == states[1] and states[0][0] == rows
    verdict(
        "a",
        all_or_nothing and visible and identical,
        f"all-or-nothing after the kill: {all_or_nothing} ({count_after_kill:,} rows); "
        f"job left 'running' by the dead worker: {stuck} → failed with a reason after the "
        f"stale-job sweep: {visible}; re-runs identical: {identical}",
    )


# --- b. kill -9 of gunicorn during uploads ---------------------------------------------------


def _server_env(port: int) -> dict[str, str]:
    tmp = OUT / "web-tmp"
    tmp.mkdir(exist_ok=True)
    return child_env(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        CCHC_SSL_REDIRECT="0",
        CCHC_BIND=f"127.0.0.1:{port}",
        CCHC_WEB_WORKERS="2",
        CCHC_ACCESS_LOG=str(OUT / "b_access.log"),
        TMPDIR=str(tmp),  # where Django spools uploads over 2.5 MB
    )


def _start_gunicorn(port: int):
    env = _server_env(port)
    config = ROOT / "deploy" / "gunicorn.conf.py"
    command = [str(BIN / "gunicorn")]
    command += ["-c", str(config)] if config.exists() else ["--workers", "2"]
    command += ["--bind", env["CCHC_BIND"], "cchc.wsgi:application"]
    log = (OUT / "b_gunicorn.log").open("a", encoding="utf-8")
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    import requests

    def healthy() -> bool:
        try:
            answer = requests.get(
                f"http://127.0.0.1:{port}/healthz",
                headers={"X-Forwarded-Proto": "https"},
                timeout=2,
            )
        except requests.RequestException:
            return False
        return answer.status_code == 200

    if not wait_for(healthy, 60, 0.3):
        raise SystemExit("gunicorn did not start; see var/bench/faults/b_gunicorn.log")
    return server


def _login(port: int, username: str):
    import re

    import requests

    session = requests.Session()
    session.headers["X-Forwarded-Proto"] = "https"
    base = f"http://127.0.0.1:{port}"
    page = session.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    for cookie in session.cookies:
        cookie.secure = False
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"https://127.0.0.1:{port}/accounts/login/"},
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"login failed: {answer.status_code}")
    for cookie in session.cookies:
        cookie.secure = False
    return session


def _multipart(csrf: str, payload: bytes) -> tuple[str, bytes]:
    boundary = "cchc" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{csrf}\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
        "Biên bản lớn\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="bien-ban-lon.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + payload
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def _raw_upload(port: int, session, task_id: int, payload: bytes, *, send_fraction: float):
    """Send the upload over a plain socket, stopping after ``send_fraction`` of the body."""
    csrf = session.cookies.get("csrftoken")
    content_type, body = _multipart(csrf, payload)
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    head = (
        f"POST /tasks/{task_id}/evidence/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"X-Forwarded-Proto: https\r\nReferer: https://127.0.0.1:{port}/tasks/{task_id}/\r\n"
        f"Cookie: {cookies}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(head)
    limit = int(len(body) * send_fraction)
    for start in range(0, limit, 256 * 1024):
        sock.sendall(body[start : min(limit, start + 256 * 1024)])
    return sock


def _evidence_consistency(media: Path) -> tuple[list[str], list[str]]:
    """Rows whose file is missing or differs, and files in MEDIA_ROOT/evidence with no row."""
    rows = {e.file.name: e for e in Evidence.objects.all()}
    bad_rows = []
    for name, evidence in rows.items():
        path = media / name
        if not path.exists():
            bad_rows.append(f"{name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != evidence.sha256:
            bad_rows.append(f"{name}: content differs from its row")
    orphans = [
        str(p.relative_to(media))
        for p in (media / "evidence").rglob("*")
        if p.is_file() and str(p.relative_to(media)) not in rows
    ]
    return bad_rows, orphans


def scenario_web_killed() -> None:
    print("b. kill -9 of gunicorn during evidence uploads", flush=True)
    from django.conf import settings

    clear_queue()
    agency, _coordinator = make_agency("FB")
    unit = Unit.objects.filter(agency=agency).first()
    officer = User.objects.create_user(username="fb.officer", password=PASSWORD)
    Membership.objects.create(user=officer, agency=agency, role=Role.OFFICER, unit=unit)
    plan = Plan.objects.create(
        agency=agency,
        year=2026,
        title="Kế hoạch CCHC năm 2026",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        status=PlanStatus.ISSUED,
    )
    area = Area.objects.create(plan=plan, number=3, title="Cải cách TTHC")
    task = Task.objects.create(
        plan=plan, agency=agency, area=area, code="II.3.1.a", title="Số hóa hồ sơ", lead_unit=unit
    )
    task.assignees.add(officer)
    subprocess.run(
        [str(BIN / "cchc"), "collectstatic", "--noinput", "--verbosity", "0"],
        env=_server_env(0),
        check=True,
    )
    media = Path(settings.MEDIA_ROOT)
    # A 15 MB PDF (a scanned record): the header, a comment of random hex, the trailer.
    filling = os.urandom(15 * 1024 * 1024 // 2).hex().encode()
    payload = b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + filling + b"\ntrailer<<>>\n%%EOF\n"
    # (moment of the kill, fraction of the body sent before it)
    plans = [("in the middle of the body", 0.4, 0.0)] + [
        (f"{int(delay * 1000)} ms after the whole body", 1.0, delay)
        for delay in (0.0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.3, 0.6)
    ]
    outcomes = []
    for label, fraction, delay in plans:
        port = _free_port()
        server = _start_gunicorn(port)
        session = _login(port, officer.username)
        rows_before = Evidence.objects.count()
        sock = _raw_upload(port, session, task.pk, payload, send_fraction=fraction)
        time.sleep(delay if fraction == 1.0 else 0.3)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        sock.close()
        time.sleep(0.5)
        added = Evidence.objects.count() - rows_before
        bad_rows, orphans = _evidence_consistency(media)
        outcomes.append((label, added, bad_rows, orphans))
        say(
            f"kill {label}: evidence rows added {added}; rows without a good file "
            f"{len(bad_rows)}; files without a row {len(orphans)}"
        )
    # A kill between an upload's file and its row's commit leaves a file no row owns: never a
    # row without its file. The nightly duty deletes such files once a day old; with the server
    # stopped (nothing in flight) the operator's command takes them at once.
    orphans_before = sorted({o for _l, _a, _b, found in outcomes for o in found})
    swept = sweep_orphan_files(min_age=dt.timedelta(0)).deleted
    say(
        f"files without a row left by the kills: {len(orphans_before)}; deleted by "
        f"`cchc sweep_orphan_files --min-age-hours 0` with the server stopped: {len(swept)}"
    )
    port = _free_port()
    server = _start_gunicorn(port)
    session = _login(port, officer.username)
    sock = _raw_upload(port, session, task.pk, payload, send_fraction=1.0)
    sock.settimeout(60)
    status_line = sock.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
    sock.close()
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()
    bad_rows, orphans = _evidence_consistency(media)
    leftovers = sorted(p.name for p in (OUT / "web-tmp").glob("*.upload*"))
    say(
        f"after a restart the same upload answers {status_line!r}; evidence rows "
        f"{Evidence.objects.count()}, all consistent: {not bad_rows and not orphans}"
    )
    say(
        f"spooled upload files left in the server's temporary directory by the kills: "
        f"{len(leftovers)} (outside MEDIA_ROOT; systemd's PrivateTmp=true removes them when "
        f"the service restarts)"
    )
    no_broken_rows = all(not b for _label, _added, b, _o in outcomes) and not bad_rows
    consistent = no_broken_rows and not orphans and set(swept) == set(orphans_before)
    verdict(
        "b",
        consistent and "302" in status_line,
        f"{len(outcomes)} kills: no evidence row without its file: {no_broken_rows}; files "
        f"without a row {len(orphans_before)}, none left after the sweep: {not orphans}; "
        f"upload after restart: {status_line!r}",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- c. the database unreachable for 30 s ----------------------------------------------------


class CuttableProxy:
    """A TCP forwarder to PostgreSQL that can drop every connection and refuse new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self.cut = False
        self.loop = asyncio.new_event_loop()
        self.writers: set[asyncio.StreamWriter] = set()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self.ready.set()
        self.loop.run_forever()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self.writers.difference_update((writer, up_writer))

    def set_cut(self, cut: bool) -> None:
        def apply() -> None:
            self.cut = cut
            if cut:
                for writer in list(self.writers):
                    writer.transport.abort()
                self.writers.clear()

        self.loop.call_soon_threadsafe(apply)

    def close(self) -> None:
        self.set_cut(True)
        time.sleep(0.3)  # the aborted pipes wind down
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def scenario_database_outage(rows: int, outage: float) -> None:
    print(f"c. the database unreachable for {outage:.0f} s while jobs run", flush=True)
    clear_queue()
    path = dossier_file(rows)
    proxy = CuttableProxy((PG_HOST, PG_PORT))
    proxied_url = DATABASE_URL.replace(f"{PG_HOST}:{PG_PORT}", f"127.0.0.1:{proxy.port}")
    jobs = []
    for code in ("FC1", "FC2", "FC3", "FC4"):
        agency, user = make_agency(code)
        jobs.append((agency, ingest_job(agency, user, path)))
    worker = start_worker("c_worker.log", proxied_url)
    first_agency, first = jobs[0]
    began = ingest_started(first, first_agency, worker)
    if began is None:
        worker.kill()
        proxy.close()
        verdict("c", False, f"the first ingest did not start ({first.status})")
        return
    time.sleep(2)
    say(f"cutting the database off 2 s into job #{first.pk}")
    proxy.set_cut(True)
    time.sleep(outage)
    proxy.set_cut(False)
    worker_alive = worker.poll() is None
    say(
        f"database back after {outage:.0f} s; the worker is "
        f"{'still running' if worker_alive else f'dead (exit {worker.returncode})'}"
    )

    def settled() -> bool:
        return all(job_state(j).status in (JobStatus.SUCCEEDED, JobStatus.FAILED) for _a, j in jobs)

    settled_alone = wait_for(settled, 900, 1) if worker_alive else False
    restarted = swept = 0
    if not settled_alone:
        # As systemd (Restart=always) would: a new worker takes the queue; then the sweep.
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        restarted = 1
        runner = start_worker("c_worker.log", proxied_url, batch=True)
        runner.wait(timeout=1800)
        swept = fail_stale_jobs(older_than=dt.timedelta(0))
    else:
        worker.terminate()
        worker.wait(timeout=30)
    proxy.close()
    whole = True
    for agency, job in jobs:
        job_state(job)
        count, _state = register_state(agency)
        whole &= count in (0, rows) and (job.status != JobStatus.SUCCEEDED or count == rows)
        say(
            f"job #{job.pk} ({agency.code}): {job.status!r} {job.error[:90]!r}; "
            f"{count:,} of {rows:,} dossiers"
        )
    visible = all(
        j.status == JobStatus.SUCCEEDED or (j.status == JobStatus.FAILED and j.error)
        for _a, j in jobs
    )
    verdict(
        "c",
        whole and visible,
        f"no half-loaded register: {whole}; every job succeeded or failed with a reason: "
        f"{visible} (worker survived the outage: {worker_alive}; restarted: {bool(restarted)}; "
        f"jobs failed by the stale-job sweep: {swept})",
    )


# --- d. the disk full during a report ---------------------------------------------------------


def scenario_disk_full() -> None:
    print("d. the disk full while a report's files are written", flush=True)
    from cchc.reports.models import Report, ReportStatus
    from cchc.reports.periods import parse_period
    from cchc.reports.services import report_create, report_generate

    clear_queue()
    FULL_MOUNT.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(FULL_MOUNT)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        verdict("d", None, f"cannot mount a small tmpfs ({mounted.stderr.strip()}): not run")
        return
    try:
        agency, user = make_agency("FD")
        report, snapshot = report_create(actor=user, agency=agency, period=parse_period("2026-Q1"))
        job_run(snapshot.pk)
        report.refresh_from_db()
        media = FULL_MOUNT / "media"
        media.mkdir()
        filler = FULL_MOUNT / "filler"
        with filler.open("wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:
                pass  # ENOSPC: the file system is full
        # Leave room for a few kB: the Word file starts being written and cannot finish.
        with filler.open("r+b") as handle:
            handle.truncate(max(0, filler.stat().st_size - 12 * 1024))
        free = shutil.disk_usage(FULL_MOUNT).free
        say(f"MEDIA_ROOT on a 2 MB tmpfs with {free // 1024} kB free")
        with override_settings(MEDIA_ROOT=str(media)):
            render = report_generate(actor=user, report=report, version=report.version)
            job_run(render.pk)
        job_state(render)
        report = Report.objects.get(pk=report.pk)
        left = sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())
        say(f"job #{render.pk}: {render.status!r} {render.error!r}")
        say(f"report: {report.status!r} {report.error!r}; files left in MEDIA_ROOT: {left}")
        failed_visibly = (
            render.status == JobStatus.FAILED
            and report.status == ReportStatus.FAILED
            and bool(report.error)
        )
        verdict(
            "d",
            failed_visibly and not left,
            f"report marked failed with a reason: {failed_visibly}; no partial file: "
            f"{not left}{'' if not left else ' (left: ' + ', '.join(left) + ')'}",
        )
    finally:
        subprocess.run(["umount", str(FULL_MOUNT)], check=False)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--only", default="a,b,c,d")
    options.add_argument("--rows", type=int, default=200_000, help="rows of the ingest file (a)")
    options.add_argument("--kill-after", type=float, default=3.0, help="seconds into the load (a)")
    options.add_argument("--rows-c", type=int, default=60_000, help="rows of each file (c)")
    options.add_argument("--outage", type=float, default=30.0)
    args = options.parse_args()
    chosen = set(args.only.split(","))
    call_command("migrate", verbosity=0)
    print(
        f"fault tests on {DATABASE_URL}; {os.cpu_count()} CPUs; load average "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}\n",
        flush=True,
    )
    if "a" in chosen:
        scenario_worker_killed(args.rows, args.kill_after)
    if "b" in chosen:
        scenario_web_killed()
    if "c" in chosen:
        scenario_database_outage(args.rows_c, args.outage)
    if "d" in chosen:
        scenario_disk_full()
    print("summary:")
    for name, passed, summary in RESULTS:
        print(f"  {name}: {({True: 'PASS', False: 'FAIL', None: 'SKIP'})[passed]} — {summary}")
    return 1 if any(passed is False for _n, passed, _s in RESULTS) else 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        connection.close()
        recreate_database(create=False)
    sys.exit(code)
