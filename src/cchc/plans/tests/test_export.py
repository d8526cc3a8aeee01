"""The appendix workbook: the blank template and a plan's export, read back by the importer."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from cchc.plans import services
from cchc.plans.exporting import HEADER_ROW, appendix_filename, appendix_workbook
from cchc.plans.importing.appendix import read_appendix_xlsx
from cchc.plans.importing.document import PlanImportError
from cchc.plans.importing.units import match_unit
from cchc.plans.models import Recurrence, Task

HEADER = [
    "STT",
    "Nội dung nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm",
    "Ghi chú",
]


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_template_has_the_header_areas_examples_and_guide():
    wb = _open(appendix_workbook())
    assert wb.sheetnames == ["Phụ lục", "Hướng dẫn"]
    ws = wb["Phụ lục"]
    assert ws["A1"].value == "PHỤ LỤC CÁC NHIỆM VỤ CỤ THỂ"
    assert ws["A2"].value.startswith("(Kèm theo Kế hoạch số")
    assert [c.value for c in ws[HEADER_ROW]] == HEADER
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    header = ws.cell(row=HEADER_ROW, column=2)
    assert header.font.bold and header.font.name == "Times New Roman" and header.font.sz == 12
    assert header.border.left.style == "thin"
    assert ws.column_dimensions["B"].width >= 40
    groups = [r[0].value for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[0].value]
    assert groups == ["I", 1, "II", 1, "III", 1, "IV", 1, "V", 1, "VI", 1, "VII", 1]
    examples = [r[6].value for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[0].value == 1]
    assert len(examples) == 7 and all(note.startswith("Dòng ví dụ") for note in examples)
    guide = "\n".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    for words in ("Thời gian hoàn thành", "Hằng quý", "Quý II", "Thường xuyên", "30/6/2026"):
        assert words in guide


def test_template_example_rows_are_not_imported():
    with pytest.raises(PlanImportError) as caught:
        read_appendix_xlsx(appendix_workbook(), year=2026)
    assert caught.value.code == "no_tasks"


def test_template_example_rows_parse_when_the_note_is_cleared():
    wb = _open(appendix_workbook())
    ws = wb["Phụ lục"]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        if row[6].value:
            row[6].value = None
    out = io.BytesIO()
    wb.save(out)
    appendix = read_appendix_xlsx(out.getvalue(), year=2026)
    assert [t.area for t in appendix.tasks] == [1, 2, 3, 4, 5, 6, 7]
    assert all(t.due_date is not None for t in appendix.tasks)
    assert [t.recurrence for t in appendix.tasks][-2:] == ["quarterly", "monthly"]
    assert not appendix.warnings


@pytest.fixture
def plan_with_tasks(world):
    a = world.a
    plan = a.plan
    plan.number, plan.issued_on = "12", dt.date(2026, 1, 15)
    plan.save()
    area = {n: plan.areas.get(number=n) for n in range(1, 8)}
    create = services.task_create
    create(
        actor=a.coordinator,
        plan=plan,
        area=area[1],
        title="Ban hành Kế hoạch kiểm tra CCHC năm 2026",
        lead_unit=a.office,
        coordinating_units=[a.unit, a.other_unit],
        due_date=dt.date(2026, 3, 31),
        product="Kế hoạch kiểm tra",
    )
    reporting = create(
        actor=a.coordinator,
        plan=plan,
        area=area[1],
        title="Báo cáo CCHC định kỳ",
        lead_unit=a.office,
        recurrence=Recurrence.QUARTERLY,
    )
    create(
        actor=a.coordinator,
        plan=plan,
        area=area[1],
        title="Báo cáo 6 tháng",
        parent=reporting,
        lead_unit=a.office,
        due_date=dt.date(2026, 6, 30),
    )
    create(
        actor=a.coordinator,
        plan=plan,
        area=area[7],
        title="Số hóa hồ sơ, kết quả giải quyết TTHC\nđạt 100 %",
        lead_unit=a.unit,
        coordinating_units=[a.office],
        recurrence=Recurrence.MONTHLY,
        start_date=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 9, 30),
    )
    create(
        actor=a.coordinator,
        plan=plan,
        area=area[2],
        title="Nhiệm vụ chưa có hạn",
    )
    return plan


def test_export_round_trips(plan_with_tasks, world):
    plan = plan_with_tasks
    data = appendix_workbook(plan)
    ws = _open(data)["Phụ lục"]
    assert ws["A2"].value == "(Kèm theo Kế hoạch số 12/KH-STP ngày 15/01/2026 của Sở Tư pháp)"
    assert [c.value for c in ws[HEADER_ROW]] == HEADER

    appendix = read_appendix_xlsx(data, year=plan.year)
    by_code = {t.note: t for t in appendix.tasks}
    expected = Task.objects.filter(plan=plan, period_label="").select_related("area", "lead_unit")
    assert set(by_code) == {t.code for t in expected}
    units = list(plan.agency.units.all())
    for task in expected:
        row = by_code[task.code]
        assert row.text == task.title
        assert row.area == task.area.number
        assert row.product == (task.product or None)
        if task.lead_unit is None:
            assert row.lead_unit is None
        else:
            assert match_unit(row.lead_unit, units).unit == task.lead_unit
        assert sorted(match_unit(n, units).unit.pk for n in row.coordinating_units) == sorted(
            task.coordinating_units.values_list("pk", flat=True)
        )
        assert row.due_date == (
            task.due_date or (plan.end_date if task.recurrence != Recurrence.ONCE else None)
        )
        if task.recurrence != Recurrence.ONCE:
            assert row.recurrence == task.recurrence
    assert not appendix.warnings

    reporting = by_code["II.1.b"]
    assert (reporting.due, reporting.recurrence) == ("Hằng quý", "quarterly")
    [sub_task] = [t for t in appendix.tasks if t.text == "Báo cáo 6 tháng"]
    assert sub_task.number == "2.1"  # a sub-task follows its parent, numbered under it
    assert by_code["II.7.a"].due == "Hằng tháng (đến 30/09/2026)"
    assert by_code["II.3.a"].due == "30/06/2026"


def test_export_excludes_other_plans_and_occurrences(plan_with_tasks, world):
    b = world.b
    services.task_create(
        actor=b.coordinator,
        plan=b.plan,
        area=b.plan.areas.get(number=1),
        title="Nhiệm vụ riêng của Sở Y tế",
    )
    appendix = read_appendix_xlsx(appendix_workbook(plan_with_tasks), year=2026)
    assert "Nhiệm vụ riêng của Sở Y tế" not in {t.text for t in appendix.tasks}
    assert not any("/" in t.note for t in appendix.tasks)  # occurrences such as II.1.b/Q1
    assert len(appendix.tasks) == plan_with_tasks.tasks.filter(period_label="").count()


def test_export_of_many_tasks_takes_few_queries(world, django_assert_max_num_queries):
    plan = world.a.plan
    area = plan.areas.get(number=3)
    tasks = Task.objects.bulk_create(
        Task(
            plan=plan,
            agency=plan.agency,
            area=area,
            code=f"X.{i}",
            title=f"Nhiệm vụ {i}",
            lead_unit=world.a.unit if i % 2 else world.a.office,
            due_date=dt.date(2026, 12, 31),
            position=100 + i,
        )
        for i in range(200)
    )
    through = Task.coordinating_units.through
    through.objects.bulk_create(through(task_id=t.pk, unit_id=world.a.office.pk) for t in tasks)
    with django_assert_max_num_queries(6):
        data = appendix_workbook(plan)
    assert len(read_appendix_xlsx(data, year=2026).tasks) == 202


def test_filenames(world):
    assert appendix_filename() == "mau-phu-luc-nhiem-vu.xlsx"
    assert appendix_filename(world.a.plan) == "phu-luc-nhiem-vu-2026-STP.xlsx"
