"""Builds the default Word template of the periodic CCHC report (DESIGN.md §4.7) with
python-docx, in the form of Nghị định 30/2020/NĐ-CP: A4, Times New Roman 14 pt (13 pt in
tables), margins top/bottom 20 mm, left 30 mm, right 15 mm, the agency header with quốc hiệu and
tiêu ngữ, "Số: …/BC-…", place and date, title, outline I–V, "Nơi nhận", signer and the statistics
appendix. Placeholders are docxtpl (Jinja) tags over the context of ``docx_render.build_context``.

The generated file is committed at ``templates_docx/bao_cao_cchc.docx`` (so a province can
download it, edit it in Word and upload its own); ``test_default_template`` checks that the
committed file is what ``build()`` produces. After changing this module run
``python -m cchc.reports.default_template`` to write it again.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 13
DEFAULT_PATH = Path(__file__).resolve().parent / "templates_docx" / "bao_cao_cchc.docx"
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)

OUTLINE = (
    "I. Công tác chỉ đạo, điều hành",
    "II. Kết quả thực hiện các nhiệm vụ CCHC",
    "III. Đánh giá chung",
    "IV. Nhiệm vụ trọng tâm kỳ tới",
    "V. Kiến nghị, đề xuất",
)
APPENDIX_TITLE = "PHỤ LỤC. SỐ LIỆU THỐNG KÊ"


def _font(style_or_run, size: int, *, bold: bool | None = None) -> None:
    font = style_or_run.font
    font.name = FONT
    font.size = Pt(size)
    font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        font.bold = bold
    r_pr = style_or_run.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    # Theme fonts win over named ones in Word and LibreOffice: the built-in headings name the
    # theme's (Calibri Light), so without this they would not print in Times New Roman.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    _font(normal, BODY_PT)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    for name, size in (("Heading 1", BODY_PT), ("Heading 2", BODY_PT), ("Title", BODY_PT)):
        style = document.styles[name]
        _font(style, size, bold=True)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    title = document.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The built-in Title style has a bottom border; Nghị định 30 has none.
    p_pr = title.element.get_or_add_pPr()
    for border in p_pr.findall(qn("w:pBdr")):
        p_pr.remove(border)
    _font(document.styles["Table Grid"], TABLE_PT)


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)


def _para(
    container,
    text: str = "",
    *,
    size: int | None = None,
    bold=False,
    italic=False,
    align=None,
    style: str | None = None,
    indent: bool = False,
    space_after: int = 6,
):
    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size is not None:
            run.font.size = Pt(size)
    fmt = paragraph.paragraph_format
    fmt.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        fmt.first_line_indent = Cm(1)
    fmt.space_after = Pt(space_after)
    return paragraph


def _tag(container, text: str) -> None:
    """A paragraph holding only a docxtpl block tag ({%p … %}); removed when rendered."""
    container.add_paragraph(text)


def _cell(cell, text: str, *, bold=False, italic=False, size=TABLE_PT, align=None):
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    run.font.size = Pt(size)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.LEFT
    return paragraph


def _no_borders(table) -> None:
    table.alignment = WD_TABLE_ALIGNMENT.CENTER


def _widths(table, widths) -> None:
    """Column widths in the grid (what LibreOffice reads) and in every cell (what Word reads)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _header(document) -> None:
    table = document.add_table(rows=2, cols=2)
    _no_borders(table)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _widths(table, (Cm(6.0), Cm(10.5)))
    left, right = table.rows[0].cells
    _cell(left, "{{ parent_upper }}", size=13, align=center)
    left.add_paragraph()
    _cell_extra(left, "{{ agency_upper }}", bold=True, size=13, align=center)
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13, align=center)
    _cell_extra(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14, align=center)
    number, place = table.rows[1].cells
    _cell(number, "Số: {{ number }}/BC-{{ abbr }}", size=13, align=center)
    _cell(place, "{{ place }}, {{ date_text }}", italic=True, size=14, align=center)
    # the empty paragraph added above is dropped (a cell's first paragraph holds the first line)
    left._tc.remove(left.paragraphs[1]._p)


def _cell_extra(cell, text: str, **options) -> None:
    paragraph = cell.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = options.get("bold") or None
    run.italic = options.get("italic") or None
    run.font.size = Pt(options.get("size", TABLE_PT))
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.alignment = options.get("align", WD_ALIGN_PARAGRAPH.LEFT)


def _loop_table(document, headers: list[str], fields: list[str], loop: str, widths: list[float]):
    """A bordered table: a header row, and one row per item of ``loop`` (``{%tr for … %}``)."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    center = WD_ALIGN_PARAGRAPH.CENTER
    for index, header in enumerate(headers):
        _cell(table.rows[0].cells[index], header, bold=True, align=center)
    _cell(table.rows[1].cells[0], "{%tr for r in " + loop + " %}")
    for index, name in enumerate(fields):
        align = WD_ALIGN_PARAGRAPH.LEFT if index in (0, 1) else WD_ALIGN_PARAGRAPH.RIGHT
        _cell(table.rows[2].cells[index], "{{ r." + name + " }}", align=align)
    _cell(table.rows[3].cells[0], "{%tr endfor %}")
    _widths(table, [Cm(width) for width in widths])
    return table


def _body(document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "BÁO CÁO", style="Title", align=center, space_after=0)
    _para(
        document,
        "Kết quả thực hiện công tác cải cách hành chính {{ period_label }}",
        style="Title",
        align=center,
        space_after=0,
    )
    _para(document, "(Số liệu {{ window_text }})", italic=True, align=center, size=13)

    _para(document, OUTLINE[0], style="Heading 1", align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(document, "{{ area_one.figures }}", indent=True)
    _para(document, "{{ n.direction }}", indent=True)

    _para(document, OUTLINE[1], style="Heading 1", align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(document, "{{ totals_text }}", indent=True)
    _tag(document, "{%p for a in areas %}")
    _para(
        document, "{{ a.index }}. {{ a.title }}", style="Heading 2", align=WD_ALIGN_PARAGRAPH.LEFT
    )
    _para(document, "{{ a.figures }}", indent=True)
    _para(document, "{{ a.narrative }}", indent=True)
    _tag(document, "{%p if a.number == 3 %}")
    _para(document, "{{ dossier_text }}", indent=True)
    _para(document, "{{ targets_text }}", indent=True)
    _tag(document, "{%p endif %}")
    _tag(document, "{%p endfor %}")
    _para(
        document,
        "{{ areas|length + 1 }}. Tiếp nhận, xử lý phản ánh, kiến nghị và đo lường sự hài lòng",
        style="Heading 2",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _para(document, "{{ feedback_text }}", indent=True)
    _para(
        document,
        "{{ areas|length + 2 }}. Chỉ số cải cách hành chính (PAR INDEX)",
        style="Heading 2",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _para(document, "{{ par_text }}", indent=True)
    _tag(document, "{%p if overdue_rows %}")
    _para(
        document,
        "{{ areas|length + 3 }}. Nhiệm vụ chậm tiến độ",
        style="Heading 2",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _tag(document, "{%p for t in overdue_rows %}")
    _para(document, "- {{ t.title }} (hạn {{ t.due }}){{ t.reason_text }}", indent=True)
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endif %}")

    _para(document, OUTLINE[2], style="Heading 1", align=WD_ALIGN_PARAGRAPH.LEFT)
    for label, key in (
        ("Ưu điểm", "strengths"),
        ("Tồn tại, hạn chế", "weaknesses"),
        ("Nguyên nhân", "causes"),
    ):
        paragraph = _para(document, f"{label}: ", bold=True, indent=True)
        paragraph.add_run("{{ n." + key + " }}")
    _para(document, OUTLINE[3], style="Heading 1", align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(document, "{{ n.next_tasks }}", indent=True)
    _para(document, OUTLINE[4], style="Heading 1", align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(document, "{{ n.proposals }}", indent=True)
    _para(
        document,
        "Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính "
        "{{ period_label }} của {{ agency_name }}./.",
        indent=True,
    )


def _signature(document) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    _widths(table, (Cm(7.5), Cm(9.0)))
    center = WD_ALIGN_PARAGRAPH.CENTER
    _cell(left, "Nơi nhận:", bold=True, italic=True, size=12)
    for text in ("{%p for r in recipients %}", "- {{ r }}", "{%p endfor %}"):
        _cell_extra(left, text, size=11)
    _cell(right, "{{ signer_title }}", bold=True, size=14, align=center)
    for _index in range(4):
        _cell_extra(right, "", size=14, align=center)
    _cell_extra(right, "{{ signer_name }}", bold=True, size=14, align=center)


def _appendix(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, APPENDIX_TITLE, style="Title", align=center, space_after=0)
    _para(
        document,
        "(Kèm theo Báo cáo số {{ number }}/BC-{{ abbr }})",
        italic=True,
        align=center,
        size=13,
    )
    _para(
        document,
        "1. Kết quả thực hiện nhiệm vụ theo lĩnh vực",
        style="Heading 2",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _loop_table(
        document,
        ["TT", "Lĩnh vực", "Kế hoạch", "Hoàn thành", "Trong kỳ", "Chậm", "Tỷ lệ"],
        ["index", "title", "planned", "done", "done_in_period", "overdue", "progress"],
        "area_rows",
        [1.0, 6.2, 1.8, 1.9, 1.7, 1.7, 2.2],
    )
    _para(
        document,
        "2. Giải quyết thủ tục hành chính",
        style="Heading 2",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _loop_table(
        document,
        ["TT", "Chỉ tiêu", "Kỳ báo cáo", "Cùng kỳ năm trước", "Chỉ tiêu kế hoạch"],
        ["index", "label", "value", "previous", "target"],
        "dossier_rows",
        [1.0, 7.0, 2.8, 2.9, 2.8],
    )
    _para(
        document,
        "3. Phản ánh, kiến nghị và sự hài lòng",
        style="Heading 2",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _loop_table(
        document,
        ["TT", "Chỉ tiêu", "Kỳ báo cáo"],
        ["index", "label", "value"],
        "feedback_rows",
        [1.0, 11.5, 4.0],
    )


def build() -> Document:
    document = Document()
    _styles(document)
    _page(document)
    _header(document)
    _para(document, "")
    _body(document)
    _signature(document)
    _appendix(document)
    core = document.core_properties
    core.author = core.last_modified_by = "cchc"
    core.title = "Báo cáo kết quả thực hiện công tác cải cách hành chính"
    core.created = core.modified = core.last_printed = FIXED_TIME
    core.revision = 1
    return document


def build_bytes() -> bytes:
    buffer = io.BytesIO()
    build().save(buffer)
    return buffer.getvalue()


def write(path: Path = DEFAULT_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_bytes())
    return path


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    print(write())
