"""Reading the exchange files of DESIGN.md §4.2: the procedure catalogue and the dossier register.

Files are CSV (delimiter sniffed among ``,`` ``;`` and tab; UTF-8 with or without BOM, UTF-16
as Excel writes "Unicode text", or Windows-1258), XLSX (openpyxl in read-only mode, after
``detect_kind`` has refused anything that is not a workbook or would expand unreasonably) or
JSON Lines. Every reader streams: it yields one row at a time as a tuple of cell strings in the
order of the field list, so memory does not grow with the file.

Row numbers are those a person sees: in a CSV or a workbook the header is row 1 and the first
dossier row 2 (a quoted cell spanning lines still counts as one row); in JSON Lines the line
number; in a JSON array the position of the object, from 1.

Parsing a dossier row (``DossierRowParser``) checks every cell and returns either the values
ready to store or the list of ``(field index, message)`` problems; it knows nothing about the
database beyond the agency's procedures and units, handed to it as dictionaries.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cchc.lib.uploads import detect_kind
from cchc.procedures.models import DossierStatus, OnlineLevel, TimeUnit

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
HEAD_BYTES = 64 * 1024
SCAN_CHUNK = 1024 * 1024
MIN_YEAR, MAX_YEAR = 1990, 2100
CODE_MAX = 64
csv.field_size_limit(1024 * 1024)


class FileError(Exception):
    """The file as a whole cannot be read (encoding, format, header); no row is looked at."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Field:
    name: str  # the portal's header
    alias: str  # the English alias, also the model field
    required: bool = False


def fold(text: str) -> str:
    """Header key: case, diacritics, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text.lower() if ch.isalnum())


DOSSIER_FIELDS = (
    Field("MaHoSo", "code", True),
    Field("MaTTHC", "procedure_code", True),
    Field("MaDonVi", "unit_code"),
    Field("KenhThucHien", "channel", True),
    Field("NgayTiepNhan", "received_at", True),
    Field("NgayHenTra", "due_at"),
    Field("NgayKetThucXuLy", "finished_at"),
    Field("NgayTra", "returned_at"),
    Field("TrangThaiHoSo", "status", True),
    Field("NgayYeuCauBoSung", "supplement_requested_at"),
    Field("NgayCongDanBoSung", "supplement_completed_at"),
    Field("SoLanBoSung", "supplement_rounds"),
    Field("HoSoCoThanhPhanSoHoa", "components_digitized"),
    Field("DaSoHoaKetQua", "result_digitized"),
    Field("DuocThanhToanTrucTuyen", "paid_online"),
)
(
    F_CODE,
    F_PROCEDURE,
    F_UNIT,
    F_CHANNEL,
    F_RECEIVED,
    F_DUE,
    F_FINISHED,
    F_RETURNED,
    F_STATUS,
    F_SUP_REQ,
    F_SUP_DONE,
    F_ROUNDS,
    F_COMPONENTS,
    F_RESULT,
    F_PAID,
) = range(len(DOSSIER_FIELDS))

PROCEDURE_FIELDS = (
    Field("MaTTHC", "code", True),
    Field("TenTTHC", "name", True),
    Field("LinhVuc", "field"),
    Field("CapThucHien", "level"),
    Field("ThoiHanGiaiQuyet", "time_limit", True),
    Field("DonViThoiGian", "time_unit"),
    Field("ThoiHanRutNgan", "reduced_time_limit"),
    Field("MucDoDVC", "online_level"),
    Field("CoPhi", "fee_bearing"),
    Field("KetQuaGiay", "paper_result"),
    Field("CanCuPhapLy", "legal_basis"),
    Field("HieuLucTu", "valid_from"),
    Field("HieuLucDen", "valid_to"),
)


# --- reading files ------------------------------------------------------------------------------

# A decoding error in the middle of a file turns the bad bytes into U+FFFD; this counter (per
# thread: a web worker may read two uploads at once) tells the reader to look for them.
_decoding = threading.local()


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    _decoding.errors = getattr(_decoding, "errors", 0) + 1
    return "\ufffd", exc.end  # type: ignore[attr-defined]


codecs.register_error("cchc_ingest", _count_and_replace)


def _decoding_errors() -> int:
    return getattr(_decoding, "errors", 0)


def _seekable(stream: Any) -> bool:
    check = getattr(stream, "seekable", None)
    return bool(check and check())


def _utf8_valid(stream: IO[bytes], head: bytes) -> bool:
    """Whether the stream is UTF-8 from start to end (read in chunks, then rewound); streams
    that cannot seek are judged by their first bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
        if _seekable(stream):
            stream.seek(len(head))
            while chunk := stream.read(SCAN_CHUNK):
                decoder.decode(chunk, final=False)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        if _seekable(stream):
            stream.seek(0)
    return True


def detect_encoding(stream: IO[bytes], head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even_nul, odd_nul = sample[0::2].count(0), sample[1::2].count(0)
        if odd_nul > len(sample) // 4 and even_nul == 0:
            return "utf-16-le"
        if even_nul > len(sample) // 4 and odd_nul == 0:
            return "utf-16-be"
    if _utf8_valid(stream, head):
        return "utf-8"
    # Vietnamese Windows: Excel's "CSV" on a Vietnamese system writes Windows-1258.
    return "cp1258"


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Header:
    labels: list[str]  # per field: the column's name as the file writes it
    positions: list[int | None]  # per field: its column, or None when absent


def map_header(cells: Iterable[Any], fields: tuple[Field, ...]) -> Header:
    keys: dict[str, int] = {}
    for i, field in enumerate(fields):
        keys[fold(field.name)] = i
        keys[fold(field.alias)] = i
    labels = [f.name for f in fields]
    positions: list[int | None] = [None] * len(fields)
    for column, cell in enumerate(cells):
        text = str(cell or "").strip().lstrip("\ufeff")
        index = keys.get(fold(text))
        if index is None:
            continue
        if positions[index] is not None:
            raise FileError(
                _("The column %(column)s appears twice in the header.") % {"column": text},
                column=text,
            )
        positions[index] = column
        labels[index] = text
    missing = [f.name for f, p in zip(fields, positions, strict=True) if f.required and p is None]
    if missing:
        raise FileError(
            _(
                "The header lacks the columns %(missing)s. Expected: %(expected)s (or the English "
                "names). Check the delimiter and that the first row is the header."
            )
            % {
                "missing": ", ".join(missing),
                "expected": ", ".join(f.name for f in fields),
            }
        )
    return Header(labels=labels, positions=positions)


# A row: its number, the cells in field order (None if unreadable), and the reason if unreadable.
Row = tuple[int, tuple[str, ...] | None, str | None]


class Table:
    """A file being read: the header, the rows, and how far the reading has got."""

    def __init__(
        self,
        header: Header,
        rows: Iterator[Row],
        progress: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.header = header
        self.rows = rows
        self.progress = progress

    def label(self, field_index: int | None) -> str | None:
        return None if field_index is None else self.header.labels[field_index]


def _picker(header: Header, width: int) -> Callable[[list[str]], tuple[str, ...]]:
    """Cells in field order from a row of the file; absent columns read as empty."""
    positions = [width if p is None else p for p in header.positions]
    pick = itemgetter(*positions)
    if all(p is not None for p in header.positions):
        return pick  # type: ignore[return-value]
    return lambda row: pick([*row, ""])


def _csv_table(stream: IO[bytes], head: bytes, fields: tuple[Field, ...]) -> Table:
    encoding = detect_encoding(stream, head)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="cchc_ingest", newline="")
    errors_before = _decoding_errors()
    try:
        first = text.readline()
    except UnicodeError as exc:  # a broken UTF-16 stream
        raise FileError(_("The file cannot be decoded: %(error)s") % {"error": exc}) from exc
    if not first.strip():
        raise FileError(_("The file is empty or its first row is blank."))
    if "\ufffd" in first and _decoding_errors() != errors_before:
        raise FileError(_("The header cannot be decoded; save the file as UTF-8."))
    delimiter = _sniff_delimiter(first)
    header_cells = next(csv.reader([first], delimiter=delimiter))
    header = map_header(header_cells, fields)
    width = len(header_cells)
    pick = _picker(header, width)
    size = _size_of(stream)

    def rows() -> Iterator[Row]:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        number = 1
        errors_seen = errors_before  # the header read may have decoded rows already
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeError as exc:
                yield number, None, _("The file cannot be decoded: %(error)s") % {"error": exc}
                return
            except csv.Error as exc:
                yield number, None, _("The row is malformed (%(error)s).") % {"error": exc}
                continue
            if len(row) != width:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # a blank line
                if len(row) < width:
                    yield (
                        number,
                        None,
                        _(
                            "The row has %(found)s cells where the header has %(expected)s: "
                            "the file may be truncated or use another delimiter."
                        )
                        % {"found": len(row), "expected": width},
                    )
                    continue
                if any(cell.strip() for cell in row[width:]):
                    yield (
                        number,
                        None,
                        _("The row has %(found)s cells where the header has %(expected)s.")
                        % {"found": len(row), "expected": width},
                    )
                    continue
            if _decoding_errors() != errors_seen and any("\ufffd" in cell for cell in row):
                yield (
                    number,
                    None,
                    _("The row has bytes that are not valid %(encoding)s.")
                    % {"encoding": encoding.upper().removesuffix("-SIG")},
                )
                continue
            yield number, pick(row), None

    def progress() -> float | None:
        return stream.tell() / size if size else None

    return Table(header, rows(), progress)


def _size_of(stream: IO[bytes]) -> int | None:
    if not _seekable(stream):
        return None
    here = stream.tell()
    size = stream.seek(0, io.SEEK_END)
    stream.seek(here)
    return size


def cell_text(value: Any) -> str:
    """A cell of a workbook or a JSON value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_table(stream: IO[bytes], fields: tuple[Field, ...]) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken package
        raise FileError(_("The workbook cannot be read: %(error)s") % {"error": exc}) from exc
    sheet = workbook.worksheets[0]
    cells = sheet.iter_rows(min_row=1, values_only=True)
    number = 0
    header_cells: tuple[Any, ...] = ()
    for number, header_cells in enumerate(cells, start=1):  # noqa: B007
        if any(c not in (None, "") for c in header_cells):
            break
    else:
        raise FileError(_("The workbook's first sheet is empty."))
    header = map_header(header_cells, fields)
    width = len(header_cells)
    total = sheet.max_row or 0
    done = [number]

    def rows() -> Iterator[Row]:
        positions = list(header.positions)
        for row_number, values in enumerate(cells, start=number + 1):
            done[0] = row_number
            if not any(v not in (None, "") for v in values):
                continue
            if len(values) > width and any(cell_text(v) for v in values[width:]):
                yield (
                    row_number,
                    None,
                    _("The row has values to the right of the last column of the header."),
                )
                continue
            yield (
                row_number,
                tuple(
                    cell_text(values[p]) if p is not None and p < len(values) else ""
                    for p in positions
                ),
                None,
            )
        workbook.close()

    def progress() -> float | None:
        return done[0] / total if total else None

    return Table(header, rows(), progress)


def _json_rows(
    objects: Iterator[tuple[int, Any]], header: Header, fields: tuple[Field, ...]
) -> Iterator[Row]:
    keys: dict[str, int | None] = {}
    names = {fold(f.name): i for i, f in enumerate(fields)} | {
        fold(f.alias): i for i, f in enumerate(fields)
    }
    width = len(fields)
    for number, obj in objects:
        if isinstance(obj, Exception):
            yield number, None, _("The line is not valid JSON (%(error)s).") % {"error": obj}
            continue
        if not isinstance(obj, dict):
            yield number, None, _("Each dossier must be a JSON object.")
            continue
        cells = [""] * width
        for key, value in obj.items():
            index = keys.get(key, -1)
            if index == -1:
                index = keys[key] = names.get(fold(key))
                if index is not None:
                    header.labels[index] = key
            if index is not None:
                cells[index] = cell_text(value)
        yield number, tuple(cells), None


def _jsonl_table(stream: IO[bytes], head: bytes, fields: tuple[Field, ...]) -> Table:
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    size = _size_of(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="cchc_ingest", newline=None)

    def objects() -> Iterator[tuple[int, Any]]:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                yield number, exc

    header = Header(labels=[f.name for f in fields], positions=list(range(len(fields))))

    def progress() -> float | None:
        return stream.tell() / size if size else None

    return Table(header, _json_rows(objects(), header, fields), progress)


def objects_table(objects: Iterable[Any], fields: tuple[Field, ...]) -> Table:
    """Rows from already parsed JSON objects (the API's JSON array), numbered from 1."""
    header = Header(labels=[f.name for f in fields], positions=list(range(len(fields))))
    return Table(header, _json_rows(enumerate(objects, start=1), header, fields))


def open_table(stream: IO[bytes], fields: tuple[Field, ...], *, name: str = "") -> Table:
    """The table of an exchange file, whatever its format (by content, never by name)."""
    if _seekable(stream):
        stream.seek(0)
    head = stream.read(HEAD_BYTES)
    if _seekable(stream):
        stream.seek(0)
    else:
        stream = _Prepend(head, stream)  # type: ignore[assignment]
    if not head.strip():
        raise FileError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        try:
            kind = detect_kind(stream)
        except ValidationError as exc:
            raise FileError(" ".join(exc.messages)) from exc
        if kind != "xlsx":
            raise FileError(_("The file is an archive or document, not a CSV or XLSX table."))
        return _xlsx_table(stream, fields)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(_("Old Excel files (.xls) are not read; save the file as .xlsx or CSV."))
    stripped = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"{"):
        return _jsonl_table(stream, head, fields)
    if stripped.startswith(b"["):
        raise FileError(_("A JSON array is accepted by the API only; send files as JSON Lines."))
    return _csv_table(stream, head, fields)


class _Prepend(io.RawIOBase):
    """A non-seekable stream with its first bytes (already read) put back in front."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._rest.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self._pos += n
        return n

    def tell(self) -> int:
        return self._pos


# --- values ------------------------------------------------------------------------------------

_fromiso = dt.datetime.fromisoformat
_VN_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2})[:h](\d{1,2})(?::(\d{1,2}))?)?$"
)


def parse_datetime(text: str) -> dt.datetime:
    """A local, naive date-time from ISO 8601 (offset optional, Asia/Ho_Chi_Minh when absent)
    or ``14/03/2023 09:30[:00]``. Raises ValueError.

    The two usual shapes take a fast path: they are most of a million-row file.
    """
    try:
        if text[4] == "-":
            value = _fromiso(text)
        elif text[2] == "/" and text[5] == "/" and len(text) in (16, 19):
            value = _fromiso(f"{text[6:10]}-{text[3:5]}-{text[0:2]}T{text[11:]}")
        else:
            raise ValueError
    except (ValueError, IndexError):
        value = _parse_datetime_slowly(text)
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL).replace(tzinfo=None)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(text)
    return value


def _parse_datetime_slowly(text: str) -> dt.datetime:
    text = text.strip()
    match = _VN_DATE.match(text)
    if match:
        day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        return dt.datetime(year, month, day, hour, minute, second)
    return _fromiso(text.replace(" ", "T", 1) if "T" not in text else text)


def parse_date(text: str) -> dt.date:
    return parse_datetime(text).date()


def local_to_utc(value: dt.datetime) -> dt.datetime:
    """A naive local time as a naive UTC time (what Django stores under USE_TZ)."""
    return value - LOCAL.utcoffset(value)  # type: ignore[operator]


def utc_to_local(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC).astimezone(LOCAL).replace(tzinfo=None)


_FLAGS = {"": False, "0": False, "1": True}
_CHANNELS = {"1": 1, "2": 2, "3": 3}
_STATUSES = {str(s.value): s.value for s in DossierStatus}
_PAID = {"": 0, "0": 0, "1": 1, "2": 2}
MAX_ROUNDS = 32767


@dataclass(frozen=True)
class ProcedureInfo:
    """What the ingest needs of a procedure, loaded once per file."""

    id: int
    time_limit: Decimal
    time_unit: str


@dataclass
class ParsedDossier:
    code: str
    procedure: ProcedureInfo
    unit_id: int | None
    channel: int
    received_at: dt.datetime
    due_at: dt.datetime
    due_computed: bool
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    status: int
    supplement_requested_at: dt.datetime | None
    supplement_completed_at: dt.datetime | None
    supplement_rounds: int
    components_digitized: bool
    result_digitized: bool
    paid_online: int
    row_hash: str


def _before_receipt(index: int, received: dt.datetime) -> str:
    what = {
        F_DUE: _("The due date"),
        F_FINISHED: _("The end of processing"),
        F_RETURNED: _("The return of the result"),
        F_SUP_REQ: _("The supplement request"),
    }[index]
    return _("%(what)s is before the receipt (%(received)s).") % {
        "what": what,
        "received": received.strftime("%d/%m/%Y %H:%M"),
    }


Deadline = Callable[[dt.datetime, Decimal, str], dt.datetime]
Problem = tuple[int | None, str]


class DossierRowParser:
    """Checks one row of the exchange format and returns its values, or its problems."""

    def __init__(
        self,
        *,
        procedures: dict[str, ProcedureInfo],
        units: dict[str, int],
        deadline: Deadline | None = None,
    ) -> None:
        self.procedures = procedures
        self.units = units
        self.deadline = deadline

    def _datetime(self, cells: tuple[str, ...], index: int, problems: list[Problem]):
        text = cells[index]
        if not text:
            return None
        try:
            return parse_datetime(text)
        except (ValueError, TypeError):
            problems.append(
                (
                    index,
                    _(
                        "“%(value)s” is not a date and time (write 2023-03-14T09:30:00 or "
                        "14/03/2023 09:30)."
                    )
                    % {"value": text[:40]},
                )
            )
            return None

    def parse(self, cells: tuple[str, ...]) -> tuple[ParsedDossier | None, list[Problem]]:
        problems: list[Problem] = []
        code = cells[F_CODE].strip()
        if not code:
            problems.append((F_CODE, _("The dossier code is missing.")))
        elif len(code) > CODE_MAX:
            problems.append(
                (F_CODE, _("The code is longer than %(max)s characters.") % {"max": CODE_MAX})
            )
        procedure_code = cells[F_PROCEDURE].strip()
        procedure = self.procedures.get(procedure_code)
        if procedure is None:
            if procedure_code:
                problems.append(
                    (
                        F_PROCEDURE,
                        _("No procedure of the agency has the code “%(code)s”.")
                        % {"code": procedure_code[:80]},
                    )
                )
            else:
                problems.append((F_PROCEDURE, _("The procedure code is missing.")))
        unit_code = cells[F_UNIT]
        unit_id = None
        if unit_code:
            unit_id = self.units.get(unit_code)
            if unit_id is None:
                unit_id = self.units.get(unit_code.strip())
                if unit_id is None and unit_code.strip():
                    problems.append(
                        (
                            F_UNIT,
                            _("No unit of the agency has the code “%(code)s”.")
                            % {"code": unit_code[:80]},
                        )
                    )
        channel = _CHANNELS.get(cells[F_CHANNEL]) or _CHANNELS.get(cells[F_CHANNEL].strip())
        if channel is None:
            problems.append(
                (
                    F_CHANNEL,
                    _("The channel must be 1 (in person), 2 (online) or 3 (post), not “%(v)s”.")
                    % {"v": cells[F_CHANNEL][:20]},
                )
            )
        status = _STATUSES.get(cells[F_STATUS]) or _STATUSES.get(cells[F_STATUS].strip())
        if status is None:
            problems.append(
                (
                    F_STATUS,
                    _("The status must be a state code from 1 to 10, not “%(v)s”.")
                    % {"v": cells[F_STATUS][:20]},
                )
            )
        received = self._datetime(cells, F_RECEIVED, problems)
        if received is None and not cells[F_RECEIVED]:
            problems.append((F_RECEIVED, _("The date of receipt is missing.")))
        due = self._datetime(cells, F_DUE, problems)
        finished = self._datetime(cells, F_FINISHED, problems)
        returned = self._datetime(cells, F_RETURNED, problems)
        requested = self._datetime(cells, F_SUP_REQ, problems)
        completed = self._datetime(cells, F_SUP_DONE, problems)
        if received is not None:
            for index, value in (
                (F_DUE, due),
                (F_FINISHED, finished),
                (F_RETURNED, returned),
                (F_SUP_REQ, requested),
            ):
                if value is not None and value < received:
                    problems.append((index, _before_receipt(index, received)))
        if completed is not None:
            if requested is None and not cells[F_SUP_REQ]:
                problems.append(
                    (F_SUP_DONE, _("A supplement is completed but was never requested."))
                )
            elif requested is not None and completed < requested:
                problems.append(
                    (F_SUP_DONE, _("The supplement is completed before it was requested."))
                )
        rounds_text = cells[F_ROUNDS].strip()
        rounds = 0
        if rounds_text:
            if rounds_text.isdigit() and int(rounds_text) <= MAX_ROUNDS:
                rounds = int(rounds_text)
            else:
                problems.append(
                    (
                        F_ROUNDS,
                        _("The number of supplement rounds must be a whole number, not “%(v)s”.")
                        % {"v": rounds_text[:20]},
                    )
                )
        flags = []
        for index in (F_COMPONENTS, F_RESULT):
            flag = _FLAGS.get(cells[index])
            if flag is None:
                flag = _FLAGS.get(cells[index].strip())
                if flag is None:
                    problems.append(
                        (
                            index,
                            _("Write 1 for yes or 0 for no, not “%(v)s”.")
                            % {"v": cells[index][:20]},
                        )
                    )
            flags.append(bool(flag))
        paid = _PAID.get(cells[F_PAID])
        if paid is None:
            paid = _PAID.get(cells[F_PAID].strip())
            if paid is None:
                problems.append(
                    (
                        F_PAID,
                        _(
                            "Online payment must be 0 (no), 1 (national portal) or 2 (local "
                            "gateway), not “%(v)s”."
                        )
                        % {"v": cells[F_PAID][:20]},
                    )
                )
        if problems:
            return None, problems
        due_computed = False
        if due is None:
            due = self._computed_due(received, procedure)  # type: ignore[arg-type]
            due_computed = True
            if due is None:
                return None, [(F_DUE, _("The due date is missing and cannot be computed."))]
        row_hash = hashlib.md5("\x1f".join(cells).encode(), usedforsecurity=False).hexdigest()
        return (
            ParsedDossier(
                code,
                procedure,  # type: ignore[arg-type]
                unit_id,
                channel,  # type: ignore[arg-type]
                received,  # type: ignore[arg-type]
                due,
                due_computed,
                finished,
                returned,
                status,  # type: ignore[arg-type]
                requested,
                completed,
                rounds,
                flags[0],
                flags[1],
                paid,  # type: ignore[arg-type]
                row_hash,
            ),
            problems,
        )

    def _computed_due(self, received: dt.datetime, procedure: ProcedureInfo) -> dt.datetime | None:
        if self.deadline is None:
            return None
        aware = received.replace(tzinfo=LOCAL)
        value = self.deadline(aware, procedure.time_limit, procedure.time_unit)
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(LOCAL).replace(tzinfo=None)
            return value
        if isinstance(value, dt.date):  # a day: due by its end
            return dt.datetime.combine(value, dt.time(23, 59, 59))
        return None


# --- procedure catalogue rows ------------------------------------------------------------------

_TIME_UNITS = {
    fold(k): v
    for k, v in {
        "ngày làm việc": TimeUnit.WORKING_DAYS,
        "ngày lv": TimeUnit.WORKING_DAYS,
        "working_days": TimeUnit.WORKING_DAYS,
        "working days": TimeUnit.WORKING_DAYS,
        "giờ làm việc": TimeUnit.WORKING_HOURS,
        "giờ": TimeUnit.WORKING_HOURS,
        "working_hours": TimeUnit.WORKING_HOURS,
        "working hours": TimeUnit.WORKING_HOURS,
        "ngày": TimeUnit.CALENDAR_DAYS,
        "ngày dương lịch": TimeUnit.CALENDAR_DAYS,
        "calendar_days": TimeUnit.CALENDAR_DAYS,
        "calendar days": TimeUnit.CALENDAR_DAYS,
    }.items()
}
_ONLINE_LEVELS = {
    fold(k): v
    for k, v in {
        "0": OnlineLevel.NONE,
        "không": OnlineLevel.NONE,
        "none": OnlineLevel.NONE,
        "1": OnlineLevel.PARTIAL,
        "một phần": OnlineLevel.PARTIAL,
        "partial": OnlineLevel.PARTIAL,
        "2": OnlineLevel.FULL,
        "toàn trình": OnlineLevel.FULL,
        "full": OnlineLevel.FULL,
    }.items()
}
_YES_NO = {
    fold(k): v
    for k, v in {
        "1": True,
        "có": True,
        "x": True,
        "yes": True,
        "true": True,
        "0": False,
        "không": False,
        "no": False,
        "false": False,
    }.items()
}


def _decimal(text: str) -> Decimal:
    value = Decimal(text.replace(",", "."))
    if not value.is_finite() or value < 0 or value >= Decimal("1000000"):
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


def parse_procedure_row(cells: tuple[str, ...]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The fields of a Procedure from a catalogue row, or the problems of the row."""
    problems: list[Problem] = []
    text = [unicodedata.normalize("NFC", c.strip()) for c in cells]
    values: dict[str, Any] = {}
    limits = {"code": CODE_MAX, "field": 255, "level": 64}
    for index, field in enumerate(PROCEDURE_FIELDS):
        value = text[index]
        name = field.alias
        if field.required and not value:
            problems.append((index, _("This value is required.")))
            continue
        if name in ("code", "name", "field", "level", "legal_basis"):
            if name in limits and len(value) > limits[name]:
                problems.append(
                    (index, _("Longer than %(max)s characters.") % {"max": limits[name]})
                )
            values[name] = value
        elif name in ("time_limit", "reduced_time_limit"):
            if not value:
                values[name] = None
                continue
            try:
                values[name] = _decimal(value)
            except InvalidOperation:
                problems.append(
                    (index, _("“%(v)s” is not a number of days or hours.") % {"v": value[:20]})
                )
        elif name == "time_unit":
            unit = _TIME_UNITS.get(fold(value)) if value else TimeUnit.WORKING_DAYS
            if unit is None:
                problems.append(
                    (
                        index,
                        _(
                            "Unknown time unit “%(v)s”: write “ngày làm việc”, “giờ làm việc” "
                            "or “ngày”."
                        )
                        % {"v": value[:40]},
                    )
                )
            values[name] = unit
        elif name == "online_level":
            level = _ONLINE_LEVELS.get(fold(value)) if value else OnlineLevel.NONE
            if level is None:
                problems.append(
                    (
                        index,
                        _(
                            "The online level must be 0 (none), 1 (một phần) or 2 (toàn trình), "
                            "not “%(v)s”."
                        )
                        % {"v": value[:20]},
                    )
                )
            values[name] = level
        elif name in ("fee_bearing", "paper_result"):
            flag = _YES_NO.get(fold(value)) if value else name == "paper_result"
            if flag is None:
                problems.append(
                    (index, _("Write 1 for yes or 0 for no, not “%(v)s”.") % {"v": value[:20]})
                )
            values[name] = flag
        elif name in ("valid_from", "valid_to"):
            if not value:
                values[name] = None
                continue
            try:
                values[name] = parse_date(value)
            except (ValueError, TypeError):
                problems.append((index, _("“%(v)s” is not a date.") % {"v": value[:40]}))
    if not problems:
        reduced, legal = values["reduced_time_limit"], values["time_limit"]
        if reduced is not None and reduced > legal:
            problems.append(
                (
                    PROCEDURE_FIELDS.index(PROCEDURE_FIELDS[6]),
                    _("The reduced time limit is longer than the legal one."),
                )
            )
        if (
            values["valid_from"]
            and values["valid_to"]
            and values["valid_to"] < values["valid_from"]
        ):
            problems.append((12, _("The end of validity is before its start.")))
    return (None, problems) if problems else (values, problems)
