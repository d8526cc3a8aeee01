"""Renders a periodic report as DOCX from a Word template with docxtpl (DESIGN.md §4.7).

``build_context(snapshot, narrative, …)`` turns the snapshot (plain figures) into the strings
the template shows, written the Vietnamese way; ``CONTEXT_KEYS`` are the names a template may
use. ``template_check(file)`` lists the placeholders of a template the context does not provide,
so an uploaded template can be refused with that list.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import IO, Any

from docxtpl import DocxTemplate

from cchc.reports.default_template import DEFAULT_PATH
from cchc.reports.formatting import DASH, vn_date, vn_long_date, vn_number, vn_percent
from cchc.reports.narrative import NARRATIVE_KEYS, RATE_WORDS, default_narrative

# Dossier figures of the statistics table: (key in counts/rates, Vietnamese label, is a rate).
DOSSIER_ROWS = (
    ("received", "Số hồ sơ tiếp nhận", False),
    ("in_scope", "Số hồ sơ thuộc kỳ đánh giá (đã và đang giải quyết)", False),
    ("on_time", "Số hồ sơ giải quyết đúng hạn", False),
    ("late", "Số hồ sơ quá hạn", False),
    ("online", "Số hồ sơ tiếp nhận trực tuyến", False),
    ("digitized", "Số hồ sơ được số hóa", False),
    ("paid_online", "Số hồ sơ thanh toán trực tuyến", False),
    ("on_time_rate", RATE_WORDS["on_time_rate"], True),
    ("online_rate", RATE_WORDS["online_rate"], True),
    ("digitization_rate", RATE_WORDS["digitization_rate"], True),
    ("online_payment_rate", RATE_WORDS["online_payment_rate"], True),
    ("procedures_online_rate", "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", True),
    ("time_reduction_coverage", RATE_WORDS["time_reduction_coverage"], True),
    ("handling_satisfaction_rate", RATE_WORDS["handling_satisfaction_rate"], True),
)
DEFAULT_RECIPIENTS = ("Sở Nội vụ (để báo cáo)", "Lãnh đạo {abbr}", "Lưu: VT, VP")
CONTEXT_KEYS = frozenset(
    {
        "parent_upper",
        "agency_upper",
        "agency_name",
        "abbr",
        "number",
        "place",
        "date_text",
        "period_label",
        "window_text",
        "n",
        "area_one",
        "areas",
        "area_rows",
        "totals_text",
        "dossier_text",
        "targets_text",
        "dossier_rows",
        "feedback_text",
        "feedback_rows",
        "par_text",
        "overdue_rows",
        "recipients",
        "signer_title",
        "signer_name",
        "generated_at",
    }
)


def _parent_upper(parent: str) -> str:
    if not parent:
        return ""
    text = parent.upper()
    return text if text.startswith(("UBND", "ỦY BAN", "UỶ BAN")) else f"UBND {text}"


def _place(parent: str) -> str:
    for prefix in ("Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "):
        if parent.startswith(prefix):
            return parent[len(prefix) :]
    return parent or "…"


def _figures(row: dict[str, Any]) -> str:
    return (
        f"Số nhiệm vụ theo kế hoạch: {row['planned']}; đã hoàn thành: {row['done']} "
        f"(trong kỳ: {row['done_in_period']}); chậm tiến độ: {row['overdue']}; "
        f"tỷ lệ hoàn thành: {vn_percent(row['progress'])}."
    )


def _target_of(snapshot: dict[str, Any], rate: str) -> float | None:
    for row in snapshot["targets"]:
        if row["rate"] == rate and row["kind"] == "value" and row["target"] is not None:
            return row["target"]
    return None


def _dossier_text(snapshot: dict[str, Any]) -> str:
    counts = snapshot["dossiers"]["counts"]
    rates = snapshot["dossiers"]["rates"]
    previous = snapshot["dossiers_previous"]["rates"]
    text = (
        f"Trong kỳ tiếp nhận {vn_number(counts['received'])} hồ sơ TTHC "
        f"({vn_number(counts['online'])} hồ sơ trực tuyến, "
        f"tỷ lệ {vn_percent(rates['online_rate'])}); giải quyết đúng hạn "
        f"{vn_number(counts['on_time'])}/{vn_number(counts['in_scope'])} hồ sơ, "
        f"tỷ lệ hồ sơ giải quyết đúng hạn đạt {vn_percent(rates['on_time_rate'])} "
        f"(cùng kỳ năm trước: {vn_percent(previous['on_time_rate'])}); "
        f"quá hạn {vn_number(counts['late'])} hồ sơ; "
        f"tỷ lệ số hóa hồ sơ đạt {vn_percent(rates['digitization_rate'])}; "
        f"tỷ lệ thanh toán trực tuyến đạt {vn_percent(rates['online_payment_rate'])}."
    )
    return text


def _targets_text(snapshot: dict[str, Any]) -> str:
    from cchc.reports.narrative import target_comparisons

    reached, missed = target_comparisons(snapshot)
    if not reached and not missed:
        return "Kế hoạch chưa có chỉ tiêu đo được từ dữ liệu hồ sơ."
    return "So với chỉ tiêu kế hoạch: " + "; ".join(reached + missed) + "."


def _feedback(snapshot: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    fb = snapshot["feedback"]
    satisfaction = snapshot["satisfaction_index"]
    text = (
        f"Tiếp nhận {vn_number(fb['received'])} phản ánh, kiến nghị; đến hạn xử lý "
        f"{vn_number(fb['due'])}, xử lý đúng hạn {vn_number(fb['answered_on_time'])} "
        f"(tỷ lệ {vn_percent(fb['on_time_rate'])}); đang xử lý {vn_number(fb['open'])}, "
        f"trong đó quá hạn {vn_number(fb['overdue'])}. Chỉ số hài lòng qua khảo sát: "
        f"{vn_percent(satisfaction)}."
    )
    rows = [
        ("Số phản ánh, kiến nghị tiếp nhận", vn_number(fb["received"])),
        ("Số phản ánh, kiến nghị đến hạn xử lý", vn_number(fb["due"])),
        ("Số được xử lý đúng hạn", vn_number(fb["answered_on_time"])),
        (RATE_WORDS["feedback_on_time_rate"], vn_percent(fb["on_time_rate"])),
        ("Số đang xử lý (tại thời điểm lập báo cáo)", vn_number(fb["open"])),
        ("Số quá hạn (tại thời điểm lập báo cáo)", vn_number(fb["overdue"])),
        ("Điểm đánh giá trung bình của người gửi", vn_number(fb["rating_mean"])),
        ("Chỉ số hài lòng qua khảo sát", vn_percent(satisfaction)),
    ]
    return text, [
        {"index": str(i), "label": label, "value": value}
        for i, (label, value) in enumerate(rows, 1)
    ]


def _par_text(snapshot: dict[str, Any]) -> str:
    par = snapshot["par_index"]
    if par is None:
        return f"Chưa mở đợt đánh giá Chỉ số CCHC năm {snapshot['period']['year']}."
    parts = [f"Đánh giá Chỉ số CCHC năm {par['year']}: {par['status_label']}"]
    if par["self_total"] is not None:
        parts.append(f"điểm tự đánh giá {vn_number(par['self_total'])}")
    if par["appraisal_total"] is not None:
        parts.append(f"điểm thẩm định {vn_number(par['appraisal_total'])}")
    if par["final_total"] is not None:
        parts.append(f"điểm cuối cùng {vn_number(par['final_total'])}")
    if par["final_percent"] is not None:
        parts.append(f"chỉ số {vn_percent(par['final_percent'])}")
    if par["band"]:
        parts.append(f"xếp loại {par['band_name'] or par['band']}")
    return "; ".join(parts) + "."


DEFAULT_SIGNER_TITLE = "GIÁM ĐỐC"


def default_options(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the header and signature say when the Office leaves them blank."""
    agency = snapshot["agency"]
    abbr = agency["short_name"] or agency["code"]
    return {
        "place": _place(agency["parent"]),
        "signer_title": DEFAULT_SIGNER_TITLE,
        "recipients": [line.format(abbr=abbr) for line in DEFAULT_RECIPIENTS],
    }


def build_context(
    snapshot: dict[str, Any],
    narrative: dict[str, str] | None = None,
    *,
    number: str = "      ",
    place: str | None = None,
    date: dt.date | None = None,
    signer_title: str = DEFAULT_SIGNER_TITLE,
    signer_name: str = "",
    recipients: list[str] | None = None,
) -> dict[str, Any]:
    """The template context: every key of ``CONTEXT_KEYS``, strings ready to print."""
    agency = snapshot["agency"]
    period = snapshot["period"]
    plan = snapshot["plan"]
    texts = default_narrative(snapshot)
    texts.update({k: v for k, v in (narrative or {}).items() if k in NARRATIVE_KEYS})
    by_number = {row["number"]: row for row in plan["areas"]}
    empty = {"planned": 0, "done": 0, "done_in_period": 0, "overdue": 0, "progress": None}
    areas = []
    for index, number_ in enumerate(range(2, 8), 1):
        row = by_number.get(number_)
        if row is None:
            continue
        areas.append(
            {
                "index": index,
                "number": number_,
                "title": row["title"],
                "figures": _figures(row),
                "narrative": texts.get(f"area_{number_}", ""),
            }
        )
    area_rows = [
        {
            "index": str(i),
            "title": row["title"],
            "planned": vn_number(row["planned"]),
            "done": vn_number(row["done"]),
            "done_in_period": vn_number(row["done_in_period"]),
            "overdue": vn_number(row["overdue"]),
            "progress": vn_percent(row["progress"]),
        }
        for i, row in enumerate(plan["areas"], 1)
    ]
    totals = plan["totals"]
    if totals:
        area_rows.append(
            {
                "index": "",
                "title": "Tổng cộng",
                "planned": vn_number(totals["planned"]),
                "done": vn_number(totals["done"]),
                "done_in_period": vn_number(totals["done_in_period"]),
                "overdue": vn_number(totals["overdue"]),
                "progress": vn_percent(totals["progress"]),
            }
        )
        totals_text = (
            f"Kế hoạch có {totals['planned']} nhiệm vụ; đã hoàn thành {totals['done']} "
            f"(đạt {vn_percent(totals['progress'])}), trong đó {totals['done_in_period']} nhiệm vụ "
            f"hoàn thành trong kỳ; {totals['overdue']} nhiệm vụ chậm tiến độ."
        )
    else:
        totals_text = "Chưa có kế hoạch cải cách hành chính năm trên hệ thống."
    counts = snapshot["dossiers"]["counts"]
    rates = snapshot["dossiers"]["rates"]
    prev_counts = snapshot["dossiers_previous"]["counts"]
    prev_rates = snapshot["dossiers_previous"]["rates"]
    dossier_rows = []
    for i, (key, label, is_rate) in enumerate(DOSSIER_ROWS, 1):
        show = vn_percent if is_rate else vn_number
        current = rates.get(key) if is_rate else counts.get(key)
        previous = prev_rates.get(key) if is_rate else prev_counts.get(key)
        target = _target_of(snapshot, key) if is_rate else None
        dossier_rows.append(
            {
                "index": str(i),
                "label": label,
                "value": show(current),
                "previous": show(previous),
                "target": vn_percent(target) if target is not None else DASH,
            }
        )
    feedback_text, feedback_rows = _feedback(snapshot)
    abbr = agency["short_name"] or agency["code"]
    return {
        "parent_upper": _parent_upper(agency["parent"]),
        "agency_upper": agency["name"].upper(),
        "agency_name": agency["name"],
        "abbr": abbr,
        "number": number,
        "place": place or _place(agency["parent"]),
        "date_text": vn_long_date(date) if date else f"ngày      tháng      năm {period['year']}",
        "period_label": period["label_vi"],
        "window_text": f"từ ngày {vn_date(period['start'])} đến ngày {vn_date(period['end'])}",
        "n": texts,
        "area_one": {
            "figures": _figures(by_number.get(1, empty)) if plan["exists"] else "",
        },
        "areas": areas,
        "area_rows": area_rows,
        "totals_text": totals_text,
        "dossier_text": _dossier_text(snapshot),
        "targets_text": _targets_text(snapshot),
        "dossier_rows": dossier_rows,
        "feedback_text": feedback_text,
        "feedback_rows": feedback_rows,
        "par_text": _par_text(snapshot),
        "overdue_rows": [
            {
                "code": t["code"],
                "title": t["title"],
                "due": vn_date(t["due_date"]),
                "unit": t["unit"],
                "reason_text": f": {t['reason']}" if t["reason"] else "",
            }
            for t in plan["overdue"]
        ],
        "recipients": recipients
        if recipients is not None
        else [line.format(abbr=abbr) for line in DEFAULT_RECIPIENTS],
        "signer_title": signer_title,
        "signer_name": signer_name,
        "generated_at": snapshot["generated_at"],
    }


def render_docx(
    snapshot: dict[str, Any],
    narrative: dict[str, str] | None = None,
    *,
    template: str | Path | IO[bytes] | None = None,
    **options: Any,
) -> bytes:
    """The report as DOCX bytes, from ``template`` (the default one when None)."""
    document = DocxTemplate(template if template is not None else DEFAULT_PATH)
    document.render(build_context(snapshot, narrative, **options), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def template_check(file: str | Path | IO[bytes]) -> list[str]:
    """The placeholders ``file`` uses that the context does not provide, sorted (empty: fine)."""
    document = DocxTemplate(file)
    return sorted(document.get_undeclared_template_variables() - CONTEXT_KEYS)
