"""The XLSX export of the survey results: a sheet per table of the results page, and the
free-text answers for the people who may read them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.surveys.models import Answer
from cchc.surveys.selectors import GroupRate, Satisfaction

MAX_TEXTS = 10_000
FORMULA_STARTS = ("=", "+", "-", "@")


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def results_workbook(result: Satisfaction, texts: Sequence[Answer] | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    book = Workbook()

    def sheet(title: str, headers: list[str], rows: list[list], widths: Sequence[int]):
        ws = book.create_sheet(title[:31])
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows:
            ws.append(row)
        for line in ws.iter_rows(min_row=2):
            for cell in line:
                # Citizens' text is text: "=HYPERLINK(…)" must not become a formula.
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
        for number, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(number)].width = width
        ws.freeze_panes = "A2"
        return ws

    summary = book.active
    summary.title = _("Summary")[:31]
    period = f"{result.start:%d/%m/%Y} – {result.end:%d/%m/%Y}"
    summary.append([_("Citizen satisfaction survey"), result.agency.name])
    summary["A1"].font = bold
    summary.append([_("Period"), period])
    summary.append([_("Responses"), result.responses])
    summary.append([_("Satisfaction index (%)"), _number(result.index)])
    summary.append([_("Target (%)"), _number(result.target)])
    met = result.target_met
    summary.append([_("Target met"), "" if met is None else (_("Yes") if met else _("No"))])
    summary.column_dimensions["A"].width = 32
    summary.column_dimensions["B"].width = 50

    sheet(
        _("Aspects"),
        [_("Aspect"), _("Satisfied answers"), _("Answers"), _("Satisfaction rate (%)")],
        [[a.name, a.tally.satisfied, a.tally.answers, _number(a.rate)] for a in result.aspects],
        (50, 18, 12, 22),
    )
    sheet(
        _("Questions"),
        [
            _("Aspect"),
            _("Question"),
            _("Version"),
            _("Satisfied answers"),
            _("Answers"),
            _("Satisfaction rate (%)"),
            _("Mean"),
        ],
        [
            [
                q.aspect,
                q.text,
                q.version,
                q.tally.satisfied,
                q.tally.answers,
                _number(q.rate),
                _number(q.mean),
            ]
            for q in result.questions
        ],
        (30, 70, 9, 18, 12, 22, 9),
    )
    aspect_names = [a.name for a in result.aspects]

    def grouped(title: str, first: str, rows: list[GroupRate]) -> None:
        sheet(
            title,
            [first, _("Responses"), *aspect_names, _("Satisfaction index (%)")],
            [
                [row.label, row.responses, *(_number(r) for r in row.rates), _number(row.index)]
                for row in rows
            ],
            (50, 12, *([18] * len(aspect_names)), 22),
        )

    grouped(_("Units"), _("Unit"), result.units)
    grouped(_("Procedures"), _("Procedure"), result.procedures)
    grouped(_("Months"), _("Month"), result.months)
    if texts is not None:
        ws = sheet(
            _("Free-text answers"),
            [_("Submitted"), _("Question"), _("Answer")],
            [
                [
                    timezone.localtime(answer.response.submitted_at).replace(tzinfo=None),
                    answer.question.text,
                    answer.text,
                ]
                for answer in texts
            ],
            (18, 40, 100),
        )
        for (cell,) in ws.iter_rows(min_row=2, max_col=1):
            cell.number_format = "dd/mm/yyyy hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
