import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cchc.api.tests.conftest import issue_token
from cchc.core.models import ApiToken
from cchc.core.tokens import token_create, token_revoke

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()["error"]) >= {"code", "message"}


def test_token_authenticates_and_me_lists_memberships(world):
    response = bearer(issue_token(world.a.officer.username)).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == world.a.officer.pk
    assert body["username"] == "stp_officer"
    assert body["is_admin"] is False
    [membership] = body["memberships"]
    assert membership["agency"] == {
        "id": world.a.agency.pk,
        "code": "STP",
        "name": world.a.agency.name,
    }
    assert membership["role"] == "officer"
    assert membership["unit"] == world.a.unit.pk
    assert ApiToken.objects.get(user=world.a.officer).last_used_at is not None


def test_anonymous_gets_401_with_bearer_challenge(world):
    assert_unauthorized(APIClient().get(ME))
    assert_unauthorized(APIClient().get("/api/v1/tasks/"))


@pytest.mark.parametrize(
    "header",
    ["Bearer cchc_not-a-real-token", "Bearer", "Bearer a b", "Bearer \u00e9\u00e8"],
)
def test_garbage_tokens_get_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_unauthorized(client.get(ME))


def test_revoked_token_gets_401(world):
    raw = token_create(user=world.a.officer)
    client = bearer(raw)
    assert client.get(ME).status_code == 200
    token_revoke(token=ApiToken.objects.get(digest=ApiToken.digest_of(raw)))
    assert_unauthorized(client.get(ME))


def test_expired_token_gets_401(world):
    raw = token_create(user=world.a.officer, expires_at=timezone.now() + dt.timedelta(days=1))
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_unauthorized(bearer(raw).get(ME))


def test_token_of_deactivated_user_gets_401(world):
    raw = token_create(user=world.a.officer)
    world.a.officer.is_active = False
    world.a.officer.save()
    assert_unauthorized(bearer(raw).get(ME))


def test_only_the_digest_is_stored(world):
    raw = token_create(user=world.a.officer, name="ci")
    token = ApiToken.objects.get(user=world.a.officer)
    assert token.digest == ApiToken.digest_of(raw) != raw
    assert raw.startswith(token.prefix)
    assert not ApiToken.objects.filter(digest=raw).exists()


def test_session_login_works_too(world):
    client = APIClient()
    client.force_login(world.a.viewer)
    assert client.get(ME).json()["username"] == "stp_viewer"
