"""HTML views of plans, tasks and evidence: who may see and do what, forms, uploads, conflicts,
query counts, and the no-inline-script rule of the templates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cchc.plans import services
from cchc.plans.models import Evidence, Plan, PlanStatus, ProgressUpdate, Task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def en(client):
    """A client that chose English, so assertions on text do not depend on translations."""
    client.cookies["django_language"] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def task_data(world, **overrides):
    a = world.a
    data = {
        "area": a.plan.areas.get(number=2).pk,
        "title": "Rà soát văn bản quy phạm pháp luật",
        "code": "",
        "description": "Theo Kế hoạch số 12/KH-UBND",
        "lead_unit": a.unit.pk,
        "coordinating_units": [a.other_unit.pk],
        "assignees": [a.officer.pk],
        "start_date": "2026-02-01",
        "due_date": "2026-05-31",
        "recurrence": "once",
        "product": "Báo cáo rà soát",
        "priority": "high",
        "weight": "2",
    }
    data.update(overrides)
    return data


# --- pages render for the people allowed to read them ----------------------------------------


def _readers(world):
    a = world.a
    return [
        a.leader,
        a.coordinator,
        a.unit_head,
        a.officer,
        a.other_officer,
        a.viewer,
        world.appraiser,
        world.admin,
    ]


def test_read_pages_render_for_every_reader(client, world):
    urls = [
        reverse("plan_list"),
        reverse("plan_detail", args=[world.a.plan.pk]),
        reverse("task_list"),
        reverse("task_detail", args=[world.a.task.pk]),
    ]
    for person in _readers(world):
        login(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (person.username, url)


def test_pages_need_login(client, world):
    response = client.get(reverse("task_detail", args=[world.a.task.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_plan_detail_lists_areas_and_task_rows(en, world):
    login(en, world.a.viewer)
    response = en.get(reverse("plan_detail", args=[world.a.plan.pk]))
    html = response.content.decode()
    assert html.count('data-testid="task-row"') == 2
    assert world.a.task.code in html
    assert "Phòng Nghiệp vụ 1" in html
    assert "30/06/2026" in html  # dates shown the Vietnamese way
    assert "New task" not in html  # viewers get no buttons they may not use


def test_plan_detail_shows_manage_buttons_to_coordinator(en, world):
    login(en, world.a.coordinator)
    html = en.get(reverse("plan_detail", args=[world.a.plan.pk])).content.decode()
    assert reverse("task_create", args=[world.a.plan.pk]) in html
    assert 'data-testid="issue-plan"' not in html  # issuing is the leader's


# --- strangers get 404, readers get 403 --------------------------------------------------------


def test_stranger_from_other_agency_gets_404(client, world):
    a = world.a
    evidence = services.evidence_add(
        actor=a.officer, task=a.task, uploaded=pdf(), name="bao-cao.pdf", size=len(PDF)
    )
    login(client, world.b.coordinator)
    for url in [
        reverse("plan_detail", args=[a.plan.pk]),
        reverse("plan_edit", args=[a.plan.pk]),
        reverse("task_create", args=[a.plan.pk]),
        reverse("task_detail", args=[a.task.pk]),
        reverse("task_edit", args=[a.task.pk]),
        reverse("evidence_download", args=[evidence.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("plan_issue", args=[a.plan.pk]),
        reverse("task_progress", args=[a.task.pk]),
        reverse("task_comment", args=[a.task.pk]),
        reverse("task_evidence", args=[a.task.pk]),
        reverse("evidence_delete", args=[evidence.pk]),
    ]:
        assert client.post(url, {"percent": "10", "body": "x"}).status_code == 404, url
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert not a.task.comments.exists()


def test_404_page_is_ours(en, world):
    login(en, world.b.officer)
    response = en.get(reverse("task_detail", args=[world.a.task.pk]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_readers_get_403_on_writes(en, world):
    a = world.a
    task_url = reverse("task_progress", args=[a.task.pk])
    for person in (a.viewer, world.appraiser, a.leader, a.other_officer):
        login(en, person)
        response = en.post(task_url, {"percent": "50"})
        assert response.status_code == 403, person.username
        assert "not allowed" in response.content.decode()
    for person in (a.viewer, world.appraiser):
        login(en, person)
        assert en.post(reverse("task_comment", args=[a.task.pk]), {"body": "x"}).status_code == 403
    for person in (a.leader, a.viewer, a.officer, world.appraiser):
        login(en, person)
        assert en.get(reverse("task_edit", args=[a.task.pk])).status_code == 403
        assert en.get(reverse("plan_edit", args=[a.plan.pk])).status_code == 403
        assert en.get(reverse("task_create", args=[a.plan.pk])).status_code == 403
        assert en.get(reverse("plan_create")).status_code == 403
    login(en, a.coordinator)
    assert en.post(reverse("plan_issue", args=[a.plan.pk])).status_code == 403
    assert not ProgressUpdate.objects.exists()
    assert not a.task.comments.exists()


def test_buttons_follow_permissions_on_task_page(en, world):
    a = world.a
    url = reverse("task_detail", args=[a.task.pk])
    login(en, a.viewer)
    html = en.get(url).content.decode()
    assert 'id="progress-form"' not in html
    assert 'id="comment-form"' not in html
    assert 'data-testid="edit-task"' not in html
    login(en, a.officer)
    html = en.get(url).content.decode()
    assert 'id="progress-form"' in html
    assert 'id="id_percent"' in html and 'id="id_note"' in html and 'id="id_evidence_file"' in html
    assert 'data-testid="edit-task"' not in html
    login(en, a.unit_head)
    assert 'data-testid="edit-task"' in en.get(url).content.decode()


# --- plans ---------------------------------------------------------------------------------------


def test_coordinator_creates_a_plan(en, world):
    a = world.a
    login(en, a.coordinator)
    page = en.get(reverse("plan_create")).content.decode()
    assert "Sở Y tế" not in page  # only agencies the user coordinates
    response = en.post(
        reverse("plan_create"),
        {"agency": a.agency.pk, "year": "2027", "title": "", "with_standard_areas": "on"},
    )
    plan = Plan.objects.get(agency=a.agency, year=2027)
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.pk])
    assert plan.areas.count() == 7


def test_plan_create_errors_from_the_service_are_shown(en, world):
    a = world.a
    login(en, a.coordinator)
    response = en.post(reverse("plan_create"), {"agency": a.agency.pk, "year": "2026"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "already has a plan" in html
    assert 'role="alert"' in html
    assert 'id="id_year_error"' in html
    response = en.post(reverse("plan_create"), {"agency": world.b.agency.pk, "year": "2027"})
    assert response.status_code == 400
    assert not Plan.objects.filter(year=2027).exists()


def test_plan_edit_and_issue(en, world):
    a = world.a
    login(en, a.coordinator)
    url = reverse("plan_edit", args=[a.plan.pk])
    assert en.get(url).status_code == 200
    response = en.post(
        url,
        {
            "title": "Kế hoạch CCHC năm 2026 của Sở Tư pháp",
            "number": "12",
            "symbol": "KH-STP",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "signer": "Nguyễn Văn Lãnh",
        },
    )
    assert response.status_code == 302
    a.plan.refresh_from_db()
    assert a.plan.reference == "12/KH-STP"
    bad = en.post(url, {"title": "x", "start_date": "2026-05-01", "end_date": "2026-01-01"})
    assert bad.status_code == 400
    login(en, a.leader)
    response = en.post(reverse("plan_issue", args=[a.plan.pk]), {"issued_on": "2026-01-10"})
    assert response.status_code == 302
    a.plan.refresh_from_db()
    assert a.plan.status == PlanStatus.ISSUED
    assert a.plan.issued_on == dt.date(2026, 1, 10)
    again = en.post(reverse("plan_issue", args=[a.plan.pk]), follow=True)
    assert "already been issued" in again.content.decode()


# --- tasks ---------------------------------------------------------------------------------------


def test_create_task_through_the_form(en, world):
    a = world.a
    login(en, a.coordinator)
    url = reverse("task_create", args=[a.plan.pk])
    page = en.get(url).content.decode()
    for field_id in ("id_area", "id_title", "id_lead_unit", "id_assignees", "id_due_date"):
        assert f'id="{field_id}"' in page
    assert "Phạm Thị Chuyên" in page  # people of the agency
    assert "Sở Y tế" not in page
    response = en.post(url, task_data(world))
    task = Task.objects.get(title="Rà soát văn bản quy phạm pháp luật")
    assert response.status_code == 302
    assert response["Location"] == reverse("task_detail", args=[task.pk])
    assert task.code == "II.2.a"
    assert task.lead_unit == a.unit
    assert list(task.assignees.all()) == [a.officer]
    assert list(task.coordinating_units.all()) == [a.other_unit]
    assert task.due_date == dt.date(2026, 5, 31)
    assert str(task.weight) == "2.00"
    assert a.officer.notifications.filter(kind="assigned").exists()


def test_create_sub_task_with_parent(en, world):
    a = world.a
    login(en, a.coordinator)
    url = reverse("task_create", args=[a.plan.pk]) + f"?parent={a.task.pk}"
    assert en.get(url).status_code == 200
    data = task_data(world, title="Rà soát nhóm thủ tục lĩnh vực hộ tịch")
    data.pop("area")
    response = en.post(url, data)
    assert response.status_code == 302
    child = Task.objects.get(title="Rà soát nhóm thủ tục lĩnh vực hộ tịch")
    assert child.parent == a.task
    assert child.area == a.task.area
    html = en.get(reverse("task_detail", args=[a.task.pk])).content.decode()
    assert 'data-testid="child-row"' in html
    # A parent from another agency's plan is not found.
    other = reverse("task_create", args=[a.plan.pk]) + f"?parent={world.b.task.pk}"
    assert en.get(other).status_code == 404


def test_recurring_task_shows_occurrences(en, world):
    a = world.a
    login(en, a.coordinator)
    data = task_data(world, recurrence="quarterly", start_date="2026-01-01", due_date="2026-12-31")
    en.post(reverse("task_create", args=[a.plan.pk]), data)
    task = Task.objects.get(title=data["title"], parent__isnull=True)
    html = en.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert html.count('data-testid="child-row"') == 4
    assert "Occurrences" in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"start_date": "2026-06-01", "due_date": "2026-05-01"}, "due_date"),
        ({"title": "  "}, "title"),
        ({"weight": "0"}, "weight"),
        ({"due_date": "31/02/2026"}, "due_date"),
    ],
)
def test_invalid_task_input_is_shown_and_nothing_saved(en, world, overrides, field):
    a = world.a
    login(en, a.coordinator)
    before = Task.objects.count()
    response = en.post(reverse("task_create", args=[a.plan.pk]), task_data(world, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'id="id_{field}_error"' in html
    assert "is-invalid" in html
    assert Task.objects.count() == before


def test_units_and_people_of_another_agency_are_refused(en, world):
    a, b = world.a, world.b
    login(en, a.coordinator)
    before = Task.objects.count()
    url = reverse("task_create", args=[a.plan.pk])
    for overrides, field in [
        ({"lead_unit": b.unit.pk}, "lead_unit"),
        ({"coordinating_units": [b.other_unit.pk]}, "coordinating_units"),
        ({"assignees": [b.officer.pk]}, "assignees"),
    ]:
        response = en.post(url, task_data(world, **overrides))
        assert response.status_code == 400
        assert f'id="id_{field}_error"' in response.content.decode()
    assert Task.objects.count() == before


def test_service_errors_land_on_the_form(en, world):
    a = world.a
    login(en, a.coordinator)
    response = en.post(reverse("task_create", args=[a.plan.pk]), task_data(world, code=a.task.code))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_code_error"' in html
    assert "Another task of this plan has the code" in html


def test_task_list_filters(en, world):
    a = world.a
    login(en, a.officer)
    url = reverse("task_list")
    html = en.get(url).content.decode()
    assert html.count('data-testid="task-row"') == 2
    assert "Sở Y tế" not in html  # nothing of agency B
    html = en.get(url, {"q": "vị trí việc làm"}).content.decode()
    assert html.count('data-testid="task-row"') == 1
    html = en.get(url, {"mine": "on"}).content.decode()
    assert html.count('data-testid="task-row"') == 1
    assert a.task.code in html
    html = en.get(url, {"status": "done"}).content.decode()
    assert html.count('data-testid="task-row"') == 0
    html = en.get(url, {"area": "5", "unit": a.other_unit.pk}).content.decode()
    assert html.count('data-testid="task-row"') == 1
    # Bad values are ignored, not errors.
    assert en.get(url, {"agency": "x", "year": "abc", "page": "zz"}).status_code == 200


def test_task_list_overdue_and_due_soon(en, world):
    a = world.a
    today = timezone.localdate()
    services.task_update(
        actor=a.coordinator,
        task=a.other_task,
        expected_version=None,
        start_date=today - dt.timedelta(days=60),
        due_date=today - dt.timedelta(days=30),
    )
    services.task_update(
        actor=a.coordinator,
        task=a.task,
        expected_version=None,
        start_date=today - dt.timedelta(days=60),
        due_date=today + dt.timedelta(days=3),
    )
    login(en, a.coordinator)
    html = en.get(reverse("task_list"), {"overdue": "on"}).content.decode()
    assert html.count('data-testid="task-row"') == 1
    assert a.other_task.code in html
    html = en.get(reverse("task_list"), {"due_soon": "on"}).content.decode()
    assert html.count('data-testid="task-row"') == 1
    assert a.task.code in html


def test_appraiser_filters_by_agency(en, world):
    login(en, world.appraiser)
    url = reverse("task_list")
    assert en.get(url).content.decode().count('data-testid="task-row"') == 4
    html = en.get(url, {"agency": world.b.agency.pk}).content.decode()
    assert html.count('data-testid="task-row"') == 2
    assert "Sở Y tế" in html


# --- progress, evidence, comments ----------------------------------------------------------------


def test_officer_records_progress_with_evidence(en, world):
    a = world.a
    login(en, a.officer)
    a.task.refresh_from_db()
    response = en.post(
        reverse("task_progress", args=[a.task.pk]),
        {"percent": "37,5", "note": "Đã rà soát 15/40 thủ tục", "evidence_file": pdf()},
    )
    assert response.status_code == 302
    a.task.refresh_from_db()
    assert str(a.task.progress) == "37.50"
    assert a.task.status == "in_progress"
    update = ProgressUpdate.objects.get(task=a.task)
    assert update.note == "Đã rà soát 15/40 thủ tục"
    evidence = Evidence.objects.get(task=a.task)
    assert evidence.original_name == "bao-cao.pdf"
    html = en.get(reverse("task_detail", args=[a.task.pk])).content.decode()
    assert "37.5 %" in html
    del en.cookies["django_language"]
    html = en.get(reverse("task_detail", args=[a.task.pk])).content.decode()
    assert "37,5 %" in html  # Vietnamese decimal comma, no raw Decimal
    assert "Decimal(" not in html
    assert reverse("evidence_download", args=[evidence.pk]) in html


def test_progress_without_file(client, world):
    a = world.a
    login(client, a.unit_head)
    response = client.post(reverse("task_progress", args=[a.task.pk]), {"percent": "100"})
    assert response.status_code == 302
    a.task.refresh_from_db()
    assert a.task.status == "done"
    assert not Evidence.objects.exists()


def test_wrong_type_file_saves_nothing(en, world):
    a = world.a
    login(en, a.officer)
    fake = SimpleUploadedFile("bao-cao.pdf", b"just some text, not a PDF\n", "application/pdf")
    response = en.post(
        reverse("task_progress", args=[a.task.pk]),
        {"percent": "60", "note": "kèm tệp", "evidence_file": fake},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This type of file is not accepted" in html
    assert 'id="id_evidence_file_error"' in html
    assert 'role="alert"' in html
    assert "kèm tệp" in html  # the user's input is kept
    a.task.refresh_from_db()
    assert a.task.progress == 0
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


def test_wrong_type_file_in_vietnamese_page_shows_error(client, world):
    a = world.a
    login(client, a.officer)
    fake = SimpleUploadedFile("x.pdf", b"plain text", "application/pdf")
    response = client.post(
        reverse("task_progress", args=[a.task.pk]), {"percent": "60", "evidence_file": fake}
    )
    assert response.status_code == 400
    assert 'lang="vi"' in response.content.decode()
    assert 'id="id_evidence_file_error"' in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_invalid_percent(en, world):
    login(en, world.a.officer)
    response = en.post(reverse("task_progress", args=[world.a.task.pk]), {"percent": "120"})
    assert response.status_code == 400
    assert 'id="id_percent_error"' in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_progress_over_htmx(en, world):
    a = world.a
    login(en, a.officer)
    url = reverse("task_progress", args=[a.task.pk])
    response = en.post(url, {"percent": "20"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("task_detail", args=[a.task.pk])
    bad = en.post(url, {"percent": "abc"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200
    html = bad.content.decode()
    assert html.lstrip().startswith('<section id="progress-panel"')
    assert "<html" not in html
    assert 'id="id_percent_error"' in html


def test_stale_progress_is_refused(en, world):
    a = world.a
    login(en, a.officer)
    a.task.refresh_from_db()
    stale = a.task.version
    services.task_update_progress(actor=a.unit_head, task=a.task, percent=10)
    response = en.post(
        reverse("task_progress", args=[a.task.pk]), {"percent": "50", "version": stale}
    )
    assert response.status_code == 409
    assert "Someone else recorded progress" in response.content.decode()
    a.task.refresh_from_db()
    assert a.task.progress == 10


def test_upload_evidence_and_download(en, world):
    a = world.a
    login(en, a.officer)
    response = en.post(
        reverse("task_evidence", args=[a.task.pk]),
        {"file": pdf("Báo cáo quý 1.pdf"), "description": "Báo cáo"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    for reader in (a.viewer, a.leader, world.appraiser):
        login(en, reader)
        download = en.get(reverse("evidence_download", args=[evidence.pk]))
        assert download.status_code == 200
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Type"] == "application/pdf"
        disposition = download["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%201.pdf" in disposition
        assert b"".join(download.streaming_content) == PDF
    login(en, world.b.viewer)
    assert en.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


def test_ascii_download_name(client, world):
    a = world.a
    evidence = services.evidence_add(
        actor=a.officer, task=a.task, uploaded=pdf(), name="bao-cao.pdf", size=len(PDF)
    )
    login(client, a.officer)
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao.pdf"'


def test_upload_of_wrong_type_is_refused(en, world):
    a = world.a
    login(en, a.officer)
    response = en.post(
        reverse("task_evidence", args=[a.task.pk]),
        {"file": SimpleUploadedFile("x.docx", b"<html>not a docx</html>")},
    )
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()
    assert not Evidence.objects.exists()


def test_delete_evidence(en, world):
    a = world.a
    evidence = services.evidence_add(
        actor=a.officer, task=a.task, uploaded=pdf(), name="bao-cao.pdf", size=len(PDF)
    )
    url = reverse("evidence_delete", args=[evidence.pk])
    login(en, a.viewer)
    assert en.post(url).status_code == 403
    assert en.get(url).status_code == 405
    login(en, a.officer)
    response = en.post(url)
    assert response.status_code == 302
    assert not Evidence.objects.exists()


def test_comments_plain_and_htmx(en, world):
    a = world.a
    login(en, a.leader)  # leaders may comment
    url = reverse("task_comment", args=[a.task.pk])
    response = en.post(url, {"body": "Đề nghị đẩy nhanh tiến độ"})
    assert response.status_code == 302
    response = en.post(url, {"body": "Ý kiến thứ hai"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="comments"')
    assert "Đề nghị đẩy nhanh tiến độ" in html and "Ý kiến thứ hai" in html
    empty = en.post(url, {"body": "   "})
    assert empty.status_code == 400
    assert 'id="id_body_error"' in empty.content.decode()
    assert a.task.comments.count() == 2


# --- editing and concurrent edits ----------------------------------------------------------------


def test_unit_head_edits_task(en, world):
    a = world.a
    login(en, a.unit_head)
    url = reverse("task_edit", args=[a.task.pk])
    page = en.get(url).content.decode()
    assert 'name="version"' in page
    a.task.refresh_from_db()
    data = {
        "title": "Rà soát, đơn giản hóa TTHC (sửa)",
        "description": "",
        "coordinating_units": [],
        "assignees": [a.officer.pk, a.other_officer.pk],
        "start_date": "2026-01-15",
        "due_date": "2026-07-31",
        "product": "Báo cáo",
        "priority": "normal",
        "weight": "1",
        "status": "in_progress",
        "version": a.task.version,
        # disabled for unit heads: the posted values are ignored
        "code": "HACK",
        "lead_unit": a.other_unit.pk,
    }
    response = en.post(url, data)
    assert response.status_code == 302
    a.task.refresh_from_db()
    assert a.task.title == "Rà soát, đơn giản hóa TTHC (sửa)"
    assert a.task.code == "II.3.a"
    assert a.task.lead_unit == a.unit
    assert a.task.due_date == dt.date(2026, 7, 31)
    assert a.task.assignees.count() == 2


def test_stale_version_shows_conflict_and_does_not_save(en, world):
    a = world.a
    login(en, a.coordinator)
    a.task.refresh_from_db()
    stale = a.task.version
    # Someone else saves in the meantime.
    services.task_update(
        actor=a.unit_head, task=a.task, expected_version=stale, product="Báo cáo mới"
    )
    response = en.post(
        reverse("task_edit", args=[a.task.pk]),
        {
            "title": "Tiêu đề của tôi",
            "code": a.task.code,
            "lead_unit": a.unit.pk,
            "priority": "normal",
            "weight": "1",
            "status": "not_started",
            "version": stale,
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this task" in html
    assert 'data-testid="conflict"' in html
    assert "Tiêu đề của tôi" in html  # the user's input is kept
    assert f'name="version" value="{stale}"' in html
    a.task.refresh_from_db()
    assert a.task.title == "Rà soát, đơn giản hóa thủ tục hành chính"
    assert a.task.product == "Báo cáo mới"


def test_edit_errors_are_shown(en, world):
    a = world.a
    login(en, a.coordinator)
    a.task.refresh_from_db()
    response = en.post(
        reverse("task_edit", args=[a.task.pk]),
        {
            "title": "x",
            "code": a.other_task.code,
            "priority": "normal",
            "weight": "1",
            "status": "not_started",
            "version": a.task.version,
        },
    )
    assert response.status_code == 400
    assert "Another task of this plan has the code" in response.content.decode()
    a.task.refresh_from_db()
    assert a.task.title != "x"


# --- query counts --------------------------------------------------------------------------------


def _add_tasks(world, n: int) -> None:
    a = world.a
    areas = list(a.plan.areas.all())
    for i in range(n):
        task = services.task_create(
            actor=a.coordinator,
            plan=a.plan,
            area=areas[i % len(areas)],
            title=f"Nhiệm vụ bổ sung {i}",
            lead_unit=[a.unit, a.other_unit, a.office][i % 3],
            coordinating_units=[a.office],
            assignees=[a.officer, a.other_officer][: 1 + i % 2],
            start_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 3, 1) if i % 2 else dt.date(2026, 11, 1),
        )
        services.evidence_add(
            actor=a.coordinator, task=task, uploaded=pdf(), name="a.pdf", size=len(PDF)
        )
        if i % 3 == 0:
            services.task_update_progress(actor=a.coordinator, task=task, percent=40)


def _queries(client, url) -> int:
    client.get(url)  # warm up caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("name", ["plan_list", "task_list", "plan_detail", "dashboard"])
def test_list_pages_do_not_grow_with_tasks(client, world, name, django_assert_max_num_queries):
    login(client, world.a.coordinator)
    url = (reverse(name, args=[world.a.plan.pk]) if name == "plan_detail" else reverse(name)) + (
        "?year=2026" if name == "dashboard" else ""
    )
    few = _queries(client, url)
    _add_tasks(world, 18)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


# --- no inline code, Content-Security-Policy ready -----------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"\son\w+\s*=", re.IGNORECASE)
STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def assert_csp_ready(html: str, url: str) -> None:
    assert '<meta charset="utf-8">' in html, url
    for attrs in SCRIPT.findall(html):
        assert "src=" in attrs or 'type="application/json"' in attrs, (url, attrs)
    assert not HANDLER.search(html), (url, HANDLER.search(html))
    assert not STYLE.search(html), (url, STYLE.search(html))
    assert "<style" not in html.lower(), url


def test_pages_have_no_inline_scripts_handlers_or_styles(client, world):
    a = world.a
    services.evidence_add(
        actor=a.officer, task=a.task, uploaded=pdf(), name="bao-cao.pdf", size=len(PDF)
    )
    services.comment_add(actor=a.leader, task=a.task, body="<script>alert(1)</script>")
    anonymous = [reverse("login")]
    for url in anonymous:
        assert_csp_ready(client.get(url).content.decode(), url)
    login(client, a.coordinator)
    urls = [
        reverse("dashboard"),
        reverse("plan_list"),
        reverse("plan_create"),
        reverse("plan_detail", args=[a.plan.pk]),
        reverse("plan_edit", args=[a.plan.pk]),
        reverse("task_create", args=[a.plan.pk]),
        reverse("task_list"),
        reverse("task_detail", args=[a.task.pk]),
        reverse("task_edit", args=[a.task.pk]),
        reverse("notifications"),
        reverse("activity"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_ready(response.content.decode(), url)
    html = client.get(reverse("task_detail", args=[a.task.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for response in (
        client.post(reverse("task_progress", args=[a.task.pk]), {"percent": "x"}),
        client.get(reverse("task_detail", args=[world.b.task.pk])),
    ):
        assert_csp_ready(response.content.decode(), "error page")
    login(client, a.viewer)
    assert_csp_ready(client.get(reverse("task_edit", args=[a.task.pk])).content.decode(), "403")
