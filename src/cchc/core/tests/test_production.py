"""Production settings (DJANGO_ENV=production) and the WSGI server of deploy/.

The settings are read once per process, so every production configuration is tried in a
subprocess with its own environment, as an operator would start it.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from cchc.wsgi import ForwardedClientAddress

HOST = "cchc.example.gov.vn"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "CCHC_", "DATABASE_URL"))
    }
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
            "CCHC_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "cchc.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_check_deploy(tmp_path):
    env = production_env(
        tmp_path, DATABASE_URL="postgres://cchc:secret@db.example.gov.vn:5432/cchc"
    )
    done = run(["-m", "cchc", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_proxy_that_redirects_itself_still_passes_check_deploy(tmp_path):
    env = production_env(tmp_path, CCHC_SSL_REDIRECT="0")
    done = run(["-m", "cchc", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_deploy_warns_when_two_factor_is_switched_off(tmp_path):
    env = production_env(tmp_path, CCHC_REQUIRE_2FA="0")
    done = run(["-m", "cchc", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode != 0 and "cchc.W001" in done.stdout + done.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(tmp_path, missing):
    env = production_env(tmp_path)
    del env[missing]
    done = run(["-m", "cchc", "check"], env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert f"DJANGO_ENV=production needs the environment variable(s) {missing} " in done.stderr


def test_production_names_every_missing_variable_at_once(tmp_path):
    env = production_env(tmp_path, DJANGO_SECRET_KEY="  ")
    del env["DATABASE_URL"]
    done = run(["-m", "cchc", "check"], env)
    assert done.returncode != 0
    assert "variable(s) DJANGO_SECRET_KEY, DATABASE_URL " in done.stderr


def test_an_unknown_environment_name_is_refused(tmp_path):
    done = run(["-m", "cchc", "check"], production_env(tmp_path, DJANGO_ENV="prod"))
    assert done.returncode != 0
    assert "DJANGO_ENV must be development or production, got 'prod'" in done.stderr


PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
from django.core.cache import caches
cache = caches["default"]
default_storage = storages["default"]
print(json.dumps({
    "storage": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
    "location": getattr(default_storage, "location", None),
    "cache": type(cache).__module__ + "." + type(cache).__name__,
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "session_engine": settings.SESSION_ENGINE,
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "hsts": [settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD,
             settings.SECURE_HSTS_INCLUDE_SUBDOMAINS],
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "csrf_trusted": settings.CSRF_TRUSTED_ORIGINS,
}))
"""


def test_media_on_s3_and_the_redis_cache_are_chosen_by_the_environment(tmp_path):
    plain = json.loads(run(["-c", PRINT_SETTINGS], production_env(tmp_path)).stdout)
    assert plain["storage"] == "cchc.lib.storage.AtomicFileSystemStorage"
    # One machine without Redis: a cache on disk that the web and job workers share.
    assert plain["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert plain["cache_location"] == str(tmp_path / "var" / "cache")
    assert plain["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert plain["conn_max_age"] == 60 and plain["health_checks"] is True
    assert plain["hsts"] == [365 * 24 * 3600, True, True]
    assert plain["secure_cookies"] == [True, True]

    done = run(
        ["-c", PRINT_SETTINGS],
        production_env(
            tmp_path,
            CCHC_S3_BUCKET="cchc-media",
            CCHC_S3_ENDPOINT_URL="https://s3.example.gov.vn",
            CCHC_S3_ACCESS_KEY_ID="key",
            CCHC_S3_SECRET_ACCESS_KEY="secret",
            CCHC_S3_PREFIX="tinh-thu-nghiem",
            CCHC_REDIS_URL="redis://127.0.0.1:6379/3",
            DJANGO_CSRF_TRUSTED_ORIGINS="https://dichvucong.example.gov.vn",
        ),
    )
    scaled = json.loads(done.stdout)
    assert scaled["storage"] == "storages.backends.s3.S3Storage"
    assert (scaled["bucket"], scaled["endpoint"], scaled["location"]) == (
        "cchc-media",
        "https://s3.example.gov.vn",
        "tinh-thu-nghiem",
    )
    assert scaled["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert scaled["cache_location"] == "redis://127.0.0.1:6379/3"
    assert scaled["session_engine"] == "django.contrib.sessions.backends.cached_db"
    assert scaled["csrf_trusted"] == ["https://dichvucong.example.gov.vn"]


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def live_database_url(tmp_path: Path) -> str:
    """The test database when another process can reach it (PostgreSQL); a fresh SQLite file
    otherwise (the in-memory test database is this process's alone)."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        client.request("GET", path, headers={"Host": HOST, **headers})
        response = client.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        client.close()


def test_gunicorn_serves_the_application_with_the_deploy_config(db, tmp_path):
    port = free_port()
    env = production_env(
        tmp_path,
        DATABASE_URL=live_database_url(tmp_path),
        CCHC_BIND=f"127.0.0.1:{port}",
        CCHC_WEB_WORKERS="2",
        CCHC_PROXY_COUNT="1",
    )
    config = Path(settings.PROJECT_DIR) / "deploy" / "gunicorn.conf.py"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(config), "cchc.wsgi:application"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=settings.PROJECT_DIR,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = get(port, "/healthz", **{"X-Forwarded-Proto": "https"})
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.2)
        # Reached through the proxy over HTTPS: the database answers, HSTS is sent.
        assert (status, body) == (200, b"ok\n")
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        # Plain HTTP is sent to HTTPS; an unknown host is refused.
        status, headers, _body = get(port, "/healthz")
        assert (status, headers["Location"]) == (301, f"https://{HOST}/healthz")
        status, _headers, _body = get(
            port, "/healthz", Host="evil.example.com", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 400
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    # The access log names each request.
    assert 'GET /healthz HTTP/1.1" 200' in output


# --- the client's address behind the proxy ---------------------------------------------------


def seen_address(proxy_count: int, **environ: str) -> str:
    seen = {}

    def app(env, start_response):
        seen["address"] = env.get("REMOTE_ADDR")
        start_response("200 OK", [])
        return [b""]

    ForwardedClientAddress(app, proxy_count)(
        {"REMOTE_ADDR": "127.0.0.1", **environ}, lambda status, headers: None
    )
    return seen["address"]


def test_client_address_comes_from_the_proxy_not_from_the_client():
    # nginx appends the address it saw; whatever the client wrote before it is ignored.
    forwarded = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
    assert seen_address(1, **forwarded) == "203.0.113.7"
    # Two proxies (a load balancer, then nginx): the address the outer one saw.
    assert seen_address(2, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2") == "203.0.113.7"
    # Not behind a proxy, or a request that skipped it: the peer address is kept.
    assert seen_address(0, **forwarded) == "127.0.0.1"
    assert seen_address(2, HTTP_X_FORWARDED_FOR="203.0.113.7") == "127.0.0.1"
    assert seen_address(1) == "127.0.0.1"
