"""Property-based fuzzing of the whole REST API against its own OpenAPI schema (schemathesis).

Every operation of ``/api/v1/openapi.json`` is called in-process through the WSGI app with
generated requests, valid and invalid ones (schemathesis' positive and negative modes), as agency
A's coordinator and anonymously. Each answer must not be a server error and must match the
schema: a documented status code and content type, the documented headers and a body of the
documented shape (errors included: ``{"error": {...}}`` on 400/401/403/404/409).

Runs are derandomized and bounded (a fixed number of examples per operation), so they are
repeatable and take seconds. Generated ids rarely name a real row, so a third of the ids in paths
and of the ``agency`` query parameters are swapped for agency A's objects (the coordinator's own:
reads and writes go through) and a third for agency B's (404).
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cchc.api import views
from cchc.core.tokens import token_create
from cchc.lib.tests.test_uploads import PDF
from cchc.plans import services
from cchc.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# The schema's examples and generated cases (valid and invalid), a fixed number per operation;
# not the "coverage" phase, whose boundary cases are not bounded by max_examples (it doubles the
# run time).
schema.config.phases.update(phases=["examples", "fuzzing"])

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        # The world fixture is built once per operation, not per example, on purpose.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


# The object a path's ``{id}`` names, by the path's first segment after /api/v1/.
PATH_OBJECTS = {
    "agencies": "agency",
    "plans": "plan",
    "tasks": "task",
    "evidence": "evidence",
    "dossiers": "dossier",
}


def _dossier(agency):
    import datetime as dt

    from cchc.procedures.models import Dossier, Procedure

    received = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    procedure = Procedure.objects.create(
        agency=agency, code="1.000001", name="Thủ tục", time_limit=5
    )
    return Dossier.objects.create(
        agency=agency,
        procedure=procedure,
        code=f"{agency.code}-260302-0001",
        channel=1,
        received_at=received,
        due_at=received + dt.timedelta(days=7),
        status=4,
        received_day=received.date(),
    )


def _objects(people) -> dict[str, int]:
    evidence = services.evidence_add(
        actor=people.officer,
        task=people.task,
        uploaded=io.BytesIO(PDF),
        name="bien-ban.pdf",
        size=len(PDF),
    )
    return {
        "agency": people.agency.pk,
        "plan": people.plan.pk,
        "task": people.task.pk,
        "evidence": evidence.pk,
        "dossier": _dossier(people.agency).pk,
    }


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app itself, whose end-of-request signal closes the database
    connection, and with it the test's transaction on PostgreSQL; Django's test client
    disconnects the same handler around its requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world):
    return {
        "own": _objects(world.a),
        "foreign": _objects(world.b),
        "token": token_create(user=world.a.coordinator),
    }


def _aim(case, objects: dict) -> None:
    """Swap some generated ids for real ones, deterministically (by the generated value)."""

    def real(kind: str, value):
        if not isinstance(value, int) or isinstance(value, bool):
            return value
        if value % 3 == 0:
            return objects["own"][kind]
        if value % 3 == 1:
            return objects["foreign"][kind]
        return value

    segment = case.operation.path.strip("/").split("/")[2]
    kind = PATH_OBJECTS.get(segment)
    if kind and case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = real(kind, case.path_parameters["id"])
    if isinstance(case.query, dict) and "agency" in case.query:
        case.query["agency"] = real("agency", case.query["agency"])


@schema.parametrize()
@_fuzz_settings(25)
def test_fuzz_as_coordinator(case, fuzz_world):
    _aim(case, fuzz_world)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_world['token']}"}, checks=CHECKS
    )


@schema.parametrize()
@_fuzz_settings(10)
def test_fuzz_anonymous(case, fuzz_world):
    _aim(case, fuzz_world)
    response = case.call_and_validate(checks=CHECKS)
    if response.status_code == 404:
        # Only an address that names no endpoint (e.g. a non-numeric id) is not 401.
        path = urlsplit(response.request.url).path
        assert resolve(path).func is views.not_found, path
    else:
        assert response.status_code == 401, (response.status_code, response.request.url)
    assert response.headers["content-type"][0].startswith("application/json")


def test_the_fuzzing_covers_every_operation():
    operations = {
        (operation.method.upper(), operation.path)
        for result in schema.get_all_operations()
        for operation in [result.ok()]
    }
    assert ("POST", "/api/v1/dossiers/batch") in operations
    assert len(operations) >= 20


# --- what the fuzzing found, pinned down ---------------------------------------------------------


def test_an_id_beyond_the_database_range_is_refused_not_a_crash(api, world):
    client = api(world.a.coordinator)
    huge = 10**30
    for path in (f"/api/v1/tasks/?lead_unit={huge}", f"/api/v1/dossiers/?agency={huge}"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "invalid"
    response = client.get(f"/api/v1/plans/{huge}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_address_no_endpoint_has_is_a_json_404(api, world):
    client = api(world.a.coordinator)
    for method in ("get", "post", "patch"):
        response = getattr(client, method)("/api/v1/plans/abc/")
        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"


def test_a_body_that_is_not_json_is_a_400_without_field_errors(api, world):
    client = api(world.a.coordinator)
    response = client.post("/api/v1/plans/", b"\xb5%", content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error" and "fields" not in error


def test_a_bad_batch_query_answers_in_the_error_shape(api, world):
    response = api(world.a.coordinator).post("/api/v1/dossiers/batch?agency=0", [], format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"agency"}


def test_nested_field_errors_are_flattened_to_lists_of_messages(api, world):
    response = api(world.a.coordinator).post(
        "/api/v1/tasks/",
        {"plan": world.a.plan.pk, "area_number": 3, "title": "X", "assignees": [1, "a"]},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in fields.values()
    )
    assert any(key.startswith("assignees") for key in fields)
