import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cchc.lib.uploads import check_upload, detect_kind, sanitize_filename

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def office_bytes(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def check(data: bytes, name: str, **kwargs):
    return check_upload(io.BytesIO(data), name=name, size=len(data), **kwargs)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (PDF, "bao-cao.pdf", "pdf"),
        (png_bytes(), "anh.png", "png"),
        (office_bytes("word/document.xml"), "Kế hoạch.docx", "docx"),
        (office_bytes("xl/workbook.xml"), "phu-luc.xlsx", "xlsx"),
    ],
)
def test_accepts_real_files_by_content(data, name, kind):
    checked = check(data, name)
    assert checked.kind == kind
    assert len(checked.sha256) == 64


def test_type_comes_from_content_not_name():
    with pytest.raises(ValidationError) as err:
        check(b"just some text, not a PDF", "fake.pdf")
    assert err.value.code == "bad_type"


def test_a_png_named_pdf_is_refused():
    with pytest.raises(ValidationError) as err:
        check(png_bytes(), "scan.pdf")
    assert err.value.code == "extension_mismatch"


def test_a_plain_zip_named_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError):
        check(buffer.getvalue(), "plan.docx")


def test_zip_bomb_is_refused_without_decompressing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(ValidationError):
        check(data, "bomb.docx")


def test_size_limits(settings):
    with pytest.raises(ValidationError) as err:
        check(PDF, "a.pdf", max_bytes=10)
    assert err.value.code == "too_large"
    with pytest.raises(ValidationError) as err:
        check(b"", "a.pdf")
    assert err.value.code == "empty"


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\Báo cáo.pdf", "Báo cáo.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
        ("a<b>:c|d?.pdf", "a_b_c_d.pdf"),
        (".htaccess", "htaccess"),
        ("con.pdf", "_con.pdf"),
        ("Ke\u0302\u0301 hoa\u0323ch.pdf", "Kế hoạch.pdf"),
    ],
)
def test_sanitize_filename(given_name, expected):
    assert sanitize_filename(given_name) == expected


@given(st.text(max_size=300))
def test_sanitized_names_are_always_safe(name):
    safe = sanitize_filename(name, extension="pdf")
    assert safe.endswith(".pdf")
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".")
    assert len(safe) <= 150


def test_detect_kind_unknown():
    assert detect_kind(io.BytesIO(b"MZ\x90\x00 an executable")) is None
