"""The metrics through ``cchc kpi`` and ``/api/v1/metrics/``: the same numbers as ``compute``."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from cchc.core.tokens import token_create
from cchc.procedures import rollups
from cchc.procedures.metrics import COUNT_KEYS, RATE_KEYS, compute
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure

YEAR = ("2026-01-01", "2026-12-31")


@pytest.fixture
def data(world):
    a = world.a
    fee = make_procedure(a.agency, "PHI", fee_bearing=True, field="Tư pháp")
    make_dossier(
        fee,
        code="STP-260302-0001",
        unit=a.unit,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-06 17:00"),
        finished_at=at("2026-03-09 10:00"),
        channel=2,
        paid_online=1,
    )
    make_dossier(
        fee,
        unit=a.other_unit,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-06 17:00"),
        finished_at=at("2026-03-05 10:00"),
        components_digitized=True,
    )
    rollups.rebuild()
    return world


def kpi(*args: str) -> str:
    out = io.StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def kpi_fails(*args: str) -> tuple[CommandError, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("kpi", *args, stdout=out)
    return caught.value, out.getvalue()


def test_kpi_json_has_the_documented_keys(data):
    result = json.loads(kpi("--agency", "STP", "--from", YEAR[0], "--to", YEAR[1], "--json"))
    assert list(result) == ["agency", "from", "to", "counts", "rates", "points"]
    assert (result["agency"], result["from"], result["to"]) == ("STP", *YEAR)
    assert list(result["counts"]) == list(COUNT_KEYS)
    assert list(result["rates"]) == list(RATE_KEYS)
    assert result["counts"]["received"] == 2
    assert result["counts"]["late"] == 1
    assert result["rates"]["on_time_rate"] == 50.0
    assert result["rates"]["online_payment_rate"] == 50.0
    assert result["rates"]["feedback_on_time_rate"] is None
    assert {"timeliness", "total", "max_total"} <= set(result["points"])
    expected = compute(
        agency_ids=[data.a.agency.pk], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    ).as_json()
    assert result["rates"] == expected["rates"]
    assert result["points"] == expected["points"]


def test_kpi_filters_and_several_agencies(data):
    by_unit = json.loads(
        kpi(
            "--agency",
            "stp",
            "--from",
            "01/03/2026",
            "--to",
            "31/03/2026",
            "--unit",
            "P1",
            "--json",
        )
    )
    assert by_unit["counts"]["received"] == 1
    by_procedure = json.loads(
        kpi("--agency", "STP", "--from", YEAR[0], "--to", YEAR[1], "--procedure", "PHI", "--json")
    )
    assert by_procedure["counts"]["received"] == 2
    by_field = json.loads(
        kpi("--agency", "STP", "--from", YEAR[0], "--to", YEAR[1], "--field", "Y tế", "--json")
    )
    assert by_field["counts"]["received"] == 0
    several = json.loads(kpi("--agency", "STP,SYT", "--from", YEAR[0], "--to", YEAR[1], "--json"))
    assert several["agency"] == ["STP", "SYT"]
    assert several["counts"]["received"] == 2


def test_kpi_text(data):
    text = kpi("--agency", "STP", "--from", YEAR[0], "--to", YEAR[1])
    assert "01/01/2026" in text
    assert "on_time_rate" in text
    assert "50.00" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--agency", "KHONGCO", "--from", YEAR[0], "--to", YEAR[1]), "KHONGCO"),
        (("--agency", "STP", "--from", "2026-12-31", "--to", "2026-01-01"), "2026"),
        (("--agency", "STP", "--from", "31-12-2026", "--to", YEAR[1]), "31-12-2026"),
        (("--agency", "STP", "--from", YEAR[0], "--to", YEAR[1], "--unit", "NOPE"), "NOPE"),
        (("--agency", "STP,SYT", "--from", YEAR[0], "--to", YEAR[1], "--procedure", "PHI"), ""),
    ],
)
def test_kpi_bad_input(data, args, message):
    error, printed = kpi_fails(*args, "--json")
    payload = json.loads(printed)
    assert payload["error"]["code"] == "invalid"
    assert payload["error"]["message"] == str(error)
    if message and "2026-12-31" not in args:
        assert message in str(error)
    # Without --json: the same error, nothing printed.
    error, printed = kpi_fails(*args)
    assert printed == ""


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")
    return client


def test_api_metrics_match_compute(data):
    a = data.a
    response = _client(a.viewer).get(
        "/api/v1/metrics/", {"agency": a.agency.pk, "from": YEAR[0], "to": YEAR[1]}
    )
    assert response.status_code == 200
    body = response.json()
    expected = compute(
        agency_ids=[a.agency.pk], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert body["counts"] == expected.counts
    assert body["rates"] == expected.as_json()["rates"]
    assert body["points"] == expected.as_json()["points"]
    assert body["details"]["finished_in_period"] == 2
    assert (body["from"], body["to"], body["agency"]) == (*YEAR, a.agency.pk)


def test_api_metrics_filters_and_errors(data):
    a, b = data.a, data.b
    client = _client(a.coordinator)
    url = "/api/v1/metrics/"
    base = {"agency": a.agency.pk, "from": YEAR[0], "to": YEAR[1]}
    by_unit = client.get(url, {**base, "unit": a.unit.pk}).json()
    assert by_unit["counts"]["received"] == 1
    assert client.get(url, {**base, "field": "Tư pháp"}).json()["counts"]["received"] == 2
    bad = client.get(url, {**base, "unit": b.unit.pk})
    assert bad.status_code == 400
    assert "unit" in bad.json()["error"]["fields"]
    backwards = client.get(url, {**base, "from": "2026-12-31", "to": "2026-01-01"})
    assert backwards.status_code == 400
    assert client.get(url, {**base, "from": "31/12/2026"}).status_code == 400
    assert client.get(url, {"from": YEAR[0]}).status_code == 400
    # Another agency's metrics do not exist for A's coordinator.
    assert client.get(url, {**base, "agency": b.agency.pk}).status_code == 404
    # Default period: this year to date.
    assert client.get(url, {"agency": a.agency.pk}).status_code == 200


def test_api_late_dossiers(data):
    a = data.a
    response = _client(a.unit_head).get(
        "/api/v1/metrics/late/", {"agency": a.agency.pk, "from": YEAR[0], "to": YEAR[1]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["code"] == "STP-260302-0001"
    assert row["procedure"]["code"] == "PHI"
    assert row["unit"]["id"] == a.unit.pk
    assert (row["finished"], row["days_late"], row["apology_in_time"]) == (True, 3, False)
    stranger = _client(data.b.coordinator).get("/api/v1/metrics/late/", {"agency": a.agency.pk})
    assert stranger.status_code == 404


def test_api_schema_documents_the_metrics(data):
    schema = APIClient().get("/api/v1/openapi.json").json()
    assert "/api/v1/metrics/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/metrics/"]["get"]["parameters"]}
    assert {"agency", "from", "to", "unit", "procedure", "field"} <= parameters
    assert "/api/v1/metrics/late/" in schema["paths"]
