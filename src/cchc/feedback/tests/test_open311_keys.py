"""Open311 API keys: issued once by ``cchc create_api_key``, stored as a digest, revocable. The
key's use on a live server is in ``test_open311_api``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.core.models import Agency, AuditEntry
from cchc.feedback.keys import key_digest, open311_key_check, open311_key_create, open311_key_revoke
from cchc.feedback.models import Feedback, FeedbackChannel, FeedbackTopic, Open311Key

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency() -> Agency:
    agency = Agency.objects.create(code="STP", name="Sở Tư pháp")
    FeedbackTopic.objects.create(agency=agency, code="ho-tich", name="Hộ tịch")
    return agency


def test_a_key_is_shown_once_and_stored_as_its_digest(agency):
    raw = open311_key_create(agency=agency, name="Cổng tỉnh")
    key = Open311Key.objects.get()
    assert key.digest == key_digest(raw) != raw
    assert key.prefix == raw[:12]
    assert raw not in {key.digest, key.prefix, key.name}
    assert AuditEntry.objects.filter(action="open311_key.create", agency=agency).count() == 1

    assert key.last_used_at is None
    assert open311_key_check(raw) == key
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert open311_key_check(raw + "x") is None
    assert open311_key_check("") is None
    assert open311_key_check("x" * 1000) is None

    open311_key_revoke(key=key)
    open311_key_revoke(key=key)  # twice keeps the first time, one audit row
    assert open311_key_check(raw) is None
    assert AuditEntry.objects.filter(action="open311_key.revoke").count() == 1


def test_the_command_prints_a_working_key(agency, client):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "--agency", "STP", "--name", "Ứng dụng", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("o311_")
    assert "cannot be shown again" in err.getvalue()
    key = open311_key_check(raw)
    assert key is not None and key.agency == agency and key.name == "Ứng dụng"

    answer = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": raw,
            "service_code": "ho-tich",
            "description": "Đề nghị niêm yết lệ phí đăng ký kết hôn tại bộ phận một cửa.",
            "first_name": "Bình",
            "last_name": "Phạm",
            "phone": "0987654321",
        },
    )
    assert answer.status_code == 200, answer.content
    (created,) = answer.json()
    item = Feedback.objects.get(public_id=created["service_request_id"])
    assert item.channel == FeedbackChannel.OPEN311
    assert item.agency == agency


def test_the_command_answers_in_json(agency):
    out = io.StringIO()
    call_command("create_api_key", "--agency", "STP", "--json", stdout=out, stderr=io.StringIO())
    answer = json.loads(out.getvalue())
    assert set(answer) == {"agency", "key", "prefix"}
    assert answer["agency"] == "STP"
    assert answer["prefix"] == answer["key"][:12]
    assert open311_key_check(answer["key"]).agency == agency


def test_the_command_refuses_an_unknown_agency(agency):
    with pytest.raises(CommandError, match="No agency with the code 'XYZ'"):
        call_command("create_api_key", "--agency", "XYZ", stdout=io.StringIO())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("create_api_key", "--agency", "XYZ", "--json", stdout=out)
    assert "XYZ" in json.loads(out.getvalue())["error"]
    assert not Open311Key.objects.exists()


def test_the_admin_lists_keys_and_revokes_them(client, world):
    from cchc.feedback.keys import open311_key_check, open311_key_create
    from cchc.feedback.models import Open311Key

    raw = open311_key_create(agency=world.a.agency, name="Ứng dụng tỉnh")
    key = Open311Key.objects.get()
    client.force_login(world.admin)
    listing = client.get("/admin/feedback/open311key/")
    assert listing.status_code == 200 and key.prefix in listing.content.decode()
    assert raw not in listing.content.decode()
    response = client.post(
        "/admin/feedback/open311key/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and open311_key_check(raw) is None
