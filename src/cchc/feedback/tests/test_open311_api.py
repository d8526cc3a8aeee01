"""The Open311 GeoReport v2 API against a live server, read with a real client library from PyPI
(``georeport``) in JSON and XML, and written with form-encoded POSTs as the spec says."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from decimal import Decimal

import pytest
import requests
import xmltodict
from django.utils import timezone, translation
from georeport import GeoReport

from cchc.core.models import Agency, RateLimitBucket, User
from cchc.feedback.keys import open311_key_create, open311_key_revoke
from cchc.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackChannel,
    FeedbackState,
    FeedbackTopic,
    Open311Key,
)
from cchc.feedback.open311 import views
from cchc.lib.ratelimit import address_key

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FORMATS = ("json", "xml")
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "media_url",
    "cchc_state",
    "cchc_state_label",
}
# Personal or internal data that no public answer may contain.
SECRETS = {
    "contact_name": "Trần Thị Kín Đáo",
    "contact_phone": "0909777111",
    "contact_email": "kin.dao.rieng@example.vn",
    "content": "Nội dung riêng tư SECRETCONTENT về nhà số 12",
    "title": "Tiêu đề riêng SECRETTITLE",
    "sender_key": "senderhash-SECRETSENDER",
    "decision_note": "Ghi chú nội bộ SECRETNOTE",
    "answer_draft": "Câu trả lời chưa duyệt SECRETANSWER",
}


class Site:
    def __init__(self, url: str):
        self.root = f"{url}/open311/v2"
        now = timezone.now()
        self.now = now
        self.a = Agency.objects.create(code="STP", name="Sở Tư pháp")
        self.b = Agency.objects.create(code="SYT", name="Sở Y tế")
        self.civil = FeedbackTopic.objects.create(
            agency=self.a, code="ho-tich", name="Hộ tịch", description="Khai sinh, kết hôn"
        )
        self.notary = FeedbackTopic.objects.create(
            agency=self.a, code="chung-thuc", name="Chứng thực", position=2
        )
        FeedbackTopic.objects.create(agency=self.a, code="cu", name="Lĩnh vực cũ", active=False)
        self.health = FeedbackTopic.objects.create(agency=self.b, code="y-te", name="Y tế")
        self.handler = User.objects.create_user(
            username="canbo", password="x-Secret-1", full_name="Cán Bộ SECRETHANDLER"
        )
        self.open = self.feedback(
            "PAKN-2026-1",
            self.civil,
            state=FeedbackState.IN_PROGRESS,
            received_at=now - dt.timedelta(days=10),
            due_at=now + dt.timedelta(days=3),
            final_due_at=now + dt.timedelta(days=5),
            latitude=Decimal("10.771234"),
            longitude=Decimal("106.701234"),
            public_summary="Bản tóm tắt chưa công bố SECRETDRAFTSUMMARY",
        )
        self.published = self.feedback(
            "PAKN-2026-2",
            self.notary,
            state=FeedbackState.PUBLISHED,
            received_at=now - dt.timedelta(days=40),
            final_due_at=now - dt.timedelta(days=20),
            published_at=now - dt.timedelta(days=18),
            latitude=Decimal("10.776543"),
            longitude=Decimal("106.700987"),
            public_summary="Người dân hỏi về thời hạn chứng thực bản sao",
            answer="Thời hạn là trong ngày.",
        )
        self.rejected = self.feedback(
            "PAKN-2026-3",
            self.civil,
            state=FeedbackState.REJECTED,
            received_at=now - dt.timedelta(days=60),
            final_due_at=now - dt.timedelta(days=57),
        )
        self.old = self.feedback(
            "PAKN-2025-9",
            self.civil,
            state=FeedbackState.PUBLISHED,
            received_at=now - dt.timedelta(days=200),
            public_summary="Một phản ánh cũ",
        )
        self.elsewhere = self.feedback(
            "PAKN-2026-4", self.health, agency=self.b, received_at=now - dt.timedelta(days=2)
        )

    def feedback(self, public_id: str, topic: FeedbackTopic, **fields) -> Feedback:
        values = {
            "agency": self.a,
            "title": SECRETS["title"],
            "content": SECRETS["content"],
            "contact_name": SECRETS["contact_name"],
            "contact_phone": SECRETS["contact_phone"],
            "contact_email": SECRETS["contact_email"],
            "sender_key": SECRETS["sender_key"],
            "decision_note": SECRETS["decision_note"],
            "handler": self.handler,
            "channel": FeedbackChannel.WEB,
            **fields,
        }
        if values.get("state") != FeedbackState.PUBLISHED:
            values.setdefault("answer", SECRETS["answer_draft"])
        item = Feedback.objects.create(public_id=public_id, topic=topic, **values)
        FeedbackAttachment.objects.create(
            feedback=item,
            file=f"feedback/x/{public_id}.pdf",
            original_name="giay-to-SECRETFILE.pdf",
            content_type="application/pdf",
            size=10,
        )
        return item

    def client(self, fmt: str, agency: str = "STP") -> GeoReport:
        return GeoReport(root_address=self.root, jurisdiction=agency, output_format=fmt)

    def get(self, resource: str, **params) -> requests.Response:
        return requests.get(f"{self.root}/{resource}", params=params, timeout=10)

    def post(self, fmt: str = "json", **data) -> requests.Response:
        return requests.post(f"{self.root}/requests.{fmt}", data=data, timeout=10)


@pytest.fixture
def site(live_server):
    yield Site(live_server.url)
    # A server thread keeps a connection until the client's response object is collected; let
    # each finish now, or one closing after the session's end would touch a connection that the
    # live server no longer shares with it.
    gc.collect()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=5)


def as_list(value) -> list:
    """xmltodict gives a dict for one child element and a list for several."""
    return value if isinstance(value, list) else [value]


def errors_of(response: requests.Response, fmt: str) -> list[dict]:
    if fmt == "json":
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        return response.json()
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    body = xmltodict.parse(response.content)
    assert list(body) == ["errors"]
    return [
        {"code": int(error["code"]), "description": error["description"]}
        for error in as_list(body["errors"]["error"])
    ]


def assert_error(response: requests.Response, fmt: str, status: int) -> list[str]:
    assert response.status_code == status, response.text
    errors = errors_of(response, fmt)
    assert errors and all(error["code"] == status for error in errors)
    assert all(error["description"] for error in errors)
    return [error["description"] for error in errors]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_and_their_definitions(site, fmt):
    client = site.client(fmt)
    services = as_list(client.get_service_list())
    assert [s["service_code"] for s in services] == ["ho-tich", "chung-thuc"]
    assert all(set(s) == SERVICE_FIELDS for s in services)
    first = services[0]
    assert first["service_name"] == "Hộ tịch"
    assert first["description"] == "Khai sinh, kết hôn"
    assert first["type"] == "realtime"
    assert first["metadata"] in (True, "true")

    definition = client.get_service_definition("ho-tich")
    assert definition["service_code"] == "ho-tich"
    attributes = definition["attributes"]
    attribute = attributes[0] if fmt == "json" else attributes["attribute"]
    assert attribute["code"] == "dossier_code"
    assert attribute["required"] in (False, "false")
    assert attribute["datatype"] == "string"

    # The other agency's services are its own; an inactive topic is not offered.
    assert [s["service_code"] for s in as_list(site.client(fmt, "SYT").get_service_list())] == [
        "y-te"
    ]
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_definition("cu")
    assert_error(refused.value.response, fmt, 404)
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_definition("y-te")
    assert_error(refused.value.response, fmt, 404)

    # Two agencies offer services, so the jurisdiction must be named, and must exist.
    assert_error(site.get(f"services.{fmt}"), fmt, 400)
    with pytest.raises(requests.HTTPError) as refused:
        site.client(fmt, "KHONGCO").get_service_list()
    assert_error(refused.value.response, fmt, 404)


def test_formats_and_content_types(site):
    json_answer = site.get("services.json", jurisdiction_id="STP")
    assert json_answer.headers["Content-Type"] == "application/json; charset=utf-8"
    xml_answer = site.get("services.xml", jurisdiction_id="STP")
    assert xml_answer.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert xml_answer.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    body = xmltodict.parse(xml_answer.content)
    assert list(body) == ["services"]
    assert len(body["services"]["service"]) == 2
    assert site.get("services.html", jurisdiction_id="STP").status_code == 404
    assert site.get("requests.csv", jurisdiction_id="STP").status_code == 404
    # Reads are public for other sites' browser applications; other methods are refused.
    assert json_answer.headers["Access-Control-Allow-Origin"] == "*"
    deleted = requests.delete(f"{site.root}/services.json", timeout=10)
    assert deleted.status_code == 405
    assert errors_of(deleted, "json")[0]["code"] == 405


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_with_the_standard_filters(site, fmt):
    client = site.client(fmt)
    # Default: the last 90 days of the agency, newest first; not the 200-day-old item, not SYT's.
    found = as_list(client.get_service_requests())
    assert [r["service_request_id"] for r in found] == ["PAKN-2026-1", "PAKN-2026-2", "PAKN-2026-3"]
    for item in found:
        assert REQUEST_FIELDS <= set(item) <= REQUEST_FIELDS | {"lat", "long"}

    by_id = {r["service_request_id"]: r for r in found}
    opened, published, rejected = by_id["PAKN-2026-1"], by_id["PAKN-2026-2"], by_id["PAKN-2026-3"]
    assert opened["status"] == "open"
    assert opened["cchc_state"] == "in_progress"
    with translation.override("vi"):
        label = str(FeedbackState.IN_PROGRESS.label)
    assert opened["status_notes"] == opened["cchc_state_label"] == label
    expected = timezone.localtime(site.open.final_due_at).isoformat(timespec="seconds")
    assert opened["expected_datetime"] == expected
    assert expected.endswith("+07:00")
    assert opened["requested_datetime"].endswith("+07:00")
    assert opened["agency_responsible"] == "Sở Tư pháp"
    assert opened["service_name"] == "Hộ tịch"
    # Before publication: no description, no location.
    assert not opened["description"]
    assert "lat" not in opened
    assert published["status"] == "closed"
    assert published["cchc_state"] == "published"
    assert published["description"] == "Người dân hỏi về thời hạn chứng thực bản sao"
    assert float(published["lat"]) == 10.777
    assert float(published["long"]) == 106.701
    assert rejected["status"] == "closed"
    assert rejected["cchc_state"] == "rejected"

    assert [
        r["service_request_id"] for r in as_list(client.get_service_requests(status="open"))
    ] == ["PAKN-2026-1"]
    closed = as_list(client.get_service_requests(status="closed"))
    assert [r["service_request_id"] for r in closed] == ["PAKN-2026-2", "PAKN-2026-3"]
    both = as_list(client.get_service_requests(status="open,closed"))
    assert len(both) == 3
    notary = as_list(client.get_service_requests(service_code="chung-thuc"))
    assert [r["service_request_id"] for r in notary] == ["PAKN-2026-2"]
    two_codes = as_list(client.get_service_requests(service_code="chung-thuc,ho-tich"))
    assert len(two_codes) == 3

    start = (site.now - dt.timedelta(days=70)).astimezone(dt.UTC)
    end = (site.now - dt.timedelta(days=30)).astimezone(dt.UTC)
    window = as_list(
        client.get_service_requests(
            start_date=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_date=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    )
    assert [r["service_request_id"] for r in window] == ["PAKN-2026-2", "PAKN-2026-3"]
    older = site.now - dt.timedelta(days=230)
    ancient = as_list(
        client.get_service_requests(
            start_date=timezone.localtime(older).isoformat(timespec="seconds"),
            end_date=(site.now - dt.timedelta(days=150)).date().isoformat(),
        )
    )
    assert [r["service_request_id"] for r in ancient] == ["PAKN-2025-9"]

    # service_request_id overrides the other filters (even the default dates).
    listed = as_list(
        client.get_service_requests(service_request_id="PAKN-2025-9,PAKN-2026-1", status="closed")
    )
    assert {r["service_request_id"] for r in listed} == {"PAKN-2025-9", "PAKN-2026-1"}

    one = client.get_service_request("PAKN-2026-2")
    assert one["service_request_id"] == "PAKN-2026-2"
    assert one["status"] == "closed"
    # Another agency's item is not found in this jurisdiction.
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request("PAKN-2026-4")
    assert_error(refused.value.response, fmt, 404)
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request("PAKN-1999-1")
    assert_error(refused.value.response, fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_filters_are_refused(site, fmt):
    span = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-15T00:00:00Z"}
    (message,) = assert_error(site.get(f"requests.{fmt}", jurisdiction_id="STP", **span), fmt, 400)
    assert "90" in message
    old_start = {"start_date": (site.now - dt.timedelta(days=120)).date().isoformat()}
    assert_error(site.get(f"requests.{fmt}", jurisdiction_id="STP", **old_start), fmt, 400)
    reversed_dates = {"start_date": "2026-03-01", "end_date": "2026-02-01"}
    assert_error(site.get(f"requests.{fmt}", jurisdiction_id="STP", **reversed_dates), fmt, 400)
    assert_error(site.get(f"requests.{fmt}", jurisdiction_id="STP", start_date="hôm qua"), fmt, 400)
    assert_error(site.get(f"requests.{fmt}", jurisdiction_id="STP", status="pending"), fmt, 400)
    with pytest.raises(requests.HTTPError) as refused:
        site.client(fmt).get_service_requests(
            start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"
        )
    assert refused.value.response.status_code == 400
    # Without a jurisdiction the server cannot choose between the two agencies.
    assert_error(site.get(f"requests.{fmt}"), fmt, 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_application_posts_a_request_and_follows_it(site, fmt):
    key = open311_key_create(agency=site.a, name="Ứng dụng thành phố")
    answer = site.post(
        fmt,
        api_key=key,
        jurisdiction_id="STP",
        service_code="ho-tich",
        description="Bộ phận một cửa không niêm yết lệ phí đăng ký khai sinh. " * 3,
        first_name="Lan",
        last_name="Nguyễn Thị",
        phone="0912345678",
        email="lan.nguyen@example.vn",
        lat="10.7712345",
        long="106.7012345",
        address_string="12 Lê Lợi, phường Bến Thành",
    )
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        (created,) = answer.json()
        assert set(created) == {"service_request_id", "service_notice", "account_id"}
        assert created["account_id"] is None
    else:
        body = xmltodict.parse(answer.content)
        created = body["service_requests"]["request"]
        assert set(created) == {"service_request_id", "service_notice", "account_id"}
        assert created["account_id"] is None
    public_id = created["service_request_id"]
    assert created["service_notice"]

    stored = Feedback.objects.get(public_id=public_id)
    assert stored.agency == site.a
    assert stored.topic == site.civil
    assert stored.channel == FeedbackChannel.OPEN311
    assert stored.contact_name == "Lan Nguyễn Thị"
    assert stored.contact_phone == "0912345678"
    assert stored.contact_email == "lan.nguyen@example.vn"
    assert "12 Lê Lợi, phường Bến Thành" in stored.content
    assert stored.content.startswith("Bộ phận một cửa không niêm yết lệ phí")
    assert stored.title.startswith("Bộ phận một cửa") and len(stored.title) <= 81
    assert stored.latitude == Decimal("10.771235") or stored.latitude == Decimal("10.771234")
    assert Open311Key.objects.get().last_used_at is not None

    client = site.client(fmt)
    followed = client.get_service_request(public_id)
    assert followed["service_request_id"] == public_id
    assert followed["status"] == "open"
    assert followed["service_code"] == "ho-tich"
    assert followed["cchc_state"] == "received"
    assert followed["expected_datetime"]
    assert "lan.nguyen" not in str(followed) and "0912345678" not in str(followed)
    listed = as_list(client.get_service_requests(status="open"))
    assert public_id in [r["service_request_id"] for r in listed]

    # The token of a request is its id (requests are created at once).
    token = site.get(f"tokens/{public_id}.{fmt}", jurisdiction_id="STP")
    assert token.status_code == 200
    if fmt == "json":
        assert token.json() == [{"service_request_id": public_id, "token": public_id}]
    else:
        entry = xmltodict.parse(token.content)["service_requests"]["request"]
        assert entry == {"service_request_id": public_id, "token": public_id}
    assert_error(site.get(f"tokens/KHONG-CO.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_refused_posts_store_nothing(site, fmt):
    key = open311_key_create(agency=site.a)
    valid = {
        "service_code": "ho-tich",
        "description": "Thủ tục chứng thực còn yêu cầu bản sao không cần thiết.",
        "first_name": "Minh",
        "last_name": "Lê",
        "email": "minh@example.vn",
    }
    before = Feedback.objects.count()

    assert_error(site.post(fmt, **valid), fmt, 403)
    assert_error(site.post(fmt, api_key="o311_doan-bua", **valid), fmt, 403)
    other_key = open311_key_create(agency=site.b)
    assert_error(site.post(fmt, api_key=other_key, jurisdiction_id="STP", **valid), fmt, 403)
    revoked = open311_key_create(agency=site.a)
    open311_key_revoke(key=Open311Key.objects.get(prefix=revoked[:12]))
    assert_error(site.post(fmt, api_key=revoked, **valid), fmt, 403)

    missing_service = {**valid, "service_code": ""}
    assert_error(site.post(fmt, api_key=key, **missing_service), fmt, 400)
    unknown_service = {**valid, "service_code": "y-te"}  # SYT's, not STP's
    assert_error(site.post(fmt, api_key=key, **unknown_service), fmt, 400)

    markup = {**valid, "description": "Xem <script>alert(1)</script> nhé"}
    assert_error(site.post(fmt, api_key=key, **markup), fmt, 400)
    markup_name = {**valid, "first_name": "<b>Minh</b>"}
    assert_error(site.post(fmt, api_key=key, **markup_name), fmt, 400)

    # Every problem is listed at once: the coordinates, the contact and the description.
    several = {**valid, "description": "", "email": "", "lat": "ba mươi", "long": "106.7"}
    problems = assert_error(site.post(fmt, api_key=key, **several), fmt, 400)
    assert len(problems) >= 3, problems
    assert any("lat" in p for p in problems)
    assert any("description" in p for p in problems)

    assert Feedback.objects.count() == before
    # The same input with a good key goes through.
    assert site.post(fmt, api_key=key, **valid).status_code == 200
    assert Feedback.objects.count() == before + 1


def test_rate_limits(site):
    key = open311_key_create(agency=site.a)
    valid = {
        "api_key": key,
        "service_code": "ho-tich",
        "description": "Phản ánh thử giới hạn tần suất.",
        "first_name": "Hà",
        "email": "ha@example.vn",
    }
    assert site.post(**valid).status_code == 200
    write_bucket = RateLimitBucket.objects.filter(key=address_key(views.WRITE_SCOPE, "127.0.0.1"))
    assert write_bucket.update(count=views.WRITE_LIMIT_PER_ADDRESS) == 1
    before = Feedback.objects.count()
    refused = site.post(**valid)
    assert_error(refused, "json", 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert Feedback.objects.count() == before

    # The key has its own budget, whatever the address.
    write_bucket.update(count=0)
    key_bucket = RateLimitBucket.objects.filter(key__startswith="open311_key:")
    assert key_bucket.update(count=views.WRITE_LIMIT_PER_KEY) == 1
    assert_error(site.post("xml", **valid), "xml", 429)
    assert Feedback.objects.count() == before

    assert site.get("services.json", jurisdiction_id="STP").status_code == 200
    read_bucket = RateLimitBucket.objects.filter(key=address_key(views.READ_SCOPE, "127.0.0.1"))
    assert read_bucket.update(count=views.READ_LIMIT) == 1
    assert_error(site.get("services.xml", jurisdiction_id="STP"), "xml", 429)
    with pytest.raises(requests.HTTPError) as refused_read:
        site.client("json").get_service_requests()
    assert_error(refused_read.value.response, "json", 429)


def test_nothing_personal_leaks(site):
    site.published.public_summary = "Tóm tắt công khai"
    site.published.save()
    ids = ",".join(Feedback.objects.values_list("public_id", flat=True))
    resources = [
        ("services", {"jurisdiction_id": "STP"}),
        ("services/ho-tich", {"jurisdiction_id": "STP"}),
        ("requests", {"jurisdiction_id": "STP"}),
        ("requests", {"jurisdiction_id": "STP", "service_request_id": ids}),
        ("requests", {"jurisdiction_id": "STP", "status": "open,closed"}),
        ("requests", {"jurisdiction_id": "SYT"}),
    ]
    for item in Feedback.objects.all():
        resources += [
            (f"requests/{item.public_id}", {}),
            (f"tokens/{item.public_id}", {}),
        ]
    secrets = [*SECRETS.values(), "SECRETDRAFTSUMMARY", "SECRETHANDLER", "SECRETFILE"]
    secrets += list(Feedback.objects.values_list("tracking_code", flat=True))
    checked = 0
    for resource, params in resources:
        for fmt in FORMATS:
            answer = site.get(f"{resource}.{fmt}", **params)
            assert answer.status_code == 200, (resource, params, answer.text)
            text = answer.content.decode()
            if fmt == "xml":
                xmltodict.parse(answer.content)
            for secret in secrets:
                assert secret not in text, (resource, fmt, secret)
            assert "10.771234" not in text and "10.776543" not in text  # exact positions
            checked += 1
    assert checked == len(resources) * 2 >= 20
