"""gunicorn settings for cchc: ``gunicorn -c deploy/gunicorn.conf.py cchc.wsgi:application``.

Every number can be changed from the environment without editing this file (docs/deploy.md).
Sync workers: a request is a few database queries and a template, with no long-lived
connections, so a process per request in flight is the simplest model that scales; the slow
work (imports, reports) runs in the job workers, not here.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Listen on the loopback only: nginx (deploy/nginx.conf) is the way in.
bind = os.environ.get("CCHC_BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb, 2 × cores + 1, capped so a big machine does not exhaust
# PostgreSQL's connections (each worker keeps one, see CCHC_DB_CONN_MAX_AGE).
workers = _int("CCHC_WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 17))
threads = _int("CCHC_WEB_THREADS", 1)
# A page that takes longer than this is a bug or a missing index; the worker is replaced.
timeout = _int("CCHC_WEB_TIMEOUT", 60)
graceful_timeout = _int("CCHC_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then so a slow leak in a library never grows without bound.
max_requests = _int("CCHC_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = _int("CCHC_WEB_MAX_REQUESTS_JITTER", 200)
# Uploads up to CCHC_DOSSIER_MAX_BYTES go through nginx, which buffers them; header limits stay
# at gunicorn's defaults.

# Logs go to standard output/error, where systemd's journal (or honcho) collects them.
accesslog = os.environ.get("CCHC_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("CCHC_LOG_LEVEL", "info").lower()
# Client address (as set by cchc.wsgi from X-Forwarded-For), request, status, bytes, time in µs.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sµs "%(a)s"'

# Trust X-Forwarded-Proto only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("CCHC_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Load the application before forking: workers share its memory pages and a broken
# configuration stops the master at once instead of each worker in turn.
preload_app = True
