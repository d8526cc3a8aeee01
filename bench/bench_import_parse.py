"""Benchmark of the plan-document parser (issue 3): a generated 200-task plan, as TXT and as
DOCX, parsed by ``parse_file`` next to the floor of any parser on the same file in the same run:

* DOCX floor: python-docx loading the package and listing its paragraphs' text;
* TXT floor: decoding, ``str.splitlines`` and a single regex pass for task labels.

Prints a table (engine, file, tasks found, median ms over several runs, peak memory of one run by
tracemalloc) and PASS/FAIL against the target (parse_file under one second); exits non-zero on
FAIL. Run: ``.venv/bin/python bench/bench_import_parse.py [--runs 7] [--tasks 200]``.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

import django  # noqa: E402

django.setup()

import docx  # noqa: E402

from cchc.lib.vn_alphabet import label_for  # noqa: E402
from cchc.plans.importing.parser import parse_file  # noqa: E402

TARGET_SECONDS = 1.0
AREAS = [
    "Công tác chỉ đạo, điều hành và tuyên truyền cải cách hành chính",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính; cơ chế một cửa, một cửa liên thông",
    "Cải cách tổ chức bộ máy",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
]
HEADER = [
    "UBND TỈNH ĐỒNG NAI",
    "SỞ NỘI VỤ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 99/KH-SNV",
    "Đồng Nai, ngày 10 tháng 01 năm 2026",
    "KẾ HOẠCH",
    "Cải cách hành chính năm 2026",
    "Căn cứ Quyết định số 1234/QĐ-UBND ngày 15/12/2025 của Chủ tịch UBND tỉnh về việc ban "
    "hành Kế hoạch cải cách hành chính năm 2026;",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "- Mức độ hài lòng của người dân đạt trên 90%; tỷ lệ hồ sơ giải quyết đúng hạn đạt 98%.",
    "- Chỉ số cải cách hành chính (PAR INDEX) thuộc top 10.",
    "II. NỘI DUNG, NHIỆM VỤ CỤ THỂ",
]
FOOTER = [
    "III. TỔ CHỨC THỰC HIỆN",
    "Văn phòng Sở theo dõi, đôn đốc, tổng hợp báo cáo.",
    "Nơi nhận:",
    "- Sở Nội vụ;",
    "- Lưu: VT.",
    "GIÁM ĐỐC",
    "Nguyễn Văn Bình",
]


def plan_lines(tasks: int) -> list[str]:
    lines = list(HEADER)
    per_area, extra = divmod(tasks, len(AREAS))
    number = 0
    for index, title in enumerate(AREAS):
        lines.append(f"{index + 1}. {title}")
        for position in range(per_area + (1 if index < extra else 0)):
            number += 1
            lines.append(
                f"{label_for(position)}) Nhiệm vụ số {number}: rà soát, triển khai và báo cáo "
                f"kết quả thực hiện theo Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ."
            )
            if number % 3 == 0:
                lines.append("Thời gian hoàn thành: trước ngày 30/11/2026.")
            if number % 5 == 0:
                lines.append("- Sản phẩm: báo cáo kết quả thực hiện;")
    return lines + FOOTER


def plan_docx(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_LABEL = re.compile(r"^[a-zđ]{1,2}\)", re.MULTILINE)


def floor_txt(data: bytes, _name: str) -> int:
    text = data.decode("utf-8")
    text.splitlines()
    return len(_LABEL.findall(text))


def floor_docx(data: bytes, _name: str) -> int:
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    return sum(1 for p in paragraphs if _LABEL.match(p))


def parser(data: bytes, name: str) -> int:
    return parse_file(data, name).task_count


def measure(function: Callable[[bytes, str], int], data: bytes, name: str, runs: int):
    function(data, name)  # warm-up: imports, regex compilation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        found = function(data, name)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    function(data, name)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return found, statistics.median(times), peak


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--tasks", type=int, default=200)
    options.add_argument("--runs", type=int, default=7)
    args = options.parse_args()

    lines = plan_lines(args.tasks)
    text = ("\n".join(lines) + "\n").encode("utf-8")
    files = [("plan-200.txt", text), ("plan-200.docx", plan_docx(lines))]
    engines = {
        "plan-200.txt": [("str.splitlines + 1 regex", floor_txt), ("parse_file", parser)],
        "plan-200.docx": [("python-docx paragraphs", floor_docx), ("parse_file", parser)],
    }
    rows, failed = [], False
    for name, data in files:
        for engine, function in engines[name]:
            found, median, peak = measure(function, data, name, args.runs)
            rows.append((engine, f"{name} ({len(data) // 1024} KB)", found, median, peak))
            if function is parser and (median >= TARGET_SECONDS or found != args.tasks):
                failed = True

    header = ("engine", "file", "tasks", "median ms", "peak MB")
    widths = [26, 22, 6, 10, 8]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for engine, name, found, median, peak in rows:
        cells = (engine, name, str(found), f"{median * 1000:.1f}", f"{peak / 1e6:.1f}")
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    verdict = "FAIL" if failed else "PASS"
    print(
        f"\n{verdict}: parse_file of a {args.tasks}-task plan must take under "
        f"{TARGET_SECONDS * 1000:.0f} ms (median of {args.runs} runs) and find every task."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
