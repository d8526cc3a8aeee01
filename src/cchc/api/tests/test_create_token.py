import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from rest_framework.test import APIClient

from cchc.core.models import ApiToken

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("create_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_the_raw_token_once_and_it_works(world):
    out, err = run("stp_coord", "--name", "Báo cáo tự động")
    raw = out.strip()
    assert raw.startswith("cchc_")
    assert "cannot be shown again" in err
    token = ApiToken.objects.get(user=world.a.coordinator)
    assert token.name == "Báo cáo tự động"
    # Every token expires: by default after the longest life the settings allow (365 days).
    assert 364 < (token.expires_at - timezone.now()).total_seconds() / 86400 <= 365
    assert token.digest == ApiToken.digest_of(raw)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me/").json()["username"] == "stp_coord"


def test_json_with_expiry(world):
    out, _ = run("stp_officer", "--days", "30", "--json")
    body = json.loads(out)
    assert set(body) == {"token", "user", "expires_at"}
    assert body["user"] == "stp_officer"
    token = ApiToken.objects.get(user=world.a.officer)
    delta = token.expires_at - timezone.now()
    assert 29 < delta.total_seconds() / 86400 <= 30
    assert body["expires_at"] == token.expires_at.isoformat()


def test_unknown_user_fails_clearly(world):
    with pytest.raises(CommandError, match="No user with the username 'nobody'") as info:
        run("nobody")
    assert info.value.returncode == 1
    assert not ApiToken.objects.exists()


def test_unknown_user_fails_in_json_too(world):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("create_token", "nobody", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"error": "No user with the username 'nobody'."}


def test_inactive_user_is_refused(world):
    world.a.viewer.is_active = False
    world.a.viewer.save()
    with pytest.raises(CommandError, match="không còn hoạt động"):
        run("stp_viewer")
    with translation.override("en"), pytest.raises(CommandError, match="not active"):
        run("stp_viewer")


@pytest.mark.parametrize("days", ["0", "-3", "abc"])
def test_bad_days_are_refused(world, days):
    with pytest.raises(CommandError):
        run("stp_officer", "--days", days)
