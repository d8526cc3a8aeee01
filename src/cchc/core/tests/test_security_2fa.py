"""Two-factor verification (TOTP) for admins, appraisers, leaders and coordinators."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from cchc.core.models import AuditEntry
from cchc.core.security import twofactor
from cchc.core.tokens import token_create
from cchc.testing import PASSWORD

SETUP = "/accounts/2fa/setup/"
VERIFY = "/accounts/2fa/verify/"


@pytest.fixture
def two_factor(settings):
    settings.CCHC_REQUIRE_2FA = True


def _code(device: TOTPDevice, *, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:06d}"


def _login(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="cchc", confirmed=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "required"),
    [
        ("admin", True),
        ("appraiser", True),
        ("leader", True),
        ("coordinator", True),
        ("unit_head", False),
        ("officer", False),
        ("viewer", False),
    ],
)
def test_who_must_use_two_factors(world, two_factor, persona, required):
    user = getattr(world, persona, None) or getattr(world.a, persona)
    assert twofactor.requires_two_factor(user) is required


@pytest.mark.django_db
def test_setting_off_requires_nobody(world, settings):
    settings.CCHC_REQUIRE_2FA = False
    assert twofactor.requires_two_factor(world.admin) is False


@pytest.mark.django_db
def test_coordinator_without_device_is_sent_to_setup(client, world, two_factor):
    _login(client, "stp_coord")
    response = client.get("/tasks/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Ftasks%2F"
    # Not even a POST gets through.
    assert client.post(f"/tasks/{world.a.task.pk}/comments/", {"body": "x"}).status_code == 302


@pytest.mark.django_db
def test_htmx_requests_are_redirected_by_header(client, world, two_factor):
    _login(client, "stp_coord")
    response = client.get("/tasks/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(SETUP)


@pytest.mark.django_db
def test_setup_shows_qr_and_secret_and_confirms_with_a_first_code(client, world, two_factor):
    _login(client, "stp_coord")
    page = client.get(f"{SETUP}?next=/tasks/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    device = TOTPDevice.objects.get(user=world.a.coordinator, confirmed=False)
    assert twofactor.secret_base32(device) in body
    # Reloading shows the same secret: the device waits for its first code.
    assert client.get(SETUP).content.decode().count(twofactor.secret_base32(device)) == 1
    assert TOTPDevice.objects.filter(user=world.a.coordinator).count() == 1

    wrong = client.post(SETUP, {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is False

    device.throttle_reset()
    response = client.post(SETUP, {"code": _code(device), "next": "/tasks/"})
    assert response.status_code == 302
    assert response["Location"] == "/tasks/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/tasks/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.enrol", actor=world.a.coordinator).exists()


@pytest.mark.django_db
def test_next_may_not_leave_the_site(client, world, two_factor):
    _login(client, "stp_coord")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.a.coordinator)
    response = client.post(SETUP, {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_person_with_device_must_verify_after_the_password(client, world, two_factor):
    device = _confirmed_device(world.a.leader)
    _login(client, "stp_leader")
    response = client.get("/")
    assert response["Location"] == f"{VERIFY}?next=%2F"
    # The set-up page does not let a password alone enrol a second phone.
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": "12345"}).status_code == 200  # not six digits
    assert client.get("/").status_code == 302
    response = client.post(VERIFY, {"code": _code(device), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.filter(user=world.a.leader).count() == 1


@pytest.mark.django_db
def test_a_new_session_must_verify_again(client, world, two_factor):
    device = _confirmed_device(world.admin)
    _login(client, "admin")
    client.post(VERIFY, {"code": _code(device)})
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    _login(client, "admin")
    assert client.get("/")["Location"].startswith(VERIFY)


@pytest.mark.django_db
def test_people_without_a_privileged_role_are_not_asked(client, world, two_factor):
    _login(client, "stp_officer")
    assert client.get("/tasks/").status_code == 200


@pytest.mark.django_db
def test_open_pages_stay_open_before_verification(client, world, two_factor):
    _login(client, "stp_coord")
    assert client.get(SETUP).status_code == 200
    response = client.post("/i18n/setlang/", {"language": "en", "next": SETUP})
    assert response.status_code == 302
    assert response["Location"] == SETUP
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_api_with_a_token_is_exempt_and_session_api_is_not(client, world, two_factor):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.a.coordinator)}")
    assert api.get("/api/v1/me/").status_code == 200
    _login(client, "stp_coord")
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.mark.browser
def test_coordinator_sets_up_totp_and_reaches_the_dashboard(
    page, live_server, live_world, settings
):
    settings.CCHC_REQUIRE_2FA = True
    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", live_world.a.coordinator.username)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{url}{SETUP}?next=%2F")
    assert page.get_by_test_id("totp-qr").is_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    device = TOTPDevice.objects.get(user=live_world.a.coordinator)
    assert secret == twofactor.secret_base32(device)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.get_by_test_id("totp-confirm").click()
    page.wait_for_url(f"{url}/")
    assert page.locator("h1").first.is_visible()
    device.refresh_from_db()
    assert device.confirmed is True


@pytest.mark.django_db
def test_oidc_backend_matches_existing_people_only(world):
    from cchc.core.security.oidc import ExistingUserOIDCBackend

    backend = ExistingUserOIDCBackend.__new__(ExistingUserOIDCBackend)
    backend.UserModel = type(world.admin)
    found = backend.filter_users_by_claims({"preferred_username": "STP_COORD"})
    assert list(found) == [world.a.coordinator]
    unverified = {"email": world.a.leader.email, "email_verified": False}
    assert list(backend.filter_users_by_claims(unverified)) == []
    verified = {"email": world.a.leader.email, "email_verified": True}
    assert list(backend.filter_users_by_claims(verified)) == [world.a.leader]
    assert backend.create_user({"preferred_username": "newcomer"}) is None
