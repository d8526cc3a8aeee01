"""Fixtures for the browser journeys: one Chromium (Debian's package) for the whole run."""

from __future__ import annotations

import os
import shutil

import pytest

from cchc.testing import PASSWORD, build_world, require_or_skip

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


@pytest.fixture(scope="session")
def browser():
    require_or_skip(
        os.path.exists(CHROMIUM) or shutil.which("chromium") is not None,
        f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
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


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base_url}/")
