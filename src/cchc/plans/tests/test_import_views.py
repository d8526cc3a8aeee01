"""The plan import pages: upload → background job → review beside the source text → confirm;
the job page and its status panel; the appendix template and the export; who may do what."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cchc.core.jobs import job_run
from cchc.core.models import Job, JobStatus, Membership, Role
from cchc.plans.models import Plan
from cchc.plans.tests.test_views import assert_csp_ready

PLAN_TEXT = """UBND TỈNH THỬ NGHIỆM
SỞ TƯ PHÁP
Số: 15/KH-STP

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Thử Nghiệm, ngày 20 tháng 12 năm 2026

KẾ HOẠCH
Cải cách hành chính năm 2027 của Sở Tư pháp

Căn cứ Quyết định số 1234/QĐ-UBND ngày 15/12/2026 của Chủ tịch UBND tỉnh ban hành Kế hoạch
cải cách hành chính năm 2027 của tỉnh;
Sở Tư pháp ban hành Kế hoạch cải cách hành chính năm 2027 như sau:

I. MỤC TIÊU, YÊU CẦU
1. Mục tiêu
- Mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của Sở đạt trên 90%.
- 100% hồ sơ thủ tục hành chính được giải quyết đúng hạn.
2. Yêu cầu
Các phòng, đơn vị thực hiện nghiêm túc, hiệu quả các nhiệm vụ được giao.

II. NỘI DUNG, NHIỆM VỤ CỤ THỂ
1. Công tác chỉ đạo, điều hành
a) Xây dựng, ban hành Kế hoạch cải cách hành chính năm 2027 của Sở.
b) Tuyên truyền về cải cách hành chính trên Cổng thông tin điện tử của Sở.
c) Kiểm tra công tác cải cách hành chính tại các phòng, đơn vị thuộc Sở.
2. Cải cách thể chế
a) Rà soát, hệ thống hóa văn bản quy phạm pháp luật thuộc lĩnh vực quản lý.
b) Theo dõi tình hình thi hành pháp luật trên địa bàn tỉnh.
3. Cải cách thủ tục hành chính
a) Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền giải quyết của Sở.
b) Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.

III. TỔ CHỨC THỰC HIỆN
1. Văn phòng Sở chủ trì, theo dõi, đôn đốc việc thực hiện Kế hoạch; tổng hợp báo cáo định kỳ.
2. Các phòng, đơn vị triển khai thực hiện các nhiệm vụ được giao.

Nơi nhận:
- UBND tỉnh;
- Sở Nội vụ;
- Lưu: VT, VP.
GIÁM ĐỐC

Nguyễn Văn Lãnh
"""
TASK_COUNT = 7
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPENDIX_HEADER = [
    "STT",
    "Nội dung nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm",
    "Ghi chú",
]


@pytest.fixture
def en(client):
    """A client that chose English, so assertions on text do not depend on translations."""
    client.cookies["django_language"] = "en"
    return client


def plan_file(name: str = "ke-hoach-cchc-2027.txt", data: bytes | None = None):
    return SimpleUploadedFile(name, PLAN_TEXT.encode() if data is None else data)


def upload(client, world, **extra) -> Job:
    response = client.post(
        "/plans/import/", {"agency": world.a.agency.pk, "document": plan_file(), **extra}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.latest("pk")
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def parsed_job(client, world) -> Job:
    """Upload the plan and run its job as the worker would."""
    job = upload(client, world)
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def page_data(response) -> dict:
    """What the browser would post from the review page as it is shown."""
    review = response.context["review"]
    data = {}
    for formset in (review.areas, review.tasks):
        for field in formset.management_form:
            data[field.html_name] = field.value()
    for form in (review.header, review.bulk, *review.areas.forms, *review.tasks.forms):
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, forms.CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value
    return data


def row(data: dict, words: str) -> str:
    """The prefix (``tasks-3``) of the task row whose title contains ``words``."""
    found = [
        key[: -len("-title")]
        for key, value in data.items()
        if key.startswith("tasks-") and key.endswith("-title") and words in str(value)
    ]
    assert len(found) == 1, (words, found)
    return found[0]


def stored_titles(job: Job) -> list[str]:
    job.refresh_from_db()
    return [t["title"] for t in job.result["draft"]["tasks"]]


# --- upload and the job ----------------------------------------------------------------------


def test_upload_creates_a_job_and_the_job_makes_a_draft(client, world):
    a = world.a
    client.force_login(a.coordinator)
    page = client.get("/plans/import/")
    assert page.status_code == 200
    # A coordinator of one agency has it chosen already.
    assert page.context["form"]["agency"].value() == a.agency.pk
    assert b"/plans/import/template.xlsx" in page.content

    job = upload(client, world, year="")
    assert (job.kind, job.agency, job.created_by) == ("plan_import_parse", a.agency, a.coordinator)
    assert job.status == JobStatus.QUEUED and job.input_name == "ke-hoach-cchc-2027.txt"
    assert job.input_file.read() == PLAN_TEXT.encode()

    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    draft = job.result["draft"]
    assert draft["year"] == 2027
    assert len(draft["tasks"]) == TASK_COUNT
    assert "Kiểm tra công tác cải cách hành chính" in job.result["text"]
    assert job.result["parsed"]["document"]["year"] == 2027


def test_the_appendix_is_kept_in_storage_for_the_job(client, world):
    from django.core.files.storage import default_storage

    client.force_login(world.a.coordinator)
    appendix = SimpleUploadedFile("phu-luc.xlsx", b"PK\x03\x04 not really a workbook")
    job = upload(client, world, appendix=appendix)
    path = job.params["appendix_path"]
    assert path.startswith("jobs/appendix/") and job.params["appendix_name"] == "phu-luc.xlsx"
    assert default_storage.open(path).read() == b"PK\x03\x04 not really a workbook"
    job_run(job.pk)  # a broken workbook fails the job with a message, not a crash
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error
    assert "unexpected" not in job.error


def test_job_page_while_queued_polls_and_works_without_javascript(en, world):
    en.force_login(world.a.coordinator)
    job = upload(en, world)
    page = en.get(f"/jobs/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="job-status"' in html
    assert f'hx-get="/jobs/{job.pk}/status/"' in html and 'hx-trigger="every 1s"' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    panel = en.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'hx-trigger="every 1s"' in panel.content.decode()
    assert "<html" not in panel.content.decode()


def test_finished_job_sends_htmx_on_to_the_review_page(en, world):
    en.force_login(world.a.coordinator)
    job = parsed_job(en, world)
    review_url = f"/plans/import/{job.pk}/review/"
    panel = en.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and panel["HX-Redirect"] == review_url
    page = en.get(f"/jobs/{job.pk}/")
    html = page.content.decode()
    assert "every 1s" not in html and "http-equiv" not in html
    assert f'href="{review_url}"' in html and "100 %" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_real_worker_runs_the_import_job(client, world):
    # The worker (db_worker --batch) closes a connection left in a transaction, so this test
    # commits for real; the upload queues the job on commit, as in production.
    client.force_login(world.a.coordinator)
    job = upload(client, world)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert len(job.result["draft"]["tasks"]) == TASK_COUNT


def test_a_picture_named_docx_fails_with_a_message(en, world):
    en.force_login(world.a.coordinator)
    response = en.post(
        "/plans/import/",
        {"agency": world.a.agency.pk, "document": plan_file("ke-hoach.docx", PNG)},
    )
    job = Job.objects.get()
    assert response.status_code == 302
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error
    page = en.get(f"/jobs/{job.pk}/")
    html = page.content.decode()
    assert 'data-testid="job-error"' in html and job.error in html
    assert 'role="alert"' in html and "every 1s" not in html
    assert 'href="/plans/import/"' in html  # try again
    # htmx gets the final panel (no redirect, no more polling).
    panel = en.get(f"/jobs/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in panel and job.error in panel.content.decode()
    # And the review page of a failed job leads back to the job.
    assert en.get(f"/plans/import/{job.pk}/review/")["Location"] == f"/jobs/{job.pk}/"


def test_an_oversize_file_is_refused_before_a_job_exists(en, world, settings):
    settings.CCHC_IMPORT_MAX_BYTES = 1000
    en.force_login(world.a.coordinator)
    big = plan_file("ke-hoach.txt", b"x" * 1001)
    response = en.post("/plans/import/", {"agency": world.a.agency.pk, "document": big})
    assert response.status_code == 400
    assert "files above 1000" in response.content.decode()
    assert not Job.objects.exists()
    appendix = SimpleUploadedFile("phu-luc.xlsx", b"x" * 1001)
    response = en.post(
        "/plans/import/",
        {"agency": world.a.agency.pk, "document": plan_file(), "appendix": appendix},
    )
    assert response.status_code == 400 and not Job.objects.exists()


def test_only_plan_documents_are_accepted(en, world):
    en.force_login(world.a.coordinator)
    response = en.post(
        "/plans/import/", {"agency": world.a.agency.pk, "document": plan_file("anh.png", PNG)}
    )
    assert response.status_code == 400 and not Job.objects.exists()
    assert ".docx/.txt/.pdf" in response.content.decode()


def test_a_coordinator_cannot_import_for_another_agency(client, world):
    client.force_login(world.a.coordinator)
    response = client.post("/plans/import/", {"agency": world.b.agency.pk, "document": plan_file()})
    assert response.status_code == 400 and not Job.objects.exists()


# --- access --------------------------------------------------------------------------------


def test_who_may_import(client, world):
    for person, status in [
        (world.a.viewer, 403),
        (world.a.leader, 403),
        (world.a.unit_head, 403),
        (world.appraiser, 403),
        (world.a.coordinator, 200),
        (world.admin, 200),
    ]:
        client.force_login(person)
        assert client.get("/plans/import/").status_code == status, person
        if status == 403:
            assert client.post("/plans/import/", {}).status_code == 403


def test_another_agencys_coordinator_gets_404_on_the_job(client, world):
    client.force_login(world.a.coordinator)
    job = parsed_job(client, world)
    client.force_login(world.b.coordinator)
    for path in (
        f"/jobs/{job.pk}/",
        f"/jobs/{job.pk}/status/",
        f"/plans/import/{job.pk}/review/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/plans/import/{job.pk}/review/", {"action": "confirm"}).status_code == 404
    # A colleague of the same agency does not see it either: a job is its starter's.
    client.force_login(world.a.leader)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_a_former_coordinator_gets_403_on_the_review(client, world):
    client.force_login(world.a.coordinator)
    job = parsed_job(client, world)
    Membership.objects.filter(user=world.a.coordinator, role=Role.COORDINATOR).update(
        role=Role.VIEWER
    )
    assert client.get(f"/plans/import/{job.pk}/review/").status_code == 403


# --- review --------------------------------------------------------------------------------


def test_review_shows_the_tree_beside_the_source_text(en, world):
    en.force_login(world.a.coordinator)
    job = parsed_job(en, world)
    page = en.get(f"/plans/import/{job.pk}/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="draft-task"') == TASK_COUNT
    assert "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính." in html
    assert 'data-testid="source-text"' in html
    lines = job.result["text"].splitlines()
    assert f'id="src-line-{len(lines)}"' in html
    # Each task links to the line it starts on.
    first = job.result["draft"]["tasks"][0]
    assert f'href="#src-line-{first["source_line"]}"' in html
    assert "Xây dựng, ban hành Kế hoạch" in lines[first["source_line"] - 1]
    assert page.context["review"].header["year"].value() == 2027
    # The lead unit select offers the agency's units only.
    choices = dict(page.context["review"].tasks.forms[0].fields["lead_unit"].choices)
    assert world.a.unit.pk in choices and world.b.unit.pk not in choices


def test_edit_merge_split_bulk_then_confirm(en, world):
    a = world.a
    en.force_login(a.coordinator)
    job = parsed_job(en, world)
    review_url = f"/plans/import/{job.pk}/review/"

    # Bulk: the two tasks of area 3 get Phòng Nghiệp vụ 1 and a due date.
    data = page_data(en.get(review_url))
    for words in ("Rà soát, đơn giản hóa", "Số hóa hồ sơ"):
        data[f"{row(data, words)}-selected"] = "on"
    data.update(action="bulk", bulk_lead_unit=a.unit.pk, bulk_due_date="2027-06-30")
    response = en.post(review_url, data)
    assert response.status_code == 302 and response["Location"] == review_url
    job.refresh_from_db()
    area3 = [t for t in job.result["draft"]["tasks"] if t["area"] == 3]
    assert [(t["lead_unit_id"], t["due_date"]) for t in area3] == [(a.unit.pk, "2027-06-30")] * 2
    others = [t for t in job.result["draft"]["tasks"] if t["area"] != 3]
    assert all(t["lead_unit_id"] is None for t in others)

    # Edit a title, merge 1.c into 1.b, split 2.b at a blank line; the page keeps the edits.
    page = en.get(review_url)
    assert page.context["review"].tasks.forms[-1]["lead_unit"].value() == a.unit.pk
    data = page_data(page)
    data[f"{row(data, 'Xây dựng, ban hành')}-title"] = "Ban hành Kế hoạch CCHC năm 2027"
    data[f"{row(data, 'Kiểm tra công tác')}-merge_up"] = "on"
    split = row(data, "Theo dõi tình hình")
    data[f"{split}-title"] = "Theo dõi thi hành pháp luật.\n\nBáo cáo tình hình thi hành pháp luật."
    data[f"{split}-split"] = "on"
    data[f"{row(data, 'Rà soát, hệ thống hóa')}-lead_unit"] = a.other_unit.pk
    data["action"] = "apply"
    assert en.post(review_url, data).status_code == 302
    titles = stored_titles(job)
    assert titles[0] == "Ban hành Kế hoạch CCHC năm 2027"
    assert titles[1].startswith("Tuyên truyền") and "Kiểm tra công tác" in titles[1]
    assert "Theo dõi thi hành pháp luật." in titles and len(titles) == TASK_COUNT

    # Confirm: the plan is saved with the codes, titles and units of the reviewed draft.
    data = page_data(en.get(review_url))
    data["action"] = "confirm"
    response = en.post(review_url, data)
    plan = Plan.objects.get(agency=a.agency, year=2027)
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    tasks = {t.code: t for t in plan.tasks.filter(parent__isnull=True)}
    assert sorted(tasks) == [
        "II.1.a",
        "II.1.b",
        "II.2.a",
        "II.2.b",
        "II.2.c",
        "II.3.a",
        "II.3.b",
    ]
    assert tasks["II.1.a"].title == "Ban hành Kế hoạch CCHC năm 2027"
    assert "Kiểm tra công tác" in tasks["II.1.b"].title
    assert tasks["II.2.a"].lead_unit == a.other_unit
    assert tasks["II.2.b"].title == "Theo dõi thi hành pháp luật."
    assert tasks["II.2.c"].title == "Báo cáo tình hình thi hành pháp luật."
    assert tasks["II.3.a"].lead_unit == a.unit and tasks["II.3.b"].lead_unit == a.unit
    assert tasks["II.3.b"].due_date.isoformat() == "2027-06-30"
    assert (plan.number, plan.symbol) == ("15", "KH-STP")
    detail = en.get(f"/plans/{plan.pk}/")
    text = detail.content.decode()
    assert "7 tasks created, 0 updated, 0 unchanged" in text
    assert "Báo cáo tình hình thi hành pháp luật." in text
    job.refresh_from_db()
    assert job.result["summary"]["created"] == TASK_COUNT


def test_reimporting_the_same_file_changes_nothing(en, world):
    en.force_login(world.a.coordinator)
    for created, unchanged in ((TASK_COUNT, 0), (0, TASK_COUNT)):
        job = parsed_job(en, world)
        url = f"/plans/import/{job.pk}/review/"
        data = page_data(en.get(url))
        data["action"] = "confirm"
        assert en.post(url, data).status_code == 302
        job.refresh_from_db()
        summary = job.result["summary"]
        assert (summary["created"], summary["updated"], summary["unchanged"]) == (
            created,
            0,
            unchanged,
        )
    assert Plan.objects.filter(agency=world.a.agency, year=2027).count() == 1


def test_header_and_areas_can_be_corrected(en, world):
    en.force_login(world.a.coordinator)
    job = parsed_job(en, world)
    url = f"/plans/import/{job.pk}/review/"
    data = page_data(en.get(url))
    data.update(
        {
            "plan-title": "Kế hoạch CCHC năm 2027",
            "plan-signer": "Nguyễn Văn Lãnh",
            "plan-issued_on": "2026-12-20",
            "areas-1-title": "Cải cách thể chế (sửa)",
            "action": "confirm",
        }
    )
    assert en.post(url, data).status_code == 302
    plan = Plan.objects.get(agency=world.a.agency, year=2027)
    assert plan.title == "Kế hoạch CCHC năm 2027" and plan.issued_on.isoformat() == "2026-12-20"
    assert plan.areas.get(number=2).title == "Cải cách thể chế (sửa)"


def test_renumbering_an_area_moves_its_tasks(en, world):
    en.force_login(world.a.coordinator)
    job = parsed_job(en, world)
    url = f"/plans/import/{job.pk}/review/"
    data = page_data(en.get(url))
    data.update({"areas-1-number": 4, "action": "apply"})
    assert en.post(url, data).status_code == 302
    job.refresh_from_db()
    assert [a["number"] for a in job.result["draft"]["areas"]] == [1, 3, 4]
    moved = [t["title"] for t in job.result["draft"]["tasks"] if t["area"] == 4]
    assert len(moved) == 2 and moved[0].startswith("Rà soát, hệ thống hóa")
    # Two areas with one number are refused.
    data = page_data(en.get(url))
    data.update({"areas-0-number": 3, "action": "apply"})
    response = en.post(url, data)
    assert (
        response.status_code == 400 and "Two areas have the number 3" in response.content.decode()
    )


def test_row_errors_stay_on_their_row_and_nothing_is_saved(en, world):
    en.force_login(world.a.coordinator)
    job = parsed_job(en, world)
    url = f"/plans/import/{job.pk}/review/"
    before = stored_titles(job)
    data = page_data(en.get(url))
    first = row(data, "Xây dựng, ban hành")
    data[f"{first}-merge_up"] = "on"  # nothing above it in its area
    no_blank = row(data, "Tuyên truyền")
    data[f"{no_blank}-split"] = "on"  # no blank line to split at
    data[f"{row(data, 'Số hóa hồ sơ')}-title"] = "   "
    data["action"] = "confirm"
    response = en.post(url, data)
    assert response.status_code == 400
    forms_ = {f.prefix: f for f in response.context["review"].tasks.forms}
    assert "split" in forms_[no_blank].errors
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Plan.objects.filter(year=2027).exists()
    assert stored_titles(job) == before
    # Once the other rows are right, the merge error shows on its row.
    data = page_data(en.get(url))
    data[f"{first}-merge_up"] = "on"
    data["action"] = "apply"
    response = en.post(url, data)
    assert response.status_code == 400
    assert "merge_up" in {f.prefix: f for f in response.context["review"].tasks.forms}[first].errors


def test_service_errors_are_shown_and_nothing_is_saved(en, world):
    en.force_login(world.a.coordinator)
    job = parsed_job(en, world)
    url = f"/plans/import/{job.pk}/review/"
    data = page_data(en.get(url))
    for key in [k for k in data if k.endswith("-title") and k.startswith("tasks-")]:
        data[key.replace("-title", "-remove")] = "on"
    data["action"] = "confirm"
    response = en.post(url, data)
    assert response.status_code == 400
    assert "The plan has no tasks to import." in response.content.decode()
    assert not Plan.objects.filter(year=2027).exists()


def test_bulk_needs_ticked_tasks_and_a_value(en, world):
    en.force_login(world.a.coordinator)
    job = parsed_job(en, world)
    url = f"/plans/import/{job.pk}/review/"
    data = page_data(en.get(url))
    data.update(action="bulk", bulk_lead_unit=world.a.unit.pk)
    response = en.post(url, data)
    assert response.status_code == 400 and "Tick the tasks" in response.content.decode()
    data[f"{row(data, 'Số hóa hồ sơ')}-selected"] = "on"
    data["bulk_lead_unit"] = ""
    response = en.post(url, data)
    assert response.status_code == 400 and "Choose a lead unit" in response.content.decode()


def test_only_the_uploader_keeps_changes_in_the_job(client, world):
    client.force_login(world.a.coordinator)
    job = parsed_job(client, world)
    url = f"/plans/import/{job.pk}/review/"
    data = page_data(client.get(url))
    client.force_login(world.admin)
    assert client.get(url).status_code == 200
    data["action"] = "apply"
    assert client.post(url, data).status_code == 403


def test_import_pages_have_no_inline_code(client, world):
    client.force_login(world.a.coordinator)
    job = parsed_job(client, world)
    failed = upload(client, world)
    failed.status, failed.error = JobStatus.FAILED, "Tệp không đọc được."
    failed.save()
    review_url = f"/plans/import/{job.pk}/review/"
    data = page_data(client.get(review_url))
    data.update({"tasks-0-title": "", "action": "confirm"})
    for url, response in [
        ("upload", client.get("/plans/import/")),
        ("job", client.get(f"/jobs/{job.pk}/")),
        ("failed job", client.get(f"/jobs/{failed.pk}/")),
        ("status", client.get(f"/jobs/{failed.pk}/status/")),
        ("review", client.get(review_url)),
        ("review with errors", client.post(review_url, data)),
    ]:
        html = response.content.decode()
        if url == "status":
            html = '<meta charset="utf-8">' + html  # a fragment, not a page
        assert_csp_ready(html, url)


# --- downloads -----------------------------------------------------------------------------


def _header_row(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    for values in sheet.iter_rows(min_row=1, max_row=15, values_only=True):
        if values and values[0] == "STT":
            return [v for v in values if v is not None]
    raise AssertionError("no header row")


def test_the_appendix_template_downloads(client, world):
    client.force_login(world.a.officer)
    response = client.get("/plans/import/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    assert _header_row(response.content) == APPENDIX_HEADER


def test_the_plan_exports_to_xlsx_for_its_readers(client, world):
    plan = world.a.plan
    client.force_login(world.a.viewer)
    response = client.get(f"/plans/{plan.pk}/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "STP" in disposition
    assert _header_row(response.content) == APPENDIX_HEADER
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {value for values in sheet.iter_rows(values_only=True) for value in values}
    assert world.a.task.title in cells
    client.force_login(world.b.coordinator)
    assert client.get(f"/plans/{plan.pk}/export.xlsx").status_code == 404
    client.logout()
    assert client.get(f"/plans/{plan.pk}/export.xlsx").status_code == 302


def test_plan_pages_link_to_import_and_export(client, world):
    client.force_login(world.a.coordinator)
    detail = client.get(f"/plans/{world.a.plan.pk}/").content.decode()
    assert f"/plans/{world.a.plan.pk}/export.xlsx" in detail and "/plans/import/" in detail
    assert 'data-testid="import-plan"' in client.get("/plans/").content.decode()
    client.force_login(world.a.viewer)
    detail = client.get(f"/plans/{world.a.plan.pk}/").content.decode()
    assert "export.xlsx" in detail and 'data-testid="import-plan"' not in detail
