"""What the importer finds in a plan document: plain data, independent of the database.

``ParsedPlan.as_json()`` is the contract of ``cchc import_plan --json`` (issue 3): keys and
shapes must not change; extra keys are allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


class PlanImportError(Exception):
    """The file is not something we can read as a plan; ``message`` is for the person."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class DocumentInfo:
    kind: str | None = None  # "KẾ HOẠCH"
    number: str | None = None  # "15" of "Số: 15/KH-STP"; None when blank in a draft
    symbol: str | None = None  # "KH-STP"
    place: str | None = None  # "Bình Dương"
    date: dt.date | None = None  # None when "ngày   tháng   năm 2025"
    title: str | None = None  # "Cải cách hành chính năm 2026 của Sở Tư pháp"
    issuer: str | None = None  # "SỞ TƯ PHÁP"
    parent_issuer: str | None = None  # "UBND TỈNH BÌNH DƯƠNG"
    signer: str | None = None  # name of the signer
    signer_title: str | None = None  # "GIÁM ĐỐC", "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"
    year: int | None = None  # the plan year, from the title


@dataclass
class LegalReference:
    kind: str  # "Quyết định", "Nghị định", "Kế hoạch", "Kết luận", "Luật", …
    number: str  # as written: "1234/QĐ-UBND", "61/2018/NĐ-CP", "28-KL/TW"
    date: dt.date | None = None
    issuer: str | None = None  # "Chủ tịch UBND tỉnh", "Chính phủ"
    text: str = ""  # the sentence or clause it was found in


@dataclass
class Target:
    indicator: str | None  # satisfaction | on_time | online_usage | digitization |
    #                        time_reduction | rank:PAR_INDEX | rank:PCI | … | None
    value: float | None
    unit: str | None  # "%", "top", "group", …
    text: str = ""


@dataclass
class ParsedTask:
    label: str  # "a", "b", … "đ" …
    text: str  # the task, continuation paragraphs and bullets joined with "\n"
    line: int | None = None  # 1-based line of the source text where it starts
    source_label: str | None = None  # the label as written, before relabelling; None if none


@dataclass
class ParsedArea:
    number: int  # 1 … 7 (as numbered in section II, renumbered 1… when written otherwise)
    title: str
    tasks: list[ParsedTask] = field(default_factory=list)
    line: int | None = None
    original_number: str | None = None  # as written: "1", "II.1", "thứ nhất"; None if implied
    intro: str = ""  # paragraphs of the area before its first task


@dataclass
class AppendixTask:
    """One row of "Phụ lục các nhiệm vụ cụ thể"."""

    row: int  # 1-based row in the sheet or table, for error messages
    number: str  # STT as written: "1", "1.1", "I", "a"
    text: str
    lead_unit: str | None = None  # as written
    coordinating_units: list[str] = field(default_factory=list)
    due: str | None = None  # as written: "30/6/2026", "Tháng 6/2026", "Quý II", "Thường xuyên"
    due_date: dt.date | None = None  # resolved, when it names a date or a period's end
    recurrence: str | None = None  # once | monthly | quarterly | yearly
    product: str | None = None
    note: str | None = None
    area: int | None = None  # the reform area (1…7) of the group heading it stands under


@dataclass
class Appendix:
    referenced: bool = False  # the document says "kèm theo Phụ lục"
    tasks: list[AppendixTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # rows skipped or not understood


@dataclass
class ParsedPlan:
    document: DocumentInfo = field(default_factory=DocumentInfo)
    legal_references: list[LegalReference] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    areas: list[ParsedArea] = field(default_factory=list)
    appendix: Appendix = field(default_factory=Appendix)
    text: str = ""  # the normalised source text, shown beside the tree in the preview
    warnings: list[str] = field(default_factory=list)

    @property
    def task_count(self) -> int:
        return sum(len(a.tasks) for a in self.areas) + len(self.appendix.tasks)

    def as_json(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        data = plain(asdict(self))
        data.pop("text")
        return data
