"""API tokens narrowed to an agency and a role, expiring, revocable by prefix."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from cchc.core.models import ApiToken, Membership, Role, User
from cchc.core.tokens import token_create

pytestmark = pytest.mark.django_db


def _api(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _edit(api, task):
    task.refresh_from_db()
    return api.patch(
        f"/api/v1/tasks/{task.pk}/", {"product": "Báo cáo", "version": task.version}, format="json"
    )


@pytest.fixture
def coordinator_of_both(world):
    """Agency A's coordinator, who is also coordinator of agency B."""
    Membership.objects.create(
        user=world.a.coordinator, agency=world.b.agency, role=Role.COORDINATOR
    )
    return User.objects.get(pk=world.a.coordinator.pk)  # without the scope cached before


def test_unscoped_token_has_the_owners_rights(world, coordinator_of_both):
    api = _api(token_create(user=coordinator_of_both))
    assert api.get(f"/api/v1/plans/{world.b.plan.pk}/").status_code == 200
    response = _edit(api, world.a.task)
    assert response.status_code == 200


def test_token_scoped_to_agency_a_as_viewer_cannot_write_nor_read_b(world, coordinator_of_both):
    api = _api(token_create(user=coordinator_of_both, agency=world.a.agency, role=Role.VIEWER))
    assert api.get(f"/api/v1/plans/{world.a.plan.pk}/").status_code == 200
    assert api.get(f"/api/v1/plans/{world.b.plan.pk}/").status_code == 404
    response = _edit(api, world.a.task)
    assert response.status_code == 403
    plans = {row["id"] for row in api.get("/api/v1/plans/").json()["results"]}
    assert plans == {world.a.plan.pk}


def test_token_scoped_to_an_agency_keeps_the_role_there(world, coordinator_of_both):
    api = _api(token_create(user=coordinator_of_both, agency=world.b.agency))
    assert api.get(f"/api/v1/plans/{world.a.plan.pk}/").status_code == 404
    response = _edit(api, world.b.task)
    assert response.status_code == 200


def test_admin_viewer_token_reads_but_does_not_write(world):
    api = _api(token_create(user=world.admin, role=Role.VIEWER))
    assert api.get(f"/api/v1/plans/{world.b.plan.pk}/").status_code == 200
    assert api.get("/api/v1/me/").json()["is_admin"] is False
    response = _edit(api, world.a.task)
    assert response.status_code == 403


def test_a_token_cannot_widen_the_owners_rights(world):
    with pytest.raises(ValidationError):
        token_create(user=world.a.officer, role=Role.COORDINATOR)
    with pytest.raises(ValidationError):
        token_create(user=world.a.officer, agency=world.b.agency)
    with pytest.raises(ValidationError):
        token_create(user=world.a.coordinator, role=Role.ADMIN)
    assert not ApiToken.objects.exists()


def test_every_token_expires_within_the_maximum(world, settings):
    settings.CCHC_TOKEN_MAX_DAYS = 90
    token_create(user=world.a.officer)
    token = ApiToken.objects.get()
    days = (token.expires_at - timezone.now()).total_seconds() / 86400
    assert 89.9 < days <= 90
    with pytest.raises(ValidationError):
        token_create(user=world.a.officer, expires_at=timezone.now() + dt.timedelta(days=91))


def test_create_token_command_with_agency_and_role(world):
    out = StringIO()
    call_command(
        "create_token", "stp_coord", "--agency", "STP", "--role", "viewer", "--days", "7",
        "--json", stdout=out,
    )  # fmt: skip
    token = ApiToken.objects.get(user=world.a.coordinator)
    assert token.agency == world.a.agency
    assert token.role == Role.VIEWER
    with pytest.raises(CommandError, match="No agency"):
        call_command("create_token", "stp_coord", "--agency", "NOPE", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_token", "stp_coord", "--days", "400", stdout=StringIO())


def test_revoke_token_by_prefix(world):
    raw = token_create(user=world.a.officer)
    api = _api(raw)
    assert api.get("/api/v1/me/").status_code == 200
    out = StringIO()
    call_command("revoke_token", raw[:12], stdout=out)
    assert "Revoked" in out.getvalue()
    assert ApiToken.objects.get().revoked_at is not None
    assert api.get("/api/v1/me/").status_code == 401
    with pytest.raises(CommandError, match="No token"):
        call_command("revoke_token", "cchc_nothing", stdout=StringIO())
    with pytest.raises(CommandError, match="at least"):
        call_command("revoke_token", "cchc_", stdout=StringIO())


def test_me_shows_what_a_narrowed_token_acts_through(world, coordinator_of_both):
    full = _api(token_create(user=coordinator_of_both)).get("/api/v1/me/").json()
    assert {m["agency"]["id"] for m in full["memberships"]} == {
        world.a.agency.pk,
        world.b.agency.pk,
    }
    assert full["token"] is None

    narrowed = _api(
        token_create(user=coordinator_of_both, agency=world.b.agency, role=Role.COORDINATOR)
    )
    me = narrowed.get("/api/v1/me/").json()
    assert [(m["agency"]["id"], m["role"]) for m in me["memberships"]] == [
        (world.b.agency.pk, Role.COORDINATOR)
    ]
    assert me["token"]["agency"]["id"] == world.b.agency.pk
    assert me["token"]["role"] == Role.COORDINATOR

    viewer = _api(token_create(user=coordinator_of_both, agency=world.a.agency, role=Role.VIEWER))
    me = viewer.get("/api/v1/me/").json()
    assert me["memberships"] == []  # the owner holds no viewer membership: it acts as a reader
    assert me["token"]["role"] == Role.VIEWER and me["token"]["agency"]["id"] == world.a.agency.pk
