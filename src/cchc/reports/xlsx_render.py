"""The statistics appendix of a periodic report as XLSX (openpyxl): one sheet per table of the
DOCX appendix, numbers stored as numbers (rates in %, two decimals) with Vietnamese headers."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cchc.reports.docx_render import DOSSIER_ROWS, _target_of
from cchc.reports.formatting import vn_date

BOLD = Font(bold=True)
RATE_FORMAT = "0.00"


def _sheet(book: Workbook, title: str, heading: str, headers: list[str], widths: list[int]):
    sheet = book.create_sheet(title)
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[3]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    return sheet


def render_xlsx(snapshot: dict[str, Any]) -> bytes:
    agency = snapshot["agency"]
    period = snapshot["period"]
    window = f"{vn_date(period['start'])} – {vn_date(period['end'])}"
    book = Workbook()
    book.remove(book.active)

    tasks = _sheet(
        book,
        "Nhiệm vụ",
        f"Kết quả thực hiện nhiệm vụ CCHC {period['label_vi']} — {agency['name']} ({window})",
        ["TT", "Lĩnh vực", "Kế hoạch", "Hoàn thành", "Hoàn thành trong kỳ", "Chậm", "Tỷ lệ (%)"],
        [6, 60, 12, 12, 14, 10, 12],
    )
    plan = snapshot["plan"]
    for index, row in enumerate(plan["areas"], 1):
        tasks.append(
            [
                index,
                row["title"],
                row["planned"],
                row["done"],
                row["done_in_period"],
                row["overdue"],
                row["progress"],
            ]
        )
    if plan["totals"]:
        totals = plan["totals"]
        tasks.append(
            [
                None,
                "Tổng cộng",
                totals["planned"],
                totals["done"],
                totals["done_in_period"],
                totals["overdue"],
                totals["progress"],
            ]
        )
        for cell in tasks[tasks.max_row]:
            cell.font = BOLD
    for cell in tasks["G"][3:]:
        cell.number_format = RATE_FORMAT

    dossiers = _sheet(
        book,
        "TTHC",
        f"Giải quyết thủ tục hành chính {period['label_vi']} — {agency['name']} ({window})",
        ["TT", "Chỉ tiêu", "Kỳ báo cáo", "Cùng kỳ năm trước", "Chỉ tiêu kế hoạch"],
        [6, 60, 14, 18, 18],
    )
    current, previous = snapshot["dossiers"], snapshot["dossiers_previous"]
    for index, (key, label, is_rate) in enumerate(DOSSIER_ROWS, 1):
        part = "rates" if is_rate else "counts"
        dossiers.append(
            [
                index,
                label + (" (%)" if is_rate else ""),
                current[part].get(key),
                previous[part].get(key),
                _target_of(snapshot, key) if is_rate else None,
            ]
        )
        if is_rate:
            for column in "CDE":
                dossiers[f"{column}{dossiers.max_row}"].number_format = RATE_FORMAT

    feedback = _sheet(
        book,
        "PAKN",
        f"Phản ánh, kiến nghị và sự hài lòng {period['label_vi']} — {agency['name']}",
        ["TT", "Chỉ tiêu", "Kỳ báo cáo"],
        [6, 60, 14],
    )
    fb = snapshot["feedback"]
    for index, (label, value) in enumerate(
        [
            ("Số phản ánh, kiến nghị tiếp nhận", fb["received"]),
            ("Số phản ánh, kiến nghị đến hạn xử lý", fb["due"]),
            ("Số được xử lý đúng hạn", fb["answered_on_time"]),
            ("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn (%)", fb["on_time_rate"]),
            ("Số đang xử lý (tại thời điểm lập báo cáo)", fb["open"]),
            ("Số quá hạn (tại thời điểm lập báo cáo)", fb["overdue"]),
            ("Điểm đánh giá trung bình của người gửi", fb["rating_mean"]),
            ("Chỉ số hài lòng qua khảo sát (%)", snapshot["satisfaction_index"]),
        ],
        1,
    ):
        feedback.append([index, label, value])

    late = _sheet(
        book,
        "Chậm tiến độ",
        f"Nhiệm vụ chậm tiến độ {period['label_vi']} — {agency['name']}",
        ["Mã", "Nhiệm vụ", "Hạn", "Đơn vị chủ trì", "Tiến độ (%)", "Lý do"],
        [10, 60, 12, 30, 12, 60],
    )
    for task in plan["overdue"]:
        late.append(
            [
                task["code"],
                task["title"],
                vn_date(task["due_date"]) if task["due_date"] else None,
                task["unit"],
                task["progress"],
                task["reason"],
            ]
        )
    book.properties.creator = "cchc"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
