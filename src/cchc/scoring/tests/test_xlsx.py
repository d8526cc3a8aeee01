"""A framework as XLSX: export → import gives the same tree (the starter, and random frameworks),
the template documents its columns, and a bad workbook is refused with every problem located by
sheet, row and column, nothing written."""

from __future__ import annotations

import io
import os
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.scoring.frameworks import Spec, criteria_of, framework_create, framework_tree, specs_of
from cchc.scoring.models import Criterion, Framework, FrameworkStatus, Level, Method
from cchc.scoring.starter import framework_install_starter
from cchc.scoring.xlsx import (
    CRITERIA_SHEET,
    FRAMEWORK_SHEET,
    GUIDE_SHEET,
    HEADERS,
    FrameworkImportError,
    bands_text,
    describe,
    export_framework,
    import_framework,
    parse_bands,
    template_workbook,
)

D = Decimal
pytestmark = pytest.mark.django_db
IDENTITY = ("year", "level", "version", "status", "is_template", "title", "decision")


def same_tree(a: Framework, b: Framework) -> None:
    tree_a, tree_b = framework_tree(a), framework_tree(b)
    for key in ("version", "is_template"):
        tree_a.pop(key), tree_b.pop(key)
    assert tree_a == tree_b
    assert specs_of(criteria_of(a)) == specs_of(criteria_of(b))


def workbook(rows, *, properties=None, header=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = GUIDE_SHEET
    sheet = book.create_sheet(FRAMEWORK_SHEET)
    values = {
        "Năm": 2026,
        "Cấp": "department",
        "Phiên bản": 1,
        "Tên bộ chỉ số": "Bộ chỉ số CCHC của tỉnh",
        "Quyết định ban hành": "Quyết định số 1/QĐ-UBND",
        "Trạng thái": "draft",
    }
    values.update(properties or {})
    for label, value in values.items():
        sheet.append([label, value])
    sheet = book.create_sheet(CRITERIA_SHEET)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROWS = [
    ("1", "Lĩnh vực một", 60, "manual", "", None, "", "Hướng dẫn 1", ""),
    ("1.1", "Tiêu chí 1.1", 40, "manual", "", None, "", "", "Kế hoạch"),
    ("1.1.a", "Thành phần a", 20, "manual", "", None, "", "", ""),
    ("1.1.b", "Thành phần b", 20, "auto", "on_time_rate", None, "95:20; 90:10; 0:0", "", ""),
    ("1.2", "Tiêu chí 1.2", "20", "survey", "overall", None, "90:20;80:15", "", ""),
    ("1.3", "Thưởng", 1, "bonus", "", 1, "", "", ""),
    ("2", "Lĩnh vực hai", "40", "manual", "", None, "", "", ""),
    ("2.1", "Tiêu chí 2.1", "40", "", "", None, "", "", ""),
    ("2.2", "Trừ", "2,5", "penalty", "", "2,5", "", "", ""),
]


def problems_of(data: bytes) -> list[tuple]:
    with translation.override("en"), pytest.raises(FrameworkImportError) as caught:
        import_framework(data)
    return [(p.sheet, p.row, p.column, p.message) for p in caught.value.problems]


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("level", Level.values)
def test_starter_export_import_round_trip(level):
    starter = framework_install_starter(year=2026, level=level)
    data = export_framework(starter)
    imported = import_framework(data)
    assert imported.pk != starter.pk
    assert imported.version == starter.version + 1  # the year and level exist: a new version
    assert imported.status == starter.status and imported.title == starter.title
    assert not imported.is_template
    same_tree(starter, imported)


def test_text_that_looks_like_a_formula_stays_text():
    framework = framework_create(
        actor=None,
        year=2026,
        level=Level.DEPARTMENT,
        title='=HYPERLINK("http://example.com")',
        specs=[Spec("1", "=1+1", D(10), guidance="@SUM(A1)")],
    )
    data = export_framework(framework)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cell = book[CRITERIA_SHEET]["B2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    imported = import_framework(data)
    same_tree(framework, imported)
    assert imported.title == framework.title


def test_export_documents_the_columns():
    framework = framework_install_starter(year=2026, level=Level.DEPARTMENT)
    book = openpyxl.load_workbook(io.BytesIO(export_framework(framework)))
    assert book.sheetnames == [GUIDE_SHEET, FRAMEWORK_SHEET, CRITERIA_SHEET]
    guide = [row[0] for row in book[GUIDE_SHEET].iter_rows(values_only=True)]
    for header in HEADERS:
        assert header in guide
    criteria = list(book[CRITERIA_SHEET].iter_rows(values_only=True))
    assert criteria[0] == HEADERS
    assert criteria[1][:4] == ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", 12, "manual")
    progress = next(row for row in criteria if row[4] == "plan_progress")
    assert progress[6] == "100:4; 90:3; 80:2; 0:0"
    properties = dict(book[FRAMEWORK_SHEET].iter_rows(values_only=True))
    assert properties["Năm"] == 2026 and properties["Cấp"] == "department"


def test_import_reads_aliases_commas_and_percent_signs():
    framework = import_framework(workbook(replace_row("2.1", method="Thủ công")))
    assert (framework.year, framework.level, framework.version) == (2026, "department", 1)
    assert framework.status == FrameworkStatus.DRAFT
    penalty = Criterion.objects.get(framework=framework, code="2.2")
    assert (penalty.max_points, penalty.cap, penalty.method) == (D("2.5"), D("2.5"), "penalty")
    assert Criterion.objects.get(framework=framework, code="2.1").method == Method.MANUAL
    assert Criterion.objects.get(framework=framework, code="1.3").method == Method.BONUS
    leaf = Criterion.objects.get(framework=framework, code="1.1.b")
    assert leaf.parent.code == "1.1"
    assert [(b.min_rate, b.points) for b in leaf.bands.all()] == [
        (D(95), D(20)),
        (D(90), D(10)),
        (D(0), D(0)),
    ]
    assert parse_bands("95%:3; 90,5:2,25\n0:0") == [(D(95), D(3)), (D("90.5"), D("2.25")), (0, 0)]
    assert bands_text([(D("90.50"), D("2.25")), (D(95), D(3))]) == "95:3; 90.5:2.25"


def test_import_published_needs_100_and_a_second_import_is_a_new_version():
    first = import_framework(workbook(GOOD_ROWS, properties={"Trạng thái": "published"}))
    second = import_framework(workbook(GOOD_ROWS))
    assert (first.status, first.version) == (FrameworkStatus.PUBLISHED, 1)
    assert second.version == 2
    rows = [r for r in GOOD_ROWS if not r[0].startswith("2")]
    found = problems_of(workbook(rows, properties={"Trạng thái": "published"}))
    assert found == [
        (
            CRITERIA_SHEET,
            None,
            "Điểm tối đa",
            "The maxima of the areas add up to 60.00, not to 100.",
        )
    ]


def test_template_has_the_sheets_and_imports_once_the_year_is_filled():
    data = template_workbook(level=Level.COMMUNE)
    found = problems_of(data)
    assert found == [(FRAMEWORK_SHEET, 1, "Năm", "Give the year, e.g. 2025.")]
    book = openpyxl.load_workbook(io.BytesIO(data))
    book[FRAMEWORK_SHEET]["B1"] = 2026
    out = io.BytesIO()
    book.save(out)
    framework = import_framework(out.getvalue())
    assert (framework.year, framework.level) == (2026, "commune")
    assert framework.criteria.count() == 3


# --- refusals ----------------------------------------------------------------------------------


def replace_row(code, **cells):
    columns = {"code": 0, "title": 1, "max": 2, "method": 3, "source": 4, "cap": 5, "bands": 6}
    rows = []
    for row in GOOD_ROWS:
        if row[0] == code:
            row = list(row)
            for key, value in cells.items():
                row[columns[key]] = value
            row = tuple(row)
        rows.append(row)
    return rows


def test_sub_scores_not_adding_up():
    found = problems_of(workbook(replace_row("1.1.a", max=15)))
    assert found == [
        (
            CRITERIA_SHEET,
            3,  # the row of 1.1, whose sub-criteria now add up to 15 + 20
            "Điểm tối đa",
            "1.1: the maxima of its sub-criteria add up to 35.00, not to its maximum 40.00.",
        )
    ]
    assert Framework.objects.count() == 0


def test_unknown_method():
    found = problems_of(workbook(replace_row("1.2", method="magic")))
    assert len(found) == 1
    sheet, row, column, message = found[0]
    assert (sheet, row, column) == (CRITERIA_SHEET, 6, "Phương pháp")
    assert "unknown scoring method “magic”" in message


def test_bad_threshold_text():
    found = problems_of(workbook(replace_row("1.1.b", bands="95 → 20, 90 → 10")))
    assert found == [
        (
            CRITERIA_SHEET,
            5,
            "Ngưỡng",
            "The thresholds “95 → 20, 90 → 10” cannot be read; write them like “95:3; 90:2; 0:0”.",
        )
    ]


def test_duplicate_code():
    rows = [*GOOD_ROWS, ("2.1", "Lặp lại", 0, "manual", "", None, "", "", "")]
    found = problems_of(workbook(rows))
    twice = [f for f in found if "used twice" in f[3]]
    assert [(f[1], f[2]) for f in twice] == [(9, "Mã"), (11, "Mã")]


def test_orphan_code():
    rows = [*GOOD_ROWS, ("3.1", "Mồ côi", 0, "manual", "", None, "", "", "")]
    found = problems_of(workbook(rows))
    assert found == [
        (CRITERIA_SHEET, 11, "Mã", "The criterion “3.1” has no parent: there is no “3”.")
    ]


def test_every_problem_is_reported_at_once_and_nothing_written():
    rows = replace_row("1.1.b", bands="95-20")
    rows = [r if r[0] != "1.2" else (*r[:2], "nhiều", "magic", *r[4:]) for r in rows]
    rows.append(("9.9", "", 1, "auto", "speed", None, "", "", ""))
    found = problems_of(workbook(rows, properties={"Cấp": "city", "Năm": "năm nay"}))
    located = {(sheet, row, column) for sheet, row, column, _message in found}
    assert (FRAMEWORK_SHEET, 2, "Cấp") in located
    assert (FRAMEWORK_SHEET, 1, "Năm") in located
    assert (CRITERIA_SHEET, 5, "Ngưỡng") in located
    assert (CRITERIA_SHEET, 6, "Điểm tối đa") in located
    assert (CRITERIA_SHEET, 6, "Phương pháp") in located
    assert (CRITERIA_SHEET, 11, "Mã") in located  # orphan
    assert (CRITERIA_SHEET, 11, "Tiêu chí") in located  # no title
    assert (CRITERIA_SHEET, 11, "Nguồn dữ liệu") in located
    assert Framework.objects.count() == 0 and Criterion.objects.count() == 0
    with translation.override("en"):
        text = describe(
            next(
                p
                for p in _problems(workbook(rows))
                if p.column == "Ngưỡng"  # the one on row 5
            )
        )
    assert text.startswith("Tiêu chí, row 5, Ngưỡng: ")


def _problems(data):
    with pytest.raises(FrameworkImportError) as caught:
        import_framework(data)
    return caught.value.problems


def test_wrong_files():
    assert problems_of(b"")[0][3] == "The file is empty."
    assert "not an Excel workbook" in problems_of(b"Ma,Tieu chi\n1,x\n")[0][3]
    book = openpyxl.Workbook()
    out = io.BytesIO()
    book.save(out)
    found = problems_of(out.getvalue())
    assert [f[3] for f in found] == [
        "The workbook has no sheet “Khung”; start from the template.",
        "The workbook has no sheet “Tiêu chí”; start from the template.",
    ]
    found = problems_of(workbook(GOOD_ROWS, header=("Mã", "Tiêu chí", "Điểm")))
    assert found[0][:2] == (CRITERIA_SHEET, 1)
    assert "Điểm tối đa" in found[0][3]


# --- property: random frameworks survive the round trip ----------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("CCHC_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), max_size=40
).map(lambda s: " ".join(s.split()))
HUNDREDTHS = st.integers(min_value=0, max_value=5000).map(lambda n: D(n).scaleb(-2))
SOURCES = ["on_time_rate", "online_rate", "plan_progress", "feedback_on_time_rate"]


@st.composite
def frameworks(draw):
    """Specs whose maxima add up (parents are the sums of their children)."""
    specs: list[Spec] = []

    def leaf(code: str, parent: str) -> Spec:
        method = draw(st.sampled_from([Method.MANUAL, Method.AUTO, Method.SURVEY]))
        top = draw(HUNDREDTHS)
        spec = Spec(code, draw(TEXT) or "x", top, method=method, parent=parent)
        if method != Method.MANUAL:
            spec.source = draw(st.sampled_from(SOURCES)) if method == Method.AUTO else "overall"
            rates = draw(st.lists(HUNDREDTHS, min_size=1, max_size=4, unique=True))
            spec.bands = [(rate, draw(st.integers(0, 100)) * top / 100) for rate in rates]
            spec.bands = [(r, p.quantize(D("0.01"), rounding="ROUND_DOWN")) for r, p in spec.bands]
        spec.guidance = draw(TEXT)
        spec.required_evidence = draw(TEXT)
        return spec

    def build(code: str, parent: str | None, depth: int) -> Spec:
        if parent is not None and (depth >= 3 or draw(st.booleans())):
            spec = leaf(code, parent)
            specs.append(spec)
            return spec
        spec = Spec(code, draw(TEXT) or "x", D(0), parent=parent)
        specs.append(spec)
        count = draw(st.integers(min_value=1, max_value=3))
        kids = [build(f"{code}.{i}", code, depth + 1) for i in range(1, count + 1)]
        spec.max_points = sum((k.max_points for k in kids), D(0))
        if draw(st.booleans()):
            method = draw(st.sampled_from([Method.BONUS, Method.PENALTY]))
            cap = draw(HUNDREDTHS.filter(lambda v: v > 0))
            specs.append(Spec(f"{code}.{count + 1}", "x", cap, method, cap=cap, parent=code))
        return spec

    for area in range(1, draw(st.integers(min_value=1, max_value=3)) + 1):
        build(str(area), None, 1)
    return specs


@PROPERTY_SETTINGS
@given(specs=frameworks())
def test_random_frameworks_round_trip(specs):
    original = framework_create(
        actor=None, year=2030, level=Level.COMMUNE, title="Khung thử", specs=specs
    )
    imported = import_framework(export_framework(original))
    same_tree(original, imported)


def test_decomposed_vietnamese_reads_as_composed():
    import unicodedata

    nfd = [
        tuple(unicodedata.normalize("NFD", v) if isinstance(v, str) else v for v in row)
        for row in GOOD_ROWS
    ]
    book = io.BytesIO(workbook(nfd, properties={"Tên bộ chỉ số": "Bộ chỉ số tỉnh"}))
    framework = import_framework(book.getvalue())
    title = Criterion.objects.get(framework=framework, code="1").title
    assert title == "Lĩnh vực một" and unicodedata.is_normalized("NFC", title)
