"""Lines of a plan document → :class:`ParsedPlan` (DESIGN.md §1, Nghị định 30/2020 form).

The parser reads, in order:

* the header: agency lines (parent above issuer), quốc hiệu and tiêu ngữ (skipped), "Số: 15/KH-STP"
  (a blank number in a draft gives ``number=None``), "Bình Dương, ngày 20 tháng 01 năm 2026"
  (blank day or month gives ``date=None``); when a typed text puts both columns on one line
  ("SỞ TƯ PHÁP  CỘNG HÒA XÃ HỘI …") they are cut apart;
* the kind line "KẾ HOẠCH" and the title after it (joined over up to three lines); the plan year is
  the last "năm YYYY" of the title, else the year most often named as "năm YYYY" near the top of
  the body, else the date's year (+1 when dated October–December, when next year's plans are
  issued);
* the sections "I.", "II.", "III." (also "PHẦN I"), classified by their words (mục đích/mục
  tiêu/yêu cầu · nội dung/nhiệm vụ/giải pháp · tổ chức thực hiện/kinh phí/trách nhiệm), falling
  back to their numeral;
* the areas: numbered items of the task section — "1.", "1)", "1/", "II.1.", "2.1.", "Lĩnh vực 1:",
  "Lĩnh vực thứ nhất" — renumbered 1… (the written number is kept in ``original_number``); a
  number not above the current area's (a list inside a task) is text, not a new area;
* the tasks: "a)", "đ)", "a." (before a capital), "(a)", "aa)"; sub-items "1.1." count as tasks
  too. Unlabelled paragraphs and "-"/"+"/"•" bullets after a task continue it (joined with "\\n";
  lines soft-wrapped by a PDF or a plain-text editor are first re-joined with a space). An area
  without lettered tasks makes a task of each paragraph or "-" bullet ("+" bullets continue the
  one above; a paragraph ending in ":" before bullets is the area's intro). Labels always come
  out in Vietnamese alphabet order; a source that skips or repeats letters is relabelled and a
  warning says so;
* "Nơi nhận:" and the signer: title lines ("KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC", "TM. ỦY BAN NHÂN
  DÂN" / "CHỦ TỊCH") then a name of 2–5 capitalised words.

Legal references and targets are searched by ``references`` and ``targets``; a DOCX's appendix
tables go to ``appendix.parse_appendix_table`` when that module is present.
"""

from __future__ import annotations

import datetime as dt
import inspect
import os
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cchc.lib.vn_alphabet import label_for
from cchc.plans.importing.document import (
    Appendix,
    DocumentInfo,
    ParsedArea,
    ParsedPlan,
    ParsedTask,
    PlanImportError,
    Target,
)
from cchc.plans.importing.readers import read_document, read_path
from cchc.plans.importing.references import find_references
from cchc.plans.importing.targets import find_targets
from cchc.plans.importing.text import fold_chars, fold_words, is_upper_text, normalise

HEADER_SEARCH_LINES = 80
MAX_TITLE_LINES = 3

# --- line patterns --------------------------------------------------------------------------

_ROMAN_HEADING = re.compile(r"^(?P<num>[IVX]{1,5})\s*[.:)\-–]\s*(?P<title>.*)$")
_PART_HEADING = re.compile(
    r"^(?:PHẦN|Phần)\s+(?P<num>[IVX]{1,5}|thứ\s+\w+|THỨ\s+\w+)\s*[.:\-–]?\s*(?P<title>.*)$"
)
_AREA_DOTTED = re.compile(r"^(?P<parent>[IVX]{1,5}|\d{1,2})\.(?P<n>\d{1,2})\.?\s+(?P<title>\S.*)$")
_AREA_PLAIN = re.compile(r"^(?P<n>\d{1,2})\s*[.)/](?!\d)\s*(?P<title>.*)$")
_AREA_FIELD = re.compile(  # on folded text
    r"^(?:linh vuc|nhom nhiem vu)\s+(?:thu\s+)?(?P<n>\d{1,2}|[a-z]+)\s*(?:[:.\-–)]\s*|\s+|$)"
)
_SUB_ITEM = re.compile(r"^(?:[IVX]{1,5}|\d{1,2})(?:\.\d{1,2}){1,3}\.?\s+\S")
_TASK = re.compile(
    r"^(?:\((?P<l1>[a-zđ])\)|(?P<l2>[a-zđ]|(?P<dbl>[a-zđ])(?P=dbl))\s?\))\s*(?P<t1>.*)$"
    r"|^(?P<l3>[a-zđ])\.\s+(?P<t2>\S.*)$"
)
_BULLET = re.compile(r"^(?P<mark>[-–—+•●○▪■◦*·])\s*(?=\D|$)(?P<text>.*)$")
_SEPARATOR = re.compile(r"^[\s_\-–—=.*~]{3,}$")
_SO = re.compile(r"^(?:Số|SỐ|So|SO)\s*:?\s*(?P<num>[\w.…_ ]*?)\s*/\s*(?P<sym>[^\s,;]+)")
_PLACE_DATE = re.compile(r"(?P<place>[^,]*?)\s*,\s*(?=ngày\b)", re.IGNORECASE)
_DATE = re.compile(
    r"ngày[\s.…_]*(?P<d>\d{1,2})?[\s.…_/]*tháng[\s.…_]*(?P<m>\d{1,2})?[\s.…_/]*năm\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
_QUOC_HIEU = re.compile(r"cong hoa xa hoi chu nghia viet nam")
_TIEU_NGU = re.compile(r"doc lap\s*[-–—]?\s*tu do\s*[-–—]?\s*hanh phuc")
_YEAR_IN_TITLE = re.compile(r"năm\s+(\d{4})", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_KIND_LINE = re.compile(r"^(KẾ HOẠCH|CHƯƠNG TRÌNH)(?:\s+(?P<rest>.*))?$")

_SKIP_HEADER = {"du thao", "mat", "khan", "hoa toc", "thuong khan", "ban du thao"}
_AGENCY_PREFIXES = {"uy ban nhan dan", "ubnd", "hoi dong nhan dan", "hdnd"}
_ORDINALS = {
    "nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6,
    "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip
_SIGNER_TITLES = (
    "giam doc",
    "chu tich",
    "truong ban",
    "chanh van phong",
    "truong phong",
    "bi thu",
    "thu truong",
    "vien truong",
    "cuc truong",
    "hieu truong",
    "chanh an",
    "vien truong",
    "tong cuc truong",
)
_SIGNER_TAIL = re.compile(
    r"((?:(?:kt|tm|tl|tuq|q)\.\s*)?(?:[a-z]+\s+){0,3}(?:" + "|".join(_SIGNER_TITLES) + r")"
    r"(?:\s+[a-z]+){0,4})\s*$"
)
_DELEGATION = re.compile(r"^(?:kt|tm|tl|tuq|q)\.\s*\S")

GOALS, TASKS, ORGANISE, OTHER = "goals", "tasks", "organise", "other"


@dataclass
class _Para:
    line: int  # 1-based line of the normalised text
    text: str


@dataclass
class _Section:
    index: int  # in the paragraph list
    numeral: int | None
    title: str
    kind: str


@dataclass
class _AreaBuilder:
    original: str | None
    title: str
    line: int
    tasks: list[list] = field(default_factory=list)  # [source_label, [texts], line]
    pending: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, text, line)


# --- entry points ---------------------------------------------------------------------------


def parse_file(data: bytes, filename: str = "", *, max_bytes: int | None = None) -> ParsedPlan:
    """Read (see ``readers.read_document``) and parse a plan document.

    Raises PlanImportError with a message for the person and a ``code``; "not_a_plan" when the
    file reads but no areas or tasks are found."""
    document = read_document(data, filename, max_bytes=max_bytes)
    return parse_plan(document.lines, tables=document.tables)


def parse_path(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> ParsedPlan:
    """Like :func:`parse_file` for a file on disk; its size is checked before it is read."""
    document = read_path(path, max_bytes=max_bytes)
    return parse_plan(document.lines, tables=document.tables)


def parse_plan(lines: list[str], *, tables: list[list[list[str]]] | None = None) -> ParsedPlan:
    """Parse the lines of a plan (any normalisation form; they are normalised here) and, when
    given, the tables of its DOCX (handed to the appendix reader).

    Raises PlanImportError(code="not_a_plan") when neither areas nor tasks are found."""
    text = normalise("\n".join(lines))
    source = text.split("\n") if text else []
    plan = ParsedPlan(text=text)
    paras = _unwrap(source)

    kind_at = _find_kind_line(paras)
    header_end = kind_at if kind_at is not None else _header_end_without_kind(paras)
    hint = _read_header(paras[:header_end], plan.document)
    body_start = header_end
    if kind_at is not None:
        body_start = _read_title(paras, kind_at, plan.document)

    end = _find_distribution(paras, body_start)
    body = paras[body_start:end]
    sections = _sections(body)
    _read_signer(paras, end, plan.document)

    own = f"{plan.document.number}/{plan.document.symbol}".upper()
    joined = "\n".join(para.text for para in paras)  # wrapped lines re-joined
    plan.legal_references = [r for r in find_references(joined) if r.number.upper() != own]
    plan.targets = _targets(body, sections)
    task_parts = _task_regions(body, sections)
    for region, section_title in task_parts:
        plan.areas.extend(_read_areas(region, section_title, plan.warnings))
    _renumber(plan.areas, plan.warnings)
    plan.document.year = _plan_year(plan.document, body, hint)

    plan.appendix = Appendix(referenced="phu luc" in fold_chars(text))
    if tables:
        _read_tables(tables, plan)

    has_task_section = any(s.kind == TASKS for s in sections)
    if plan.task_count == 0 and not (plan.areas and (has_task_section or plan.document.kind)):
        raise PlanImportError(
            _("This does not look like a reform plan: no areas or tasks were found."),
            code="not_a_plan",
        )
    return plan


# --- paragraphs -----------------------------------------------------------------------------


def _is_item_start(text: str) -> bool:
    return bool(
        _TASK.match(text)
        or _BULLET.match(text)
        or _AREA_PLAIN.match(text)
        or _ROMAN_HEADING.match(text)
        or _SUB_ITEM.match(text)
    )


def _unwrap(lines: list[str]) -> list[_Para]:
    """Non-blank lines as paragraphs, re-joining lines that a PDF or an editor wrapped: a line
    that starts with a small letter (and no label) continues the line above it — across a blank
    line too, since some PDFs and editors double every line break — when that one does not end
    a sentence or a clause; so does a line starting with a digit right below it ("đạt trên" /
    "85%")."""
    paras: list[_Para] = []
    previous_blank = True
    for number, line in enumerate(lines, start=1):
        if not line:
            previous_blank = True
            continue
        if (
            paras
            and (line[0].islower() or (line[0].isdigit() and not previous_blank))
            and not paras[-1].text.endswith((".", ";", ":", "!", "?"))
            and not _is_item_start(line)
        ):
            paras[-1].text = f"{paras[-1].text} {line}"
        else:
            paras.append(_Para(number, line))
        previous_blank = False
    return paras


# --- header and title -----------------------------------------------------------------------


def _find_kind_line(paras: list[_Para]) -> int | None:
    for index, para in enumerate(paras):
        if index >= HEADER_SEARCH_LINES:
            break
        match = _KIND_LINE.match(para.text)
        if (
            match
            and (not match.group("rest") or not match.group("rest")[:1].isdigit())
            and (fold_words(para.text) in ("ke hoach", "chuong trinh") or index < 25)
        ):
            return index
    # a plan issued with a decision ("QUYẾT ĐỊNH … Ban hành Kế hoạch …"): the plan's own heading
    for index, para in enumerate(paras):
        if fold_words(para.text) in ("ke hoach", "chuong trinh") and para.text.isupper():
            return index
    return None


def _header_end_without_kind(paras: list[_Para]) -> int:
    for index, para in enumerate(paras[:HEADER_SEARCH_LINES]):
        folded = fold_words(para.text)
        if folded.startswith(("can cu", "thuc hien")) or _heading(para.text):
            return index
    return min(len(paras), 12)


def _read_header(paras: list[_Para], info: DocumentInfo) -> tuple[int, int | None] | None:
    """Fills issuer, number, symbol, place and date; returns (year, month) of the date line,
    which may be all a draft has ("ngày   tháng   năm 2025")."""
    agency: list[str] = []
    hint: tuple[int, int | None] | None = None
    for para in paras:
        line = para.text
        folded = fold_chars(line)
        for pattern in (_QUOC_HIEU, _TIEU_NGU):
            match = pattern.search(folded)
            if match:
                line = (line[: match.start()] + " " + line[match.end() :]).strip(" -–—_")
                folded = fold_chars(line)
        so = _SO.search(line) if info.symbol is None else None
        if so:
            number = so.group("num").strip(" .…_")
            info.number = number or None
            info.symbol = so.group("sym").rstrip(".")
            line = (line[: so.start()] + " " + line[so.end() :]).strip()
        date = _DATE.search(line)
        if date:
            place = _PLACE_DATE.search(line[: date.start() + 4])
            if place and place.group("place").strip():
                info.place = place.group("place").strip(" ,-")
            day, month, year = date.group("d"), date.group("m"), date.group("y")
            info.date = _safe_date(year, month, day)
            hint = (int(year), int(month) if month else None)
            line = line[: place.start() if place else date.start()].strip()
            if line and is_upper_text(line) and not _SEPARATOR.match(line):
                agency.append(line)
            break  # the place and date close the header of the Nghị định 30 form
        if not line or _SEPARATOR.match(line) or fold_words(line) in _SKIP_HEADER:
            continue
        if len(line) <= 100 and is_upper_text(line):
            agency.append(line)
    merged: list[str] = []
    for line in agency:
        if merged and fold_words(merged[-1]) in _AGENCY_PREFIXES:
            merged[-1] = f"{merged[-1]} {line}"
        else:
            merged.append(line)
    if merged:
        info.issuer = merged[-1]
        info.parent_issuer = " ".join(merged[:-1]) or None
    return hint


def _safe_date(year: str | None, month: str | None, day: str | None) -> dt.date | None:
    if not (year and month and day):
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _read_title(paras: list[_Para], kind_at: int, info: DocumentInfo) -> int:
    """Reads the kind line and the title after it; returns the index where the body starts."""
    match = _KIND_LINE.match(paras[kind_at].text)
    parts: list[str] = []
    if match:
        info.kind = match.group(1)
        if match.group("rest"):
            parts.append(match.group("rest"))
    index = kind_at + 1
    previous_line = paras[kind_at].line
    while index < len(paras) and len(parts) < MAX_TITLE_LINES:
        para = paras[index]
        text = para.text
        folded = fold_words(text)
        if (
            (parts and para.line > previous_line + 1)  # a blank line ends the title
            or _SEPARATOR.match(text)
            or text.startswith(("(", "["))
            or folded.startswith("can cu")
            or (parts and folded.startswith(("thuc hien ", "nham ", "de ")))
            or _heading(text)
            or len(text) > 200
        ):
            break
        parts.append(text)
        previous_line = para.line
        index += 1
        if text.endswith((".", ";", ":")):
            break
    info.title = " ".join(parts).strip() or None
    return index


def _plan_year(
    info: DocumentInfo, body: list[_Para], hint: tuple[int, int | None] | None
) -> int | None:
    if info.title:
        years = _YEAR_IN_TITLE.findall(info.title) or _YEAR.findall(info.title)
        if years:
            return int(years[-1])
    mentioned = Counter(
        int(y) for para in body[:60] for y in _YEAR_IN_TITLE.findall(para.text) if y.isdigit()
    )
    if mentioned:
        year, _count = mentioned.most_common(1)[0]
        return year
    if info.date:
        return info.date.year + (1 if info.date.month >= 10 else 0)
    if hint:
        year, month = hint
        return year + (1 if month and month >= 10 else 0)
    return None


# --- sections -------------------------------------------------------------------------------


def _roman_value(numeral: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, char in enumerate(numeral):
        value = values[char]
        total += -value if i + 1 < len(numeral) and values[numeral[i + 1]] > value else value
    return total if 0 < total <= 20 else None


def _heading(text: str) -> tuple[int | None, str] | None:
    """(numeral, title) of a section heading "II. NỘI DUNG, NHIỆM VỤ" / "PHẦN II …", else None."""
    match = _ROMAN_HEADING.match(text) or _PART_HEADING.match(text)
    if not match:
        return None
    raw = match.group("num")
    if raw[0] in "IVX":
        numeral = _roman_value(raw)
        if numeral is None:
            return None
    else:
        numeral = _ORDINALS.get(fold_words(raw).split()[-1])
    title = match.group("title").strip()
    if title and not (title[0].isupper() or title[0].isdigit()):
        return None  # "X. được" is no heading
    return numeral, title


def _classify(title: str) -> str:
    folded = fold_words(title)
    if any(
        w in folded
        for w in ("to chuc thuc hien", "trach nhiem", "kinh phi", "che do bao cao", "dieu khoan")
    ):
        return ORGANISE
    goals = any(w in folded for w in ("muc dich", "muc tieu", "yeu cau"))
    tasks = any(w in folded for w in ("nhiem vu", "noi dung", "giai phap", "trong tam"))
    if tasks and not (goals and folded.startswith(("muc dich", "muc tieu"))):
        return TASKS
    return GOALS if goals else OTHER


def _sections(body: list[_Para]) -> list[_Section]:
    sections: list[_Section] = []
    for index, para in enumerate(body):
        found = _heading(para.text)
        if found is None:
            continue
        numeral, title = found
        if not title and index + 1 < len(body):
            title = body[index + 1].text
        previous = sections[-1].numeral if sections else None
        if numeral is not None and previous is not None and 1 != numeral <= previous:
            continue  # "II." inside a section: a list, not the document's structure
        sections.append(_Section(index, numeral, title, _classify(title)))
    if sections and not any(s.kind == TASKS for s in sections):
        for section in sections:
            if section.numeral == 2 and section.kind == OTHER:
                section.kind = TASKS
    return sections


def _find_distribution(paras: list[_Para], start: int) -> int:
    for index in range(start, len(paras)):
        text = paras[index].text
        if text[:1] in "Nn" and fold_words(text[:12]).startswith("noi nhan"):
            return index
    return len(paras)


def _task_regions(body: list[_Para], sections: list[_Section]) -> list[tuple[list[_Para], str]]:
    tasks = [i for i, s in enumerate(sections) if s.kind == TASKS]
    if not tasks:
        return [(body, "")] if not sections else []
    regions = []
    for i in tasks:
        section = sections[i]
        stop = sections[i + 1].index if i + 1 < len(sections) else len(body)
        regions.append((body[section.index + 1 : stop], section.title))
    return regions


def _targets(body: list[_Para], sections: list[_Section]) -> list[Target]:
    goals_text, other_text = [], []
    bounds = [(s.index, sections[i + 1].index if i + 1 < len(sections) else len(body), s.kind)
              for i, s in enumerate(sections)]  # fmt: skip
    in_goals = set()
    for start, stop, kind in bounds:
        if kind == GOALS:
            in_goals.update(range(start, stop))
    for index, para in enumerate(body):
        (goals_text if index in in_goals else other_text).append(para.text)
    found = find_targets("\n".join(goals_text))
    seen = {(t.indicator, t.value, t.unit) for t in found}
    for target in find_targets("\n".join(other_text), require_trigger=True):
        if (target.indicator, target.value, target.unit) not in seen:
            seen.add((target.indicator, target.value, target.unit))
            found.append(target)
    return found


# --- areas and tasks ------------------------------------------------------------------------


def _area_start(text: str, style: str | None) -> tuple[str, int, str, str] | None:
    """(style, number, written number, title) when ``text`` opens an area in ``style``
    (or in any style while none is set yet)."""
    candidates = []
    if style in (None, "dotted"):
        match = _AREA_DOTTED.match(text)
        if match:
            written = f"{match.group('parent')}.{match.group('n')}"
            candidates.append(("dotted", int(match.group("n")), written, match.group("title")))
    if style in (None, "plain") and not candidates:
        match = _AREA_PLAIN.match(text)
        if match and not _SUB_ITEM.match(text):
            number = match.group("n")
            candidates.append(("plain", int(number), number, match.group("title")))
    if style in (None, "field") and not candidates:
        folded = fold_chars(text)
        match = _AREA_FIELD.match(folded)
        if match:
            raw = match.group("n")
            number = int(raw) if raw.isdigit() else _ORDINALS.get(raw)
            if number is not None:
                written = text[match.start("n") : match.end("n")]
                title = text[match.end() :].strip(" :.-–")
                candidates.append(("field", number, written, title))
    return candidates[0] if candidates else None


def _task_start(text: str) -> tuple[str | None, str] | None:
    match = _TASK.match(text)
    if match:
        label = match.group("l1") or match.group("l2") or match.group("l3")
        body = match.group("t1") if match.group("t1") is not None else match.group("t2")
        if match.group("l3") and not body[:1].isupper():
            return None
        return label, (body or "").strip()
    if _SUB_ITEM.match(text):
        return None, text
    return None


def _read_areas(region: list[_Para], section_title: str, warnings: list[str]) -> list[ParsedArea]:
    areas: list[_AreaBuilder] = []
    style: str | None = None
    current_number = 0
    skipping = False  # inside a goals/organisation item when there are no sections at all
    index = 0
    while index < len(region):
        para = region[index]
        text = para.text
        index += 1
        start = _area_start(text, style)
        if start is not None and (start[1] > current_number or not areas):
            found_style, number, written, title = start
            if not title and index < len(region) and not _is_item_start(region[index].text):
                title = region[index].text
                index += 1
            if not section_title and _classify(title) in (GOALS, ORGANISE):
                skipping = True  # "1. Mục đích" of a plan written without sections
                style = style or found_style
                current_number = number
                continue
            skipping = False
            style = style or found_style
            current_number = number
            areas.append(_AreaBuilder(written, title.strip(), para.line))
            continue
        if skipping:
            continue
        task = _task_start(text)
        if task is not None and (task[0] is not None or areas):
            if not areas:
                areas.append(_AreaBuilder(None, section_title, para.line))
                warnings.append(
                    _("The tasks are not grouped in numbered areas; they were put in one area.")
                )
            area = areas[-1]
            area.tasks.append([task[0], [task[1]] if task[1] else [], para.line])
            continue
        if not areas:
            continue  # the section's introduction
        area = areas[-1]
        bullet = _BULLET.match(text)
        if area.tasks:
            area.tasks[-1][1].append(text)
        else:
            kind = ("sub" if bullet.group("mark") == "+" else "bullet") if bullet else "para"
            area.pending.append((kind, bullet.group("text").strip() if bullet else text, para.line))
    return [_finish_area(area, warnings) for area in areas]


def _finish_area(builder: _AreaBuilder, warnings: list[str]) -> ParsedArea:
    area = ParsedArea(
        number=0, title=builder.title, line=builder.line, original_number=builder.original
    )
    if builder.tasks:
        area.intro = "\n".join(text for _kind, text, _line in builder.pending)
        raw = builder.tasks
    else:
        raw = []
        has_bullets = any(kind == "bullet" for kind, _t, _l in builder.pending)
        intro: list[str] = []
        for position, (kind, text, line) in enumerate(builder.pending):
            next_kind = (
                builder.pending[position + 1][0] if position + 1 < len(builder.pending) else None
            )
            if kind == "para" and has_bullets and text.endswith(":") and next_kind == "bullet":
                if raw:
                    raw[-1][1].append(text)
                else:
                    intro.append(text)
            elif kind == "sub" and raw:
                raw[-1][1].append(f"+ {text}")
            else:
                raw.append([None, [text], line])
        area.intro = "\n".join(intro)
    labels = [source for source, _texts, _line in raw]
    expected = [label_for(i) for i in range(len(raw))]
    written = [label for label in labels if label is not None]
    if written and labels != expected:
        warnings.append(
            _(
                "Area “%(area)s”: the task labels (%(labels)s) were not in alphabet order; "
                "they were relabelled %(expected)s."
            )
            % {
                "area": builder.title[:60],
                "labels": ", ".join(label or "–" for label in labels),
                "expected": ", ".join(expected),
            }
        )
    for position, (source, texts, line) in enumerate(raw):
        area.tasks.append(
            ParsedTask(
                label=expected[position],
                text="\n".join(t for t in texts if t).strip(),
                line=line,
                source_label=source,
            )
        )
    return area


def _renumber(areas: list[ParsedArea], warnings: list[str]) -> None:
    written = [area.original_number for area in areas]
    for position, area in enumerate(areas, start=1):
        area.number = position
    plain = [w for w in written if w is not None]
    if plain and [w.split(".")[-1] for w in plain] != [str(i) for i in range(1, len(plain) + 1)]:
        warnings.append(
            _("The areas were numbered %(written)s; they were renumbered 1 to %(count)d.")
            % {"written": ", ".join(plain), "count": len(areas)}
        )


# --- signer ---------------------------------------------------------------------------------


def _is_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 50:
        return False
    if any(not w.isalpha() or not w[0].isupper() for w in words):
        return False
    folded = fold_words(text)
    return not any(title in folded for title in _SIGNER_TITLES) and folded != "nhu tren"


def _signer_title(text: str) -> str | None:
    """The signer's title on this line (or at its end, when a typed text put the distribution
    list and the signature block side by side)."""
    folded = fold_chars(text)
    match = _SIGNER_TAIL.search(folded)
    if match is None:
        if _DELEGATION.match(folded) and is_upper_text(text):
            return text
        return None
    candidate = text[match.start(1) :].strip()
    if not is_upper_text(candidate):
        return None
    return candidate


def _read_signer(paras: list[_Para], start: int, info: DocumentInfo) -> None:
    stop = len(paras)
    for index in range(start + 1, len(paras)):
        if fold_words(paras[index].text).startswith("phu luc") and paras[index].text.isupper():
            stop = index
            break
    if start >= len(paras):
        start = max(0, len(paras) - 25)
    titles: list[str] = []
    for para in paras[start:stop]:
        text = para.text
        if titles:
            title = _signer_title(text)
            if title is not None and not _is_name(text):
                titles.append(title)
                continue
            if _is_name(text):
                info.signer = text
                break
            tail = re.split(r"[;:.)]\s*", text)[-1].strip()
            if _is_name(tail):
                info.signer = tail
                break
            continue
        title = _signer_title(text)
        if title is not None:
            titles.append(title)
    if titles:
        info.signer_title = " / ".join(titles)


# --- appendix tables ------------------------------------------------------------------------


def _read_tables(tables: list[list[list[str]]], plan: ParsedPlan) -> None:
    try:
        from cchc.plans.importing import appendix as appendix_module
    except ModuleNotFoundError as error:  # the appendix reader is optional
        if error.name and error.name.endswith("importing.appendix"):
            return
        raise
    parse = getattr(appendix_module, "parse_appendix_table", None)
    if parse is None:
        return
    accepts = inspect.signature(parse).parameters
    year = plan.document.year or (plan.document.date.year if plan.document.date else None)
    year = year or dt.date.today().year
    is_appendix = getattr(appendix_module, "is_appendix_table", None)
    for rows in tables:
        if is_appendix is not None and not is_appendix(rows):
            continue
        kwargs = {}
        if "year" in accepts:
            kwargs["year"] = year
        if "first_row" in accepts:
            kwargs["first_row"] = 1
        try:
            result = parse(rows, **kwargs)
        except PlanImportError as error:
            plan.warnings.append(error.message)
            continue
        tasks = getattr(result, "tasks", result) or []
        plan.appendix.tasks.extend(tasks)
        plan.appendix.warnings.extend(getattr(result, "warnings", []))
        if tasks:
            plan.appendix.referenced = True
