"""Login throttling (django-axes): N wrong passwords for one username from one address lock
that pair out for the cool-off; others are not affected; the API token is not affected."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from cchc.core.tokens import token_create
from cchc.testing import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _login(client, username, password, address="10.0.0.7", language="vi"):
    client.cookies["django_language"] = language
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail_five_times(client, username="stp_officer", address="10.0.0.7"):
    for _ in range(5):
        response = _login(client, username, "wrong-password", address)
        assert response.status_code in (200, 429)


def test_right_password_logs_in(client, world):
    response = _login(client, "stp_officer", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_four_failures_do_not_lock(client, world):
    for _ in range(4):
        assert _login(client, "stp_officer", "wrong").status_code == 200
    assert _login(client, "stp_officer", PASSWORD).status_code == 302


def test_five_failures_lock_out_even_with_the_right_password(client, world):
    _fail_five_times(client)
    response = _login(client, "stp_officer", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert 'data-testid="lockout"' in body
    assert '<html lang="vi">' in body  # Vietnamese by default (the lead translates the text)


def test_lockout_page_in_english(client, world):
    _fail_five_times(client)
    response = _login(client, "stp_officer", PASSWORD, language="en")
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()


def test_another_user_and_another_address_are_unaffected(client, world):
    _fail_five_times(client)
    assert _login(client, "stp_viewer", PASSWORD).status_code == 302
    other = client.__class__()
    assert _login(other, "stp_officer", PASSWORD, address="10.0.0.8").status_code == 302


def test_cool_off_passes(client, world, settings):
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    _fail_five_times(client)
    assert _login(client, "stp_officer", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _login(client, "stp_officer", PASSWORD).status_code == 302


def test_admin_can_unlock_with_axes_reset(client, world):
    _fail_five_times(client)
    assert _login(client, "stp_officer", PASSWORD).status_code == 429
    call_command("axes_reset_username", "stp_officer", stdout=StringIO())
    assert _login(client, "stp_officer", PASSWORD).status_code == 302


def test_api_token_works_during_a_lockout(client, world):
    _fail_five_times(client)
    api = APIClient(REMOTE_ADDR="10.0.0.7")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.a.officer)}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "stp_officer"


def test_authenticate_without_a_request_still_checks_the_password(world):
    from django.contrib.auth import authenticate

    assert authenticate(username="stp_officer", password=PASSWORD) == world.a.officer
    assert authenticate(username="stp_officer", password="wrong") is None
