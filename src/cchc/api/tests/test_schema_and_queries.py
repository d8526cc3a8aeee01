import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cchc.plans import services

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_public_json(world):
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/tasks/",
        "/api/v1/tasks/{id}/",
        "/api/v1/tasks/{id}/progress/",
        "/api/v1/tasks/{id}/evidence/",
        "/api/v1/tasks/{id}/comments/",
        "/api/v1/evidence/{id}/download/",
        "/api/v1/plans/",
        "/api/v1/me/",
    ):
        assert path in paths, path
    patch = paths["/api/v1/tasks/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(patch["responses"])
    error_ref = patch["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error_ref == "#/components/schemas/Error"
    assert "Task" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_schema_ignores_a_bad_token(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    assert client.get("/api/v1/openapi.json").status_code == 200


def _add_tasks(world, count: int) -> None:
    a = world.a
    area = a.plan.areas.get(number=4)
    for i in range(count):
        services.task_create(
            actor=a.coordinator,
            plan=a.plan,
            area=area,
            title=f"Nhiệm vụ {i}",
            lead_unit=a.unit,
            coordinating_units=[a.office, a.other_unit],
            assignees=[a.officer, a.other_officer],
            due_date=dt.date(2026, 12, 31),
        )


def test_task_list_query_count_does_not_grow(world, api):
    client = api(world.a.coordinator)
    assert client.get("/api/v1/tasks/").status_code == 200  # token's last use recorded

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/tasks/")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    _add_tasks(world, 2)
    few, n_few = count_queries()
    _add_tasks(world, 15)
    many, n_many = count_queries()
    assert n_many == n_few + 15
    assert many == few
    assert few <= 8
