"""Helpers of the browser journeys (the fixtures themselves are in ``cchc/conftest.py``)."""

from __future__ import annotations

from cchc.testing import PASSWORD


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base_url}/")
