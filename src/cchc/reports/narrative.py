"""The narrative paragraphs of a report that data cannot write (DESIGN.md §4.7), pre-filled with
the relevant facts for the Office to edit before generating.

Keys: ``direction`` (I), ``area_2`` … ``area_7`` (the notable results of each area of II),
``strengths``, ``weaknesses``, ``causes`` (III), ``next_tasks`` (IV), ``proposals`` (V).
Vietnamese content, written as the report's own language.
"""

from __future__ import annotations

from typing import Any

from cchc.indicators.selectors import MET
from cchc.reports.formatting import vn_number, vn_percent

NARRATIVE_KEYS = (
    "direction",
    "area_2",
    "area_3",
    "area_4",
    "area_5",
    "area_6",
    "area_7",
    "strengths",
    "weaknesses",
    "causes",
    "next_tasks",
    "proposals",
)

# Rates compared with the plan's targets, with their wording.
RATE_WORDS = {
    "on_time_rate": "Tỷ lệ hồ sơ giải quyết đúng hạn",
    "online_rate": "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
    "digitization_rate": "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC",
    "online_payment_rate": "Tỷ lệ hồ sơ thanh toán trực tuyến",
    "time_reduction_coverage": "Tỷ lệ TTHC được cắt giảm thời gian giải quyết",
    "feedback_on_time_rate": "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
    "handling_satisfaction_rate": "Mức độ hài lòng trong giải quyết TTHC",
}


def _area(snapshot: dict[str, Any], number: int) -> dict[str, Any] | None:
    for row in snapshot["plan"]["areas"]:
        if row["number"] == number:
            return row
    return None


def _area_text(snapshot: dict[str, Any], number: int) -> str:
    row = _area(snapshot, number)
    if row is None or not row["planned"]:
        return "Trong kỳ, lĩnh vực này không có nhiệm vụ trong kế hoạch."
    notable = [t for t in snapshot["plan"]["notable"] if t["area"] == number]
    parts = [
        f"Hoàn thành {row['done']}/{row['planned']} nhiệm vụ theo kế hoạch "
        f"(đạt {vn_percent(row['progress'])})."
    ]
    if notable:
        done = "; ".join(
            t["title"] + (f" (sản phẩm: {t['product']})" if t["product"] else "") for t in notable
        )
        parts.append(f"Các nhiệm vụ hoàn thành trong kỳ: {done}.")
    if row["overdue"]:
        parts.append(f"Còn {row['overdue']} nhiệm vụ chậm tiến độ.")
    return " ".join(parts)


def target_comparisons(snapshot: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Sentences for the rates that reached their target and those that did not."""
    reached, missed = [], []
    for row in snapshot["targets"]:
        if row["kind"] != "value" or row["value"] is None or row["target"] is None:
            continue
        words = RATE_WORDS.get(row["rate"], row["label"])
        value, target = vn_percent(row["value"]), vn_percent(row["target"])
        if row["status"] == MET:
            reached.append(f"{words} đạt {value}, đạt chỉ tiêu {target}")
        else:
            missed.append(f"{words} đạt {value}, thấp hơn chỉ tiêu {target}")
    return reached, missed


def default_narrative(snapshot: dict[str, Any]) -> dict[str, str]:
    plan = snapshot["plan"]
    totals = plan["totals"] or {}
    rates = snapshot["dossiers"]["rates"]
    counts = snapshot["dossiers"]["counts"]
    reached, missed = target_comparisons(snapshot)
    narrative = dict.fromkeys(NARRATIVE_KEYS, "")

    if plan["exists"]:
        narrative["direction"] = (
            f"Triển khai Kế hoạch cải cách hành chính năm {snapshot['period']['year']}"
            + (f" ({plan['symbol']})" if plan.get("symbol") else "")
            + f"; trong kỳ hoàn thành {totals['done']}/{totals['planned']} nhiệm vụ "
            f"(đạt {vn_percent(totals['progress'])}). {_area_text(snapshot, 1)}"
        )
    else:
        narrative["direction"] = "Chưa ban hành kế hoạch cải cách hành chính năm trên hệ thống."
    for number in range(2, 8):
        narrative[f"area_{number}"] = _area_text(snapshot, number) if plan["exists"] else ""

    strengths = []
    if rates.get("on_time_rate") is not None:
        strengths.append(
            f"Tiếp nhận {vn_number(counts['received'])} hồ sơ TTHC; "
            f"tỷ lệ hồ sơ giải quyết đúng hạn đạt {vn_percent(rates['on_time_rate'])}"
        )
    strengths += reached
    narrative["strengths"] = (
        ("; ".join(strengths) + ".") if strengths else "Các nhiệm vụ được triển khai theo kế hoạch."
    )
    weaknesses = list(missed)
    if totals.get("overdue"):
        weaknesses.append(f"còn {totals['overdue']} nhiệm vụ chậm tiến độ so với kế hoạch")
    if counts.get("late"):
        weaknesses.append(f"còn {vn_number(counts['late'])} hồ sơ giải quyết quá hạn")
    narrative["weaknesses"] = (
        ("; ".join(weaknesses) + ".") if weaknesses else "Không có tồn tại đáng kể trong kỳ."
    )
    # The units' own words, each said once, without their closing full stops.
    reasons = list(
        dict.fromkeys(
            t["reason"].strip().rstrip(".;").strip()
            for t in plan["overdue"]
            if t["reason"] and t["reason"].strip().rstrip(".;").strip()
        )
    )
    narrative["causes"] = (
        "Nguyên nhân chậm tiến độ theo báo cáo của các đơn vị: " + "; ".join(reasons[:5]) + "."
        if reasons
        else "Nguyên nhân khách quan và chủ quan: (đơn vị bổ sung)."
    )
    narrative["next_tasks"] = (
        "Tiếp tục thực hiện các nhiệm vụ còn lại của kế hoạch; tập trung khắc phục các nhiệm vụ "
        "chậm tiến độ và các chỉ tiêu chưa đạt."
    )
    narrative["proposals"] = "Không có."
    return narrative
