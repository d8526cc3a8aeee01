"""Creating and changing tasks through the API: field errors, access, optimistic locking."""

import datetime as dt

import pytest
from django.utils import timezone

from cchc.core.models import AuditEntry
from cchc.plans.models import Task

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/tasks/"


def fields_of(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert body["message"]
    return body["fields"]


def task_url(task) -> str:
    return f"{TASKS}{task.pk}/"


# --- create --------------------------------------------------------------------------------------


def test_coordinator_creates_a_task(world, api):
    a = world.a
    today = timezone.localdate()
    response = api(a.coordinator).post(
        TASKS,
        {
            "plan": a.plan.pk,
            "area_number": 2,
            "title": "Rà soát văn bản quy phạm pháp luật",
            "lead_unit": a.unit.pk,
            "coordinating_units": [a.office.pk],
            "assignees": [a.officer.pk, a.unit_head.pk],
            "start_date": today.isoformat(),
            "due_date": (today + dt.timedelta(days=60)).isoformat(),
            "priority": "high",
            "weight": 2,
            "product": "Báo cáo rà soát",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert response["Location"] == body["url"] == f"/api/v1/tasks/{task.pk}/"
    assert response["ETag"] == '"1"'
    assert body["code"] == "II.2.a"
    assert body["area"] == {"id": a.plan.areas.get(number=2).pk, "number": 2}
    assert body["plan"] == a.plan.pk
    assert body["agency"] == a.agency.pk
    assert body["lead_unit"] == a.unit.pk
    assert body["coordinating_units"] == [a.office.pk]
    assert body["assignees"] == sorted([a.officer.pk, a.unit_head.pk])
    assert body["priority"] == "high"
    assert body["weight"] == 2
    assert body["progress"] == 0
    assert body["status"] == "not_started"
    assert body["overdue"] is False
    assert body["evidence_count"] == 0
    assert body["parent"] is None
    assert body["version"] == 1
    assert AuditEntry.objects.filter(action="task.create", object_id=str(task.pk)).exists()


def test_create_reports_every_bad_field(world, api):
    a, b = world.a, world.b
    response = api(a.coordinator).post(
        TASKS,
        {
            "plan": a.plan.pk,
            "area": b.plan.areas.first().pk,
            "title": "",
            "lead_unit": b.unit.pk,
            "coordinating_units": [a.office.pk, 987654],
            "assignees": [b.officer.pk, 987654],
            "start_date": "2026-13-01",
            "recurrence": "weekly",
            "progress": 50,
        },
        format="json",
    )
    fields = fields_of(response)
    assert set(fields) == {"title", "start_date", "recurrence", "progress"}
    response = api(a.coordinator).post(
        TASKS,
        {
            "plan": a.plan.pk,
            "area": b.plan.areas.first().pk,
            "title": "Nhiệm vụ",
            "lead_unit": b.unit.pk,
            "coordinating_units": [a.office.pk, 987654],
            "assignees": [b.officer.pk, 987654],
        },
        format="json",
    )
    fields = fields_of(response)
    assert set(fields) == {"area", "lead_unit", "coordinating_units", "assignees"}
    assert "987654" in fields["coordinating_units"][0]
    assert str(b.officer.pk) in fields["assignees"][0]
    assert Task.objects.filter(plan=a.plan).count() == 2


def test_create_checks_dates_and_plan(world, api):
    client = api(world.a.coordinator)
    response = client.post(
        TASKS,
        {
            "plan": world.a.plan.pk,
            "area_number": 1,
            "title": "Nhiệm vụ",
            "start_date": "2026-05-01",
            "due_date": "2026-04-01",
        },
        format="json",
    )
    assert set(fields_of(response)) == {"due_date"}
    response = client.post(
        TASKS, {"plan": world.b.plan.pk, "area_number": 1, "title": "x"}, format="json"
    )
    assert set(fields_of(response)) == {"plan"}
    response = client.post(TASKS, {"plan": world.a.plan.pk, "title": "x"}, format="json")
    assert set(fields_of(response)) == {"area"}
    response = client.post(TASKS, "not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["viewer", "officer", "unit_head", "leader"])
def test_readers_cannot_create(world, api, persona):
    response = api(getattr(world.a, persona)).post(
        TASKS, {"plan": world.a.plan.pk, "area_number": 1, "title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


# --- PATCH ---------------------------------------------------------------------------------------


def test_patch_with_version_in_body(world, api):
    task = world.a.task
    response = api(world.a.unit_head).patch(
        task_url(task),
        {"version": task.version, "title": "Rà soát TTHC năm 2026", "assignees": []},
        format="json",
    )
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.title == "Rà soát TTHC năm 2026"
    assert list(task.assignees.all()) == []
    assert response.json()["version"] == task.version == 2
    assert response["ETag"] == '"2"'


def test_patch_with_if_match(world, api):
    client = api(world.a.coordinator)
    etag = client.get(task_url(world.a.task))["ETag"]
    response = client.patch(
        task_url(world.a.task), {"due_date": "2026-07-31"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert response.json()["due_date"] == "2026-07-31"
    response = client.patch(
        task_url(world.a.task), {"priority": "low"}, format="json", HTTP_IF_MATCH='W/"2"'
    )
    assert response.status_code == 200


def test_patch_without_version_is_400(world, api):
    response = api(world.a.coordinator).patch(task_url(world.a.task), {"title": "x"}, format="json")
    assert set(fields_of(response)) == {"version"}
    response = api(world.a.coordinator).patch(
        task_url(world.a.task), {"title": "x"}, format="json", HTTP_IF_MATCH="*"
    )
    assert set(fields_of(response)) == {"version"}


def test_patch_with_stale_version_is_409_and_changes_nothing(world, api):
    task = world.a.task
    client = api(world.a.coordinator)
    assert (
        client.patch(
            task_url(task), {"version": 1, "product": "Báo cáo"}, format="json"
        ).status_code
        == 200
    )
    response = client.patch(
        task_url(task), {"version": 1, "title": "Ghi đè", "assignees": []}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert response.json()["error"]["current_version"] == 2
    task.refresh_from_db()
    assert task.title == "Rà soát, đơn giản hóa thủ tục hành chính"
    assert task.version == 2
    assert list(task.assignees.all()) == [world.a.officer]


def test_patch_bad_fields(world, api):
    a, b = world.a, world.b
    client = api(a.coordinator)
    response = client.patch(
        task_url(a.task),
        {"version": 1, "start_date": "2026-08-01", "due_date": "2026-07-01"},
        format="json",
    )
    assert set(fields_of(response)) == {"due_date"}
    response = client.patch(
        task_url(a.task),
        {"version": 1, "lead_unit": b.unit.pk, "assignees": [b.officer.pk], "status": "x"},
        format="json",
    )
    assert set(fields_of(response)) == {"status"}
    response = client.patch(
        task_url(a.task),
        {"version": 1, "lead_unit": b.unit.pk, "assignees": [b.officer.pk]},
        format="json",
    )
    assert set(fields_of(response)) == {"lead_unit", "assignees"}
    response = client.patch(task_url(a.task), {"version": 1, "progress": 40}, format="json")
    assert set(fields_of(response)) == {"progress"}
    a.task.refresh_from_db()
    assert a.task.version == 1


def test_unit_head_cannot_hand_the_task_to_another_unit(world, api):
    response = api(world.a.unit_head).patch(
        task_url(world.a.task), {"version": 1, "lead_unit": world.a.other_unit.pk}, format="json"
    )
    assert set(fields_of(response)) == {"lead_unit"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("b.coordinator", 404),
        ("b.viewer", 404),
        ("a.viewer", 403),
        ("a.leader", 403),
        ("a.officer", 403),
        ("a.other_officer", 403),
        ("appraiser", 403),
        ("a.unit_head", 200),
        ("a.coordinator", 200),
        ("admin", 200),
    ],
)
def test_patch_access_matrix(world, api, persona, expected):
    user = world
    for part in persona.split("."):
        user = getattr(user, part)
    response = api(user).patch(
        task_url(world.a.task), {"version": 1, "product": "Sản phẩm"}, format="json"
    )
    assert response.status_code == expected, response.content


# --- comments ----------------------------------------------------------------------------------


def test_comments(world, api):
    url = f"{task_url(world.a.task)}comments/"
    response = api(world.a.leader).post(url, {"body": "Đề nghị đẩy nhanh tiến độ."}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["author"]["id"] == world.a.leader.pk
    assert set(fields_of(api(world.a.officer).post(url, {"body": " "}, format="json"))) == {"body"}
    assert api(world.a.viewer).post(url, {"body": "x"}, format="json").status_code == 403
    assert api(world.b.leader).post(url, {"body": "x"}, format="json").status_code == 404
    rows = api(world.a.viewer).get(url).json()["results"]
    assert [row["body"] for row in rows] == ["Đề nghị đẩy nhanh tiến độ."]


# --- plans ---------------------------------------------------------------------------------------


def test_plan_create_and_patch(world, api):
    client = api(world.a.coordinator)
    response = client.post(
        "/api/v1/plans/", {"agency": world.a.agency.pk, "year": 2027}, format="json"
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["status"] == "draft" and plan["start_date"] == "2027-01-01"
    areas = client.get(f"/api/v1/plans/{plan['id']}/areas/").json()["results"]
    assert [area["code"] for area in areas] == [f"II.{n}" for n in range(1, 8)]
    response = client.post(
        "/api/v1/plans/", {"agency": world.a.agency.pk, "year": 2027}, format="json"
    )
    assert set(fields_of(response)) == {"year"}
    response = client.post(
        "/api/v1/plans/", {"agency": world.b.agency.pk, "year": 2027}, format="json"
    )
    assert set(fields_of(response)) == {"agency"}
    response = client.patch(
        f"/api/v1/plans/{plan['id']}/", {"end_date": "2026-12-31"}, format="json"
    )
    assert set(fields_of(response)) == {"end_date"}
    response = client.patch(
        f"/api/v1/plans/{plan['id']}/", {"signer": "Nguyễn Văn A"}, format="json"
    )
    assert response.status_code == 200 and response.json()["signer"] == "Nguyễn Văn A"
    assert (
        api(world.a.leader)
        .patch(f"/api/v1/plans/{plan['id']}/", {"signer": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(world.b.coordinator)
        .patch(f"/api/v1/plans/{plan['id']}/", {"signer": "x"}, format="json")
        .status_code
        == 404
    )
    assert (
        api(world.appraiser)
        .post("/api/v1/plans/", {"agency": world.a.agency.pk, "year": 2028}, format="json")
        .status_code
        == 403
    )


def test_leader_issues_the_plan_through_the_api(world, api):
    url = f"/api/v1/plans/{world.a.plan.pk}/issue/"
    assert api(world.a.coordinator).post(url, {}, format="json").status_code == 403
    response = api(world.a.leader).post(
        url, {"number": "15", "issued_on": "2026-01-10"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "issued"
    again = api(world.a.leader).post(url, {}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid"
