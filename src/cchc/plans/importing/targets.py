"""Measurable goals of a plan (DESIGN.md §1, section I "Mục tiêu, yêu cầu").

Percentages are read as written ("100%", "90 %", "90,5%" with the Vietnamese decimal comma) and
mapped to a standard indicator by the words nearest to them in the same clause:

=================  ==========================================================================
satisfaction       "hài lòng"
on_time            "đúng hạn", "trước hạn", "đúng thời hạn"
online_payment     "thanh toán trực tuyến" (online payment — an extra value beside the five
                   standard indicators, the rate DESIGN.md §4.3 calls online_payment_rate)
online_usage       "trực tuyến" when the clause is about dossiers or public services
                   ("hồ sơ", "dịch vụ công", "DVC", "thủ tục hành chính")
digitization       "số hóa"
time_reduction     "cắt giảm"/"rút ngắn"/"giảm" together with "thời gian"; in "50% TTHC được
                   cắt giảm ít nhất 30% thời gian" the 50 % (the share of procedures, as in
                   DESIGN.md §4.3) is the goal; the "30% thời gian" threshold is no target
score:<INDEX>      a percentage of a ranking index ("Chỉ số CCHC đạt từ 85% trở lên")
None               any other percentage goal
=================  ==========================================================================

Ranking goals name an index (PAR INDEX / Chỉ số CCHC, PCI, PAPI, DTI, SIPAS, ICT, PGI) and give
``rank:<INDEX>`` with: "top 10" / "tốp 10" / "trong 15 đơn vị dẫn đầu" → value 10, unit "top";
"xếp thứ 5" / "vị trí thứ 5" / "hạng 5" → value 5, unit "rank"; "nhóm A" / "loại A" → value
None, unit "group:A" (also "group:Xuất sắc", "group:Tốt"); "tăng 3 bậc" → value 3, unit
"places_up".
"""

from __future__ import annotations

import re

from cchc.plans.importing.document import Target
from cchc.plans.importing.text import fold_chars

TRIGGERS = (
    "phan dau",
    "dat ",
    "toi thieu",
    "it nhat",
    "tren ",
    "tro len",
    "≥",
    ">=",
    "bao dam",
    "dam bao",
    "top",
    "nhom",
    "xep hang",
    "duy tri",
    "giu vung",
)

_PERCENT = re.compile(r"(?<![\d,.])(\d{1,3}(?:[,.]\d{1,2})?)\s?%")
_CLAUSE_SPLIT = re.compile(r";|\n|\.(?=\s+[A-ZĐÀ-Ỹ])|:\s(?=\s*[-+•])")

# folded keyword → indicator, in the folded (accent-free, lowercase) text
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("thanh toan truc tuyen", "online_payment"),
    ("hai long", "satisfaction"),
    ("dung han", "on_time"),
    ("truoc han", "on_time"),
    ("dung thoi han", "on_time"),
    ("dung hen", "on_time"),
    ("so hoa", "digitization"),
    ("truc tuyen", "online_usage"),
    ("cat giam", "time_reduction"),
    ("rut ngan", "time_reduction"),
)
_ONLINE_CONTEXT = ("ho so", "dich vu cong", "dvc", "thu tuc hanh chinh", "tthc")

_INDICES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bpar[\s-]?index\b|chi so (?:cai cach hanh chinh|cchc)\b"), "PAR_INDEX"),
    (re.compile(r"\bpci\b|nang luc canh tranh"), "PCI"),
    (re.compile(r"\bpapi\b|hieu qua quan tri va hanh chinh cong"), "PAPI"),
    (re.compile(r"\bdti\b|chi so chuyen doi so"), "DTI"),
    (re.compile(r"\bsipas\b|chi so hai long"), "SIPAS"),
    (re.compile(r"\bict(?:[\s-]?index)?\b|chi so san sang"), "ICT"),
    (re.compile(r"\bpgi\b|chi so xanh"), "PGI"),
)
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7,
    "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip
_RANKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bt[o]p\s*(\d{1,3})\b"), "top"),
    (
        re.compile(
            r"\b(?:trong|thuoc|vao)\s+(?:nhom\s+)?(\d{1,3})\s+(?:don vi|dia phuong|tinh|"
            r"so|co quan|xa|phuong|bo)[\w\s,]{0,40}?dan dau"
        ),
        "top",
    ),
    (re.compile(r"\b(?:xep\s+)?(?:thu|hang|vi tri|vi tri thu|thu hang)\s+(\d{1,3})\b"), "rank"),
    (re.compile(r"\btang\s+(?:it nhat\s+|tu\s+)?(\d{1,3})\s+(?:bac|hang)\b"), "places_up"),
    (re.compile(r"\b(?:nhom|loai|xep loai)\s+([abc])\b"), "group"),
    (re.compile(r"\bnhom\s+(xuat sac|tot|kha)\b"), "group"),
)
_GROUP_NAMES = {"xuat sac": "Xuất sắc", "tot": "Tốt", "kha": "Khá"}


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _CLAUSE_SPLIT.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _nearest_indicator(folded: str, before: tuple[int, int], after: tuple[int, int], clause: str):
    """The indicator whose keyword is nearest to the number: first in the words before it (back
    to the previous number of the clause), else in the words after it."""
    online_ok = any(word in clause for word in _ONLINE_CONTEXT)

    def scan(start: int, end: int, from_end: bool) -> str | None:
        best: tuple[int, str] | None = None
        segment = folded[start:end]
        masked = segment.replace("thanh toan truc tuyen", "thanh toan ############")
        for keyword, indicator in _KEYWORDS:
            haystack = segment if indicator == "online_payment" else masked
            position = haystack.rfind(keyword) if from_end else haystack.find(keyword)
            if position < 0:
                continue
            if indicator == "online_usage" and not online_ok:
                continue
            if indicator == "time_reduction" and "thoi gian" not in clause:
                continue
            distance = len(segment) - position if from_end else position
            if best is None or distance < best[0]:
                best = (distance, indicator)
        return best[1] if best else None

    found = scan(*before, from_end=True)
    if found is None:
        found = scan(*after, from_end=False)
    if found is None and "thoi gian" in clause and re.search(r"\bgiam\b", clause):
        found = "time_reduction"
    return found


def _index_mentions(folded: str) -> list[tuple[int, str]]:
    mentions = []
    for pattern, name in _INDICES:
        for match in pattern.finditer(folded):
            mentions.append((match.start(), name))
    mentions.sort()
    # "Chỉ số hài lòng (SIPAS)" names one index twice
    unique: list[tuple[int, str]] = []
    for position, name in mentions:
        if not unique or unique[-1][1] != name:
            unique.append((position, name))
    return unique


def _clause_targets(clause: str, folded: str) -> list[Target]:
    targets: list[Target] = []
    text = " ".join(clause.split()).strip(" -+•,.:")
    indices = _index_mentions(folded)

    ranks: list[tuple[int, int, float | None, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, unit in _RANKS:
        for match in pattern.finditer(folded):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            raw = match.group(1)
            if unit == "group":
                name = raw.upper() if len(raw) == 1 else _GROUP_NAMES[raw]
                ranks.append((match.start(), match.end(), None, f"group:{name}"))
            else:
                ranks.append((match.start(), match.end(), float(raw), unit))
            taken.append(match.span())
    ranks.sort()
    if indices:
        previous_end = 0
        previous_names: list[str] = []
        for start, end, value, unit in ranks:
            names = [n for p, n in indices if previous_end <= p < start] or previous_names
            if not names:
                names = [n for p, n in indices if p >= end][:1]
            for name in dict.fromkeys(names):
                targets.append(Target(f"rank:{name}", value, unit, text))
            previous_end, previous_names = end, names

    percents = list(_PERCENT.finditer(clause))
    reductions: list[tuple[Target, bool]] = []
    for i, match in enumerate(percents):
        value = float(match.group(1).replace(",", "."))
        if value > 100:
            continue
        before = (percents[i - 1].end() if i else 0, match.start())
        after = (match.end(), percents[i + 1].start() if i + 1 < len(percents) else len(clause))
        near_index = [n for p, n in indices if before[0] <= p < match.start()]
        indicator = _nearest_indicator(folded, before, after, folded)
        if near_index and near_index[-1] not in ("SIPAS",) and indicator != "satisfaction":
            indicator = f"score:{near_index[-1]}"
        elif near_index and near_index[-1] == "SIPAS":
            indicator = "satisfaction"
        target = Target(indicator, value, "%", text)
        targets.append(target)
        if indicator == "time_reduction":
            reductions.append((target, folded[match.end() :].lstrip().startswith("thoi gian")))
    if len(reductions) > 1 and not all(cut for _t, cut in reductions):
        # "50% TTHC được cắt giảm ít nhất 30% thời gian": the goal is the share of procedures
        # (time_reduction_coverage, DESIGN.md §4.3); "30% thời gian" is only its threshold.
        thresholds = [id(target) for target, cut in reductions if cut]
        targets = [target for target in targets if id(target) not in thresholds]
    return targets


def find_targets(text: str, *, require_trigger: bool = False) -> list[Target]:
    """The measurable goals in ``text`` (NFC), one per number, in order, deduplicated by
    (indicator, value, unit). With ``require_trigger`` only clauses that state a goal
    ("phấn đấu", "đạt", "tối thiểu", "ít nhất", "trên", "≥", "top", "nhóm" …) are read —
    for the parts of a plan other than its goals section."""
    folded_all = fold_chars(text)
    targets: list[Target] = []
    seen: set[tuple[str | None, float | None, str | None]] = set()
    for start, end in _clauses(text):
        folded = folded_all[start:end]
        if "%" not in folded and not any(pattern.search(folded) for pattern, _ in _INDICES):
            continue
        if require_trigger and not any(word in folded for word in TRIGGERS):
            continue
        for target in _clause_targets(text[start:end], folded):
            key = (target.indicator, target.value, target.unit)
            if key in seen:
                continue
            seen.add(key)
            targets.append(target)
    return targets
