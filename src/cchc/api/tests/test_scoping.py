"""Lists return only what the person may see; another agency's objects answer 404."""

import pytest

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_officer_never_sees_another_agencys_tasks(world, api):
    client = api(world.a.officer)
    assert ids(client.get("/api/v1/tasks/")) == {world.a.task.pk, world.a.other_task.pk}
    assert ids(client.get(f"/api/v1/tasks/?agency={world.b.agency.pk}")) == set()
    assert ids(client.get(f"/api/v1/tasks/?plan={world.b.plan.pk}")) == set()
    assert ids(client.get("/api/v1/tasks/?q=vị trí")) == {world.a.other_task.pk}


def test_appraiser_sees_every_agency(world, api):
    client = api(world.appraiser)
    tasks = ids(client.get("/api/v1/tasks/"))
    assert tasks == {world.a.task.pk, world.a.other_task.pk, world.b.task.pk, world.b.other_task.pk}
    assert ids(client.get(f"/api/v1/plans/?agency={world.b.agency.pk}")) == {world.b.plan.pk}


def test_plans_and_agencies_are_scoped(world, api):
    client = api(world.b.viewer)
    assert ids(client.get("/api/v1/plans/")) == {world.b.plan.pk}
    assert ids(client.get("/api/v1/plans/?year=2025")) == set()
    assert ids(client.get("/api/v1/plans/?status=draft")) == {world.b.plan.pk}
    assert ids(client.get("/api/v1/agencies/")) == {world.b.agency.pk}
    units = ids(client.get(f"/api/v1/agencies/{world.b.agency.pk}/units/"))
    assert units == {world.b.office.pk, world.b.unit.pk, world.b.other_unit.pk}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agencies/{a.agency.pk}/",
        "/api/v1/agencies/{a.agency.pk}/units/",
        "/api/v1/plans/{a.plan.pk}/",
        "/api/v1/plans/{a.plan.pk}/areas/",
        "/api/v1/tasks/{a.task.pk}/",
        "/api/v1/tasks/{a.task.pk}/progress/",
        "/api/v1/tasks/{a.task.pk}/evidence/",
        "/api/v1/tasks/{a.task.pk}/comments/",
        "/api/v1/tasks/999999/",
        "/api/v1/plans/999999/",
    ],
)
def test_details_of_another_agency_are_404(world, api, path):
    url = path.format(a=world.a)
    response = api(world.b.coordinator).get(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    if "999999" not in url:
        assert api(world.a.viewer).get(url).status_code == 200
        assert api(world.appraiser).get(url).status_code == 200


def test_task_filters(world, api):
    client = api(world.a.coordinator)
    a = world.a
    assert ids(client.get("/api/v1/tasks/?area=3")) == {a.task.pk}
    assert ids(client.get(f"/api/v1/tasks/?lead_unit={a.other_unit.pk}")) == {a.other_task.pk}
    assert ids(client.get(f"/api/v1/tasks/?assignee={a.officer.pk}")) == {a.task.pk}
    assert ids(client.get("/api/v1/tasks/?status=done")) == set()
    assert ids(client.get("/api/v1/tasks/?top_level=true")) == {a.task.pk, a.other_task.pk}
    bad = client.get("/api/v1/tasks/?status=finished&due_within_days=x")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "due_within_days"}


def test_overdue_and_due_soon_filters(world, api):
    import datetime as dt

    from django.utils import timezone

    from cchc.plans import services

    today = timezone.localdate()
    late = services.task_create(
        actor=world.a.coordinator,
        plan=world.a.plan,
        area=world.a.plan.areas.get(number=1),
        title="Việc trễ hạn",
        due_date=today - dt.timedelta(days=1),
    )
    soon = services.task_create(
        actor=world.a.coordinator,
        plan=world.a.plan,
        area=world.a.plan.areas.get(number=1),
        title="Việc sắp đến hạn",
        due_date=today + dt.timedelta(days=3),
    )
    client = api(world.a.coordinator)
    overdue = ids(client.get("/api/v1/tasks/?overdue=true"))
    assert late.pk in overdue and soon.pk not in overdue
    rows = client.get("/api/v1/tasks/?overdue=true").json()["results"]
    assert all(row["overdue"] for row in rows)
    due_soon = ids(client.get("/api/v1/tasks/?due_within_days=7"))
    assert soon.pk in due_soon and late.pk not in due_soon
