"""The procedure catalogue import (``cchc import_procedures``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cchc.core.models import AuditEntry
from cchc.procedures.models import OnlineLevel, Procedure, TimeUnit
from cchc.procedures.services import procedure_import

HEADER = (
    "MaTTHC;TenTTHC;LinhVuc;ThoiHanGiaiQuyet;DonViThoiGian;ThoiHanRutNgan;MucDoDVC;CoPhi;KetQuaGiay"
)
ROWS = [
    "2.000488;Cấp Phiếu lý lịch tư pháp;Lý lịch tư pháp;10;ngày làm việc;6;2;1;1",
    "2.001417;Cấp bản sao trích lục hộ tịch;Hộ tịch;8;Giờ làm việc;;toàn trình;0;0",
    "1.001071;Đăng ký hành nghề công chứng;Công chứng;20;ngày;;1;có;",
]


TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 writes it: â ê ô ơ ư ă đ precomposed, tones combining."""
    out: list[str] = []
    base = -1  # index of the last letter, which takes the shape marks (â ơ ư ă)
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and char not in TONES and base >= 0:
            out[base] = unicodedata.normalize("NFC", out[base] + char)
        else:
            if not unicodedata.combining(char):
                base = len(out)
            out.append(char)
    return "".join(out).encode("cp1258")


def data(rows=ROWS, header=HEADER, encoding="utf-8") -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return windows_1258(text) if encoding == "cp1258" else text.encode(encoding)


def run(world, payload: bytes, **kwargs):
    return procedure_import(actor=None, agency=world.a.agency, stream=io.BytesIO(payload), **kwargs)


def test_catalogue_is_created_with_vietnamese_units_and_levels(world):
    summary = run(world, data())
    assert (summary["created"], summary["written"], summary["errors"]) == (3, True, [])
    p = Procedure.objects.get(agency=world.a.agency, code="2.000488")
    assert (p.time_limit, p.reduced_time_limit, p.time_unit) == (
        Decimal(10),
        Decimal(6),
        TimeUnit.WORKING_DAYS,
    )
    assert p.online_level == OnlineLevel.FULL and p.fee_bearing and p.paper_result
    hours = Procedure.objects.get(code="2.001417")
    assert hours.time_unit == TimeUnit.WORKING_HOURS and hours.online_level == OnlineLevel.FULL
    assert hours.paper_result is False and hours.reduced_time_limit is None
    calendar = Procedure.objects.get(code="1.001071")
    assert calendar.time_unit == TimeUnit.CALENDAR_DAYS and calendar.fee_bearing
    assert calendar.paper_result is True  # empty: the default
    assert AuditEntry.objects.filter(action="procedure_import_create").count() == 3


def test_second_import_updates_by_code_and_reports_unchanged(world):
    run(world, data())
    changed = [ROWS[0].replace(";6;2;", ";5;2;"), *ROWS[1:]]
    summary = run(world, data(changed, encoding="cp1258"))
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 2)
    assert Procedure.objects.get(code="2.000488").reduced_time_limit == Decimal(5)
    entry = AuditEntry.objects.get(action="procedure_import_update")
    assert entry.changes == {"reduced_time_limit": ["6.00", "5.00"]}


def test_english_headers_and_xlsx(world):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "code",
            "name",
            "field",
            "time_limit",
            "time_unit",
            "reduced_time_limit",
            "online_level",
            "fee_bearing",
            "paper_result",
            "valid_from",
        ]
    )
    sheet.append(
        ["1.1", "Thủ tục A", "X", 15, "working_days", 9.5, 0, 0, 1, dt.datetime(2026, 1, 1)]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = run(world, buffer.getvalue())
    assert summary["created"] == 1, summary["errors"]
    p = Procedure.objects.get(code="1.1")
    assert p.reduced_time_limit == Decimal("9.5") and p.valid_from == dt.date(2026, 1, 1)


def test_every_bad_row_is_listed_and_nothing_written(world):
    rows = [
        ROWS[0],
        "1.2;;X;10;ngày làm việc;;0;0;1",  # no name
        "1.3;Tên;X;mười;ngày làm việc;;0;0;1",  # not a number
        "1.4;Tên;X;10;tuần;;0;0;1",  # unknown unit
        "1.5;Tên;X;10;ngày làm việc;12;3;0;1",  # reduced > legal; level 3
        ROWS[0],  # repeated
    ]
    with translation.override("en"):
        summary = run(world, data(rows))
    assert summary["written"] is False and summary["rejected"] == 5
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [
        (3, "TenTTHC"),
        (4, "ThoiHanGiaiQuyet"),
        (5, "DonViThoiGian"),
        (6, "MucDoDVC"),
        (7, "MaTTHC"),
    ]
    assert summary["errors"][0]["message"] == "This value is required."
    assert not Procedure.objects.exists()
    summary = run(world, data(rows), skip_invalid=True)
    assert summary["created"] == 1 and summary["written"] is True


def test_reduced_longer_than_legal(world):
    with translation.override("en"):
        summary = run(world, data(["1.5;Tên;X;10;ngày làm việc;12;1;0;1"]))
    assert summary["errors"] == [
        {
            "row": 2,
            "column": "ThoiHanRutNgan",
            "message": "The reduced time limit is longer than the legal one.",
        }
    ]


def test_command(world, tmp_path):
    path = tmp_path / "tthc.csv"
    path.write_bytes(data())
    out = io.StringIO()
    call_command("import_procedures", str(path), agency="STP", json=True, stdout=out)
    assert json.loads(out.getvalue())["created"] == 3
    path.write_bytes(data(["x;;;;;;;;"]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_procedures", str(path), agency="STP", json=True, stdout=out)
    assert json.loads(out.getvalue())["written"] is False
