"""File → lines (and tables) for the plan parser.

The kind of a file comes from its content, never from its name (``cchc.lib.uploads``): a DOCX is
an Office ZIP whose directory has been checked against zip bombs before anything is unpacked; a
PDF must have a text layer; anything else must decode as text (UTF-8 with or without BOM,
UTF-16 with BOM, else Windows-1258, the legacy Vietnamese code page).

DOCX: paragraphs are read in body order. Small layout tables (the two-column header of the
Nghị định 30/2020 form, the "Nơi nhận | signer" block at the end) are flattened cell by cell into
lines; other tables (the appendix of tasks) are returned as rows of cell texts in
``ReadDocument.tables`` for ``importing.appendix``. Word's automatic numbering is not part of a
paragraph's text, so "a)" or "1." produced by a numbered list would be lost: the labels are
rebuilt from ``word/numbering.xml`` (decimal, letters — Vietnamese alphabet —, roman, bullets →
"-") for paragraphs that carry ``w:numPr`` directly or through their style.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cchc.lib.uploads import detect_kind
from cchc.lib.vn_alphabet import label_for
from cchc.plans.importing.document import PlanImportError
from cchc.plans.importing.text import fold_words, normalise

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 300
MAX_DOCX_XML_BYTES = 40 * 1024 * 1024  # word/document.xml unpacked; a 300-page plan is ~3 MB
MAX_LINES = 200_000

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass
class ReadDocument:
    lines: list[str]
    tables: list[list[list[str]]] = field(default_factory=list)
    kind: Literal["docx", "txt", "pdf"] = "txt"


def not_a_document() -> PlanImportError:
    return PlanImportError(
        _("The file is not a plan: a .docx, .txt or .pdf file with a text layer is expected."),
        code="not_a_document",
    )


def max_upload_bytes() -> int:
    """The size limit of a plan document: ``CCHC_IMPORT_MAX_BYTES``, else the general upload
    limit, else 20 MB."""
    limit = getattr(settings, "CCHC_IMPORT_MAX_BYTES", None)
    if limit is None:
        limit = getattr(settings, "CCHC_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    return int(limit)


def check_size(size: int, max_bytes: int | None = None) -> None:
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if size == 0:
        raise PlanImportError(_("The file is empty."), code="empty")
    if size > limit:
        raise PlanImportError(
            _("The file is %(size)d MB; a plan may be at most %(limit)d MB.")
            % {"size": -(-size // (1024 * 1024)), "limit": max(1, limit // (1024 * 1024))},
            code="too_large",
        )


def read_path(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> ReadDocument:
    """Read a plan from disk; the size is checked before a single byte is read."""
    check_size(os.stat(path).st_size, max_bytes)
    with open(path, "rb") as handle:
        data = handle.read()
    return read_document(data, os.fspath(path), max_bytes=max_bytes)


def read_document(data: bytes, filename: str = "", *, max_bytes: int | None = None) -> ReadDocument:
    """The lines (normalised, see ``text.normalise``) and tables of a plan document.

    Raises PlanImportError (codes: empty, too_large, not_a_document, unsafe_archive,
    password_protected, legacy_format, damaged, no_text, too_many_pages)."""
    check_size(len(data), max_bytes)
    try:
        kind = detect_kind(io.BytesIO(data))
    except ValidationError as error:
        raise PlanImportError(" ".join(error.messages), code="unsafe_archive") from None
    if kind == "docx":
        lines, tables = _read_docx(data)
        document = ReadDocument(lines=lines, tables=tables, kind="docx")
    elif kind == "pdf":
        document = ReadDocument(lines=_read_pdf(data), kind="pdf")
    elif kind is not None:  # an image or a spreadsheet
        raise not_a_document()
    elif data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in data[: 1024 * 1024] or _ENCRYPTED_PACKAGE in data[-65536:]:
            raise PlanImportError(
                _("The document is password protected. Remove the password and upload it again."),
                code="password_protected",
            )
        raise PlanImportError(
            _("This is an old Word (.doc) file. Save it as .docx and upload it again."),
            code="legacy_format",
        )
    elif data.startswith(b"PK\x03\x04"):
        raise not_a_document()
    else:
        document = ReadDocument(lines=_text_lines(_decode_text(data)), kind="txt")
    if not any(line.strip() for line in document.lines) and not document.tables:
        raise PlanImportError(_("The file is empty."), code="empty")
    return document


def _text_lines(text: str) -> list[str]:
    lines = normalise(text).split("\n")
    if len(lines) > MAX_LINES:
        raise PlanImportError(
            _("The document has more than %(count)d lines; this is not a plan.")
            % {"count": MAX_LINES},
            code="too_large",
        )
    return lines


# --- text -----------------------------------------------------------------------------------

_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _decode_text(data: bytes) -> str:
    """Decode a text file, refusing binaries (images we do not know, executables, archives)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_a_document() from None
    else:
        if b"\x00" in data[:65536]:
            raise not_a_document()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1258")
            except UnicodeDecodeError:
                raise not_a_document() from None
    sample = text[:65536]
    controls = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f\v") or c == "\x7f")
    if "\x00" in sample or controls > max(2, len(sample) // 100):
        raise not_a_document()
    return text


# --- PDF ------------------------------------------------------------------------------------


def _read_pdf(data: bytes) -> list[str]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # An owner password alone still lets anyone read; a user password does not.
            try:
                opened = reader.decrypt("")
            except Exception:  # unsupported algorithm (pypdf needs a crypto library for AES)
                opened = 0
            if not opened:
                raise PlanImportError(
                    _("The PDF is password protected. Remove the password and upload it again."),
                    code="password_protected",
                )
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise PlanImportError(
                _("The PDF has %(count)d pages; a plan may have at most %(limit)d.")
                % {"count": count, "limit": MAX_PDF_PAGES},
                code="too_many_pages",
            )
        texts = [page.extract_text() or "" for page in reader.pages]
    except PlanImportError:
        raise
    except Exception:  # a hostile PDF can make pypdf raise nearly anything
        raise PlanImportError(_("The PDF is damaged and cannot be read."), code="damaged") from None
    text = "\n".join(texts)
    if sum(1 for c in text if c.isalnum()) < 20:
        raise PlanImportError(
            _(
                "This is a scanned PDF without a text layer. Upload the .docx of the plan or a "
                "PDF exported from the word processor."
            ),
            code="no_text",
        )
    return _text_lines(text)


# --- DOCX -----------------------------------------------------------------------------------

_APPENDIX_HEADINGS = ("stt", "tt", "so tt", "noi dung", "nhiem vu", "ten nhiem vu")


def _read_docx(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            size = archive.getinfo("word/document.xml").file_size
        except KeyError:
            raise not_a_document() from None
    if size > MAX_DOCX_XML_BYTES:
        raise PlanImportError(_("The document is too large to be a plan."), code="too_large")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx/lxml raise many kinds for a broken package
        raise PlanImportError(
            _("The Word document is damaged and cannot be read."), code="damaged"
        ) from None

    numbering = _Numbering(document)
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    tag_p, tag_tbl, tag_sdt = qn("w:p"), qn("w:tbl"), qn("w:sdt")
    tag_content = qn("w:sdtContent")
    body = document.element.body

    def paragraph_lines(element, parent) -> None:
        paragraph = Paragraph(element, parent)
        text = paragraph.text
        prefix = numbering.prefix(paragraph)
        if prefix and text.strip():
            text = f"{prefix} {text.lstrip()}"
        lines.extend(text.split("\n") if text else [""])

    def walk(container, parent) -> None:
        for child in container.iterchildren():
            if child.tag == tag_p:
                paragraph_lines(child, parent)
            elif child.tag == tag_tbl:
                table = Table(child, parent)
                rows = _table_rows(table)
                if _is_layout_table(rows):
                    for row in table.rows:
                        seen: set[int] = set()
                        for cell in row.cells:
                            if id(cell._tc) in seen:
                                continue
                            seen.add(id(cell._tc))
                            walk(cell._tc, cell)
                    lines.append("")
                else:
                    tables.append(rows)
            elif child.tag == tag_sdt:
                content = child.find(tag_content)
                if content is not None:
                    walk(content, parent)

    try:
        walk(body, document._body)
    except Exception:  # XML that python-docx loaded but whose elements it cannot read
        raise PlanImportError(
            _("The Word document is damaged and cannot be read."), code="damaged"
        ) from None
    return _text_lines("\n".join(lines)), tables


def _table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        rows.append([normalise(cell.text) for cell in row.cells])
    return rows


def _is_layout_table(rows: list[list[str]]) -> bool:
    """The Nghị định 30 header and the signature block are small tables used for layout;
    an appendix has a heading row (STT, Nội dung nhiệm vụ, …) or many rows and columns."""
    if not rows:
        return True
    width = max(len(row) for row in rows)
    first = {fold_words(cell) for cell in rows[0]}
    if any(cell in first for cell in _APPENDIX_HEADINGS) or any(
        "chu tri" in cell or "thoi gian" in cell for cell in first
    ):
        return False
    return width <= 3 and len(rows) <= 4


class _Numbering:
    """Rebuilds the visible labels of Word's automatic numbering (``w:numPr``)."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str, int] | None] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part
            return

        def val(element, default=None):
            return default if element is None else element.get(qn("w:val"), default)

        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for definition in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in definition.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                start = val(lvl.find(qn("w:start")), "1")
                levels[ilvl] = (
                    val(lvl.find(qn("w:numFmt")), "decimal"),
                    val(lvl.find(qn("w:lvlText")), ""),
                    int(start) if start.isdigit() else 1,
                )
            abstract[definition.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            levels = dict(abstract.get(val(num.find(qn("w:abstractNumId"))), {}))
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = val(override.find(qn("w:startOverride")))
                if ilvl in levels and start and start.isdigit():
                    fmt, text, _start = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start))
            self.levels[num.get(qn("w:numId"))] = levels
        self._bind_styles(document)

    def _num_pr(self, paragraph) -> tuple[str, int] | None:
        qn = self.qn
        ppr = paragraph._p.pPr
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is None:
            return self._style_num_pr(paragraph._p.style)
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        if num_id is None:
            return None
        level = ilvl.get(qn("w:val"), "0") if ilvl is not None else "0"
        return num_id.get(qn("w:val")), int(level) if level.isdigit() else 0

    def _style_num_pr(self, style_id: str | None) -> tuple[str, int] | None:
        if not style_id or not self.levels:
            return None
        return self.style_num.get(style_id)

    def _bind_styles(self, document) -> None:
        qn = self.qn
        styles = {s.get(qn("w:styleId")): s for s in document.styles.element.findall(qn("w:style"))}
        for style_id in styles:
            seen, current = set(), style_id
            while current and current not in seen:
                seen.add(current)
                element = styles.get(current)
                if element is None:
                    break
                num_pr = element.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
                if num_pr is not None:
                    num_id = num_pr.find(qn("w:numId"))
                    ilvl = num_pr.find(qn("w:ilvl"))
                    level = ilvl.get(qn("w:val"), "0") if ilvl is not None else "0"
                    if num_id is not None:
                        self.style_num[style_id] = (num_id.get(qn("w:val")), int(level))
                    break
                based = element.find(qn("w:basedOn"))
                current = based.get(qn("w:val")) if based is not None else None

    def prefix(self, paragraph) -> str:
        if not self.levels:
            return ""
        found = self._num_pr(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, template, start = levels[ilvl]
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def render(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt, _text, level_start = levels.get(level, ("decimal", "", 1))
            return _format_number(counters.get(level, level_start), level_fmt)

        return re.sub(r"%(\d)", render, template).strip()


_ROMAN = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(number: int) -> str:
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), *_ROMAN):  # fmt: skip
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _format_number(number: int, fmt: str) -> str:
    number = max(number, 1)
    if fmt == "lowerLetter":
        return label_for(number - 1)  # Vietnamese order: a b c d đ e g …
    if fmt == "upperLetter":
        return label_for(number - 1).upper()
    if fmt == "lowerRoman":
        return _roman(number)
    if fmt == "upperRoman":
        return _roman(number).upper()
    return str(number)
