"""Progress (with roll-up to parents) and evidence files through the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.plans.models import Evidence

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def progress_url(task_id: int) -> str:
    return f"/api/v1/tasks/{task_id}/progress/"


def evidence_url(task) -> str:
    return f"/api/v1/tasks/{task.pk}/evidence/"


def upload(client, task, name="bao-cao.pdf", data=PDF, description="Báo cáo quý"):
    return client.post(
        evidence_url(task),
        {
            "file": SimpleUploadedFile(name, data, content_type="application/pdf"),
            "description": description,
        },
        format="multipart",
    )


def test_progress_of_a_recurring_task_rolls_up_to_its_parent(world, api):
    a = world.a
    created = api(a.coordinator).post(
        "/api/v1/tasks/",
        {
            "plan": a.plan.pk,
            "area_number": 1,
            "title": "Báo cáo CCHC định kỳ",
            "recurrence": "quarterly",
            "lead_unit": a.unit.pk,
            "assignees": [a.officer.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    parent = created.json()
    children = api(a.officer).get(f"/api/v1/tasks/?parent={parent['id']}").json()["results"]
    assert [c["period_label"] for c in children] == ["Q1", "Q2", "Q3", "Q4"]
    assert all(c["parent"] == parent["id"] and c["assignees"] == [a.officer.pk] for c in children)

    client = api(a.officer)
    response = client.post(
        progress_url(children[0]["id"]),
        {"percent": 100, "note": "Đã gửi báo cáo quý I", "version": children[0]["version"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["percent"] == 100 and body["previous_percent"] == 0
    assert body["task"]["status"] == "done"
    assert response["ETag"] == f'"{body["task"]["version"]}"'

    rolled = client.get(f"/api/v1/tasks/{parent['id']}/").json()
    assert rolled["progress"] == 25
    assert rolled["status"] == "in_progress"
    history = client.get(progress_url(children[0]["id"])).json()["results"]
    assert [h["note"] for h in history] == ["Đã gửi báo cáo quý I"]

    # The parent's progress is computed: recording it directly is refused.
    response = api(a.coordinator).post(progress_url(parent["id"]), {"percent": 50}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"percent"}


def test_progress_with_stale_version_is_409(world, api):
    client = api(world.a.officer)
    url = progress_url(world.a.task.pk)
    assert client.post(url, {"percent": 10}, format="json").status_code == 201
    response = client.post(url, {"percent": 20}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert response.json()["error"]["current_version"] == 2
    world.a.task.refresh_from_db()
    assert world.a.task.progress == 10


@pytest.mark.parametrize("percent", [-1, 101, "abc", None])
def test_progress_out_of_range_is_400(world, api, percent):
    response = api(world.a.officer).post(
        progress_url(world.a.task.pk), {"percent": percent}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"percent"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("b.officer", 404),
        ("b.coordinator", 404),
        ("a.viewer", 403),
        ("a.leader", 403),
        ("appraiser", 403),
        ("a.other_officer", 403),
        ("a.officer", 201),
        ("a.unit_head", 201),
        ("a.coordinator", 201),
    ],
)
def test_progress_and_evidence_access_matrix(world, api, persona, expected):
    user = world
    for part in persona.split("."):
        user = getattr(user, part)
    client = api(user)
    response = client.post(progress_url(world.a.task.pk), {"percent": 30}, format="json")
    assert response.status_code == expected, response.content
    assert upload(client, world.a.task).status_code == expected


def test_evidence_upload_list_and_download(world, api):
    client = api(world.a.officer)
    response = upload(client, world.a.task)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "bao-cao.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["description"] == "Báo cáo quý"
    assert body["uploaded_by"] == world.a.officer.pk
    assert body["download_url"] == f"/api/v1/evidence/{body['id']}/download/"

    listed = api(world.a.viewer).get(evidence_url(world.a.task)).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    task = api(world.a.viewer).get(f"/api/v1/tasks/{world.a.task.pk}/").json()
    assert task["evidence_count"] == 1

    download = api(world.appraiser).get(body["download_url"], HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "bao-cao.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api(world.b.viewer).get(body["download_url"]).status_code == 404
    assert api(world.a.viewer).get("/api/v1/evidence/999999/download/").status_code == 404


def test_fake_pdf_is_refused(world, api):
    response = upload(api(world.a.officer), world.a.task, data=b"just some text, not a PDF\n")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"file"}
    response = upload(api(world.a.officer), world.a.task, name="anh.png")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"file"}
    assert not Evidence.objects.exists()


def test_missing_file_is_400(world, api):
    response = api(world.a.officer).post(
        evidence_url(world.a.task), {"description": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"file"}
