"""Builders of the binary test documents: a commune's plan as DOCX (python-docx, with the
two-column Nghị định 30 header table, Word auto-numbering and an appendix table) and plans as
PDF with a real text layer (hand-written PDF objects; Vietnamese text through a Type0 font whose
ToUnicode map is the identity, so no font file is needed for text extraction)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

HERE = Path(__file__).resolve().parent


def read_text(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def read_bytes(name: str) -> bytes:
    return (HERE / name).read_bytes()


# --- DOCX -----------------------------------------------------------------------------------

COMMUNE_AREAS = [
    (
        "Công tác chỉ đạo, điều hành và tuyên truyền cải cách hành chính",
        [
            "Ban hành Kế hoạch cải cách hành chính năm 2026 của xã; phân công công chức phụ trách.",
            "Tuyên truyền về cải cách hành chính trên hệ thống truyền thanh của xã.",
        ],
    ),
    ("Cải cách thể chế", ["Rà soát văn bản do HĐND, UBND xã ban hành còn hiệu lực."]),
    (
        "Cải cách thủ tục hành chính; cơ chế một cửa, một cửa liên thông",
        [
            "Niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa xã.",
            "Hướng dẫn người dân nộp hồ sơ trực tuyến, thanh toán trực tuyến.",
            "Số hóa kết quả giải quyết thủ tục hành chính lĩnh vực hộ tịch.",
        ],
    ),
    ("Cải cách tổ chức bộ máy", ["Kiện toàn các tổ chức phối hợp liên ngành của xã."]),
    ("Cải cách chế độ công vụ", ["Đánh giá, xếp loại cán bộ, công chức xã theo quý."]),
    ("Cải cách tài chính công", ["Công khai ngân sách xã theo quy định."]),
]
COMMUNE_BULLETS = [
    "Sử dụng hệ thống quản lý văn bản và điều hành trong toàn bộ hoạt động của UBND xã.",
    "Cập nhật dữ liệu dân cư phục vụ giải quyết thủ tục hành chính.",
]
APPENDIX_ROWS = [
    [
        "STT",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian hoàn thành",
        "Sản phẩm",
        "Ghi chú",
    ],
    ["I", "CHỈ ĐẠO, ĐIỀU HÀNH", "", "", "", "", ""],
    [
        "1",
        "Ban hành Kế hoạch cải cách hành chính năm 2026",
        "Văn phòng HĐND và UBND",
        "Các bộ phận chuyên môn",
        "Tháng 01/2026",
        "Kế hoạch",
        "",
    ],
    [
        "2",
        "Kiểm tra cải cách hành chính tại các thôn",
        "Văn phòng HĐND và UBND",
        "",
        "Quý III/2026",
        "Báo cáo kiểm tra",
        "",
    ],
    ["II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", "", "", "", ""],
    [
        "3",
        "Số hóa kết quả giải quyết hồ sơ hộ tịch",
        "Bộ phận Một cửa",
        "Công chức Tư pháp - Hộ tịch",
        "30/11/2026",
        "Dữ liệu số hóa",
        "",
    ],
]


def _lettered_numbering(document: docx.document.Document, areas: int) -> list[int]:
    """Adds a "a) b) c)…" list definition and one list instance per area (numbering restarts
    in each area, like a typist using Word's automatic numbering); returns the numIds."""
    numbering = document.part.numbering_part.element
    abstract_id = 90
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
            '<w:lvlText w:val="%1)"/></w:lvl></w:abstractNum>'
        ),
    )
    ids = []
    for offset in range(areas):
        num_id = 90 + offset
        numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                f'<w:abstractNumId w:val="{abstract_id}"/>'
                '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
            )
        )
        ids.append(num_id)
    return ids


def _numbered(paragraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def _cell_lines(cell, lines: list[str]) -> None:
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def commune_plan_docx(*, with_appendix: bool = True) -> bytes:
    """The plan of a commune (UBND xã Tân Phước) as Word would save it: header table, areas in
    a "List Number" list, tasks of areas 1–3 auto-lettered, of 4–6 typed "a)", area 7 as bullets
    ("List Bullet"), signature table, and the appendix table after the signature."""
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    _cell_lines(header.cell(0, 0), ["ỦY BAN NHÂN DÂN", "XÃ TÂN PHƯỚC", "_______"])
    _cell_lines(
        header.cell(0, 1),
        ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "______________"],
    )
    header.cell(1, 0).text = "Số: 08/KH-UBND"
    header.cell(1, 1).text = "Tân Phước, ngày 12 tháng 01 năm 2026"
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Cải cách hành chính năm 2026 trên địa bàn xã Tân Phước")
    document.add_paragraph(
        "Căn cứ Kế hoạch số 141/KH-UBND ngày 22/12/2025 của UBND tỉnh Đồng Nai về cải cách "
        "hành chính năm 2026;"
    )
    document.add_paragraph(
        "Căn cứ Nghị quyết số 18-NQ/TW ngày 25/10/2017 của Ban Chấp hành Trung ương Đảng khóa "
        "XII về một số vấn đề về tiếp tục đổi mới, sắp xếp tổ chức bộ máy;"
    )
    document.add_paragraph(
        "Ủy ban nhân dân xã ban hành Kế hoạch cải cách hành chính năm 2026 như sau:"
    )
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    document.add_paragraph(
        "Phấn đấu 100% hồ sơ thủ tục hành chính được giải quyết đúng hạn; mức độ hài lòng của "
        "người dân đạt trên 95%; tỷ lệ hồ sơ nộp trực tuyến đạt 60%."
    )
    document.add_paragraph("II. NHIỆM VỤ TRỌNG TÂM")
    letter_ids = _lettered_numbering(document, 3)
    for index, (title, tasks) in enumerate(COMMUNE_AREAS):
        document.add_paragraph(title, style="List Number")
        for task in tasks:
            if index < 3:
                _numbered(document.add_paragraph(task), letter_ids[index])
            else:
                document.add_paragraph(f"{'abcdđ'[tasks.index(task)]}) {task}")
    document.add_paragraph(
        "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", style="List Number"
    )
    for bullet in COMMUNE_BULLETS:
        document.add_paragraph(bullet, style="List Bullet")
    document.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph(
        "Các bộ phận chuyên môn thực hiện các nhiệm vụ tại Phụ lục kèm theo Kế hoạch này."
        if with_appendix
        else "Các bộ phận chuyên môn thực hiện các nhiệm vụ được giao."
    )
    signature = document.add_table(rows=1, cols=2)
    _cell_lines(
        signature.cell(0, 0), ["Nơi nhận:", "- UBND tỉnh (b/c);", "- Sở Nội vụ;", "- Lưu: VT."]
    )
    _cell_lines(signature.cell(0, 1), ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "Lê Văn Tâm"])
    if with_appendix:
        document.add_page_break()
        document.add_paragraph("PHỤ LỤC")
        document.add_paragraph("CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026")
        document.add_paragraph(
            "(Kèm theo Kế hoạch số 08/KH-UBND ngày 12/01/2026 của UBND xã Tân Phước)"
        )
        table = document.add_table(rows=len(APPENDIX_ROWS), cols=len(APPENDIX_ROWS[0]))
        for r, row in enumerate(APPENDIX_ROWS):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------

_TO_UNICODE_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
_TO_UNICODE_TAIL = """endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


def pdf_bytes(lines: list[str], *, lines_per_page: int = 50) -> bytes:
    """A PDF whose text layer holds ``lines`` (BMP characters), one text line each."""
    used_high = sorted({ord(c) >> 8 for line in lines for c in line} | {0})
    cmap = _TO_UNICODE_HEAD + f"{len(used_high)} beginbfrange\n"
    cmap += "".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n" for h in used_high)
    cmap += "endbfrange\n" + _TO_UNICODE_TAIL
    pages = [lines[i : i + lines_per_page] for i in range(0, max(len(lines), 1), lines_per_page)]

    objects: dict[int, bytes] = {}
    font_id, cid_id, cmap_id, descriptor_id = 3, 4, 5, 6
    objects[font_id] = (
        f"<< /Type /Font /Subtype /Type0 /BaseFont /TimesNewRoman /Encoding /Identity-H "
        f"/DescendantFonts [{cid_id} 0 R] /ToUnicode {cmap_id} 0 R >>"
    ).encode()
    objects[cid_id] = (
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TimesNewRoman /CIDSystemInfo "
        f"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor "
        f"{descriptor_id} 0 R /DW 500 /CIDToGIDMap /Identity >>"
    ).encode()
    objects[cmap_id] = _stream(cmap.encode())
    objects[descriptor_id] = (
        b"<< /Type /FontDescriptor /FontName /TimesNewRoman /Flags 32 "
        b"/FontBBox [0 -250 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -250 "
        b"/CapHeight 700 /StemV 80 >>"
    )
    page_ids = []
    next_id = 7
    for page_lines in pages:
        content = "BT /F1 10 Tf 14 TL 40 800 Td\n"
        for line in page_lines:
            content += "<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*\n"
        content += "ET"
        content_id, page_id = next_id, next_id + 1
        next_id += 2
        objects[content_id] = _stream(content.encode(), compress=True)
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>"
        ).encode()
        page_ids.append(page_id)
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()

    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n")
    xref = out.tell()
    size = max(objects) + 1
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for number in range(1, size):
        out.write(f"{offsets[number]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _stream(data: bytes, *, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data)
        return (
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + (b"\nendstream")
        )
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def blank_pdf(*, password: str | None = None) -> bytes:
    """A one-page PDF without text; encrypted with ``password`` when given."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf(lines: list[str], password: str = "mat-khau") -> bytes:
    """The text PDF of ``lines`` locked with a user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(lines))))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
