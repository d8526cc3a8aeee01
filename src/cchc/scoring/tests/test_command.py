"""cchc scoring_framework: the JSON tree, install, export and import, and clear refusals."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cchc.scoring.models import Criterion, Framework, FrameworkStatus
from cchc.scoring.xlsx import CRITERIA_SHEET

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("scoring_framework", *args, stdout=out, stderr=err)
    text = out.getvalue()
    return (json.loads(text) if "--json" in args else {}), text + err.getvalue()


def refused(*args: str) -> tuple[dict | None, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("scoring_framework", *args, stdout=out, stderr=err)
    text = out.getvalue()
    answer = json.loads(text) if "--json" in args and text else None
    return answer, str(caught.value) + "\n" + err.getvalue()


def check_node(node: dict, *, area: bool) -> None:
    expected = {"code", "title", "max", "criteria"} if area else {
        "code", "title", "max", "method", "children"
    }  # fmt: skip
    assert set(node) == expected
    assert isinstance(node["max"], int | float) and not isinstance(node["max"], bool)
    for child in node["criteria" if area else "children"]:
        check_node(child, area=False)


def test_install_then_print_the_tree():
    installed, _ = run("--year", "2026", "--level", "commune", "--install-starter", "--json")
    assert installed["is_template"] and installed["max"] == 100 and installed["version"] == 1
    tree, _ = run("--year", "2026", "--level", "commune", "--json")
    assert [a["code"] for a in tree["areas"]] == [str(n) for n in range(1, 9)]
    for area in tree["areas"]:
        check_node(area, area=True)
    assert sum(a["max"] for a in tree["areas"]) == 100
    assert tree["problems"] == []
    first = tree["areas"][0]["criteria"][0]
    assert first["code"] == "1.1" and first["method"] == "manual"
    assert first["children"][0]["code"] == "1.1.a"
    assert first["children"][0]["max"] == 1
    # Installing again changes nothing.
    run("--year", "2026", "--level", "commune", "--install-starter", "--json")
    assert Framework.objects.count() == 1


def test_plain_text_output():
    run("--year", "2026", "--install-starter")
    _, text = run("--year", "2026")
    assert "1. Công tác chỉ đạo, điều hành cải cách hành chính — 12" in text
    assert "1.2. Mức độ hoàn thành kế hoạch CCHC — 4 [auto]" in text
    assert "Total: 100 points." in text


def test_export_then_import(tmp_path):
    run("--year", "2026", "--install-starter")
    path = tmp_path / "khung.xlsx"
    exported, _ = run("--year", "2026", "--export", str(path), "--json")
    assert exported["file"] == str(path) and path.stat().st_size > 0
    imported, _ = run("--import", str(path), "--json")
    assert imported["written"] is True
    assert (imported["year"], imported["level"], imported["version"]) == (2026, "department", 2)
    assert imported["max"] == 100
    assert imported["criteria"] == Criterion.objects.filter(framework__version=1).count()
    assert imported["status"] == FrameworkStatus.PUBLISHED
    tree, _ = run("--year", "2026", "--json")
    assert tree["version"] == 2  # the highest published version


def test_template(tmp_path):
    path = tmp_path / "mau.xlsx"
    run("--template", str(path), "--year", "2031")
    book = openpyxl.load_workbook(path)
    assert CRITERIA_SHEET in book.sheetnames


def test_import_with_problems_lists_them_and_writes_nothing(tmp_path):
    run("--year", "2026", "--install-starter")
    path = tmp_path / "khung.xlsx"
    run("--year", "2026", "--export", str(path))
    book = openpyxl.load_workbook(path)
    sheet = book[CRITERIA_SHEET]
    sheet["C3"] = 99  # 1.1 no longer the sum of 1.1.a and 1.1.b
    sheet["D4"] = "magic"
    book.save(path)
    answer, message = refused("--import", str(path), "--json")
    assert answer["written"] is False
    errors = answer["error"]["errors"]
    assert {(e["row"], e["column"]) for e in errors} >= {(3, "Điểm tối đa"), (4, "Phương pháp")}
    assert "problems" in message
    assert Framework.objects.count() == 1
    _, text = refused("--import", str(path))
    assert "Tiêu chí, row 4, Phương pháp:" in text


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--level", "department"), "Give the year"),
        (("--year", "1900"), "not plausible"),
        (("--year", "2026"), "There is no framework for 2026"),
        (("--import", "/no/such/file.xlsx"), "File not found"),
    ],
)
def test_bad_input(args, fragment):
    answer, message = refused(*args, "--json")
    assert fragment in answer["error"]["message"]
    assert fragment in message


def test_unknown_level_is_refused_by_the_parser():
    with pytest.raises(CommandError):
        call_command("scoring_framework", "--year", "2026", "--level", "city")


def test_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "khung.xlsx"
    path.write_text("Mã;Tiêu chí\n1;x\n", encoding="utf-8")
    answer, _ = refused("--import", str(path), "--json")
    assert "not an Excel workbook" in answer["error"]["errors"][0]["message"]
