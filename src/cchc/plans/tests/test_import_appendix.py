"""The appendix of tasks: due phrases, unit names, XLSX sheets and DOCX-like tables, bad files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.plans.importing.appendix import (
    area_of,
    is_appendix_table,
    parse_appendix_table,
    read_appendix_xlsx,
)
from cchc.plans.importing.document import PlanImportError
from cchc.plans.importing.due import parse_due
from cchc.plans.importing.units import fold, match_unit, split_units

D = dt.date


# --- due phrases ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date", "recurrence"),
    [
        ("30/6/2026", D(2026, 6, 30), "once"),
        ("30/06/2026", D(2026, 6, 30), "once"),
        ("2026-06-30", D(2026, 6, 30), "once"),
        ("30-6-26", D(2026, 6, 30), "once"),
        ("Tháng 6/2026", D(2026, 6, 30), "once"),
        ("tháng 6 năm 2026", D(2026, 6, 30), "once"),
        ("THANG 2/2028", D(2028, 2, 29), "once"),
        ("Tháng 6", D(2026, 6, 30), "once"),
        ("Tháng   11", D(2026, 11, 30), "once"),
        ("Quý II", D(2026, 6, 30), "once"),
        ("quy iv", D(2026, 12, 31), "once"),
        ("Quý 2/2026", D(2026, 6, 30), "once"),
        ("quý II năm 2026", D(2026, 6, 30), "once"),
        ("Quý I/2027", D(2027, 3, 31), "once"),
        ("6 tháng đầu năm", D(2026, 6, 30), "once"),
        ("9 tháng đầu năm 2026", D(2026, 9, 30), "once"),
        ("Trước ngày 15/10/2026", D(2026, 10, 15), "once"),
        ("trước ngày 15/10", D(2026, 10, 15), "once"),
        ("ngày 15 tháng 10 năm 2026", D(2026, 10, 15), "once"),
        ("Từ 01/3/2026 đến 30/6/2026", D(2026, 6, 30), "once"),
        ("Năm 2026", D(2026, 12, 31), "once"),
        ("Cả năm", D(2026, 12, 31), "once"),
        ("Thường xuyên", D(2026, 12, 31), None),
        ("THUONG XUYEN", D(2026, 12, 31), None),
        ("Hằng quý", D(2026, 12, 31), "quarterly"),
        ("Hàng quý", D(2026, 12, 31), "quarterly"),
        ("Định kỳ hằng quý", D(2026, 12, 31), "quarterly"),
        ("Hằng quý (đến 30/06/2026)", D(2026, 6, 30), "quarterly"),
        ("Hằng tháng", D(2026, 12, 31), "monthly"),
        ("hàng  tháng", D(2026, 12, 31), "monthly"),
        ("Hằng năm", D(2026, 12, 31), "yearly"),
    ],
)
def test_due_phrases(text, date, recurrence):
    due = parse_due(text, year=2026)
    assert (due.date, due.recurrence) == (date, recurrence)
    assert due.label == " ".join(text.split())


def test_due_from_excel_cells():
    assert parse_due(dt.datetime(2026, 6, 30, 0, 0), year=2026).date == D(2026, 6, 30)
    assert parse_due(D(2026, 3, 31), year=2026).label == "31/03/2026"
    assert parse_due(46203, year=2026).date == D(2026, 6, 30)  # a date cell without its format
    assert parse_due(2026, year=2026).date == D(2026, 12, 31)


@pytest.mark.parametrize("text", ["Khi có yêu cầu", "Theo chỉ đạo của UBND tỉnh", "31/02/2026"])
def test_unknown_due_keeps_the_label(text):
    due = parse_due(text, year=2026)
    assert due.date is None and due.recurrence is None and not due.understood
    assert due.label == text


def test_empty_due():
    assert parse_due(None, year=2026).label == ""
    assert parse_due("   ", year=2026).date is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_due_never_crashes_on_text(text):
    due = parse_due(text, year=2026)
    assert due.date is None or isinstance(due.date, dt.date)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *("Quý ", "Tháng ", "năm ", "ngày ", "Hằng ", "6 tháng đầu năm", "II", "IV"),
                *" /0123456789-.,",
            ]
        )
    )
)
def test_due_never_crashes_on_date_like_text(parts):
    due = parse_due("".join(parts), year=2026)
    assert due.date is None or isinstance(due.date, dt.date)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=D(1000, 1, 1)), st.booleans())
def test_any_date_written_dd_mm_yyyy_round_trips(date, padded):
    text = (
        f"{date.day:02d}/{date.month:02d}/{date.year:04d}"
        if padded
        else f"{date.day}/{date.month}/{date.year}"
    )
    assert parse_due(text, year=2026).date == date


# --- units ----------------------------------------------------------------------------------

UNITS = [
    SimpleNamespace(code="VP", name="Văn phòng"),
    SimpleNamespace(code="HCTP", name="Phòng Hành chính tư pháp"),
    SimpleNamespace(code="TTR", name="Thanh tra Sở"),
    SimpleNamespace(code="TNMT", name="Phòng Tài nguyên và Môi trường"),
    SimpleNamespace(code="KHTC", name="Phòng Kế hoạch, Tài chính"),
]


def test_fold():
    assert fold("  Quý   II ") == "quy ii"
    assert fold("ĐƠN VỊ Chủ trì") == "don vi chu tri"


@pytest.mark.parametrize(
    ("written", "code", "exact"),
    [
        ("Phòng Hành chính Tư Pháp", "HCTP", True),
        ("phong hanh chinh tu phap", "HCTP", True),
        ("Phòng Hành chính - Tư pháp", "HCTP", True),
        ("hctp", "HCTP", True),  # by code, any case
        ("vp", "VP", True),
        ("Hành chính tư pháp", "HCTP", False),  # without "Phòng", only one fits
        ("P. HCTP", "HCTP", False),  # by initials
        ("Văn phòng Sở", "VP", False),
        ("Thanh tra", "TTR", False),
    ],
)
def test_match_unit(written, code, exact):
    match = match_unit(written, UNITS)
    assert match.unit is not None and match.unit.code == code
    assert match.exact is exact


def test_match_unit_near_miss_suggests():
    match = match_unit("Phòng Hành chánh tư pháp", UNITS)
    assert match.unit is None
    assert match.suggestions[0] == "Phòng Hành chính tư pháp"


def test_match_unit_nothing_close():
    assert match_unit("Công an tỉnh", UNITS).unit is None
    assert match_unit("Công an tỉnh", UNITS).suggestions == []
    assert match_unit("", UNITS).unit is None
    assert match_unit(None, UNITS).suggestions == []


def test_match_unit_ambiguous_loose_match_suggests():
    units = [
        SimpleNamespace(code="P1", name="Phòng Nghiệp vụ 1"),
        SimpleNamespace(code="B1", name="Ban Nghiệp vụ 1"),
    ]
    match = match_unit("Nghiệp vụ 1", units)
    assert match.unit is None
    assert set(match.suggestions) == {"Phòng Nghiệp vụ 1", "Ban Nghiệp vụ 1"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Văn phòng; Phòng HCTP, Thanh tra Sở", ["Văn phòng", "Phòng HCTP", "Thanh tra Sở"]),
        ("Văn phòng\n- Thanh tra Sở", ["Văn phòng", "Thanh tra Sở"]),
        ("Văn phòng và Thanh tra Sở", ["Văn phòng", "Thanh tra Sở"]),
        ("Phòng Tài nguyên và Môi trường", ["Phòng Tài nguyên và Môi trường"]),
        ("Các phòng, đơn vị liên quan", ["Các phòng, đơn vị liên quan"]),
        ("VP, HCTP", ["VP", "HCTP"]),
        ("", []),
        (None, []),
    ],
)
def test_split_units(cell, expected):
    assert split_units(cell) == expected


def test_split_units_keeps_known_names_whole():
    assert split_units("Phòng Kế hoạch, Tài chính; Văn phòng", UNITS) == [
        "Phòng Kế hoạch, Tài chính",
        "Văn phòng",
    ]


# --- areas and DOCX-like tables -------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "area"),
    [
        ("CHỈ ĐẠO, ĐIỀU HÀNH VÀ TUYÊN TRUYỀN CCHC", 1),
        ("Cải cách thể chế", 2),
        ("Cải cách thủ tục hành chính; thực hiện cơ chế một cửa, một cửa liên thông", 3),
        ("Cải cách tổ chức bộ máy hành chính", 4),
        ("Cải cách chế độ công vụ, công chức", 5),
        ("Cải cách tài chính công", 6),
        ("Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", 7),
        ("Chuyển đổi số", 7),
        ("Nhiệm vụ khác", None),
    ],
)
def test_area_of(heading, area):
    assert area_of(heading) == area


def test_docx_table_with_repeated_merged_cells():
    """python-docx repeats a merged cell's text in every column and row it covers."""
    heading = "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"
    rows = [
        ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"],
        [heading] * 5,
        ["1", "Ban hành kế hoạch CCHC", "Văn phòng", "Các phòng", "Quý I"],
        ["2", "Kiểm tra CCHC", "Văn phòng", "Thanh tra", "Quý III"],
        ["2", "Kiểm tra CCHC", "Văn phòng", "Phòng Pháp chế", "Quý III"],
        ["II", "CẢI CÁCH THỂ CHẾ", "CẢI CÁCH THỂ CHẾ", "CẢI CÁCH THỂ CHẾ", "CẢI CÁCH THỂ CHẾ"],
        ["1", "Rà soát văn bản", "Phòng Pháp chế", "", "Thường xuyên"],
    ]
    assert is_appendix_table(rows)
    appendix = parse_appendix_table(rows, year=2026, first_row=1)
    assert [(t.number, t.text, t.area) for t in appendix.tasks] == [
        ("1", "Ban hành kế hoạch CCHC", 1),
        ("2", "Kiểm tra CCHC", 1),
        ("1", "Rà soát văn bản", 2),
    ]
    assert appendix.tasks[1].coordinating_units == ["Thanh tra", "Phòng Pháp chế"]
    assert appendix.tasks[1].due_date == D(2026, 9, 30)
    assert appendix.tasks[2].row == 7


def test_table_without_header_is_refused():
    assert not is_appendix_table([["a", "b"], ["c", "d"]])
    with pytest.raises(PlanImportError) as caught:
        parse_appendix_table([["Căn cứ Quyết định số 1234/QĐ-UBND"], ["x"]], year=2026)
    assert "Nội dung nhiệm vụ" in caught.value.message
    assert caught.value.code == "no_header"


def test_empty_table_is_refused():
    with pytest.raises(PlanImportError) as caught:
        parse_appendix_table([[None, ""], []], year=2026)
    assert caught.value.code == "empty"


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _vietnamese_appendix(wb):
    ws = wb.active
    ws.title = "Phu luc 01"
    ws.append(["PHỤ LỤC CÁC NHIỆM VỤ CỤ THỂ"])
    ws.merge_cells("A1:G1")
    ws.append(["(Kèm theo Kế hoạch số 12/KH-STP ngày 15/01/2026 của Sở Tư pháp)"])
    ws.append([])
    # row 4, header in odd case and spacing, partly without diacritics
    ws.append(
        [
            "  stt ",
            "NOI DUNG   nhiệm vụ",
            "Đơn vị  chủ trì",
            "don vi phoi hop",
            "THỜI GIAN\nHOÀN THÀNH",
            "Sản phẩm/kết quả",
            "Ghi  chú",
        ]
    )
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"])
    ws.append(["I. CHỈ ĐẠO, ĐIỀU HÀNH VÀ TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH"])  # row 6
    ws.merge_cells("A6:G6")
    ws.append([1, "Ban hành Kế hoạch CCHC năm 2026", "Văn phòng", "Các phòng", "Quý I"])
    ws.append([2, "Tuyên truyền CCHC", "Văn phòng", "Phòng HCTP; Thanh tra Sở", "Hằng quý"])
    ws.append([None, "2. Cải cách thể chế"])  # row 9: Arabic group row in the text column
    ws.append([1, "Rà soát văn bản QPPL", "Phòng HCTP", None, dt.datetime(2026, 6, 30)])
    ws.append([2, "Theo dõi thi hành pháp luật", None, None, "Tháng 10/2026", "Báo cáo"])
    ws.merge_cells("C10:C11")  # one lead unit for both rows
    ws.append(["III", "Cải cách TTHC"])  # row 12
    ws.merge_cells("B12:G12")
    ws.append([1, "Số hóa hồ sơ TTHC", "Văn phòng", "Trung tâm CNTT", "Thường xuyên"])
    ws.append([None, None, None, "Phòng HCTP"])  # row 14: the task's cell merged downwards
    ws.merge_cells("A13:A14")
    ws.merge_cells("B13:B14")
    ws.append([2, None, "Văn phòng", None, "Tháng 12"])  # no text
    ws.append([3, "Công khai TTHC", "Văn phòng", None, "Khi có yêu cầu"])
    ws.append([4, "Ví dụ mẫu", "Văn phòng", None, "Tháng 6", None, "Dòng ví dụ"])
    ws.append([])
    ws.append([])


def test_reads_a_vietnamese_appendix():
    appendix = read_appendix_xlsx(_xlsx(_vietnamese_appendix), year=2026)
    got = [
        (t.row, t.number, t.text, t.area, t.lead_unit, t.due_date, t.recurrence)
        for t in appendix.tasks
    ]
    assert got == [
        (7, "1", "Ban hành Kế hoạch CCHC năm 2026", 1, "Văn phòng", D(2026, 3, 31), "once"),
        (8, "2", "Tuyên truyền CCHC", 1, "Văn phòng", D(2026, 12, 31), "quarterly"),
        (10, "1", "Rà soát văn bản QPPL", 2, "Phòng HCTP", D(2026, 6, 30), "once"),
        (11, "2", "Theo dõi thi hành pháp luật", 2, "Phòng HCTP", D(2026, 10, 31), "once"),
        (13, "1", "Số hóa hồ sơ TTHC", 3, "Văn phòng", D(2026, 12, 31), None),
        (16, "3", "Công khai TTHC", 3, "Văn phòng", None, None),
    ]
    tasks = appendix.tasks
    assert tasks[1].coordinating_units == ["Phòng HCTP", "Thanh tra Sở"]
    assert tasks[2].due == "30/06/2026"
    assert tasks[3].product == "Báo cáo"
    assert tasks[4].coordinating_units == ["Trung tâm CNTT", "Phòng HCTP"]
    assert tasks[4].due == "Thường xuyên"
    assert tasks[5].due == "Khi có yêu cầu"
    warnings = "\n".join(appendix.warnings)
    assert "15" in warnings and "16" in warnings and "17" in warnings
    assert "Khi có yêu cầu" in warnings


def _english_appendix(wb):
    wb.active.title = "Notes"
    wb.active.append(["Nothing here"])
    ws = wb.create_sheet("Tasks")
    ws.append(["no", "task", "lead_unit", "coordinating_units", "due", "product", "note"])
    ws.append(["II", "Institutional reform (Cải cách thể chế)"])
    ws.append([1, "Review regulations", "HCTP", "VP, TTR", "2026-05-31", "Report", "II.2.a"])


def test_reads_english_aliases_on_any_sheet():
    appendix = read_appendix_xlsx(_xlsx(_english_appendix), year=2026)
    [task] = appendix.tasks
    assert (task.text, task.lead_unit, task.coordinating_units) == (
        "Review regulations",
        "HCTP",
        ["VP", "TTR"],
    )
    assert (task.due_date, task.product, task.note, task.area) == (
        D(2026, 5, 31),
        "Report",
        "II.2.a",
        2,
    )


def test_two_row_header():
    def build(wb):
        ws = wb.active
        ws.append(["STT", "Nhiệm vụ", "Đơn vị thực hiện", None, "Thời hạn"])
        ws.merge_cells("C1:D1")
        ws.append([None, None, "Chủ trì", "Phối hợp", None])
        ws.append([1, "Kiểm tra", "Văn phòng", "Thanh tra", "Quý IV"])

    [task] = read_appendix_xlsx(_xlsx(build), year=2026).tasks
    assert (task.lead_unit, task.coordinating_units, task.due_date) == (
        "Văn phòng",
        ["Thanh tra"],
        D(2026, 12, 31),
    )


def test_prefers_the_sheet_named_phu_luc():
    def build(wb):
        first = wb.active
        first.append(["STT", "Nội dung", "Thời gian"])
        first.append([1, "Không phải phụ lục", "Quý I"])
        second = wb.create_sheet("PHỤ LỤC")
        second.append(["STT", "Nội dung", "Thời gian"])
        second.append([1, "Nhiệm vụ của phụ lục", "Quý II"])

    [task] = read_appendix_xlsx(_xlsx(build), year=2026).tasks
    assert task.text == "Nhiệm vụ của phụ lục"


# --- bad files ------------------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92"
    b"\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (PNG, "bad_type"),
        (b"STT;Noi dung\n1;x\n", "bad_type"),
        (_zip({"readme.txt": b"hello"}), "bad_type"),  # a plain zip renamed .xlsx
        (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"garbage"}), "unreadable"),
        (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"0" * 5_000_000}), "unsafe"),
    ],
)
def test_bad_files_are_refused_clearly(data, code):
    with pytest.raises(PlanImportError) as caught:
        read_appendix_xlsx(data, year=2026)
    assert caught.value.code == code
    assert caught.value.message


def test_too_large_is_refused_before_reading():
    data = _xlsx(_vietnamese_appendix)
    with pytest.raises(PlanImportError) as caught:
        read_appendix_xlsx(data, year=2026, max_bytes=len(data) - 1)
    assert caught.value.code == "too_large"


def test_empty_workbook():
    with pytest.raises(PlanImportError) as caught:
        read_appendix_xlsx(_xlsx(lambda wb: None), year=2026)
    assert caught.value.code == "empty"
    assert "Nội dung nhiệm vụ" in caught.value.message


def test_workbook_without_the_header_names_the_columns():
    def build(wb):
        wb.active.append(["Họ tên", "Ngày sinh"])
        wb.active.append(["Nguyễn Văn A", "01/01/1990"])

    with pytest.raises(PlanImportError) as caught:
        read_appendix_xlsx(_xlsx(build), year=2026)
    assert caught.value.code == "no_header"
    for column in ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành"):
        assert column in caught.value.message


def test_header_without_tasks():
    def build(wb):
        wb.active.append(["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì"])
        wb.active.append(["I", "CẢI CÁCH THỂ CHẾ"])

    with pytest.raises(PlanImportError) as caught:
        read_appendix_xlsx(_xlsx(build), year=2026)
    assert caught.value.code == "no_tasks"


def test_group_row_under_header_and_signature_block():
    rows = [
        ["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Hoàn thành"],
        ["NHIỆM VỤ CHUNG", None, None, None, None],
        ["1", "Tự đánh giá chỉ số CCHC", "Văn phòng", None, "Tháng 12/2026"],
        ["V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", None, None, None],
        ["1", "Tuyển dụng công chức", "Phòng TCCB", None, "Quý III"],
        [None, None, None, None, None],
        ["Nơi nhận:", None, None, None, "GIÁM ĐỐC"],
        ["- Sở Nội vụ;", None, None, None, None],
    ]
    appendix = parse_appendix_table(rows, year=2026)
    assert [(t.text, t.area) for t in appendix.tasks] == [
        ("Tự đánh giá chỉ số CCHC", None),
        ("Tuyển dụng công chức", 5),
    ]
    assert appendix.warnings == []


def test_damaged_sheet_is_refused_clearly():
    data = _xlsx(_vietnamese_appendix)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # cut in the middle of the rows
            target.writestr(item, content)
    with pytest.raises(PlanImportError) as caught:
        read_appendix_xlsx(out.getvalue(), year=2026)
    assert caught.value.code == "unreadable"


def test_docx_two_row_header_with_cells_merged_down():
    rows = [
        ["STT", "Nội dung nhiệm vụ", "Đơn vị thực hiện", "Đơn vị thực hiện", "Thời gian"],
        ["STT", "Nội dung nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian"],
        ["1", "Kiểm tra", "Văn phòng", "Thanh tra", "Quý IV"],
    ]
    [task] = parse_appendix_table(rows, year=2026).tasks
    assert (task.row, task.lead_unit, task.coordinating_units) == (3, "Văn phòng", ["Thanh tra"])
