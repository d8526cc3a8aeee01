"""XLSX appendix, the `cchc report` command and the PDF conversion."""

from __future__ import annotations

import io
import json
import shutil

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command

from cchc.reports.periods import parse_period
from cchc.reports.snapshot import report_snapshot
from cchc.reports.xlsx_render import render_xlsx
from cchc.testing import require_or_skip


def test_xlsx_has_the_same_figures(report_world):
    snapshot = report_snapshot(agency=report_world.agency, period=parse_period("2026"))
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    assert book.sheetnames == ["Nhiệm vụ", "TTHC", "PAKN", "Chậm tiến độ"]
    dossiers = {row[1]: row[2:] for row in book["TTHC"].iter_rows(min_row=4, values_only=True)}
    assert dossiers["Số hồ sơ tiếp nhận"] == (15, 0, None)
    assert dossiers["Tỷ lệ hồ sơ giải quyết đúng hạn (%)"] == (93.33, None, 95.0)
    tasks = list(book["Nhiệm vụ"].iter_rows(min_row=4, values_only=True))
    assert tasks[-1][1:] == ("Tổng cộng", 2, 1, 1, 1, 50.0)
    (late,) = list(book["Chậm tiến độ"].iter_rows(min_row=4, values_only=True))
    assert late[1] == "Cập nhật vị trí việc làm" and late[2] == "30/09/2026"
    feedback = {row[1]: row[2] for row in book["PAKN"].iter_rows(min_row=4, values_only=True)}
    assert feedback["Số phản ánh, kiến nghị tiếp nhận"] == 1


def test_command_writes_docx_and_xlsx(report_world, tmp_path, capsys):
    out = tmp_path / "bao_cao.docx"
    call_command("report", agency="stp", period="2026-H1", fmt="docx", out=str(out), json=True)
    answer = json.loads(capsys.readouterr().out)
    assert answer["period"] == "2026-H1" and answer["bytes"] == out.stat().st_size
    assert answer["snapshot"]["period"]["end"] == "2026-06-14"
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "6 tháng đầu năm 2026" in text
    sheet = tmp_path / "phu_luc.xlsx"
    call_command("report", agency="STP", period="2026-Q1", fmt="xlsx", out=str(sheet))
    # the first quarter's window ends on 14/03: the dossier received on 15/03 is not in it
    assert openpyxl.load_workbook(sheet)["TTHC"]["C4"].value == 14


@pytest.mark.parametrize(
    ("agency", "period", "message"),
    [("NOPE", "2026", "NOPE"), ("STP", "2026-Q2", "2026-Q2")],
)
def test_command_refuses_bad_input_in_json(report_world, tmp_path, capsys, agency, period, message):
    out = tmp_path / "x.docx"
    with pytest.raises(CommandError):
        call_command("report", agency=agency, period=period, out=str(out), json=True)
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "invalid" and message in error["message"]
    assert not out.exists()


def test_pdf_without_libreoffice_is_a_clear_error(report_world, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="libreoffice-writer-nogui"):
        call_command("report", agency="STP", period="2026", fmt="pdf", out=str(tmp_path / "r.pdf"))


def test_pdf_is_converted_by_libreoffice(report_world, tmp_path):
    require_or_skip(
        shutil.which("soffice") is not None,
        "LibreOffice (soffice) is not installed: apt install libreoffice-writer-nogui",
    )
    out = tmp_path / "bao_cao.pdf"
    call_command("report", agency="STP", period="2026", fmt="pdf", out=str(out))
    assert out.read_bytes().startswith(b"%PDF")
