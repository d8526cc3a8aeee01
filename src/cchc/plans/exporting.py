"""The appendix of tasks as an XLSX workbook: the blank template people fill in, and the export of
a plan's tasks, in the one format ``importing.appendix.read_appendix_xlsx`` reads back.

The sheet is a document of the agency, so its words are Vietnamese whatever the interface
language: the header must stay exactly STT | Nội dung nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp
| Thời gian hoàn thành | Sản phẩm | Ghi chú. Times New Roman is the font of Nghị định 30/2020.
"""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Prefetch, Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cchc.core.models import Unit
from cchc.plans.importing.appendix import EXPECTED_COLUMNS
from cchc.plans.models import Plan, Recurrence, Task
from cchc.plans.services import STANDARD_AREAS

SHEET_TITLE = "Phụ lục"
GUIDE_TITLE = "Hướng dẫn"
TITLE = "PHỤ LỤC CÁC NHIỆM VỤ CỤ THỂ"
HEADER = EXPECTED_COLUMNS
HEADER_ROW = 4
COLUMN_WIDTHS = (7, 60, 24, 30, 18, 32, 16)
EXAMPLE_NOTE = "Dòng ví dụ – xóa trước khi nhập"
RECURRENCE_LABELS = {
    Recurrence.MONTHLY: "Hằng tháng",
    Recurrence.QUARTERLY: "Hằng quý",
    Recurrence.YEARLY: "Hằng năm",
}

FONT_NAME = "Times New Roman"
FONT_SIZE = 12
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")

# One row per standard area in the blank template, each showing a different due form.
_EXAMPLES = (
    (
        "Xây dựng, ban hành Kế hoạch cải cách hành chính năm",
        "Văn phòng",
        "Các phòng, đơn vị thuộc Sở",
        "Quý I",
        "Kế hoạch được ban hành",
    ),
    (
        "Rà soát, hệ thống hóa văn bản quy phạm pháp luật thuộc lĩnh vực quản lý",
        "Phòng Pháp chế",
        "Văn phòng; Thanh tra",
        "30/6",
        "Báo cáo kết quả rà soát",
    ),
    (
        "Rà soát, đơn giản hóa thủ tục hành chính, cắt giảm thời gian giải quyết",
        "Văn phòng",
        "Các phòng chuyên môn",
        "Tháng 9",
        "Phương án đơn giản hóa được phê duyệt",
    ),
    (
        "Rà soát chức năng, nhiệm vụ, cơ cấu tổ chức của các phòng, đơn vị",
        "Phòng Tổ chức cán bộ",
        "Các phòng, đơn vị thuộc Sở",
        "6 tháng đầu năm",
        "Quyết định quy định chức năng, nhiệm vụ",
    ),
    (
        "Cập nhật, hoàn thiện vị trí việc làm",
        "Phòng Tổ chức cán bộ",
        "",
        "Thường xuyên",
        "Đề án vị trí việc làm",
    ),
    (
        "Báo cáo tình hình thực hiện cơ chế tự chủ tài chính",
        "Phòng Kế hoạch - Tài chính",
        "Các đơn vị sự nghiệp",
        "Hằng quý",
        "Báo cáo quý",
    ),
    (
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "Văn phòng",
        "Trung tâm Công nghệ thông tin",
        "Hằng tháng",
        "Tỷ lệ hồ sơ được số hóa",
    ),
)

_GUIDE_COLUMNS = (
    (
        "STT",
        "Số thứ tự. Dòng nhóm ghi số La Mã (I, II, …) và tên lĩnh vực ở cột Nội dung nhiệm vụ; "
        "các nhiệm vụ bên dưới thuộc lĩnh vực đó. Nhiệm vụ đánh số 1, 2, 3, …",
        "I / 1",
    ),
    ("Nội dung nhiệm vụ", "Nội dung nhiệm vụ cụ thể (bắt buộc).", "Rà soát thủ tục hành chính"),
    (
        "Đơn vị chủ trì",
        "Tên hoặc mã của một đơn vị thuộc cơ quan, ghi như trong danh mục đơn vị.",
        "Văn phòng",
    ),
    (
        "Đơn vị phối hợp",
        "Một hoặc nhiều đơn vị, cách nhau bằng dấu chấm phẩy (;), dấu phẩy hoặc xuống dòng.",
        "Văn phòng; Thanh tra",
    ),
    (
        "Thời gian hoàn thành",
        "Ngày, tháng, quý hoặc định kỳ; xem các cách ghi được chấp nhận bên dưới.",
        "30/6/2026",
    ),
    ("Sản phẩm", "Sản phẩm, kết quả dự kiến của nhiệm vụ.", "Báo cáo kết quả rà soát"),
    (
        "Ghi chú",
        "Ghi chú; khi xuất từ hệ thống là mã nhiệm vụ. Dòng có ghi chú bắt đầu bằng "
        "“Dòng ví dụ” được bỏ qua khi nhập.",
        "II.3.a",
    ),
)
_GUIDE_DUE_FORMS = (
    ("30/6/2026, 30/06/2026, 2026-06-30 hoặc ô kiểu ngày", "Đúng ngày đó"),
    ("Trước ngày 15/10/2026; 15/10 (năm của kế hoạch)", "Ngày đó"),
    ("Tháng 6/2026; tháng 6 năm 2026; Tháng 6", "Ngày cuối tháng"),
    ("Quý II; Quý 2/2026; quý II năm 2026", "Ngày cuối quý"),
    ("6 tháng đầu năm; 9 tháng đầu năm", "30/6; 30/9 của năm kế hoạch"),
    ("Năm 2026; Cả năm", "31/12"),
    ("Thường xuyên", "Thực hiện liên tục, hạn 31/12"),
    ("Hằng tháng / Hàng tháng", "Nhiệm vụ định kỳ hằng tháng"),
    ("Hằng quý / Hàng quý", "Nhiệm vụ định kỳ hằng quý"),
    ("Hằng năm", "Nhiệm vụ định kỳ hằng năm, hạn 31/12"),
)


def to_roman(number: int) -> str:
    numerals = ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for value, letters in numerals:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out) or str(number)


def _font(*, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, size=FONT_SIZE, bold=bold, italic=italic)


def _subtitle(plan: Plan | None) -> str:
    if plan is None:
        return "(Kèm theo Kế hoạch số …/KH-… ngày … tháng … năm … của …)"
    reference = plan.reference if plan.number else f"…/{plan.symbol or 'KH-…'}"
    day = plan.issued_on.strftime("%d/%m/%Y") if plan.issued_on else "… tháng … năm …"
    return f"(Kèm theo Kế hoạch số {reference} ngày {day} của {plan.agency.name})"


def _due_label(task: Task, year: int) -> str:
    due = task.due_date.strftime("%d/%m/%Y") if task.due_date else ""
    label = RECURRENCE_LABELS.get(task.recurrence)
    if label is None:
        return due
    if task.due_date and (task.due_date.month, task.due_date.day) != (12, 31):
        return f"{label} (đến {due})"
    return label


def _write_row(ws: Worksheet, row: int, values: tuple[Any, ...], *, bold: bool = False) -> None:
    for column, value in enumerate(values, 1):
        cell = ws.cell(row=row, column=column, value=value if value != "" else None)
        cell.font = _font(bold=bold)
        cell.border = _BORDER
        cell.alignment = Alignment(
            wrap_text=True,
            vertical="top",
            horizontal="center" if column in (1, 5) else "left",
        )


def _group_row(ws: Worksheet, row: int, number: int, title: str) -> None:
    _write_row(ws, row, (to_roman(number), title, "", "", "", "", ""), bold=True)
    for column in range(1, len(HEADER) + 1):
        ws.cell(row=row, column=column).fill = _GROUP_FILL
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(HEADER))


def _sheet(wb: Workbook, plan: Plan | None) -> Worksheet:
    ws = wb.active
    ws.title = SHEET_TITLE
    width = len(HEADER)
    for row, text, font in (
        (1, TITLE, Font(name=FONT_NAME, size=FONT_SIZE + 1, bold=True)),
        (2, _subtitle(plan), _font(italic=True)),
    ):
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[2].height = 32
    _write_row(ws, HEADER_ROW, HEADER, bold=True)
    for column in range(1, width + 1):
        cell = ws.cell(row=HEADER_ROW, column=column)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, column_width in enumerate(COLUMN_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(column)].width = column_width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _plan_tasks(plan: Plan) -> tuple[list[Any], dict[int, list[Task]], dict[int, list[Task]]]:
    """Areas, top-level tasks by area and sub-tasks by parent, in a fixed number of queries.
    The occurrences of a recurring task (one per period) are not listed: its row says
    "Hằng quý"."""
    areas = list(plan.areas.order_by("number"))
    tasks = (
        Task.objects.filter(plan=plan)
        .filter(Q(parent__isnull=True) | Q(period_label=""))
        .select_related("lead_unit")
        .prefetch_related(
            Prefetch("coordinating_units", queryset=Unit.objects.order_by("name", "code"))
        )
        .order_by("area__number", "position", "id")
    )
    by_area: dict[int, list[Task]] = {}
    by_parent: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id is None:
            by_area.setdefault(task.area_id, []).append(task)
        else:
            by_parent.setdefault(task.parent_id, []).append(task)
    return areas, by_area, by_parent


def _task_values(task: Task, number: str | int, year: int) -> tuple[Any, ...]:
    return (
        number,
        task.title,
        task.lead_unit.name if task.lead_unit else "",
        "; ".join(u.name for u in task.coordinating_units.all()),
        _due_label(task, year),
        task.product,
        task.code,
    )


def _fill_plan(ws: Worksheet, plan: Plan) -> None:
    areas, by_area, by_parent = _plan_tasks(plan)

    def write_children(row: int, parent: Task, prefix: str) -> int:
        for index, child in enumerate(by_parent.get(parent.pk, []), 1):  # 1.1, 1.1.1, 1.2 …
            _write_row(ws, row, _task_values(child, f"{prefix}.{index}", plan.year))
            row = write_children(row + 1, child, f"{prefix}.{index}")
        return row

    row = HEADER_ROW + 1
    for area in areas:
        _group_row(ws, row, area.number, area.title)
        row += 1
        for index, task in enumerate(by_area.get(area.pk, []), 1):
            _write_row(ws, row, _task_values(task, index, plan.year))
            row = write_children(row + 1, task, str(index))


def _fill_template(ws: Worksheet) -> None:
    row = HEADER_ROW + 1
    for number, (title, example) in enumerate(zip(STANDARD_AREAS, _EXAMPLES, strict=True), 1):
        _group_row(ws, row, number, title)
        text, lead, coordinating, due, product = example
        _write_row(ws, row + 1, (1, text, lead, coordinating, due, product, EXAMPLE_NOTE))
        for column in range(1, len(HEADER) + 1):
            ws.cell(row=row + 1, column=column).font = Font(
                name=FONT_NAME, size=FONT_SIZE, italic=True, color="7F7F7F"
            )
        row += 2


def _guide(wb: Workbook) -> None:
    ws = wb.create_sheet(GUIDE_TITLE)
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["C"].width = 28
    row = 1

    def put(values: tuple[str, ...], *, bold: bool = False, border: bool = True) -> None:
        nonlocal row
        for column, value in enumerate(values, 1):
            cell = ws.cell(row=row, column=column, value=value)
            cell.font = _font(bold=bold)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if border:
                cell.border = _BORDER
        if len(values) == 1:  # a sentence across the sheet
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
            ws.row_dimensions[row].height = 32
        row += 1

    put(("HƯỚNG DẪN ĐIỀN PHỤ LỤC CÁC NHIỆM VỤ CỤ THỂ",), bold=True, border=False)
    put(
        (
            "Giữ nguyên dòng tiêu đề cột của trang “Phụ lục”. Có thể thêm dòng tiêu đề phía "
            "trên; tên cột không phân biệt chữ hoa, chữ thường và dấu.",
        ),
        border=False,
    )
    row += 1
    put(("Cột", "Cách ghi", "Ví dụ"), bold=True)
    for values in _GUIDE_COLUMNS:
        put(values)
    row += 1
    put(("Cách ghi thời gian hoàn thành", "Được hiểu là"), bold=True)
    for values in _GUIDE_DUE_FORMS:
        put(values)
    row += 1
    put(
        (
            "Cách ghi khác vẫn được nhập nhưng nhiệm vụ chưa có hạn; hệ thống sẽ cảnh báo để "
            "bổ sung hạn sau khi nhập.",
        ),
        border=False,
    )


def appendix_workbook(plan: Plan | None = None) -> bytes:
    """The appendix as XLSX bytes: the blank template when ``plan`` is None, else the plan's
    tasks grouped by reform area. The caller checks that the user may read the plan."""
    wb = Workbook()
    ws = _sheet(wb, plan)
    if plan is None:
        _fill_template(ws)
    else:
        _fill_plan(ws, plan)
    _guide(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def appendix_filename(plan: Plan | None = None) -> str:
    """A download name: ``mau-phu-luc-nhiem-vu.xlsx`` or ``phu-luc-nhiem-vu-2026-STP.xlsx``."""
    if plan is None:
        return "mau-phu-luc-nhiem-vu.xlsx"
    return f"phu-luc-nhiem-vu-{plan.year}-{plan.agency.code}.xlsx"
