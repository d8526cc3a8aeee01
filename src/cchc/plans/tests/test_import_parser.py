"""The plan-document parser (issue 3): documents of different shapes, bad input, references and
targets. The documents are in ``documents/`` (text) or built by ``documents/builders.py``."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import struct
import unicodedata
import zipfile
import zlib

import pytest

from cchc.lib.vn_alphabet import index_of
from cchc.plans.importing.document import PlanImportError
from cchc.plans.importing.parser import parse_file, parse_path, parse_plan
from cchc.plans.importing.readers import read_document
from cchc.plans.importing.references import find_references
from cchc.plans.importing.targets import find_targets
from cchc.plans.importing.text import fold, normalise
from cchc.plans.tests.documents.builders import (
    blank_pdf,
    commune_plan_docx,
    encrypted_pdf,
    pdf_bytes,
    read_bytes,
    read_text,
)


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the source language here; the Vietnamese ones people see are
    asserted in ``test_messages_are_vietnamese_by_default``."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_messages_are_vietnamese_by_default():
    from django.utils import translation

    with translation.override("vi"), pytest.raises(PlanImportError) as err:
        parse_file("Hôm nay trời đẹp. Tin tức thời sự.".encode(), "tin-tuc.txt")
    assert err.value.code == "not_a_plan"
    assert "không phải là kế hoạch" in err.value.message


SO_TU_PHAP = "so_tu_phap_2026.txt"
SO_GIAO_DUC = "so_giao_duc_linh_vuc_2026.txt"
SO_Y_TE = "so_y_te_du_thao_2026.txt"


def parse_text(name: str):
    return parse_file(read_bytes(name), name)


def labels(area: dict) -> list[str]:
    return [task["label"] for task in area["tasks"]]


def assert_alphabet_order(plan) -> None:
    for area in plan.areas:
        positions = [index_of(task.label) for task in area.tasks]
        assert positions == sorted(set(positions))
    assert [area.number for area in plan.areas] == list(range(1, len(plan.areas) + 1))


def raises(code: str, data: bytes, name: str = "plan.docx", **kwargs) -> PlanImportError:
    with pytest.raises(PlanImportError) as error:
        parse_file(data, name, **kwargs)
    assert error.value.code == code, error.value.message
    assert error.value.message
    return error.value


# --- text -----------------------------------------------------------------------------------


def test_normalise_cleans_what_editors_and_pdfs_leave():
    raw = (
        "\ufeffKE\u0302\u0301 HOA\u0323CH\r\n\r\n\r\n\r\n\u00a0a)\tTa\u0302\u0323p  trung\u200b "
        "\r\nÐiều 1\rb) x  \n\n"
    )
    assert normalise(raw) == "KẾ HOẠCH\n\na) Tập trung\nĐiều 1\nb) x"
    assert normalise(normalise(raw)) == normalise(raw)


def test_fold_matches_headings_loosely():
    assert fold("NỘI DUNG,  NHIỆM VỤ") == fold("Nội dung, nhiệm vụ") == "noi dung, nhiem vu"
    assert fold("Đồng Nai") == "dong nai"
    assert fold(unicodedata.normalize("NFD", "Cải cách")) == "cai cach"


# --- (a) a department's plan: 7 areas, 25 tasks, appendix referenced ------------------------


def test_department_plan_document_block():
    plan = parse_text(SO_TU_PHAP)
    assert plan.as_json()["document"] == {
        "kind": "KẾ HOẠCH",
        "number": "15",
        "symbol": "KH-STP",
        "place": "Đồng Nai",
        "date": "2026-01-20",
        "title": "Cải cách hành chính năm 2026 của Sở Tư pháp",
        "issuer": "SỞ TƯ PHÁP",
        "parent_issuer": "UBND TỈNH ĐỒNG NAI",
        "signer": "Trần Thị Minh Hạnh",
        "signer_title": "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC",
        "year": 2026,
    }
    assert plan.appendix.referenced is True
    assert plan.warnings == []


def test_department_plan_areas_and_tasks():
    data = parse_text(SO_TU_PHAP).as_json()
    areas = data["areas"]
    assert [a["title"] for a in areas] == [
        "Công tác chỉ đạo, điều hành và tuyên truyền cải cách hành chính",
        "Cải cách thể chế",
        "Cải cách thủ tục hành chính; cơ chế một cửa, một cửa liên thông",
        "Cải cách tổ chức bộ máy",
        "Cải cách chế độ công vụ",
        "Cải cách tài chính công",
        "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
    ]
    assert [len(a["tasks"]) for a in areas] == [4, 3, 5, 3, 3, 3, 4]
    assert labels(areas[2]) == ["a", "b", "c", "d", "đ"]
    first, second, third = areas[0]["tasks"][:3]
    assert first["text"].startswith("Ban hành và triển khai Kế hoạch cải cách hành chính năm 2026")
    # an unlabelled paragraph continues the task above it
    assert second["text"] == (
        "Tổ chức tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2026 của Sở, bảo đảm "
        "đầy đủ tài liệu kiểm chứng.\nThời gian hoàn thành trước ngày 15/11/2026."
    )
    # bullets belong to the task above them
    assert third["text"] == (
        "Đẩy mạnh tuyên truyền cải cách hành chính trên Trang thông tin điện tử của Sở, tập "
        "trung vào:\n- Kết quả thực hiện các nhiệm vụ cải cách hành chính;\n- Hướng dẫn sử "
        "dụng dịch vụ công trực tuyến."
    )
    assert areas[2]["tasks"][4] == {
        "label": "đ",
        "text": "Thực hiện xin lỗi người dân, doanh nghiệp đối với hồ sơ giải quyết trễ hạn.",
        "line": 52,
        "source_label": "đ",
    }


def test_department_plan_legal_references():
    refs = [
        {k: r[k] for k in ("kind", "number", "date", "issuer")}
        for r in parse_text(SO_TU_PHAP).as_json()["legal_references"]
    ]
    assert refs == [
        {"kind": "Nghị quyết", "number": "76/NQ-CP", "date": "2021-07-15", "issuer": "Chính phủ"},
        {
            "kind": "Nghị định",
            "number": "118/2025/NĐ-CP",
            "date": "2025-06-09",
            "issuer": "Chính phủ",
        },
        {
            "kind": "Quyết định",
            "number": "1234/QĐ-UBND",
            "date": "2025-12-15",
            "issuer": "Chủ tịch UBND tỉnh",
        },
        {"kind": "Kế hoạch", "number": "141/KH-UBND", "date": "2025-12-22", "issuer": "UBND tỉnh"},
        {"kind": "Luật", "number": "64/2025/QH15", "date": None, "issuer": None},
        {
            "kind": "Nghị định",
            "number": "178/2024/NĐ-CP",
            "date": "2024-12-31",
            "issuer": "Chính phủ",
        },
        {
            "kind": "Chỉ thị",
            "number": "26/CT-TTg",
            "date": "2016-09-05",
            "issuer": "Thủ tướng Chính phủ",
        },
        {"kind": "Công văn", "number": "581/BNV-CCHC", "date": None, "issuer": None},
    ]
    first = parse_text(SO_TU_PHAP).legal_references[0]
    assert first.text == (
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng "
        "thể cải cách hành chính nhà nước giai đoạn 2021 - 2030"
    )


def test_department_plan_targets():
    targets = [
        (t["indicator"], t["value"], t["unit"]) for t in parse_text(SO_TU_PHAP).as_json()["targets"]
    ]
    assert targets == [
        ("satisfaction", 90.0, "%"),
        ("on_time", 98.0, "%"),
        ("online_usage", 80.0, "%"),
        ("online_payment", 60.5, "%"),
        ("digitization", 100.0, "%"),
        ("time_reduction", 50.0, "%"),
        ("rank:PAR_INDEX", 10.0, "top"),
        ("rank:SIPAS", None, "group:A"),
    ]


# --- (d) the same text decomposed, with CRLF and a BOM, and in other encodings ---------------


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(
            lambda t: (
                b"\xef\xbb\xbf"
                + unicodedata.normalize("NFD", t).replace("\n", "\r\n").encode("utf-8")
            ),
            id="nfd-crlf-bom",
        ),
        pytest.param(lambda t: t.replace("\n", "\r\n\r\n\r\n").encode("utf-16"), id="utf16-blank"),
        pytest.param(lambda t: cp1258(t), id="windows-1258"),
        pytest.param(
            lambda t: t.replace("\n", "\r").replace(" ", "\u00a0 ").encode(), id="cr-nbsp"
        ),
    ],
)
def test_any_normalisation_form_and_encoding_parses_identically(encode):
    text = read_text(SO_TU_PHAP)
    expected = parse_file(text.encode(), "a.txt").as_json()
    got = parse_file(encode(text), "b.txt").as_json()
    # blank lines move line numbers; everything else is identical
    for data in (expected, got):
        for area in data["areas"]:
            area["line"] = None
            for task in area["tasks"]:
                task["line"] = None
    assert got == expected


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters with ă â ê ô ơ ư đ
    precomposed, tone marks as separate combining characters."""
    out = bytearray()
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out += base.encode("cp1258") + "".join(c for c in decomposed if c in tones).encode("cp1258")
    return bytes(out)


# --- (b) a commune's plan as DOCX: header table, auto-numbering, appendix table -------------


def test_commune_docx_plan():
    plan = parse_file(commune_plan_docx(), "ke-hoach-xa.docx")
    data = plan.as_json()
    assert data["document"] == {
        "kind": "KẾ HOẠCH",
        "number": "08",
        "symbol": "KH-UBND",
        "place": "Tân Phước",
        "date": "2026-01-12",
        "title": "Cải cách hành chính năm 2026 trên địa bàn xã Tân Phước",
        "issuer": "ỦY BAN NHÂN DÂN XÃ TÂN PHƯỚC",
        "parent_issuer": None,
        "signer": "Lê Văn Tâm",
        "signer_title": "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH",
        "year": 2026,
    }
    areas = data["areas"]
    assert len(areas) == 7
    # Word's automatic numbering ("List Number", a lowerLetter list) is rebuilt
    assert areas[0]["original_number"] == "1"
    assert labels(areas[2]) == ["a", "b", "c"]
    assert areas[2]["tasks"][1]["text"] == (
        "Hướng dẫn người dân nộp hồ sơ trực tuyến, thanh toán trực tuyến."
    )
    # an area written as bullets only: each bullet is a task
    assert [(t["label"], t["source_label"]) for t in areas[6]["tasks"]] == [
        ("a", None),
        ("b", None),
    ]
    assert [(r["number"], r["issuer"]) for r in data["legal_references"]] == [
        ("141/KH-UBND", "UBND tỉnh Đồng Nai"),
        ("18-NQ/TW", "Ban Chấp hành Trung ương Đảng khóa XII"),
    ]  # the plan's own "Kế hoạch số 08/KH-UBND" in the appendix heading is not a reference
    assert [(t["indicator"], t["value"]) for t in data["targets"]] == [
        ("on_time", 100.0),
        ("satisfaction", 95.0),
        ("online_usage", 60.0),
    ]
    assert data["appendix"]["referenced"] is True
    assert_alphabet_order(plan)


def test_commune_docx_tables_are_handed_to_the_appendix_reader():
    document = read_document(commune_plan_docx(), "x.docx")
    assert document.kind == "docx"
    assert len(document.tables) == 1  # the header and signature tables were flattened
    assert document.tables[0][0][:3] == ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document.lines
    plan = parse_file(commune_plan_docx(), "x.docx")
    try:
        import cchc.plans.importing.appendix  # noqa: F401
    except ModuleNotFoundError:
        assert plan.appendix.tasks == []
    else:
        assert [t.text for t in plan.appendix.tasks][:1] == [
            "Ban hành Kế hoạch cải cách hành chính năm 2026"
        ]


def test_commune_docx_without_appendix():
    plan = parse_file(commune_plan_docx(with_appendix=False), "x.docx")
    assert plan.appendix.referenced is False
    assert plan.appendix.tasks == []
    assert read_document(commune_plan_docx(with_appendix=False), "x.docx").tables == []


# --- (c) areas numbered "Lĩnh vực thứ nhất…", letters skipped and repeated, no appendix ------


def test_areas_numbered_differently_and_labels_repaired():
    plan = parse_text(SO_GIAO_DUC)
    data = plan.as_json()
    assert data["document"]["title"] == "Thực hiện công tác cải cách hành chính năm 2026"
    assert (data["document"]["issuer"], data["document"]["parent_issuer"]) == (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "UBND TỈNH LÀO CAI",
    )  # both header columns were typed on the same lines
    assert (data["document"]["number"], data["document"]["place"]) == ("210", "Lào Cai")
    areas = data["areas"]
    assert [a["number"] for a in areas] == [1, 2, 3, 4, 5, 6]
    assert [a["original_number"] for a in areas] == ["nhất", "hai", "ba", "tư", "năm", "sáu"]
    assert areas[0]["title"] == "Công tác chỉ đạo, điều hành"
    # "a) b) d)" and "a) a)" are relabelled in order, with a warning each
    assert [(t["label"], t["source_label"]) for t in areas[0]["tasks"]] == [
        ("a", "a"),
        ("b", "b"),
        ("c", "d"),
    ]
    assert labels(areas[3]) == ["a", "b"]
    assert sum("relabelled" in w for w in plan.warnings) == 2
    # bullets only → tasks; an intro line ending in ":"; "+" continues the bullet above
    assert areas[2]["intro"] == "Triển khai các nhiệm vụ sau:"
    assert areas[2]["tasks"][0]["text"].endswith(
        "\n+ Hướng dẫn phụ huynh nộp hồ sơ trên Cổng Dịch vụ công."
    )
    assert len(areas[2]["tasks"]) == 2
    # unlabelled paragraphs only → one task each
    assert labels(areas[4]) == ["a", "b"]
    assert data["appendix"] == {"referenced": False, "tasks": [], "warnings": []}
    assert [(t["indicator"], t["value"], t["unit"]) for t in data["targets"]] == [
        ("rank:PAR_INDEX", 5.0, "top"),
        ("rank:DTI", 3.0, "places_up"),
        ("satisfaction", 95.0, "%"),
        ("on_time", 100.0, "%"),
    ]
    refs = {r["number"]: r for r in data["legal_references"]}
    assert list(refs) == [
        "2150/QĐ-UBND",
        "28-KL/TW",
        "61/2018/NĐ-CP",
        "107/2021/NĐ-CP",
        "08/2025/NQ-HĐND",
    ]
    assert refs["107/2021/NĐ-CP"]["kind"] == "Nghị định"  # named once for both numbers
    assert refs["28-KL/TW"]["kind"] == "Kết luận"


# --- (e) a draft: blank number and date, wrapped lines, "II.1." areas -----------------------


def test_draft_with_blank_number_and_date():
    plan = parse_text(SO_Y_TE)
    data = plan.as_json()
    assert data["document"] == {
        "kind": "KẾ HOẠCH",
        "number": None,
        "symbol": "KH-SYT",
        "place": "Nghệ An",
        "date": None,
        "title": "CẢI CÁCH HÀNH CHÍNH NĂM 2026 CỦA SỞ Y TẾ",
        "issuer": "SỞ Y TẾ",
        "parent_issuer": "UBND TỈNH NGHỆ AN",
        "signer": None,  # not signed yet
        "signer_title": "GIÁM ĐỐC",
        "year": 2026,
    }
    areas = data["areas"]
    assert [a["original_number"] for a in areas] == [f"II.{i}" for i in range(1, 8)]
    # lines wrapped by the editor are joined back
    assert areas[0]["tasks"][0]["text"] == (
        "Xây dựng kế hoạch, tổ chức kiểm tra công tác cải cách hành chính tại các bệnh viện, "
        "trung tâm y tế."
    )
    assert [(t.indicator, t.value) for t in plan.targets] == [
        ("satisfaction", 85.0),
        ("online_usage", 70.0),
    ]
    assert plan.legal_references[0].text.endswith(
        "về việc ban hành Kế hoạch cải cách hành chính nhà nước năm 2026"
    )
    assert plan.appendix.referenced is False


def test_year_falls_back_to_the_date_when_the_title_has_none():
    def plan_year(date_line: str) -> int | None:
        lines = ["SỞ NỘI VỤ", "Số: 3/KH-SNV", date_line, "KẾ HOẠCH", "Cải cách hành chính"]
        return parse_plan([*lines, "II. NHIỆM VỤ", "1. Thể chế", "a) Rà soát."]).document.year

    assert plan_year("Hà Nội, ngày 20 tháng 12 năm 2025") == 2026  # December: next year's plan
    assert plan_year("Hà Nội, ngày 05 tháng 01 năm 2026") == 2026
    assert plan_year("Hà Nội, ngày    tháng    năm 2026") == 2026


# --- (f) PDF with a text layer, locked, scanned, damaged ------------------------------------


def test_pdf_with_text_layer_parses_like_the_text():
    lines = read_text(SO_Y_TE).splitlines()
    from_pdf = parse_file(pdf_bytes(lines), "ke-hoach.pdf").as_json()
    from_text = parse_text(SO_Y_TE).as_json()
    assert from_pdf["document"] == from_text["document"]
    strip = [[(t["label"], t["text"]) for t in a["tasks"]] for a in from_pdf["areas"]]
    assert strip == [[(t["label"], t["text"]) for t in a["tasks"]] for a in from_text["areas"]]
    assert from_pdf["targets"] == from_text["targets"]


def test_pdf_of_a_plan_without_diacritics():
    lines = [
        "UBND TINH BAC NINH",
        "SO NOI VU",
        "So: 12/KH-SNV",
        "Bac Ninh, ngay 02 thang 01 nam 2026",
        "KE HOACH",
        "Cai cach hanh chinh nam 2026",
        "II. NHIEM VU",
        "1. Chi dao, dieu hanh",
        "a) Ban hanh ke hoach.",
        "b) Kiem tra cong tac CCHC.",
    ]
    plan = parse_file(pdf_bytes(lines), "plan.pdf")
    assert plan.document.year == 2026
    assert [t.label for t in plan.areas[0].tasks] == ["a", "b"]


def test_encrypted_pdf_is_refused():
    raises("password_protected", encrypted_pdf(["KẾ HOẠCH", "1. a", "a) b"]), "plan.pdf")


def test_pdf_without_text_is_a_scan():
    error = raises("no_text", blank_pdf(), "scan.pdf")
    assert "scanned" in error.message


def test_pdf_with_too_many_pages():
    error = raises("too_many_pages", pdf_bytes(["x"] * 301, lines_per_page=1), "big.pdf")
    assert "301" in error.message


def test_damaged_pdf():
    raises("damaged", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage", "x.pdf")


# --- bad input ------------------------------------------------------------------------------


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_empty_and_blank_files():
    raises("empty", b"", "plan.txt")
    raises("empty", b" \r\n\t\n", "plan.txt")
    raises("empty", "\ufeff  \n\n".encode(), "plan.txt")


def test_an_image_is_not_a_plan():
    error = raises("not_a_document", png_bytes(), "plan.docx")
    assert ".docx" in error.message and ".pdf" in error.message


def test_random_binary_is_not_a_plan():
    raises("not_a_document", random.Random(7).randbytes(4096), "plan.txt")


def test_zip_bomb_renamed_docx_is_refused_without_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    raises("unsafe_archive", data, "bomb.docx")


def test_plain_zip_and_spreadsheet_renamed_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    raises("not_a_document", buffer.getvalue(), "plan.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    raises("not_a_document", buffer.getvalue(), "plan.docx")


def test_old_doc_and_password_protected_office_files():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    raises("legacy_format", ole2 + b"WordDocument".ljust(600, b"\0"), "plan.doc")
    locked = ole2 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512
    raises("password_protected", locked, "plan.docx")


def test_broken_docx_is_reported_as_damaged():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<not-xml")
    raises("damaged", buffer.getvalue(), "plan.docx")


def test_news_text_is_not_a_plan():
    news = (
        "Sáng nay, tại trụ sở UBND tỉnh đã diễn ra hội nghị sơ kết công tác quý I. Các đại "
        "biểu đã thảo luận về tình hình kinh tế - xã hội, nhấn mạnh vai trò của chuyển đổi số.\n"
        "Hội nghị kết thúc lúc 11 giờ cùng ngày."
    )
    error = raises("not_a_plan", news.encode(), "tin-tuc.txt")
    assert "no areas or tasks" in error.message


def test_too_large_files_are_refused_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "ke-hoach.txt"
    with open(big, "wb") as handle:  # a sparse 50 MB file: nothing is written or read
        handle.truncate(50 * 1024 * 1024)
    opened = []
    real_open = open

    def spy(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    with pytest.raises(PlanImportError) as error:
        parse_path(big)
    assert error.value.code == "too_large"
    assert os.fspath(big) not in opened
    assert "50 MB" in error.value.message
    raises("too_large", b"x" * 2048, "plan.txt", max_bytes=1024)


def test_parse_path_reads_a_plan(tmp_path):
    path = tmp_path / "ke-hoach.txt"
    path.write_bytes(read_bytes(SO_TU_PHAP))
    assert parse_path(path).task_count == 25


# --- smaller shapes -------------------------------------------------------------------------


def test_tasks_without_numbered_areas_make_one_area():
    plan = parse_plan(
        [
            "KẾ HOẠCH",
            "Cải cách hành chính năm 2026",
            "II. NHIỆM VỤ",
            "a) Rà soát thủ tục hành chính.",
            "b) Số hóa hồ sơ.",
            "III. TỔ CHỨC THỰC HIỆN",
            "1. Văn phòng theo dõi.",
        ]
    )
    assert len(plan.areas) == 1
    assert plan.areas[0].title == "NHIỆM VỤ"
    assert [t.label for t in plan.areas[0].tasks] == ["a", "b"]
    assert plan.warnings


def test_areas_numbered_with_parenthesis_and_starting_elsewhere():
    plan = parse_plan(
        [
            "KẾ HOẠCH",
            "CCHC năm 2026",
            "II. NỘI DUNG",
            "3) Cải cách thủ tục hành chính",
            "a) Công khai thủ tục.",
            "b) Giải quyết đúng hạn.",
            "4) Cải cách tổ chức bộ máy",
            "- Rà soát chức năng nhiệm vụ.",
            "III. TỔ CHỨC THỰC HIỆN",
        ]
    )
    assert [(a.number, a.original_number) for a in plan.areas] == [(1, "3"), (2, "4")]
    assert plan.areas[1].tasks[0].text == "Rà soát chức năng nhiệm vụ."
    assert any("renumbered" in w for w in plan.warnings)


def test_section_two_stops_at_section_three_and_at_noi_nhan():
    plan = parse_plan(
        [
            "KẾ HOẠCH",
            "x năm 2026",
            "II. NHIỆM VỤ",
            "1. Thể chế",
            "a) Rà soát.",
            "Nơi nhận:",
            "- Lưu: VT.",
            "a) not a task",
        ]
    )
    assert [t.text for t in plan.areas[0].tasks] == ["Rà soát."]


def test_many_tasks_continue_with_doubled_letters():
    lines = ["KẾ HOẠCH", "năm 2026", "II. NHIỆM VỤ", "1. Một"]
    lines += [f"- Nhiệm vụ {i}." for i in range(25)]
    plan = parse_plan(lines)
    assert [t.label for t in plan.areas[0].tasks][-3:] == ["y", "aa", "bb"]
    assert_alphabet_order(plan)


# --- references -----------------------------------------------------------------------------


def test_references_kinds_dates_issuers_and_deduplication():
    text = (
        "Số: 15/KH-STP\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15 ngày 16 tháng 6 năm 2025;\n"
        "Căn cứ Luật Cán bộ, công chức ngày 24/6/2025;\n"
        "Thực hiện Thông tư 01/2018/TT-VPCP và 03/2025/TT-VPCP; Quy định số 08-QĐi/TW.\n"
        "Theo Nghị định 61/2018/NĐ-CP. Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính "
        "phủ sửa đổi;\n"
        "Chỉ thị số 05-CT/TU của Ban Thường vụ Tỉnh ủy. Ngày 15/12/2025 đạt 90%."
    )
    refs = {r.number: r for r in find_references(text)}
    assert list(refs) == [
        "72/2025/QH15",
        "01/2018/TT-VPCP",
        "03/2025/TT-VPCP",
        "08-QĐi/TW",
        "61/2018/NĐ-CP",
        "05-CT/TU",
    ]  # the plan's own number, the law without a number and the bare date are not references
    assert refs["72/2025/QH15"].kind == "Luật"
    assert refs["72/2025/QH15"].date == dt.date(2025, 6, 16)
    assert refs["03/2025/TT-VPCP"].kind == "Thông tư"
    assert refs["08-QĐi/TW"].kind == "Quy định"
    # first citation wins, a later one fills the date and the issuer
    assert refs["61/2018/NĐ-CP"].text == "Theo Nghị định 61/2018/NĐ-CP"
    assert refs["61/2018/NĐ-CP"].date == dt.date(2018, 4, 23)
    assert refs["61/2018/NĐ-CP"].issuer == "Chính phủ"
    assert refs["05-CT/TU"].issuer == "Ban Thường vụ Tỉnh ủy"


# --- targets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Tỷ lệ hài lòng đạt 90,5%", [("satisfaction", 90.5, "%")]),
        ("Giải quyết hồ sơ trước hạn, đúng hạn đạt 90 %", [("on_time", 90.0, "%")]),
        ("Tỷ lệ thanh toán trực tuyến đạt 50%", [("online_payment", 50.0, "%")]),
        ("Tỷ lệ dịch vụ công trực tuyến phát sinh hồ sơ đạt 80%", [("online_usage", 80.0, "%")]),
        ("100% cuộc họp được tổ chức trực tuyến", [(None, 100.0, "%")]),
        ("100% hồ sơ được số hóa", [("digitization", 100.0, "%")]),
        ("Rút ngắn 30% thời gian giải quyết", [("time_reduction", 30.0, "%")]),
        ("Chỉ số PAR INDEX xếp top 10", [("rank:PAR_INDEX", 10.0, "top")]),
        ("Chỉ số PCI thuộc nhóm A", [("rank:PCI", None, "group:A")]),
        ("Chỉ số PAPI xếp thứ 5 toàn quốc", [("rank:PAPI", 5.0, "rank")]),
        ("Chỉ số CCHC đạt từ 85% trở lên", [("score:PAR_INDEX", 85.0, "%")]),
        (
            "Chỉ số PAR INDEX và PCI thuộc tốp 15 tỉnh dẫn đầu",
            [("rank:PAR_INDEX", 15.0, "top"), ("rank:PCI", 15.0, "top")],
        ),
        (
            "Tỷ lệ đúng hạn đạt 98%, tỷ lệ hài lòng đạt 95%",
            [("on_time", 98.0, "%"), ("satisfaction", 95.0, "%")],
        ),
        ("Tăng 150% so với năm trước", []),
    ],
)
def test_targets(sentence, expected):
    assert [(t.indicator, t.value, t.unit) for t in find_targets(sentence)] == expected


def test_targets_outside_the_goals_need_a_goal_word():
    assert find_targets("Sử dụng 70% kinh phí cho đào tạo", require_trigger=True) == []
    assert [t.value for t in find_targets("Phấn đấu 70% hồ sơ được số hóa", require_trigger=True)]


def test_plan_issued_with_a_decision():
    """A commune often issues the plan as the attachment of a decision ("QUYẾT ĐỊNH Ban hành Kế
    hoạch …"): the plan's own "KẾ HOẠCH" heading starts the title and the body."""
    lines = [
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG BẾN THÀNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 120/QĐ-UBND",
        "Bến Thành, ngày 30 tháng 12 năm 2025",
        "QUYẾT ĐỊNH",
        "Ban hành Kế hoạch cải cách hành chính năm 2026",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG BẾN THÀNH",
        "Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;",
        "QUYẾT ĐỊNH:",
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính năm 2026.",
        "Nơi nhận:",
        "- Lưu: VT.",
        "CHỦ TỊCH",
        "Phạm Minh Tú",
        "KẾ HOẠCH",
        "Cải cách hành chính năm 2026 của phường Bến Thành",
        "(Ban hành kèm theo Quyết định số 120/QĐ-UBND ngày 30/12/2025 của Chủ tịch UBND phường)",
        "II. NHIỆM VỤ",
        "1. Cải cách thủ tục hành chính",
        "a) Rà soát thủ tục hành chính.",
        "III. TỔ CHỨC THỰC HIỆN",
    ]
    plan = parse_plan(lines)
    assert plan.document.issuer == "ỦY BAN NHÂN DÂN PHƯỜNG BẾN THÀNH"
    assert plan.document.title == "Cải cách hành chính năm 2026 của phường Bến Thành"
    assert (plan.document.number, plan.document.symbol) == ("120", "QĐ-UBND")
    assert (plan.document.signer, plan.document.year) == ("Phạm Minh Tú", 2026)
    assert [r.number for r in plan.legal_references] == ["72/2025/QH15"]
    assert [t.text for t in plan.areas[0].tasks] == ["Rà soát thủ tục hành chính."]
