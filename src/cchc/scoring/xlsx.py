"""A framework of the reform index as an XLSX workbook: the documented template, the export of
a saved framework and the import that reads either back.

The workbook is a document of the province, so its words are Vietnamese whatever the interface
language. Three sheets:

- "Hướng dẫn": what each column means (the template and every export carry it);
- "Khung": one row per property — Năm, Cấp (department/commune), Phiên bản, Tên bộ chỉ số,
  Quyết định ban hành, Trạng thái (draft/published);
- "Tiêu chí": the header Mã | Tiêu chí | Điểm tối đa | Phương pháp | Nguồn dữ liệu | Mức trần |
  Ngưỡng | Hướng dẫn | Tài liệu kiểm chứng on row 1, then one row per area, criterion and
  sub-criterion. The parent comes from the code: "1.2.a" belongs to "1.2", "1" is an area.
  Thresholds are written "95:3; 90:2; 0:0" (from this rate, these points).

The import checks everything (the rules of ``frameworks.check_specs``) and reports every problem
with its sheet, row and column; with any problem it writes nothing. A year and level that already
has a framework gets a new version.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cchc.core.models import User
from cchc.lib.uploads import detect_kind
from cchc.scoring import arithmetic
from cchc.scoring.frameworks import (
    FrameworkError,
    Problem,
    Spec,
    check_specs,
    criteria_of,
    framework_create,
    next_version,
    number,
    parent_code,
    specs_of,
)
from cchc.scoring.models import Framework, FrameworkStatus, Level, Method

GUIDE_SHEET = "Hướng dẫn"
FRAMEWORK_SHEET = "Khung"
CRITERIA_SHEET = "Tiêu chí"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 2_000  # a framework has tens to a few hundred criteria

# Field → header of the "Tiêu chí" sheet, in column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "Mã"),
    ("title", "Tiêu chí"),
    ("max_points", "Điểm tối đa"),
    ("method", "Phương pháp"),
    ("source", "Nguồn dữ liệu"),
    ("cap", "Mức trần"),
    ("bands", "Ngưỡng"),
    ("guidance", "Hướng dẫn"),
    ("required_evidence", "Tài liệu kiểm chứng"),
)
HEADERS = tuple(label for _field, label in COLUMNS)
LABELS = dict(COLUMNS)
WIDTHS = (9, 60, 12, 13, 24, 10, 26, 50, 40)

# Property → label of the "Khung" sheet.
PROPERTIES: tuple[tuple[str, str], ...] = (
    ("year", "Năm"),
    ("level", "Cấp"),
    ("version", "Phiên bản"),
    ("title", "Tên bộ chỉ số"),
    ("decision", "Quyết định ban hành"),
    ("status", "Trạng thái"),
)
PROPERTY_LABELS = dict(PROPERTIES)

# Accepted spellings of a method (the code is what the export writes).
METHOD_ALIASES = {
    "manual": Method.MANUAL,
    "thủ công": Method.MANUAL,
    "chấm điểm": Method.MANUAL,
    "auto": Method.AUTO,
    "automatic": Method.AUTO,
    "tự động": Method.AUTO,
    "survey": Method.SURVEY,
    "khảo sát": Method.SURVEY,
    "bonus": Method.BONUS,
    "thưởng": Method.BONUS,
    "điểm thưởng": Method.BONUS,
    "penalty": Method.PENALTY,
    "trừ": Method.PENALTY,
    "điểm trừ": Method.PENALTY,
}
LEVEL_ALIASES = {
    "department": Level.DEPARTMENT,
    "sở": Level.DEPARTMENT,
    "cấp sở": Level.DEPARTMENT,
    "commune": Level.COMMUNE,
    "xã": Level.COMMUNE,
    "cấp xã": Level.COMMUNE,
}
STATUS_ALIASES = {
    "draft": FrameworkStatus.DRAFT,
    "dự thảo": FrameworkStatus.DRAFT,
    "published": FrameworkStatus.PUBLISHED,
    "áp dụng": FrameworkStatus.PUBLISHED,
    "đang áp dụng": FrameworkStatus.PUBLISHED,
    "retired": FrameworkStatus.RETIRED,
    "hết hiệu lực": FrameworkStatus.RETIRED,
}

GUIDE_ROWS: tuple[tuple[str, str], ...] = (
    ("Bộ chỉ số cải cách hành chính — mẫu nhập, xuất", ""),
    (
        "Cách dùng",
        "Điền sheet “Khung” (thông tin chung) và sheet “Tiêu chí” (mỗi dòng một lĩnh vực, "
        "tiêu chí hoặc tiêu chí thành phần), giữ nguyên tên sheet và dòng tiêu đề. Khi nhập, "
        "mọi lỗi được liệt kê theo dòng và cột; có lỗi thì không ghi gì.",
    ),
    ("Sheet “Khung”", ""),
    ("Năm", "Năm đánh giá, ví dụ 2025."),
    ("Cấp", "department (sở, ban, ngành) hoặc commune (xã, phường)."),
    (
        "Phiên bản",
        "Để tham khảo; khi năm và cấp đã có bộ chỉ số, việc nhập tạo phiên bản mới kế tiếp.",
    ),
    ("Tên bộ chỉ số", "Tên hiển thị của bộ chỉ số."),
    ("Quyết định ban hành", "Số, ngày quyết định của tỉnh ban hành bộ chỉ số."),
    (
        "Trạng thái",
        "draft (dự thảo, mặc định) hoặc published (áp dụng: tổng điểm các lĩnh vực phải bằng 100).",
    ),
    ("Sheet “Tiêu chí”", ""),
    (
        "Mã",
        "Mã phân cấp bằng dấu chấm: “1” là lĩnh vực, “1.2” là tiêu chí của lĩnh vực 1, "
        "“1.2.a” là tiêu chí thành phần của tiêu chí 1.2. Mã không trùng nhau; mã cha phải có "
        "trong bảng.",
    ),
    ("Tiêu chí", "Tên lĩnh vực, tiêu chí hoặc tiêu chí thành phần."),
    (
        "Điểm tối đa",
        "Số điểm tối đa (tối đa hai chữ số thập phân). Tổng điểm tối đa các tiêu chí con phải "
        "bằng điểm tối đa của tiêu chí cha (không tính điểm thưởng, điểm trừ).",
    ),
    (
        "Phương pháp",
        "manual (chấm điểm theo tài liệu kiểm chứng), auto (tự động từ số liệu đo được qua "
        "bảng ngưỡng), survey (từ kết quả khảo sát sự hài lòng), bonus (điểm thưởng), penalty "
        "(điểm trừ). Chỉ tiêu chí không có tiêu chí con mới dùng auto, survey, bonus, penalty.",
    ),
    (
        "Nguồn dữ liệu",
        "Với auto: on_time_rate (tỷ lệ hồ sơ đúng hạn), online_rate (hồ sơ trực tuyến), "
        "digitization_rate (số hóa), online_payment_rate (thanh toán trực tuyến), "
        "procedures_online_rate (thủ tục trực tuyến toàn trình), time_reduction_coverage (thủ "
        "tục cắt giảm thời gian), handling_satisfaction_rate (hồ sơ không bị phản ánh), "
        "feedback_on_time_rate (phản ánh, kiến nghị xử lý đúng hạn), plan_progress (mức độ "
        "hoàn thành kế hoạch CCHC). Với survey: overall (chỉ số hài lòng chung) hoặc mã một "
        "yếu tố của phiếu khảo sát.",
    ),
    (
        "Mức trần",
        "Với bonus và penalty: số điểm tối đa được cộng hoặc bị trừ. Điểm của tiêu chí cha "
        "không vượt điểm tối đa và không thấp hơn 0.",
    ),
    (
        "Ngưỡng",
        "Với auto và survey: các cặp “tỷ lệ từ:điểm” cách nhau bằng dấu chấm phẩy, ví dụ "
        "“95:3; 90:2; 0:0” — đạt từ 95% được 3 điểm, từ 90% được 2 điểm, thấp hơn được 0 "
        "điểm. Điểm mỗi ngưỡng không vượt điểm tối đa.",
    ),
    ("Hướng dẫn", "Cách chấm điểm tiêu chí."),
    ("Tài liệu kiểm chứng", "Tài liệu cần nộp để chứng minh."),
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_AREA_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


# --- problems ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A problem of the workbook: the sheet, the row a person sees (None for the workbook as a
    whole), the column's header (None for the whole row) and the reason."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class FrameworkImportError(ValueError):
    """The workbook was refused; ``problems`` lists every reason (nothing was written)."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__("; ".join(_describe(p) for p in problems))

    def as_json(self) -> dict[str, Any]:
        return {
            "message": _("The framework was not imported: %(count)s problems.")
            % {"count": len(self.problems)},
            "errors": [p.as_json() for p in self.problems],
        }


def _describe(problem: RowProblem) -> str:
    if problem.sheet is None:
        return problem.message
    if problem.row is None:
        return _("%(sheet)s: %(message)s") % {"sheet": problem.sheet, "message": problem.message}
    return _("%(sheet)s, row %(row)s, %(column)s: %(message)s") % {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column or "—",
        "message": problem.message,
    }


def describe(problem: RowProblem) -> str:
    """One line for a person: where, then what."""
    return _describe(problem)


# --- export ------------------------------------------------------------------------------------


def bands_text(bands: Sequence[tuple[Decimal, Decimal]]) -> str:
    """ "95:3; 90:2; 0:0" (highest rate first, no trailing zeros)."""
    return "; ".join(
        f"{_plain(rate)}:{_plain(points)}" for rate, points in sorted(bands, reverse=True)
    )


def _plain(value: Decimal) -> str:
    text = format(arithmetic.round2(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _guide(book: Workbook) -> None:
    sheet = book.active
    sheet.title = GUIDE_SHEET
    for row in GUIDE_ROWS:
        sheet.append(list(row))
    sheet["A1"].font = Font(bold=True, size=13)
    for cells in sheet.iter_rows(min_row=2):
        cells[0].font = _HEADER_FONT
        for cell in cells:
            cell.alignment = _WRAP
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100


def _as_text(cells: Any) -> None:
    """Text that starts like a formula stays text (no formula runs when the sheet opens)."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _framework_sheet(book: Workbook, values: dict[str, Any]) -> None:
    sheet = book.create_sheet(FRAMEWORK_SHEET)
    for key, label in PROPERTIES:
        sheet.append([label, values.get(key, "")])
        sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
        _as_text(sheet[sheet.max_row])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90


def _criteria_sheet(book: Workbook, specs: Sequence[Spec]) -> None:
    sheet = book.create_sheet(CRITERIA_SHEET)
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for s in specs:
        sheet.append(
            [
                s.code,
                s.title,
                number(s.max_points),
                s.method,
                s.source,
                number(s.cap),
                bands_text(s.bands),
                s.guidance,
                s.required_evidence,
            ]
        )
        row = sheet.max_row
        sheet.cell(row=row, column=1).number_format = "@"
        _as_text(sheet[row])
        for cell in sheet[row]:
            cell.alignment = _WRAP
            if s.parent is None:
                cell.font = _HEADER_FONT
                cell.fill = _AREA_FILL
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_framework(framework: Framework) -> bytes:
    """The framework as a workbook the import reads back into the same tree."""
    book = Workbook()
    _guide(book)
    _framework_sheet(
        book,
        {
            "year": framework.year,
            "level": framework.level,
            "version": framework.version,
            "title": framework.title,
            "decision": framework.decision,
            "status": framework.status,
        },
    )
    _criteria_sheet(book, specs_of(criteria_of(framework)))
    return _save(book)


def template_workbook(*, year: int | None = None, level: str = Level.DEPARTMENT) -> bytes:
    """The blank template: the guide, the "Khung" sheet to fill and a short example tree."""
    book = Workbook()
    _guide(book)
    _framework_sheet(
        book,
        {
            "year": year or "",
            "level": level,
            "version": 1,
            "title": "Bộ chỉ số cải cách hành chính",
            "decision": "",
            "status": FrameworkStatus.DRAFT,
        },
    )
    example = [
        Spec("1", "Công tác chỉ đạo, điều hành cải cách hành chính", Decimal(10)),
        Spec("1.1", "Kế hoạch cải cách hành chính năm", Decimal(4), parent="1"),
        Spec(
            "1.2",
            "Mức độ hoàn thành kế hoạch CCHC",
            Decimal(6),
            method=Method.AUTO,
            source="plan_progress",
            bands=[(Decimal(100), Decimal(6)), (Decimal(80), Decimal(3)), (Decimal(0), Decimal(0))],
            parent="1",
        ),
    ]
    _criteria_sheet(book, example)
    return _save(book)


# --- import ------------------------------------------------------------------------------------


@dataclass
class ParsedFramework:
    year: int | None = None
    level: str | None = None
    version: int | None = None
    title: str = ""
    decision: str = ""
    status: str = FrameworkStatus.DRAFT
    specs: list[Spec] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # per spec, its row in the sheet
    problems: list[RowProblem] = field(default_factory=list)


def _text(value: Any) -> str:
    """A cell as text: trimmed, NFC (Vietnamese typed with combining marks reads the same)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def parse_decimal(value: Any) -> Decimal:
    """A number from a cell: a number, or text with a dot or a comma as decimal mark."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        result = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not result.is_finite():
        raise ValueError(value)
    return result


_BAND = re.compile(r"^\s*([^:]+?)\s*:\s*([^:]+?)\s*$")


def parse_bands(text: str) -> list[tuple[Decimal, Decimal]]:
    """ "95:3; 90:2; 0:0" → [(95, 3), (90, 2), (0, 0)]; ValueError on anything else."""
    bands = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        match = _BAND.match(part)
        if match is None:
            raise ValueError(part)
        bands.append((parse_decimal(match.group(1)), parse_decimal(match.group(2))))
    return bands


def _open(data: bytes) -> Any:
    if not data:
        raise FrameworkImportError([RowProblem(None, None, None, _("The file is empty."))])
    if len(data) > MAX_BYTES:
        raise FrameworkImportError(
            [
                RowProblem(
                    None,
                    None,
                    None,
                    _("The file is %(size)s; the limit is %(limit)s.")
                    % {"size": filesizeformat(len(data)), "limit": filesizeformat(MAX_BYTES)},
                )
            ]
        )
    try:
        kind = detect_kind(io.BytesIO(data))
    except ValidationError as exc:
        raise FrameworkImportError([RowProblem(None, None, None, " ".join(exc.messages))]) from exc
    if kind != "xlsx":
        raise FrameworkImportError(
            [
                RowProblem(
                    None,
                    None,
                    None,
                    _("This file is not an Excel workbook (.xlsx); save it as .xlsx and retry."),
                )
            ]
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise FrameworkImportError(
            [RowProblem(None, None, None, _("The workbook could not be read; it may be damaged."))]
        ) from exc


def _sheet_rows(book: Any, name: str, problems: list[RowProblem]) -> list[tuple] | None:
    if name not in book.sheetnames:
        problems.append(
            RowProblem(
                None,
                None,
                None,
                _("The workbook has no sheet “%(sheet)s”; start from the template.")
                % {"sheet": name},
            )
        )
        return None
    rows = []
    for row in book[name].iter_rows(values_only=True, max_col=len(HEADERS) + 5):
        rows.append(tuple(row))
        if len(rows) > MAX_ROWS + 1:
            problems.append(
                RowProblem(
                    name,
                    None,
                    None,
                    _("The sheet has more than %(n)s rows.") % {"n": MAX_ROWS},
                )
            )
            return None
    return rows


def _parse_properties(rows: list[tuple], parsed: ParsedFramework) -> None:
    found: dict[str, tuple[int, Any]] = {}
    by_label = {label.casefold(): key for key, label in PROPERTIES}
    by_label.update({key: key for key, _label in PROPERTIES})
    for number_, row in enumerate(rows, start=1):
        label = _text(row[0] if row else None).casefold().rstrip(":")
        if label in by_label:
            found[by_label[label]] = (number_, row[1] if len(row) > 1 else None)

    def problem(key: str, message: str) -> None:
        row = found.get(key, (None, None))[0]
        parsed.problems.append(RowProblem(FRAMEWORK_SHEET, row, PROPERTY_LABELS[key], message))

    row, value = found.get("year", (None, None))
    try:
        year = int(parse_decimal(value)) if _text(value) else None
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        problem("year", _("Give the year, e.g. 2025."))
    else:
        parsed.year = year
    level = LEVEL_ALIASES.get(_text(found.get("level", (None, None))[1]).casefold())
    if level is None:
        problem("level", _("The level is “department” or “commune”."))
    else:
        parsed.level = level
    version_text = _text(found.get("version", (None, None))[1])
    if version_text:
        try:
            parsed.version = int(parse_decimal(version_text))
            if parsed.version < 1:
                raise ValueError(version_text)
        except ValueError:
            problem("version", _("The version is a whole number from 1."))
    parsed.title = _text(found.get("title", (None, None))[1])
    if not parsed.title:
        problem("title", _("Give the framework's title."))
    elif len(parsed.title) > 300:
        problem("title", _("The title is longer than 300 characters."))
    parsed.decision = _text(found.get("decision", (None, None))[1])
    if len(parsed.decision) > 300:
        problem("decision", _("The decision is longer than 300 characters."))
    status_text = _text(found.get("status", (None, None))[1]).casefold()
    if status_text:
        status = STATUS_ALIASES.get(status_text)
        if status is None:
            problem("status", _("The status is “draft” or “published”."))
        else:
            parsed.status = status


def _header_positions(header: tuple, parsed: ParsedFramework) -> dict[str, int] | None:
    labels = {label.casefold(): key for key, label in COLUMNS}
    labels.update({key: key for key, _label in COLUMNS})
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = labels.get(_text(cell).casefold())
        if key is not None and key not in positions:
            positions[key] = index
    missing = [label for key, label in COLUMNS if key not in positions]
    if missing:
        parsed.problems.append(
            RowProblem(
                CRITERIA_SHEET,
                1,
                None,
                _("The header lacks the columns %(missing)s. Expected: %(expected)s.")
                % {"missing": ", ".join(missing), "expected": " | ".join(HEADERS)},
            )
        )
        return None
    return positions


def _parse_criteria(rows: list[tuple], parsed: ParsedFramework) -> bool:
    """Read the rows into specs; False when the sheet has no usable header."""
    if not rows:
        parsed.problems.append(RowProblem(CRITERIA_SHEET, None, None, _("The sheet is empty.")))
        return False
    positions = _header_positions(rows[0], parsed)
    if positions is None:
        return False
    for row_number, row in enumerate(rows[1:], start=2):

        def cell(key: str, row: tuple = row) -> Any:
            index = positions[key]
            return row[index] if index < len(row) else None

        if not any(_text(value) for value in row):
            continue

        def problem(key: str, message: str, row_number: int = row_number) -> None:
            parsed.problems.append(RowProblem(CRITERIA_SHEET, row_number, LABELS[key], message))

        code = _text(cell("code"))
        max_points = Decimal(0)
        try:
            max_points = parse_decimal(cell("max_points"))
        except ValueError:
            problem("max_points", _("The maximum is not a number."))
        method_text = _text(cell("method"))
        # An unknown method is kept as written: the checks report it with the known ones.
        method = METHOD_ALIASES.get(method_text.casefold(), method_text or Method.MANUAL)
        cap = None
        if _text(cell("cap")):
            try:
                cap = parse_decimal(cell("cap"))
            except ValueError:
                problem("cap", _("The cap is not a number."))
        bands: list[tuple[Decimal, Decimal]] = []
        try:
            bands = parse_bands(_text(cell("bands")))
        except ValueError:
            problem(
                "bands",
                _("The thresholds “%(text)s” cannot be read; write them like “95:3; 90:2; 0:0”.")
                % {"text": _text(cell("bands"))},
            )
        source = _text(cell("source"))
        if len(source) > 64:
            problem("source", _("The data source is longer than 64 characters."))
        parsed.specs.append(
            Spec(
                code=code,
                title=_text(cell("title")),
                max_points=max_points,
                method=method,
                source=source,
                cap=cap,
                bands=bands,
                guidance=_text(cell("guidance")),
                required_evidence=_text(cell("required_evidence")),
                parent=parent_code(code),
            )
        )
        parsed.rows.append(row_number)
    return True


def parse_workbook(data: bytes) -> ParsedFramework:
    """Read and check a framework workbook; ``problems`` lists every problem found (the specs
    are only usable when it is empty)."""
    book = _open(data)
    parsed = ParsedFramework()
    try:
        properties = _sheet_rows(book, FRAMEWORK_SHEET, parsed.problems)
        criteria = _sheet_rows(book, CRITERIA_SHEET, parsed.problems)
    finally:
        book.close()
    if properties is not None:
        _parse_properties(properties, parsed)
    if criteria is not None and _parse_criteria(criteria, parsed):
        published = parsed.status == FrameworkStatus.PUBLISHED
        parsed.problems.extend(_located(parsed, check_specs(parsed.specs, published=published)))
    return parsed


def _located(parsed: ParsedFramework, problems: list[Problem]) -> list[RowProblem]:
    already = {(p.row, p.column) for p in parsed.problems}
    out = []
    for problem in problems:
        if problem.index is None:
            column = LABELS.get(problem.field or "")
            out.append(RowProblem(CRITERIA_SHEET, None, column, problem.message))
            continue
        row = parsed.rows[problem.index]
        column = LABELS.get(problem.field or "")
        if (row, column) in already and problem.field in ("max_points", "cap", "bands"):
            continue  # the cell could not be read; its value is not worth checking
        out.append(RowProblem(CRITERIA_SHEET, row, column, problem.message))
    return out


def import_framework(data: bytes, *, actor: User | None = None) -> Framework:
    """Create a framework from a workbook (a new version when its year and level has one), or
    raise ``FrameworkImportError`` listing every problem, having written nothing."""
    parsed = parse_workbook(data)
    if parsed.problems:
        raise FrameworkImportError(parsed.problems)
    assert parsed.year is not None and parsed.level is not None
    with transaction.atomic():
        taken = Framework.objects.select_for_update().filter(year=parsed.year, level=parsed.level)
        version = (
            parsed.version
            if parsed.version and not taken.exists()
            else next_version(parsed.year, parsed.level)
        )
        try:
            return framework_create(
                actor=actor,
                year=parsed.year,
                level=parsed.level,
                title=parsed.title,
                decision=parsed.decision,
                status=parsed.status,
                specs=parsed.specs,
                version=version,
                action="framework.import",
            )
        except FrameworkError as exc:  # the checks ran already; kept for safety
            raise FrameworkImportError(_located(parsed, exc.problems)) from exc
