import os
import shutil

import pytest
from django.db import connections

from cchc.testing import build_world, require_or_skip

CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "vi"
    # Argon2 is deliberately slow; tests make hundreds of users (production keeps Argon2, see
    # cchc/core/tests/test_settings.py).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _two_factor_off(settings):
    # Two-factor verification (issue 8) is off for the suite, whose tests sign people in with
    # force_login to test the pages behind the login; cchc/core/tests/test_security_*.py switch
    # it back on (settings.CCHC_REQUIRE_2FA = True) and test it.
    settings.CCHC_REQUIRE_2FA = False


@pytest.fixture
def world(db):
    return build_world()


# --- browser journeys: one Chromium (Debian's package) per test process ---------------------
#
# Defined here, once: a session fixture imported into several conftests would be several
# fixtures, and a second Playwright start in the same process fails.
#
# The rows that data migrations ship (deadline rules, working hours, metric parameters …) are
# kept by Django on the connection object for ``serialized_rollback``. Once Playwright's sync API
# runs its event loop in the test thread, Django hands out other connection objects without
# them, and the restore after a transactional test would silently do nothing. The hooks below
# carry the data over to whatever connection is current.
_SERIALIZED: dict[str, str] = {}


def _carry_serialized_contents() -> None:
    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            _SERIALIZED.setdefault(alias, contents)
        elif alias in _SERIALIZED:
            connection._test_serialized_contents = _SERIALIZED[alias]


def pytest_runtest_setup(item):
    _carry_serialized_contents()


def pytest_runtest_teardown(item, nextitem):
    # Before the flush that ends a transactional test, so that it knows the data will be
    # restored (otherwise it recreates content types, which the restore then duplicates).
    _carry_serialized_contents()


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    require_or_skip(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    # The test database (and the data kept for serialized rollback) exists before Playwright
    # starts; the hooks above then carry that data to the connections used afterwards.
    with django_db_blocker.unblock():
        _carry_serialized_contents()
    with sync_playwright() as playwright:
        _carry_serialized_contents()
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg):
        # A form answered with 400 is expected when input is refused; scripts must not fail.
        if msg.type == "error" and "responded with a status of 4" not in msg.text:
            errors.append(msg.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors in the browser: {errors}"


@pytest.fixture
def live_world(transactional_db, django_db_serialized_rollback):
    # Serialized rollback restores the rows that data migrations ship (standard indicators,
    # point rules, working hours) after the flush that ends a transactional test.
    return build_world()
