"""Property tests of the plan parser: noise, deletions, blank lines, reordering, Unicode forms
and line ends never make it fail with anything but PlanImportError, labels always come out in
Vietnamese alphabet order, and NFD input parses exactly like NFC input."""

from __future__ import annotations

import itertools
import json
import os
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.lib.vn_alphabet import index_of
from cchc.plans.importing.document import PlanImportError
from cchc.plans.importing.parser import parse_file, parse_plan
from cchc.plans.tests.documents.builders import read_text

DOCUMENTS = ["so_tu_phap_2026.txt", "so_giao_duc_linh_vuc_2026.txt", "so_y_te_du_thao_2026.txt"]
TEXTS = {name: read_text(name) for name in DOCUMENTS}
BASELINES = {name: parse_file(text.encode(), name).as_json() for name, text in TEXTS.items()}

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("CCHC_HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# lines that look like parts of a plan, to make the noise hit the parser's branches
LOOKALIKES = [
    "a) nhiệm vụ chen vào",
    "đ)",
    "z) không phải chữ cái tiếng Việt",
    "(a)",
    "aa) lặp",
    "1.",
    "7) Lĩnh vực",
    "99. Số lớn",
    "1.1. Mục con",
    "II.",
    "II. NỘI DUNG, NHIỆM VỤ",
    "III. TỔ CHỨC THỰC HIỆN",
    "IV.",
    "PHẦN thứ hai",
    "Lĩnh vực thứ mười: x",
    "Lĩnh vực thứ không",
    "- ",
    "-",
    "+ ý phụ",
    "• chấm",
    "Nơi nhận:",
    "KẾ HOẠCH",
    "KẾ HOẠCH 2026",
    "KT. GIÁM ĐỐC",
    "Nguyễn Văn A",
    "Số: /",
    "Số:",
    "ngày tháng năm",
    ", ngày 31 tháng 02 năm 2026",
    "Quyết định số 1/QĐ-X ngày 99/99/9999 của",
    "top 0 nhóm Z 101% 90,5 % PAR INDEX PCI",
    "PHỤ LỤC",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "_____",
]
noise_line = st.one_of(
    st.sampled_from(LOOKALIKES),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
)
_TASK_LINE = re.compile(r"^(?:[a-zđ]\)|- |\+ )")
_AREA_LINE = re.compile(r"^(?:\d\.|II\.\d|Lĩnh vực|[IVX]+\.)")


def check(plan) -> None:
    for area in plan.areas:
        positions = [index_of(task.label) for task in area.tasks]
        assert all(a < b for a, b in itertools.pairwise(positions)), positions
    assert [area.number for area in plan.areas] == list(range(1, len(plan.areas) + 1))
    json.dumps(plan.as_json(), ensure_ascii=False)


def parse_or_refuse(data: bytes, name: str = "plan.txt"):
    try:
        plan = parse_file(data, name)
    except PlanImportError as error:
        assert error.code and error.message
        return None
    check(plan)
    return plan


@PROPERTY_SETTINGS
@given(
    name=st.sampled_from(DOCUMENTS),
    inserts=st.lists(st.tuples(st.integers(0, 200), noise_line), max_size=12),
    blanks=st.lists(st.integers(0, 200), max_size=12),
    deletions=st.sets(st.integers(0, 200), max_size=20),
    nfd=st.lists(st.booleans(), max_size=200),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
)
def test_noise_never_breaks_the_parser(name, inserts, blanks, deletions, nfd, newline, bom):
    lines = [line for i, line in enumerate(TEXTS[name].split("\n")) if i not in deletions]
    for position, line in inserts:
        lines.insert(min(position, len(lines)), line)
    for position in blanks:
        lines.insert(min(position, len(lines)), "")
    lines = [
        unicodedata.normalize("NFD", line) if i < len(nfd) and nfd[i] else line
        for i, line in enumerate(lines)
    ]
    data = newline.join(lines).encode("utf-8")
    parse_or_refuse(b"\xef\xbb\xbf" + data if bom else data)


def task_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of task blocks between two area headings."""
    runs, start = [], None
    for i, line in enumerate([*lines, "1. end"]):
        if _AREA_LINE.match(line) or not line:
            if start is not None and i - start > 1:
                runs.append((start, i))
            start = None
        elif _TASK_LINE.match(line) and start is None:
            start = i
    return runs


@PROPERTY_SETTINGS
@given(name=st.sampled_from(DOCUMENTS), data=st.data())
def test_reordered_tasks_keep_alphabet_order(name, data):
    lines = TEXTS[name].split("\n")
    for start, end in task_blocks(lines):
        blocks: list[list[str]] = []
        for line in lines[start:end]:
            if _TASK_LINE.match(line) and (not blocks or not line.startswith(("- ", "+ "))):
                blocks.append([line])
            else:
                blocks[-1].append(line)
        order = data.draw(st.permutations(range(len(blocks))))
        lines[start:end] = [line for i in order for line in blocks[i]]
    plan = parse_or_refuse("\n".join(lines).encode())
    assert plan is not None
    baseline = BASELINES[name]
    assert [len(a.tasks) for a in plan.areas] == [len(a["tasks"]) for a in baseline["areas"]]
    assert sorted(t.text for a in plan.areas for t in a.tasks) == sorted(
        t["text"] for a in baseline["areas"] for t in a["tasks"]
    )


@PROPERTY_SETTINGS
@given(
    name=st.sampled_from(DOCUMENTS),
    forms=st.lists(st.sampled_from(["NFC", "NFD"]), min_size=1, max_size=200),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_nfd_and_nfc_give_the_same_result(name, forms, newline, bom):
    lines = TEXTS[name].split("\n")
    mixed = [unicodedata.normalize(forms[i % len(forms)], line) for i, line in enumerate(lines)]
    data = newline.join(mixed).encode("utf-8")
    plan = parse_file(b"\xef\xbb\xbf" + data if bom else data, "mixed.txt")
    assert plan.as_json() == BASELINES[name]


@PROPERTY_SETTINGS
@given(st.lists(st.one_of(noise_line, st.sampled_from(LOOKALIKES)), max_size=40))
def test_arbitrary_lines_only_raise_plan_import_error(lines):
    try:
        plan = parse_plan(lines)
    except PlanImportError:
        return
    check(plan)


@PROPERTY_SETTINGS
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_only_raise_plan_import_error(data):
    parse_or_refuse(data)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_baselines_are_plans(name):
    assert BASELINES[name]["areas"]
