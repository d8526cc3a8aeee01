"""Reading the appendix of tasks ("Phụ lục các nhiệm vụ cụ thể") from an XLSX workbook or from
a table of the plan's DOCX.

The table has the columns STT · Nội dung nhiệm vụ · Đơn vị chủ trì · Đơn vị phối hợp · Thời gian
hoàn thành · Sản phẩm · Ghi chú, under a header found anywhere in the first rows (titles may stand
above it) and matched loosely: case, diacritics, spacing and punctuation do not matter, known
variants ("Thời hạn", "Sản phẩm/kết quả", a two-row header "Đơn vị thực hiện / Chủ trì · Phối
hợp") and English aliases (no, task, lead_unit, coordinating_units, due, product, note) are
accepted. Group rows ("I. CHỈ ĐẠO, ĐIỀU HÀNH…", "2. Cải cách thể chế") set the reform area of the
rows below them.

Workbooks are read with openpyxl in read-only mode, after ``detect_kind`` has refused anything
that is not an XLSX or that would expand beyond a safe size, so memory stays bounded.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries

from cchc.lib.uploads import detect_kind
from cchc.plans.importing.document import Appendix, AppendixTask, PlanImportError
from cchc.plans.importing.due import parse_due
from cchc.plans.importing.units import fold, name_key, split_units

MAX_APPENDIX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 10_000  # an appendix has tens to hundreds of rows; more is not an appendix
MAX_COLUMNS = 30
MAX_MERGES = 20_000
HEADER_SEARCH_ROWS = 20

FIELDS = ("number", "text", "lead_unit", "coordinating_units", "due", "product", "note")
# The header as the template writes it; named in every "wrong file" message.
EXPECTED_COLUMNS = (
    "STT",
    "Nội dung nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm",
    "Ghi chú",
)

# The seven reform areas (DESIGN.md §1) by the words their headings use.
AREA_KEYWORDS: dict[int, tuple[str, ...]] = {
    1: ("chi dao", "dieu hanh", "tuyen truyen"),
    2: ("the che",),
    3: ("thu tuc hanh chinh", "tthc", "mot cua"),
    4: ("to chuc bo may", "bo may"),
    5: ("che do cong vu", "cong vu", "cong chuc", "vien chuc"),
    6: ("tai chinh cong", "tai chinh"),
    7: (
        "chinh quyen dien tu",
        "chinh quyen so",
        "chinh phu dien tu",
        "chinh phu so",
        "chuyen doi so",
        "hien dai hoa",
    ),
}
_AREA_PATTERNS = [
    (area, re.compile(rf"\b{re.escape(word)}\b"))
    for area, words in AREA_KEYWORDS.items()
    for word in words
]
_HEADING_STARTS = (
    "linh vuc",
    "cai cach",
    "chi dao",
    "cong tac",
    "xay dung",
    "phat trien",
    "hien dai hoa",
)
_STANDARD_TITLES = (
    "chi dao dieu hanh va tuyen truyen cai cach hanh chinh",
    "cai cach the che",
    "cai cach thu tuc hanh chinh thuc hien co che mot cua mot cua lien thong",
    "cai cach to chuc bo may",
    "cai cach che do cong vu",
    "cai cach tai chinh cong",
    "xay dung va phat trien chinh quyen dien tu chinh quyen so",
)

# Header words by column, matched inside the folded header cell; the earliest match wins, so
# "Sản phẩm dự kiến hoàn thành" is a product and "Thời gian hoàn thành nhiệm vụ" a due time.
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "number": ("stt", "so tt", "so thu tu"),
    "text": ("noi dung", "nhiem vu", "ten nhiem vu", "cong viec", "task"),
    "lead_unit": ("chu tri", "don vi thuc hien", "co quan thuc hien", "lead unit", "lead"),
    "coordinating_units": ("phoi hop", "coordinating units", "coordinating"),
    "due": (
        "thoi gian",
        "thoi han",
        "han hoan thanh",
        "tien do",
        "hoan thanh",
        "due",
        "deadline",
    ),
    "product": ("san pham", "ket qua", "product", "output"),
    "note": ("ghi chu", "note", "notes"),
}
_HEADER_EXACT = {"no": "number", "tt": "number", "#": "number", "number": "number"}
_HEADER_PATTERNS = [
    (field, word, re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])"))
    for field, words in _HEADER_WORDS.items()
    for word in words
]

_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")  # Roman numerals from 1 to 39
_LABEL_AND_TEXT = re.compile(r"^\s*([IVX]+|[0-9]+)\s*[.)/:\-–]\s*(\S.*)$", re.DOTALL)
_COLUMN_NUMBER = re.compile(r"^\(?\s*[0-9]{1,2}\s*\)?$")
_EXAMPLE_NOTE = re.compile(r"^(?:dong\s+vi\s*du\b|vi\s*du$|example(?:\s+row)?$)")
_END_OF_TABLE = ("noi nhan", "nguoi lap", "thu truong", "giam doc", "chu tich")


@dataclass(frozen=True)
class _Header:
    row_index: int  # index in ``rows`` of the (last) header row
    columns: dict[str, int]  # field → column index


def expected_columns_text() -> str:
    return ", ".join(EXPECTED_COLUMNS)


def _no_header_error() -> PlanImportError:
    return PlanImportError(
        _(
            "No table of tasks was found. The appendix needs a header row with the columns: "
            "%(columns)s (at least “Nội dung nhiệm vụ” and one other)."
        )
        % {"columns": expected_columns_text()},
        code="no_header",
    )


# --- cells ----------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """A cell as tidy text: lines kept, spaces collapsed within each line."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "strftime") and hasattr(value, "year"):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _header_field(value: Any) -> str | None:
    text = _cell_text(value)
    if not text or len(text) > 80:
        return None
    key = name_key(text)
    if not key:
        return "number" if text.strip() == "#" else None
    if key in _HEADER_EXACT:
        return _HEADER_EXACT[key]
    if "bat dau" in key:  # "Thời gian bắt đầu" is not the completion time
        return None
    best: tuple[int, int, str] | None = None
    for field, word, pattern in _HEADER_PATTERNS:
        m = pattern.search(key)
        if m and (best is None or (m.start(), -len(word)) < best[:2]):
            best = (m.start(), -len(word), field)
    return best[2] if best else None


def _map_header(row: Sequence[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(row[:MAX_COLUMNS]):
        field = _header_field(value)
        if field and field not in columns:
            columns[field] = index
    return columns


def _is_header(columns: dict[str, int]) -> bool:
    return "text" in columns and len(columns) >= 2


def _is_column_numbers(row: Sequence[Any]) -> bool:
    """The row "(1) (2) (3) …" that Vietnamese forms put under their header."""
    texts = [t for t in map(_cell_text, row) if t]
    return len(texts) >= 3 and all(_COLUMN_NUMBER.match(t) for t in texts)


def _find_header(rows: Sequence[Sequence[Any]]) -> _Header | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _map_header(row)
        if not _is_header(columns):
            continue
        last = index
        # A two-row header: "Đơn vị thực hiện" above "Chủ trì" and "Phối hợp".
        if index + 1 < len(rows):
            below = rows[index + 1]
            filled = [(i, v) for i, v in enumerate(below[:MAX_COLUMNS]) if _cell_text(v)]
            sub = {i: _header_field(v) for i, v in filled}
            # Only unit, time, product and note columns are split this way; STT and the task
            # may repeat in place (a cell merged down), but "Nhiệm vụ chung" elsewhere under the
            # header is a group row, not more header.
            if (
                filled
                and all(sub.values())
                and all(f not in ("text", "number") or columns.get(f) == i for i, f in sub.items())
            ):
                for i, field in sub.items():
                    if field is None:
                        continue
                    for other, col in list(columns.items()):
                        if col == i and other != field:
                            del columns[other]
                    columns[field] = i
                last = index + 1
        return _Header(last, columns)
    return None


def is_appendix_table(rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a table (e.g. one of a DOCX) has the appendix's header in its first rows."""
    return _find_header(rows) is not None


# --- reform areas and group rows ------------------------------------------------------------


def area_of(text: str) -> int | None:
    """The reform area (1–7) a heading names by its words, or None."""
    key = name_key(text)
    best: tuple[int, int, int] | None = None
    for area, pattern in _AREA_PATTERNS:
        m = pattern.search(key)
        if m and (best is None or (m.start(), -(m.end() - m.start())) < best[:2]):
            best = (m.start(), -(m.end() - m.start()), area)
    return best[2] if best else None


def _roman_value(label: str) -> int | None:
    if not label or not _ROMAN.match(label):
        return None
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, ch in enumerate(label):
        value = values[ch]
        if i + 1 < len(label) and values[label[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def _looks_like_title(text: str) -> bool:
    """Whether ``text`` reads as a heading rather than as a task."""
    if len(text) > 160:
        return False
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) >= 0.8:
        return True
    key = name_key(text)
    if key.startswith(_HEADING_STARTS) and len(key) <= 100:
        return True
    return any(difflib.SequenceMatcher(None, key, t).ratio() >= 0.75 for t in _STANDARD_TITLES)


def _clean_label(label: str) -> str:
    return label.strip().rstrip(".):").strip()


# --- the table ------------------------------------------------------------------------------


def _collapse_repeats(row: list[str]) -> list[str]:
    """A DOCX cell merged across columns repeats its text in each; keep the first."""
    out = list(row)
    for i in range(len(out) - 1, 0, -1):
        if out[i] and out[i] == out[i - 1]:
            out[i] = ""
    return out


def parse_appendix_table(
    rows: Sequence[Sequence[Any]], *, year: int, first_row: int = 1
) -> Appendix:
    """The tasks of an appendix table given as rows of cell values (text, numbers, dates,
    None). ``first_row`` is the number reported for ``rows[0]`` in messages.

    Raises ``PlanImportError`` when no header row is found; rows it cannot use become
    ``warnings`` with their row numbers.
    """
    rows = [list(r)[:MAX_COLUMNS] for r in rows]
    if not any(_cell_text(v) for r in rows for v in r):
        raise PlanImportError(
            _("The appendix is empty. Expected a table with the columns: %(columns)s.")
            % {"columns": expected_columns_text()},
            code="empty",
        )
    header = _find_header(rows)
    if header is None:
        raise _no_header_error()
    appendix = Appendix()
    area: int | None = None
    previous: AppendixTask | None = None
    for index in range(header.row_index + 1, len(rows)):
        raw = rows[index]
        row_number = first_row + index
        if _is_column_numbers(raw):
            continue
        texts = _collapse_repeats([_cell_text(v) for v in raw])

        def cell(field: str, texts: list[str] = texts) -> str:
            col = header.columns.get(field)
            return texts[col] if col is not None and col < len(texts) else ""

        def raw_cell(field: str, raw: list[Any] = raw) -> Any:
            col = header.columns.get(field)
            return raw[col] if col is not None and col < len(raw) else None

        if not any(texts):
            continue
        first = next(t for t in texts if t)
        if fold(first).startswith(_END_OF_TABLE) and not cell("text"):
            break  # the signature block under the table
        number, text = _clean_label(cell("number")), cell("text")
        lead, coordinating, due_text = cell("lead_unit"), cell("coordinating_units"), cell("due")
        product, note = cell("product"), cell("note")
        outside = [t for i, t in enumerate(texts) if t and i not in header.columns.values()]

        # A heading merged across the table lands in the STT cell: "I. CHỈ ĐẠO, ĐIỀU HÀNH".
        if not text and number:
            m = _LABEL_AND_TEXT.match(number)
            if m and len(m.group(2)) > 3:
                number, text = m.group(1), m.group(2).strip()
            elif len(number) > 12 or " " in number:
                number, text = "", number
        if not text and not number and outside and not (lead or due_text or product):
            text = outside[0]
        # Or in the text cell, with no STT: "II. Cải cách thể chế", "2. Cải cách thể chế".
        if not number and text and not (lead or due_text):
            m = _LABEL_AND_TEXT.match(text)
            label, rest = m.groups() if m else ("", "")
            if m and (
                (_roman_value(label) and _looks_like_title(rest))
                or (label.isdigit() and len(label) <= 2)
            ):
                number, text = m.group(1), m.group(2).strip()

        # A cell merged down over several rows (or a DOCX vertical merge) repeats the task.
        if (
            previous is not None
            and text
            and text == previous.text
            and (not number or number == previous.number)
        ):
            _continue_task(previous, lead, split_units(coordinating), due_text, product, note)
            continue

        has_work = bool(lead or coordinating or due_text or product)
        roman = _roman_value(number)
        if text and roman is not None and not (lead or due_text):
            area = area_of(text) or (roman if roman <= 7 else None)
            previous = None
            continue
        if text and not has_work:
            named = area_of(text)
            if not number:
                heading = _looks_like_title(text)
            elif number.isdigit():
                heading = named is not None and _looks_like_title(text)
            else:  # "A. NHIỆM VỤ CHUNG"; "a)", "1.2" are tasks
                heading = len(number) == 1 and number.isupper() and _looks_like_title(text)
            if heading:
                if named is not None:
                    area = named
                previous = None
                continue

        if not text:
            appendix.warnings.append(
                _("Row %(row)s has no task text and was skipped.") % {"row": row_number}
            )
            continue
        if _EXAMPLE_NOTE.match(fold(note)):
            appendix.warnings.append(
                _("Row %(row)s is an example row of the template and was skipped.")
                % {"row": row_number}
            )
            continue

        due_value = raw_cell("due")
        typed = isinstance(due_value, dt.date | int | float) and not isinstance(due_value, bool)
        due = parse_due(due_value if typed else due_text, year=year)
        if due_text and not due.understood:
            appendix.warnings.append(
                _(
                    "Row %(row)s: the completion time “%(due)s” was not understood; "
                    "set the due date by hand."
                )
                % {"row": row_number, "due": due_text}
            )
        task = AppendixTask(
            row=row_number,
            number=number,
            text=text,
            lead_unit=lead or None,
            coordinating_units=split_units(coordinating),
            due=due.label or None,
            due_date=due.date,
            recurrence=due.recurrence,
            product=product or None,
            note=note or None,
            area=area,
        )
        appendix.tasks.append(task)
        previous = task
    return appendix


def _continue_task(
    task: AppendixTask,
    lead: str,
    coordinating: list[str],
    due_text: str,
    product: str,
    note: str,
) -> None:
    """Fold a continuation row into the task it continues."""
    for unit in ([lead] if lead else []) + coordinating:
        if unit != task.lead_unit and unit not in task.coordinating_units:
            task.coordinating_units.append(unit)
    if not task.product and product:
        task.product = product
    if not task.note and note:
        task.note = note
    if not task.due and due_text:
        task.due = due_text


# --- XLSX -----------------------------------------------------------------------------------


def _open_workbook(data: bytes, max_bytes: int) -> Any:
    if not data:
        raise PlanImportError(_("The file is empty."), code="empty")
    if len(data) > max_bytes:
        raise PlanImportError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    try:
        kind = detect_kind(io.BytesIO(data))
    except ValidationError as exc:
        raise PlanImportError(" ".join(exc.messages), code="unsafe") from exc
    if kind != "xlsx":
        raise PlanImportError(
            _(
                "This file is not an Excel workbook (.xlsx). Save the appendix as .xlsx "
                "(Excel 2007 or later, without a password) and upload it again."
            ),
            code="bad_type",
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise PlanImportError(
            _(
                "The workbook could not be read; it may be damaged. Open it in Excel, save it "
                "again as .xlsx and retry."
            ),
            code="unreadable",
        ) from exc


def _merged_ranges(data: bytes, sheet_path: str | None) -> dict[int, list[tuple[int, int]]]:
    """Vertical merges of the sheet as {first row: [(column, last row)]}, 1-based, read by
    streaming the sheet's XML (read-only openpyxl does not report merges)."""
    found: dict[int, list[tuple[int, int]]] = {}
    if not sheet_path:
        return found
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as archive,
            archive.open(sheet_path.lstrip("/")) as source,
        ):
            count = 0
            for _event, elem in ET.iterparse(source, events=("end",)):
                if elem.tag.endswith("}mergeCell") or elem.tag == "mergeCell":
                    ref = elem.get("ref") or ""
                    try:
                        min_col, min_row, _max_col, max_row = range_boundaries(ref)
                    except (TypeError, ValueError):
                        min_row = None
                    if min_row and max_row and max_row > min_row and min_col <= MAX_COLUMNS:
                        found.setdefault(min_row, []).append((min_col, max_row))
                        count += 1
                        if count >= MAX_MERGES:
                            break
                elem.clear()
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError, RuntimeError):
        return {}
    return found


def _sheet_rows(ws: Any, merges: dict[int, list[tuple[int, int]]], limit: int) -> Iterator[list]:
    """The sheet's rows (values only), a vertically merged cell's value repeated down its
    range, at most ``limit`` rows."""
    active: dict[int, tuple[int, Any]] = {}  # column → (last row, value)
    for number, values in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > limit:
            return
        row = list(values)
        for column, (last, value) in list(active.items()):
            if number > last:
                del active[column]
            elif column - 1 < len(row) and row[column - 1] is None:
                row[column - 1] = value
        for column, last in merges.get(number, ()):
            if column - 1 < len(row):
                active[column] = (last, row[column - 1])
        yield row


def _read_rows(ws: Any, merges: dict[int, list[tuple[int, int]]], limit: int) -> list[list]:
    try:
        return list(_sheet_rows(ws, merges, limit))
    except Exception as exc:  # a damaged sheet fails anywhere inside openpyxl's parser
        raise PlanImportError(
            _("The sheet “%(sheet)s” could not be read; it may be damaged.") % {"sheet": ws.title},
            code="unreadable",
        ) from exc


def _candidate_sheets(wb: Any) -> list[Any]:
    sheets = list(wb.worksheets)
    named = [ws for ws in sheets if "phu luc" in fold(ws.title)]
    guides = [ws for ws in sheets if "huong dan" in fold(ws.title) and ws not in named]
    others = [ws for ws in sheets if ws not in named and ws not in guides]
    return named + others + guides


def read_appendix_xlsx(data: bytes, *, year: int, max_bytes: int = MAX_APPENDIX_BYTES) -> Appendix:
    """The appendix of tasks in an XLSX workbook: the sheet named "Phụ lục…", else the first
    sheet with the expected header. Raises ``PlanImportError`` with a message for the person."""
    wb = _open_workbook(data, max_bytes)
    try:
        sheets = _candidate_sheets(wb)
        if not sheets:
            raise PlanImportError(_("The workbook has no sheets."), code="empty")
        any_content = False
        headed_but_empty = False
        for ws in sheets:
            ws.reset_dimensions()  # some writers record a wrong size; read what is there
            head = _read_rows(ws, {}, HEADER_SEARCH_ROWS)
            any_content = any_content or any(v is not None and v != "" for r in head for v in r)
            if _find_header(head) is None:
                continue
            merges = _merged_ranges(data, getattr(ws, "_worksheet_path", None))
            rows = _read_rows(ws, merges, MAX_ROWS + 1)
            # Warn only when the table was still going at the limit, not for formatted but
            # empty rows far below it.
            truncated = len(rows) > MAX_ROWS and any(
                v is not None and v != "" for r in rows[MAX_ROWS - 50 :] for v in r
            )
            appendix = parse_appendix_table(rows[:MAX_ROWS], year=year)
            if truncated:
                appendix.warnings.append(
                    _("Only the first %(count)s rows were read.") % {"count": MAX_ROWS}
                )
            if appendix.tasks:
                return appendix
            headed_but_empty = True
    finally:
        wb.close()
    if headed_but_empty:
        raise PlanImportError(
            _("The table has the expected header but no task rows below it."), code="no_tasks"
        )
    if not any_content:
        raise PlanImportError(
            _("The workbook is empty. Expected a table with the columns: %(columns)s.")
            % {"columns": expected_columns_text()},
            code="empty",
        )
    raise _no_header_error()
