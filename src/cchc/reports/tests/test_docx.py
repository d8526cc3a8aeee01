"""The DOCX opened with python-docx: page set-up and fonts of Nghị định 30/2020, the header
block, every heading of the outline and the figures against the database."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.shared import Mm, Pt

from cchc.procedures.metrics import compute
from cchc.reports import default_template
from cchc.reports.docx_render import CONTEXT_KEYS, build_context, render_docx, template_check
from cchc.reports.formatting import vn_number, vn_percent
from cchc.reports.narrative import NARRATIVE_KEYS, default_narrative
from cchc.reports.periods import parse_period
from cchc.reports.snapshot import report_snapshot

MM = Mm(1)


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return "\n".join(parts)


@pytest.fixture
def snapshot(report_world):
    return report_snapshot(agency=report_world.agency, period=parse_period("2026"))


@pytest.fixture
def rendered(snapshot):
    content = render_docx(snapshot, signer_name="Nguyễn Văn Lãnh")
    return docx.Document(io.BytesIO(content))


def test_page_set_up_is_a4_with_the_decree_margins(rendered):
    for section in rendered.sections:
        assert abs(section.page_width - Mm(210)) < MM
        assert abs(section.page_height - Mm(297)) < MM
        assert Mm(20) - MM / 2 <= section.top_margin <= Mm(25) + MM / 2
        assert Mm(20) - MM / 2 <= section.bottom_margin <= Mm(25) + MM / 2
        assert Mm(30) - MM / 2 <= section.left_margin <= Mm(35) + MM / 2
        assert Mm(15) - MM / 2 <= section.right_margin <= Mm(20) + MM / 2


def test_fonts_are_times_new_roman_13_to_14(rendered):
    for name in ("Normal", "Heading 1", "Heading 2", "Title"):
        font = rendered.styles[name].font
        assert font.name == "Times New Roman", name
        assert Pt(13) <= font.size <= Pt(14), name
    sizes = {
        run.font.size
        for paragraph in rendered.paragraphs
        for run in paragraph.runs
        if run.font.size is not None
    }
    assert sizes <= {Pt(13), Pt(14)}
    assert {run.font.name for p in rendered.paragraphs for run in p.runs} <= {
        None,
        "Times New Roman",
    }


def test_header_block(rendered):
    header = rendered.tables[0]
    left, right = (cell.text for cell in header.rows[0].cells)
    assert left.splitlines() == ["UBND TỈNH THỬ NGHIỆM", "SỞ TƯ PHÁP"]
    assert right.splitlines() == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    number, place = (cell.text for cell in header.rows[1].cells)
    assert number.startswith("Số:") and number.endswith("/BC-STP")
    assert place.startswith("Thử Nghiệm, ngày") and place.endswith("năm 2026")


def test_title_outline_and_signature(rendered):
    text = all_text(rendered)
    assert "BÁO CÁO" in text
    assert "Kết quả thực hiện công tác cải cách hành chính năm 2026" in text
    for heading in default_template.OUTLINE:
        assert heading in text
    headings = [p.text for p in rendered.paragraphs if p.style.name == "Heading 1"]
    assert headings == list(default_template.OUTLINE)
    areas = [p.text for p in rendered.paragraphs if p.style.name == "Heading 2"]
    for title in ("Cải cách thể chế", "tổ chức bộ máy", "chế độ công vụ", "tài chính công"):
        assert any(title in line for line in areas)
    assert any("Chính quyền số" in line for line in areas)
    assert "Nơi nhận:" in text
    assert "Nguyễn Văn Lãnh" in text
    assert default_template.APPENDIX_TITLE in text
    assert "{{" not in text and "{%" not in text


def test_figures_are_those_of_the_database(report_world, snapshot, rendered):
    text = all_text(rendered)
    period = parse_period("2026")
    metrics = compute(agency_ids=[report_world.agency.pk], start=period.start, end=period.end)
    assert vn_percent(metrics.rates["on_time_rate"]) == "93,33 %"
    assert "tỷ lệ hồ sơ giải quyết đúng hạn đạt 93,33 %" in text
    assert "thấp hơn chỉ tiêu 95 %" in text
    assert f"Trong kỳ tiếp nhận {metrics.counts['received']} hồ sơ TTHC" in text
    assert f"tỷ lệ {vn_percent(metrics.rates['online_rate'])}" in text
    statistics = rendered.tables[-2]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in statistics.rows}
    assert rows["Số hồ sơ tiếp nhận"][2:] == ["15", "0", "—"]
    assert rows["Tỷ lệ hồ sơ giải quyết đúng hạn"][2:] == ["93,33 %", "—", "95 %"]
    tasks = rendered.tables[-3]
    total = [c.text for c in tasks.rows[-1].cells]
    assert total[1:] == ["Tổng cộng", "2", "1", "1", "1", "50 %"]
    assert "Cập nhật vị trí việc làm (hạn 30/09/2026): Chờ hướng dẫn" in text
    feedback = {row.cells[1].text: row.cells[2].text for row in rendered.tables[-1].rows}
    assert feedback["Số phản ánh, kiến nghị tiếp nhận"] == "1"


def test_narrative_is_prefilled_and_can_be_replaced(snapshot):
    narrative = default_narrative(snapshot)
    assert set(narrative) == set(NARRATIVE_KEYS)
    assert "93,33 %" in narrative["strengths"]
    assert "thấp hơn chỉ tiêu 95 %" in narrative["weaknesses"]
    assert "Chờ hướng dẫn của Bộ Nội vụ" in narrative["causes"]
    edited = render_docx(snapshot, {"proposals": "Đề nghị Sở Nội vụ tập huấn <nghiệp vụ>."})
    text = all_text(docx.Document(io.BytesIO(edited)))
    assert "Đề nghị Sở Nội vụ tập huấn <nghiệp vụ>." in text


def test_vietnamese_numbers():
    assert vn_number(1234.5) == "1.234,5"
    assert vn_number(1234567) == "1.234.567"
    assert vn_number(93.49) == "93,49"
    assert vn_number(95.0) == "95"
    assert vn_number(12.345) == "12,35"
    assert vn_percent(None) == "—"


def test_context_provides_every_key(snapshot):
    assert set(build_context(snapshot)) == CONTEXT_KEYS


def test_default_template_uses_only_known_placeholders():
    assert template_check(default_template.DEFAULT_PATH) == []


def test_template_check_lists_unknown_placeholders(tmp_path):
    document = docx.Document()
    document.add_paragraph("{{ agency_name }} — {{ made_up }} {{ n.strengths }} {{ also_unknown }}")
    path = tmp_path / "bad.docx"
    document.save(path)
    assert template_check(path) == ["also_unknown", "made_up"]


def test_committed_template_is_what_the_builder_builds():
    def parts(blob: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    committed = parts(default_template.DEFAULT_PATH.read_bytes())
    assert committed == parts(default_template.build_bytes()), (
        "Run `python -m cchc.reports.default_template` to write the template again."
    )


def test_no_style_falls_back_to_a_theme_font(rendered):
    """Theme fonts win over named ones: a heading that names the theme's font would print in
    Calibri Light whatever its Times New Roman, as the first rendering of the demo showed."""
    from docx.oxml.ns import qn

    for name in ("Normal", "Heading 1", "Heading 2", "Title", "Table Grid"):
        fonts = rendered.styles[name].element.rPr.rFonts
        themed = [a for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
                  if fonts.get(qn(a)) is not None]  # fmt: skip
        assert themed == [], name


def test_causes_say_each_reason_once(snapshot):
    overdue = snapshot["plan"]["overdue"]
    template = overdue[0] if overdue else {"title": "Nhiệm vụ", "reason": ""}
    snapshot = {
        **snapshot,
        "plan": {
            **snapshot["plan"],
            "overdue": [
                {**template, "reason": "Còn chờ ý kiến của các đơn vị phối hợp."},
                {**template, "reason": "Còn chờ ý kiến của các đơn vị phối hợp."},
                {**template, "reason": "Thiếu kinh phí;"},
            ],
        },
    }
    causes = default_narrative(snapshot)["causes"]
    assert causes.count("Còn chờ ý kiến của các đơn vị phối hợp") == 1
    assert ".;" not in causes and ".." not in causes and ";." not in causes
    assert "Thiếu kinh phí" in causes


def test_a_final_index_is_reported_with_its_score_percent_and_band(report_world):
    """An agency whose PAR INDEX of the year is final: the report states the final score, the
    index and the band, as stored by the appraisal."""
    from cchc.scoring.models import AssessmentStatus
    from cchc.scoring.tests.conftest import make_framework
    from cchc.scoring.tests.test_ranking import hundred_specs, scored

    framework = make_framework(year=2026, specs=hundred_specs())
    assessment = scored(report_world.agency, framework, "50", "35")
    assert assessment.status == AssessmentStatus.FINAL and assessment.band
    snapshot = report_snapshot(agency=report_world.agency, period=parse_period("2026"))
    par = snapshot["par_index"]
    assert par["final_total"] == float(assessment.final_total) == 85.0
    assert par["final_percent"] == float(assessment.final_percent)
    assert par["band"] == assessment.band
    text = all_text(docx.Document(io.BytesIO(render_docx(snapshot))))
    assert f"điểm cuối cùng {vn_number(par['final_total'])}" in text
    assert f"chỉ số {vn_percent(par['final_percent'])}" in text
    assert "xếp loại " + (par["band_name"] or par["band"]) in text
