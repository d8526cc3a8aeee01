"""Legal and party documents cited in a plan: "Căn cứ Quyết định số 1234/QĐ-UBND ngày
15/12/2025 của Chủ tịch UBND tỉnh về …", "Nghị định 61/2018/NĐ-CP", "Kết luận số 28-KL/TW".

The search starts from the number-and-symbol token (it must contain a "/" and a capital letter,
so dates never match) and looks back for the kind of document within the same clause; when the
clause names none, the kind comes from the symbol (NĐ-CP → Nghị định, QH → Luật, KL → Kết luận…).
A citation without a number ("Luật Tổ chức chính quyền địa phương ngày 19/02/2025") is skipped:
the number is what identifies a document and what the references are deduplicated by.
"""

from __future__ import annotations

import datetime as dt
import re

from cchc.plans.importing.document import LegalReference

KINDS = (
    "Thông tư liên tịch",
    "Nghị quyết liên tịch",
    "Bộ luật",
    "Luật",
    "Pháp lệnh",
    "Nghị định",
    "Nghị quyết",
    "Quyết định",
    "Chỉ thị",
    "Thông tư",
    "Kế hoạch",
    "Kết luận",
    "Quy định",
    "Quy chế",
    "Công văn",
    "Văn bản",
    "Hướng dẫn",
    "Chương trình",
    "Đề án",
    "Thông báo",
    "Hiến pháp",
)
_KIND_RE = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(k) for k in KINDS) + r")(?![\w])",
)
# Document type codes of the symbol (Nghị định 30/2020, Phụ lục III; party documents: Quy định
# 66-QĐ/TW) → the kind shown when the clause does not name it.
_KIND_BY_CODE = {
    "NĐ": "Nghị định",
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "QĐI": "Quy định",
    "CT": "Chỉ thị",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
    "KH": "Kế hoạch",
    "KL": "Kết luận",
    "QC": "Quy chế",
    "HD": "Hướng dẫn",
    "CTR": "Chương trình",
    "ĐA": "Đề án",
    "TB": "Thông báo",
    "QH": "Luật",
    "UBTVQH": "Nghị quyết",
}

_SEGMENT = r"(?:\d{4}|[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*)"
NUMBER_RE = re.compile(
    r"(?<![\w/.-])(?P<number>\d{1,5}[a-z]?(?:[/-]" + _SEGMENT + r")+)(?![\w/])",
)
_DATE_AFTER = re.compile(
    r"\A[\s,]*(?:ban hành\s+)?ngày\s+(?:(?P<d1>\d{1,2})\s*[/.-]\s*(?P<m1>\d{1,2})\s*[/.-]\s*"
    r"(?P<y1>\d{4})|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4}))",
    re.IGNORECASE,
)
_ISSUER_AFTER = re.compile(
    r"\A[\s,]*của\s+(?P<issuer>.+?)\s*(?=\s(?:về|quy định|ban hành|hướng dẫn|phê duyệt|sửa đổi|"
    r"thực hiện|triển khai|và|với|tại)(?:[\s,;:.]|$)|[,;:()\n]|\.(?:\s|$)|$)",
)
_OWN_NUMBER = re.compile(r"(?:^|\n)\s*S[ốỐ]\s*:\s*\S*$")
_ITEM_MARK = re.compile(r"^(?:\(?[a-zđ]\)|\d{1,2}[.)]|[-+•*])\s*")
_MAX_ISSUER = 90
_MAX_TEXT = 400


def _kind_from_symbol(number: str) -> str:
    codes = re.split(r"[/-]", number.upper())[1:]
    for code in codes:
        if code in _KIND_BY_CODE:
            return _KIND_BY_CODE[code]
        for prefix in ("UBTVQH", "QH"):
            if code.startswith(prefix) and code[len(prefix) :].isdigit():
                return _KIND_BY_CODE[prefix]
    return "Văn bản"


def _clause_start(text: str, position: int) -> int:
    """Where the clause holding ``position`` starts: after a newline, ";" or a sentence end."""
    start = max(text.rfind("\n", 0, position), text.rfind(";", 0, position))
    sentence = text.rfind(". ", 0, position)
    return max(start, sentence + 1 if sentence >= 0 else -1) + 1


def _clause_end(text: str, position: int) -> int:
    ends = [
        i
        for i in (text.find("\n", position), text.find(";", position), text.find(". ", position))
        if i >= 0
    ]
    return min(ends) if ends else len(text)


def _safe_date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def find_references(text: str) -> list[LegalReference]:
    """Every cited document that has a number, in order of first citation, deduplicated by
    number (later citations fill a missing date or issuer)."""
    found: dict[str, LegalReference] = {}
    previous_end = 0
    for match in NUMBER_RE.finditer(text):
        number = match.group("number").rstrip(".-")
        if not re.search(r"[A-ZĐ]", number) or "/" not in number:
            continue
        start = match.start()
        if _OWN_NUMBER.search(text, max(0, start - 40), start):
            previous_end = match.end()
            continue  # "Số: 15/KH-STP" is the plan itself
        clause_start = _clause_start(text, start)
        window_start = max(clause_start, previous_end, start - 200)
        kinds = list(_KIND_RE.finditer(text, window_start, start))
        kind = kinds[-1].group(1) if kinds else _kind_from_symbol(number)
        if kind == "Văn bản":
            kind = _kind_from_symbol(number) if not kinds else kind
        rest = text[match.end() : match.end() + 300]
        date = None
        date_match = _DATE_AFTER.match(rest)
        if date_match:
            groups = date_match.groupdict()
            date = _safe_date(
                groups["y1"] or groups["y2"],
                groups["m1"] or groups["m2"],
                groups["d1"] or groups["d2"],
            )
            rest = rest[date_match.end() :]
        issuer = None
        issuer_match = _ISSUER_AFTER.match(rest)
        if issuer_match:
            issuer = issuer_match.group("issuer").strip(" .")
            if not issuer or len(issuer) > _MAX_ISSUER:
                issuer = None
        clause = text[clause_start : _clause_end(text, match.end())].strip(" ;,.")
        clause = _ITEM_MARK.sub("", clause)
        if len(clause) > _MAX_TEXT:
            clause = clause[: _MAX_TEXT - 1].rstrip() + "…"
        previous_end = match.end()
        key = number.upper()
        if key in found:
            existing = found[key]
            existing.date = existing.date or date
            existing.issuer = existing.issuer or issuer
            continue
        found[key] = LegalReference(kind=kind, number=number, date=date, issuer=issuer, text=clause)
    return list(found.values())
