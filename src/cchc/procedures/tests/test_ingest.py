"""The dossier ingest (DESIGN.md §4.2, §5): formats, encodings, every kind of bad row,
all-or-nothing, --skip-invalid, idempotency, events and rollups."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import translation

from cchc.core.models import AuditEntry
from cchc.procedures import rollups
from cchc.procedures.models import (
    Dossier,
    DossierEvent,
    FinishedRollup,
    Procedure,
    ReceivedRollup,
    TimeUnit,
)
from cchc.procedures.services import dossier_ingest

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = (
    "MaHoSo,MaTTHC,MaDonVi,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,NgayTra,"
    "TrangThaiHoSo,NgayYeuCauBoSung,NgayCongDanBoSung,SoLanBoSung,HoSoCoThanhPhanSoHoa,"
    "DaSoHoaKetQua,DuocThanhToanTrucTuyen"
)
ROWS = [
    # returned on time, online, digitised, paid online
    "STP-260302-0001,1.001,P1,2,2026-03-02T08:00:00,2026-03-09T17:00:00,"
    "2026-03-05T10:00:00,2026-03-06T09:00:00,10,,,0,1,1,1",
    # being processed, Vietnamese dates, due computed from the procedure
    "STP-260302-0002,1.001,P1,1,02/03/2026 09:30,,,,4,,,0,0,0,0",
    # finished late after a supplement round
    "STP-260303-0001,2.002,P2,3,2026-03-03T14:00:00+07:00,2026-03-04T17:00:00,"
    "2026-03-06T16:00:00,,9,2026-03-03T15:00:00,2026-03-04T09:00:00,1,1,0,0",
]


def csv_bytes(rows=ROWS, header=HEADER, *, sep=",", encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join([header, *rows]).replace(",", sep) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.fixture
def en():
    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(world):
    agency = world.a.agency
    return {
        "1.001": Procedure.objects.create(
            agency=agency,
            code="1.001",
            name="Cấp phiếu lý lịch tư pháp",
            time_limit=Decimal(10),
            reduced_time_limit=Decimal(5),
            fee_bearing=True,
        ),
        "2.002": Procedure.objects.create(
            agency=agency,
            code="2.002",
            name="Chứng thực bản sao",
            time_limit=Decimal(8),
            time_unit=TimeUnit.WORKING_HOURS,
            paper_result=False,
        ),
    }


def ingest(world, data: bytes, **kwargs):
    return dossier_ingest(actor=None, agency=world.a.agency, stream=io.BytesIO(data), **kwargs)


def state():
    """Everything the ingest writes, comparable across runs."""
    dossiers = [
        model_to_dict(d) | {"updated_at": d.updated_at} for d in Dossier.objects.order_by("code")
    ]
    events = list(DossierEvent.objects.order_by("id").values("dossier__code", "status", "at"))
    return dossiers, events, rollup_rows()


def rollup_rows():
    fields = ("agency_id", "day", "unit_key", "procedure_id")
    received = sorted(
        tuple(r.values())
        for r in ReceivedRollup.objects.values(
            *fields,
            "received",
            "online",
            "digitized",
            "digitized_pending_result",
            "fee_bearing",
            "paid_online",
            "negative",
        )
    )
    finished = sorted(
        tuple(r.values()) for r in FinishedRollup.objects.values(*fields, "finished", "on_time")
    )
    return received, finished


def errors_of(summary):
    return [(e["row"], e["column"], e["message"]) for e in summary["errors"]]


# --- formats and encodings ---------------------------------------------------------------------


def test_csv_with_bom_loads_with_derived_fields_events_and_rollups(world, catalogue):
    summary = ingest(world, csv_bytes(bom=True))
    assert summary == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
        "errors_total": 0,
        "written": True,
    }
    first = Dossier.objects.get(code="STP-260302-0001")
    assert first.unit == world.a.unit and first.procedure == catalogue["1.001"]
    assert first.received_at == dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
    assert first.finished_effective_at == dt.datetime(2026, 3, 5, 10, 0, tzinfo=TZ)
    assert first.finished_day == dt.date(2026, 3, 5)
    assert first.on_time_when_finished is True and first.paid_online == 1
    assert first.status_at == dt.datetime(2026, 3, 6, 9, 0, tzinfo=TZ)  # returned (10)
    late = Dossier.objects.get(code="STP-260303-0001")
    assert late.on_time_when_finished is False and late.supplement_rounds == 1
    assert late.received_day == dt.date(2026, 3, 3)
    open_one = Dossier.objects.get(code="STP-260302-0002")
    assert open_one.finished_effective_at is None and open_one.on_time_when_finished is None
    # one event per dossier: its first status
    assert sorted(DossierEvent.objects.values_list("dossier__code", "status")) == [
        ("STP-260302-0001", 10),
        ("STP-260302-0002", 4),
        ("STP-260303-0001", 9),
    ]
    received = {(r.day, r.procedure_id): r for r in ReceivedRollup.objects.all()}
    march2 = received[(dt.date(2026, 3, 2), catalogue["1.001"].pk)]
    assert (march2.received, march2.online, march2.fee_bearing, march2.paid_online) == (2, 1, 2, 1)
    assert march2.digitized == 1
    finished = {
        (r.day, r.procedure_id): (r.finished, r.on_time) for r in FinishedRollup.objects.all()
    }
    assert finished == {
        (dt.date(2026, 3, 5), catalogue["1.001"].pk): (1, 1),
        (dt.date(2026, 3, 6), catalogue["2.002"].pk): (1, 0),
    }
    entry = AuditEntry.objects.get(action="dossier_ingest")
    assert entry.agency == world.a.agency and entry.changes["created"] == 3


def test_due_date_is_computed_from_the_reduced_limit_by_the_working_day_calendar(world, catalogue):
    ingest(world, csv_bytes())
    dossier = Dossier.objects.get(code="STP-260302-0002")
    # received Monday 02/03/2026; 5 working days (reduced from 10) → Monday 09/03, end of hours
    assert dossier.due_computed is True
    assert dossier.due_at == dt.datetime(2026, 3, 9, 17, 0, tzinfo=TZ)
    assert Dossier.objects.get(code="STP-260302-0001").due_computed is False


def test_semicolon_cp1258_file_as_excel_writes_it(world, catalogue):
    world.a.unit.code = "PĐT"  # a code with Vietnamese letters, as cp1258 encodes them
    world.a.unit.save()
    rows = [r.replace(",P1,", ",PĐT,") for r in ROWS]
    data = csv_bytes(rows, sep=";", encoding="cp1258")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    summary = ingest(world, data)
    assert summary["created"] == 3, summary["errors"]
    assert Dossier.objects.get(code="STP-260302-0001").unit == world.a.unit


def test_utf16_tab_separated_unicode_text(world, catalogue):
    data = csv_bytes(sep="\t", encoding="utf-16")  # with its BOM, as Excel's "Unicode text"
    assert data[:2] == b"\xff\xfe"
    assert ingest(world, data)["created"] == 3


def test_xlsx_with_real_dates_and_numbers(world, catalogue):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "code",
            "procedure_code",
            "unit_code",
            "channel",
            "received_at",
            "due_at",
            "finished_at",
            "returned_at",
            "status",
            "components_digitized",
        ]
    )
    sheet.append(
        [
            "STP-1",
            "1.001",
            "P1",
            2,
            dt.datetime(2026, 3, 2, 8, 0),
            dt.datetime(2026, 3, 9, 17, 0),
            dt.datetime(2026, 3, 4, 8, 0),
            None,
            9,
            1,
        ]
    )
    sheet.append(["STP-2", "2.002", None, 1.0, "02/03/2026 10:00", None, None, None, "4", 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = ingest(world, buffer.getvalue())
    assert summary["created"] == 2, summary["errors"]
    one = Dossier.objects.get(code="STP-1")
    assert one.received_at == dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ) and one.components_digitized
    two = Dossier.objects.get(code="STP-2")
    assert two.unit is None and two.due_computed


def test_json_lines_with_aliases(world, catalogue):
    lines = [
        {
            "code": "STP-1",
            "procedure_code": "1.001",
            "channel": 2,
            "status": 4,
            "received_at": "2026-03-02T08:00:00",
            "due_at": "2026-03-09T17:00:00",
        },
        {
            "MaHoSo": "STP-2",
            "MaTTHC": "2.002",
            "KenhThucHien": "1",
            "TrangThaiHoSo": 2,
            "NgayTiepNhan": "03/03/2026 08:00",
            "HoSoCoThanhPhanSoHoa": True,
        },
    ]
    data = ("\n".join(json.dumps(x) for x in lines) + "\n\n").encode()
    summary = ingest(world, data)
    assert summary["created"] == 2, summary["errors"]
    assert Dossier.objects.get(code="STP-2").components_digitized is True


# --- bad input -----------------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_written(world, catalogue, en):
    rows = [
        ROWS[0],
        "STP-X1,9.999,P1,2,2026-03-02T08:00:00,,,,4,,,0,0,0,0",  # unknown procedure
        "STP-X2,1.001,ZZ,2,2026-03-02T08:00:00,,,,4,,,0,0,0,0",  # unknown unit
        "STP-X3,1.001,P1,2,31/02/2026 08:00,,,,4,,,0,0,0,0",  # impossible date
        # the finish is before the receipt
        "STP-X4,1.001,P1,2,2026-03-05T08:00:00,,2026-03-04T08:00:00,,9,,,0,0,0,0",
        "STP-X5,1.001,P1,2,2026-03-02T08:00:00,,,,11,,,0,0,0,0",  # no such state
        "STP-X6,1.001,P1,5,2026-03-02T08:00:00,,,,4,,,0,2,0,3",  # channel, flag, payment
        ROWS[0].replace("10,,,0,1,1,1", "10,,,0,1,1,0"),  # the same code again
        "STP-X7,1.001,P1,2,2026-03-02T08:00:00,,,",  # truncated
    ]
    summary = ingest(world, csv_bytes(rows))
    assert summary["written"] is False
    assert (summary["rows"], summary["created"], summary["rejected"]) == (9, 0, 8)
    assert errors_of(summary) == [
        (3, "MaTTHC", "No procedure of the agency has the code “9.999”."),
        (4, "MaDonVi", "No unit of the agency has the code “ZZ”."),
        (
            5,
            "NgayTiepNhan",
            "“31/02/2026 08:00” is not a date and time (write 2023-03-14T09:30:00 or "
            "14/03/2023 09:30).",
        ),
        (6, "NgayKetThucXuLy", "The end of processing is before the receipt (05/03/2026 08:00)."),
        (7, "TrangThaiHoSo", "The status must be a state code from 1 to 10, not “11”."),
        (8, "KenhThucHien", "The channel must be 1 (in person), 2 (online) or 3 (post), not “5”."),
        (8, "HoSoCoThanhPhanSoHoa", "Write 1 for yes or 0 for no, not “2”."),
        (
            8,
            "DuocThanhToanTrucTuyen",
            "Online payment must be 0 (no), 1 (national portal) or 2 (local gateway), not “3”.",
        ),
        (9, "MaHoSo", "This dossier code appears earlier in the file."),
        (
            10,
            None,
            "The row has 8 cells where the header has 15: the file may be truncated or use "
            "another delimiter.",
        ),
    ]
    assert summary["errors_total"] == 10
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()
    assert not ReceivedRollup.objects.exists()


def test_skip_invalid_loads_the_valid_rows_and_reports_the_rest(world, catalogue, en):
    rows = [*ROWS, "STP-X5,1.001,P1,2,2026-03-02T08:00:00,,,,0,,,0,0,0,0"]
    summary = ingest(world, csv_bytes(rows), skip_invalid=True)
    assert (summary["created"], summary["rejected"], summary["written"]) == (3, 1, True)
    assert errors_of(summary) == [
        (5, "TrangThaiHoSo", "The status must be a state code from 1 to 10, not “0”.")
    ]
    assert Dossier.objects.count() == 3


def test_broken_quoting_in_the_last_line_is_that_rows_error(world, catalogue, en):
    data = csv_bytes() + b'STP-Q,1.001,P1,2,"2026-03-02T08:00:00,,,,4\r\n'
    summary = ingest(world, data)
    assert errors_of(summary) == [(5, None, "The row is malformed (unexpected end of data).")]
    assert not Dossier.objects.exists()


def test_wrong_delimiter_is_a_file_error_naming_the_columns(world, catalogue, en):
    summary = ingest(world, csv_bytes(sep="|"))
    assert summary["written"] is False and summary["rows"] == 0
    [(row, column, message)] = errors_of(summary)
    assert (row, column) == (None, None)
    assert "The header lacks the columns MaHoSo, MaTTHC" in message
    assert "Check the delimiter" in message


def test_undecodable_bytes_in_a_utf8_file(world, catalogue, en):
    data = csv_bytes(encoding="utf-16-le")[:-7]  # no BOM, cut in the middle: still UTF-16
    summary = ingest(world, data)
    assert summary["written"] is False and summary["errors"]
    # A UTF-8 file (it has the BOM) with a stray byte in one row: that row is the error.
    rows = [ROWS[0], ROWS[1].replace("STP-260302-0002", "STP-Ă")]
    data = csv_bytes(rows, bom=True).replace("Ă".encode(), b"\xc3")
    summary = ingest(world, data)
    assert errors_of(summary) == [(3, None, "The row has bytes that are not valid UTF-8.")]


def test_empty_and_foreign_files(world, catalogue, en):
    assert errors_of(ingest(world, b"")) == [(None, None, "The file is empty.")]
    assert errors_of(ingest(world, b"%PDF-1.7\n..."))[0][2].startswith("The header lacks")
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert "(.xls)" in errors_of(ingest(world, xls))[0][2]


def test_the_error_list_stops_at_1000_but_counts_all(world, catalogue):
    rows = [f"STP-E{i},9.999,P1,2,2026-03-02T08:00:00,,,,4,,,0,0,0,0" for i in range(1005)]
    summary = ingest(world, csv_bytes(rows))
    assert len(summary["errors"]) == 1000 and summary["errors_total"] == 1005
    assert summary["rejected"] == 1005


# --- idempotency, updates, rollups ---------------------------------------------------------------


def test_second_run_changes_nothing(world, catalogue):
    ingest(world, csv_bytes())
    before = state()
    summary = ingest(world, csv_bytes())
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 3)
    assert state() == before


def test_a_changed_row_is_updated_with_an_event_and_moves_the_rollups(world, catalogue):
    ingest(world, csv_bytes())
    # the open dossier is finished on 04/03 and returned; receipt moved to 03/03
    changed = "STP-260302-0002,1.001,P1,1,03/03/2026 09:30,,04/03/2026 10:00,,9,,,0,0,0,0"
    summary = ingest(world, csv_bytes([ROWS[0], changed, ROWS[2]]))
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 2)
    dossier = Dossier.objects.get(code="STP-260302-0002")
    assert dossier.status == 9 and dossier.finished_day == dt.date(2026, 3, 4)
    assert dossier.status_at == dt.datetime(2026, 3, 4, 10, 0, tzinfo=TZ)
    assert list(dossier.events.values_list("status", flat=True)) == [4, 9]
    p = catalogue["1.001"].pk
    received = {(r.day, r.procedure_id): r.received for r in ReceivedRollup.objects.all()}
    assert received[(dt.date(2026, 3, 2), p)] == 1 and received[(dt.date(2026, 3, 3), p)] == 1
    assert FinishedRollup.objects.get(day=dt.date(2026, 3, 4)).finished == 1
    after_ingest = rollup_rows()
    rollups.rebuild()
    assert rollup_rows() == after_ingest


def test_negative_feedback_set_elsewhere_survives_an_update(world, catalogue):
    ingest(world, csv_bytes())
    Dossier.objects.filter(code="STP-260302-0002").update(negative_feedback=True)
    ingest(world, csv_bytes([ROWS[0], ROWS[1].replace(",4,", ",5,"), ROWS[2]]))
    assert Dossier.objects.get(code="STP-260302-0002").negative_feedback is True


def test_rollups_after_ingest_equal_a_full_rebuild(world, catalogue):
    rows = []
    for i in range(60):
        day = 2 + i % 20
        status = (10, 9, 4, 2, 3)[i % 5]
        finished = f"2026-03-{day + 2:02d}T10:00:00" if status in (9, 10) else ""
        rows.append(
            f"STP-R{i},{'1.001' if i % 3 else '2.002'},{'P1' if i % 2 else ''},{1 + i % 3},"
            f"2026-03-{day:02d}T08:00:00,2026-03-{day + 3:02d}T17:00:00,{finished},,{status},,,"
            f"{i % 3 == 0:d},{i % 2},{i % 4 == 0:d},{i % 3}"
        )
    assert ingest(world, csv_bytes(rows))["created"] == 60
    after_ingest = rollup_rows()
    assert after_ingest[0] and after_ingest[1]
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert rollup_rows() == after_ingest


def test_other_agencies_dossiers_with_the_same_code_are_separate(world, catalogue):
    Procedure.objects.create(agency=world.b.agency, code="1.001", name="x", time_limit=5)
    ingest(world, csv_bytes())
    summary = dossier_ingest(
        actor=None,
        agency=world.b.agency,
        stream=io.BytesIO(csv_bytes([ROWS[0].replace(",P1,", ",,")])),
    )
    assert summary["created"] == 1
    assert Dossier.objects.filter(code="STP-260302-0001").count() == 2


# --- the command -------------------------------------------------------------------------------


def test_command_answers_json_and_fails_on_bad_rows(world, catalogue, tmp_path, en):
    good = tmp_path / "ho-so.csv"
    good.write_bytes(csv_bytes())
    out = io.StringIO()
    call_command("ingest_dossiers", str(good), agency="STP", json=True, stdout=out)
    assert json.loads(out.getvalue())["created"] == 3
    bad = tmp_path / "loi.csv"
    bad.write_bytes(csv_bytes(["STP-9,1.001,P1,2,2026-03-02T08:00:00,,,,12,,,0,0,0,0"]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ingest_dossiers", str(bad), agency="STP", json=True, stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["written"] is False and answer["errors"][0]["row"] == 2
    with pytest.raises(CommandError):
        call_command("ingest_dossiers", str(good), agency="NOPE", json=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("ingest_dossiers", str(bad), agency="STP", skip_invalid=True, stdout=out)
    assert "1 rejected" in out.getvalue()


def test_rebuild_rollups_command(world, catalogue):
    ingest(world, csv_bytes())
    out = io.StringIO()
    call_command("rebuild_rollups", agency="STP", json=True, stdout=out)
    answer = json.loads(out.getvalue())
    assert answer == {"agency": "STP", "received_rows": 2, "finished_rows": 2}
