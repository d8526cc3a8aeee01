"""The key figures of a stored snapshot, as the report page lists them beside the text."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cchc.reports.formatting import DASH, vn_number, vn_percent


def figures_summary(snapshot: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(label, value shown the Vietnamese way)]) for the page's side table."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    totals = (snapshot.get("plan") or {}).get("totals")
    if totals:
        sections.append(
            (
                _("Plan"),
                [
                    (_("Tasks planned"), vn_number(totals["planned"])),
                    (_("Tasks done"), vn_number(totals["done"])),
                    (_("Done within the period"), vn_number(totals["done_in_period"])),
                    (_("Overdue tasks"), vn_number(totals["overdue"])),
                    (_("Plan progress"), vn_percent(totals["progress"])),
                ],
            )
        )
    counts = snapshot["dossiers"]["counts"]
    rates = snapshot["dossiers"]["rates"]
    previous = snapshot["dossiers_previous"]["rates"]
    sections.append(
        (
            _("Dossiers"),
            [
                (_("Dossiers received"), vn_number(counts["received"])),
                (_("On time"), vn_number(counts["on_time"])),
                (_("Late"), vn_number(counts["late"])),
                (_("On-time rate"), vn_percent(rates["on_time_rate"])),
                (_("Same period last year"), vn_percent(previous["on_time_rate"])),
                (_("Online rate"), vn_percent(rates["online_rate"])),
                (_("Digitisation rate"), vn_percent(rates["digitization_rate"])),
                (_("Online payment rate"), vn_percent(rates["online_payment_rate"])),
            ],
        )
    )
    feedback = snapshot["feedback"]
    sections.append(
        (
            _("Citizens"),
            [
                (_("Feedback received"), vn_number(feedback["received"])),
                (_("Feedback handled on time"), vn_percent(feedback["on_time_rate"])),
                (_("Satisfaction index"), vn_percent(snapshot["satisfaction_index"])),
            ],
        )
    )
    par = snapshot.get("par_index")
    if par:
        percent = par.get("final_percent")
        sections.append(
            (
                _("PAR INDEX"),
                [
                    (_("Status"), par["status_label"]),
                    (_("Self-assessed score"), vn_number(par["self_total"])),
                    (_("Index"), vn_percent(percent) if percent is not None else DASH),
                ],
            )
        )
    return sections
