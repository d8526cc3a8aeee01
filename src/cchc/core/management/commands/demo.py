"""``cchc demo [--json] [--reset]``: a demo province to try the system with.

"Tỉnh Demo" holds Sở Nội vụ (whose appraiser reads every agency), Sở Tư pháp and the commune
UBND xã An Bình, each with its units, a person of every role and an issued reform plan for the
year (2026, or the current year when later) of about forty tasks over the seven areas: some done
with evidence, some in progress, some late, a few due within days, recurring reports. Everything
goes through the services, so the audit trail, notifications and progress roll-ups are real; the
services stamp "now", so each step is then moved back to the day it would have happened.

Running it again when the demo exists changes nothing and prints the logins; ``--reset`` deletes
the demo agencies with all their data and loads them afresh.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.models import (
    Agency,
    AgencyKind,
    AuditEntry,
    Membership,
    Notification,
    Role,
    Unit,
    User,
)
from cchc.core.services import agency_create, unit_create, user_create
from cchc.plans import services as plans
from cchc.plans.models import Comment, Evidence, Plan, ProgressUpdate, Recurrence, Task

DEMO_PASSWORD = "Demo@2026"
FIRST_YEAR = 2026
PROVINCE = "DEMO"
EMAIL_DOMAIN = "tinhdemo.example"  # a reserved name (RFC 2606): demo e-mails go nowhere

# code, name, kind
AGENCIES = (
    (PROVINCE, "Tỉnh Demo", AgencyKind.PROVINCE),
    ("DEMO-SNV", "Sở Nội vụ tỉnh Demo", AgencyKind.AGENCY),
    ("DEMO-STP", "Sở Tư pháp tỉnh Demo", AgencyKind.AGENCY),
    ("DEMO-XAB", "UBND xã An Bình", AgencyKind.AGENCY),
)
UNITS = {
    "DEMO-SNV": (("VP", "Văn phòng Sở"), ("CCHC", "Phòng Cải cách hành chính")),
    "DEMO-STP": (
        ("VP", "Văn phòng"),
        ("HCTP", "Phòng Hành chính tư pháp"),
        ("XDKT", "Phòng Xây dựng, kiểm tra và theo dõi thi hành pháp luật"),
        ("PBGDPL", "Phòng Phổ biến, giáo dục pháp luật"),
        ("BTTP", "Phòng Bổ trợ tư pháp"),
        ("TTR", "Thanh tra Sở"),
        ("TGPL", "Trung tâm Trợ giúp pháp lý nhà nước"),
    ),
    "DEMO-XAB": (
        ("VP", "Văn phòng HĐND và UBND"),
        ("KT", "Phòng Kinh tế"),
        ("VHXH", "Phòng Văn hóa - Xã hội"),
        ("TTPV", "Trung tâm Phục vụ hành chính công"),
    ),
}


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    role: str
    unit: str | None
    job_title: str


def _people(prefix: str, rows: tuple[tuple[str, str, str, str | None, str], ...]) -> list[Person]:
    return [
        Person(f"{prefix}{name}", full, role, unit, job) for name, full, role, unit, job in rows
    ]


PEOPLE: dict[str, list[Person]] = {
    PROVINCE: [Person("admin", "Quản trị hệ thống", Role.ADMIN, None, "Chuyên viên CNTT")],
    "DEMO-SNV": _people(
        "snv.",
        (("appraiser", "Vũ Thị Thảo", Role.APPRAISER, "CCHC", "Chuyên viên Phòng CCHC"),),
    ),
    "DEMO-STP": _people(
        "stp.",
        (
            ("leader", "Nguyễn Văn Hùng", Role.LEADER, None, "Giám đốc Sở"),
            ("coordinator", "Trần Thị Mai", Role.COORDINATOR, "VP", "Chuyên viên, đầu mối CCHC"),
            ("head.vp", "Lê Minh Tuấn", Role.UNIT_HEAD, "VP", "Chánh Văn phòng"),
            ("head.hctp", "Phạm Thị Lan", Role.UNIT_HEAD, "HCTP", "Trưởng phòng"),
            ("head.xdkt", "Hoàng Văn Nam", Role.UNIT_HEAD, "XDKT", "Trưởng phòng"),
            ("head.pbgdpl", "Vũ Thị Hương", Role.UNIT_HEAD, "PBGDPL", "Trưởng phòng"),
            ("head.bttp", "Đặng Quốc Bảo", Role.UNIT_HEAD, "BTTP", "Trưởng phòng"),
            ("head.ttr", "Đinh Văn Sơn", Role.UNIT_HEAD, "TTR", "Chánh Thanh tra"),
            ("head.tgpl", "Lương Thị Hạnh", Role.UNIT_HEAD, "TGPL", "Giám đốc Trung tâm"),
            ("officer.vp", "Bùi Thị Thu", Role.OFFICER, "VP", "Chuyên viên"),
            ("officer.hctp", "Ngô Văn Long", Role.OFFICER, "HCTP", "Chuyên viên"),
            ("officer.xdkt", "Đỗ Thị Ngọc Anh", Role.OFFICER, "XDKT", "Chuyên viên"),
            ("officer.pbgdpl", "Phan Văn Đức", Role.OFFICER, "PBGDPL", "Chuyên viên"),
            ("officer.bttp", "Trịnh Thị Hoa", Role.OFFICER, "BTTP", "Chuyên viên"),
            ("viewer", "Lý Văn Thành", Role.VIEWER, None, "Thanh tra viên"),
        ),
    ),
    "DEMO-XAB": _people(
        "xab.",
        (
            ("leader", "Nguyễn Thị Hồng", Role.LEADER, None, "Chủ tịch UBND xã"),
            ("coordinator", "Lê Văn Phúc", Role.COORDINATOR, "VP", "Công chức Văn phòng"),
            ("head.vp", "Trần Văn Dũng", Role.UNIT_HEAD, "VP", "Chánh Văn phòng"),
            ("head.kt", "Phạm Văn Khánh", Role.UNIT_HEAD, "KT", "Trưởng phòng Kinh tế"),
            ("head.vhxh", "Võ Thị Kim Loan", Role.UNIT_HEAD, "VHXH", "Trưởng phòng"),
            ("head.ttpv", "Huỳnh Thị Ngọc Trâm", Role.UNIT_HEAD, "TTPV", "Giám đốc Trung tâm"),
            ("officer.vp", "Đặng Thị Thanh Tâm", Role.OFFICER, "VP", "Công chức"),
            ("officer.kt", "Nguyễn Hữu Lộc", Role.OFFICER, "KT", "Công chức"),
            ("officer.vhxh", "Lâm Thị Bích", Role.OFFICER, "VHXH", "Công chức"),
            ("officer.ttpv", "Trương Minh Quân", Role.OFFICER, "TTPV", "Công chức"),
            ("viewer", "Cao Văn Tài", Role.VIEWER, None, "Đại biểu HĐND xã"),
        ),
    ),
}

# area, title ({year}, {period}), lead unit, coordinating units, due (month, day), flags, product.
# Flags: q quarterly, m monthly, L lagging (late if its due date has passed), ! high priority.
T = tuple[int, str, str, str, tuple[int, int], str, str]
# fmt: off
STP_TASKS: tuple[T, ...] = (
    (1, "Xây dựng, ban hành Kế hoạch cải cách hành chính năm {year} của Sở", "VP", "", (1, 15), "!", "Kế hoạch CCHC năm {year}"),  # noqa: E501
    (1, "Báo cáo định kỳ công tác cải cách hành chính (quý, 6 tháng, năm) gửi Sở Nội vụ", "VP", "HCTP XDKT", (12, 31), "q", "Báo cáo CCHC định kỳ"),  # noqa: E501
    (1, "Kiểm tra công tác cải cách hành chính tại các phòng, đơn vị thuộc Sở", "VP", "TTR", (10, 31), "", "Báo cáo kết quả kiểm tra"),  # noqa: E501
    (1, "Tuyên truyền cải cách hành chính trên Trang thông tin điện tử và mạng xã hội của Sở", "PBGDPL", "VP", (12, 15), "", "Tin, bài tuyên truyền"),  # noqa: E501
    (1, "Tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {year} của Sở, kèm tài liệu kiểm chứng", "VP", "HCTP XDKT PBGDPL BTTP", (12, 20), "!", "Báo cáo tự đánh giá Chỉ số CCHC"),  # noqa: E501
    (1, "Khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của Sở", "HCTP", "VP", (9, 30), "", "Báo cáo kết quả khảo sát"),  # noqa: E501
    (1, "Gắn kết quả thực hiện nhiệm vụ cải cách hành chính với đánh giá, xếp loại công chức cuối năm", "VP", "", (12, 25), "", ""),  # noqa: E501
    (1, "Tổ chức hội nghị sơ kết công tác cải cách hành chính 6 tháng đầu năm", "VP", "", (7, 15), "", "Báo cáo sơ kết"),  # noqa: E501
    (2, "Tham mưu xây dựng văn bản quy phạm pháp luật theo Chương trình năm {year} của UBND tỉnh", "XDKT", "VP", (10, 31), "L", "Dự thảo văn bản QPPL"),  # noqa: E501
    (2, "Thẩm định dự thảo văn bản quy phạm pháp luật của HĐND, UBND tỉnh đúng thời hạn", "XDKT", "", (12, 31), "", "Báo cáo thẩm định"),  # noqa: E501
    (2, "Rà soát, hệ thống hóa văn bản quy phạm pháp luật; công bố danh mục văn bản hết hiệu lực", "XDKT", "VP", (3, 31), "", "Quyết định công bố danh mục"),  # noqa: E501
    (2, "Kiểm tra, xử lý văn bản quy phạm pháp luật theo thẩm quyền", "XDKT", "TTR", (6, 30), "L", "Báo cáo kết quả kiểm tra văn bản"),  # noqa: E501
    (2, "Theo dõi tình hình thi hành pháp luật năm {year} trong lĩnh vực trọng tâm", "XDKT", "", (11, 15), "L", "Báo cáo theo dõi thi hành pháp luật"),  # noqa: E501
    (2, "Tổ chức hưởng ứng Ngày Pháp luật nước Cộng hòa xã hội chủ nghĩa Việt Nam (09/11)", "PBGDPL", "VP", (11, 9), "", "Báo cáo kết quả"),  # noqa: E501
    (2, "Xây dựng, triển khai Kế hoạch phổ biến, giáo dục pháp luật năm {year}", "PBGDPL", "", (2, 28), "", "Kế hoạch PBGDPL"),  # noqa: E501
    (3, "Rà soát, đánh giá, đề xuất phương án đơn giản hóa thủ tục hành chính thuộc phạm vi quản lý của Sở", "HCTP", "BTTP XDKT", (6, 30), "!", "Phương án đơn giản hóa TTHC"),  # noqa: E501
    (3, "Tham mưu công bố danh mục thủ tục hành chính mới ban hành, sửa đổi, bổ sung, bãi bỏ", "VP", "HCTP BTTP", (12, 31), "", "Quyết định công bố TTHC"),  # noqa: E501
    (3, "Theo dõi, báo cáo tình hình giải quyết hồ sơ và số hóa hồ sơ, kết quả giải quyết TTHC", "HCTP", "VP", (12, 31), "mL", "Số liệu hằng tháng"),  # noqa: E501
    (3, "Cắt giảm thời gian giải quyết thủ tục cấp Phiếu lý lịch tư pháp", "HCTP", "", (5, 31), "", "Quyết định phê duyệt phương án"),  # noqa: E501
    (3, "Cung cấp dịch vụ công trực tuyến toàn trình đối với thủ tục hành chính đủ điều kiện", "HCTP", "VP", (9, 30), "L", "Danh mục DVC trực tuyến toàn trình"),  # noqa: E501
    (3, "Triển khai thanh toán trực tuyến phí, lệ phí giải quyết thủ tục hành chính", "BTTP", "HCTP", (10, 31), "", ""),  # noqa: E501
    (3, "Số hóa dữ liệu hộ tịch lịch sử, cập nhật vào Cơ sở dữ liệu hộ tịch điện tử", "HCTP", "", (12, 15), "!", "Dữ liệu hộ tịch được số hóa"),  # noqa: E501
    (3, "Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về quy định hành chính", "VP", "", (12, 31), "", ""),  # noqa: E501
    (3, "Thực hiện xin lỗi người dân, tổ chức đối với hồ sơ giải quyết quá hạn", "HCTP", "", (12, 31), "", "Văn bản xin lỗi"),  # noqa: E501
    (4, "Rà soát chức năng, nhiệm vụ, cơ cấu tổ chức của các phòng, đơn vị thuộc Sở", "VP", "", (3, 31), "!", "Quyết định quy định chức năng, nhiệm vụ"),  # noqa: E501
    (4, "Kiện toàn tổ chức, bộ máy Trung tâm Trợ giúp pháp lý nhà nước", "TGPL", "VP", (6, 30), "", ""),  # noqa: E501
    (4, "Thực hiện phân cấp, ủy quyền giải quyết thủ tục hành chính theo chỉ đạo của UBND tỉnh", "HCTP", "VP", (8, 31), "L", "Quyết định ủy quyền"),  # noqa: E501
    (4, "Quản lý, sử dụng biên chế; tinh giản biên chế theo Nghị định 178/2024/NĐ-CP", "VP", "", (12, 31), "", ""),  # noqa: E501
    (4, "Sửa đổi, bổ sung Quy chế làm việc của Sở", "VP", "", (4, 30), "", "Quy chế làm việc"),
    (5, "Rà soát, điều chỉnh Đề án vị trí việc làm của Sở và đơn vị sự nghiệp trực thuộc", "VP", "TGPL", (5, 31), "L!", "Đề án vị trí việc làm"),  # noqa: E501
    (5, "Đào tạo, bồi dưỡng cán bộ, công chức, viên chức năm {year}", "VP", "", (11, 20), "", "Báo cáo đào tạo, bồi dưỡng"),  # noqa: E501
    (5, "Đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức năm {year}", "VP", "", (12, 31), "", ""),  # noqa: E501
    (5, "Kiểm tra việc chấp hành kỷ luật, kỷ cương hành chính, đạo đức công vụ", "TTR", "VP", (9, 30), "", "Báo cáo kết quả kiểm tra công vụ"),  # noqa: E501
    (5, "Chuyển đổi vị trí công tác định kỳ đối với công chức theo Nghị định 59/2019/NĐ-CP", "VP", "", (7, 31), "", "Quyết định chuyển đổi vị trí"),  # noqa: E501
    (6, "Giao quyền tự chủ tài chính cho Trung tâm Trợ giúp pháp lý nhà nước giai đoạn {period}", "TGPL", "VP", (3, 31), "L", "Quyết định giao quyền tự chủ"),  # noqa: E501
    (6, "Thực hiện Quy chế chi tiêu nội bộ, quy chế quản lý, sử dụng tài sản công", "VP", "", (2, 28), "", "Quy chế chi tiêu nội bộ"),  # noqa: E501
    (6, "Công khai dự toán, tình hình thực hiện dự toán ngân sách", "VP", "", (12, 31), "q", "Báo cáo công khai ngân sách"),  # noqa: E501
    (6, "Xây dựng, triển khai Kế hoạch thực hành tiết kiệm, chống lãng phí năm {year}", "VP", "", (3, 15), "", "Kế hoạch THTK, CLP"),  # noqa: E501
    (6, "Xây dựng, triển khai Kế hoạch phòng, chống tham nhũng, tiêu cực năm {year}", "TTR", "VP", (1, 31), "", "Kế hoạch PCTN"),  # noqa: E501
    (7, "Duy trì, cập nhật thông tin trên Trang thông tin điện tử của Sở", "VP", "PBGDPL", (12, 31), "", ""),  # noqa: E501
    (7, "Kết nối, chia sẻ dữ liệu chuyên ngành tư pháp với Trung tâm Giám sát, điều hành thông minh (IOC) của tỉnh", "VP", "HCTP", (10, 31), "L!", "Dữ liệu được kết nối IOC"),  # noqa: E501
    (7, "Xử lý văn bản, hồ sơ công việc trên môi trường mạng; sử dụng chữ ký số", "VP", "", (12, 31), "", ""),  # noqa: E501
    (7, "Bảo đảm an toàn thông tin mạng theo cấp độ cho hệ thống thông tin của Sở", "VP", "", (8, 31), "", "Hồ sơ đề xuất cấp độ"),  # noqa: E501
    (7, "Cập nhật Cơ sở dữ liệu quốc gia về xử lý vi phạm hành chính", "XDKT", "", (12, 31), "", ""),  # noqa: E501
)
XAB_TASKS: tuple[T, ...] = (
    (1, "Xây dựng, ban hành Kế hoạch cải cách hành chính năm {year} của UBND xã", "VP", "", (1, 20), "!", "Kế hoạch CCHC năm {year}"),  # noqa: E501
    (1, "Báo cáo định kỳ công tác cải cách hành chính gửi Sở Nội vụ", "VP", "TTPV", (12, 31), "qL", "Báo cáo CCHC định kỳ"),  # noqa: E501
    (1, "Tuyên truyền cải cách hành chính trên hệ thống thông tin cơ sở, loa truyền thanh xã", "VHXH", "VP", (12, 15), "", "Tin, bài tuyên truyền"),  # noqa: E501
    (1, "Tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {year} của UBND xã", "VP", "KT VHXH TTPV", (12, 20), "!", "Báo cáo tự đánh giá Chỉ số CCHC"),  # noqa: E501
    (1, "Đo lường sự hài lòng của người dân tại Trung tâm Phục vụ hành chính công xã", "TTPV", "", (9, 30), "", "Báo cáo kết quả đo lường"),  # noqa: E501
    (1, "Kiểm tra việc thực hiện nhiệm vụ cải cách hành chính tại các phòng, đơn vị thuộc UBND xã", "VP", "", (10, 31), "L", ""),  # noqa: E501
    (2, "Rà soát văn bản quy phạm pháp luật do HĐND, UBND xã ban hành", "VP", "", (4, 30), "", "Báo cáo rà soát văn bản"),  # noqa: E501
    (2, "Tự kiểm tra văn bản quy phạm pháp luật của HĐND, UBND xã", "VP", "", (6, 30), "L", ""),
    (2, "Phổ biến, giáo dục pháp luật; xây dựng xã đạt chuẩn tiếp cận pháp luật", "VHXH", "VP", (11, 20), "", "Hồ sơ đánh giá chuẩn tiếp cận pháp luật"),  # noqa: E501
    (2, "Theo dõi tình hình thi hành pháp luật trên địa bàn xã", "VP", "", (11, 15), "", ""),
    (2, "Kiện toàn tổ hòa giải ở thôn, ấp; bồi dưỡng hòa giải viên", "VHXH", "", (8, 31), "", ""),
    (3, "Niêm yết, công khai thủ tục hành chính tại Trung tâm Phục vụ hành chính công và trên Cổng Dịch vụ công", "TTPV", "VP", (2, 28), "", ""),  # noqa: E501
    (3, "Rà soát, đề xuất đơn giản hóa thủ tục hành chính thuộc thẩm quyền giải quyết của UBND xã", "TTPV", "KT VHXH", (6, 30), "!", "Báo cáo rà soát TTHC"),  # noqa: E501
    (3, "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Trung tâm Phục vụ hành chính công", "TTPV", "", (12, 31), "m", "Số liệu hằng tháng"),  # noqa: E501
    (3, "Hướng dẫn người dân nộp hồ sơ trực tuyến, thanh toán trực tuyến phí, lệ phí", "TTPV", "VHXH", (12, 15), "", ""),  # noqa: E501
    (3, "Giải quyết hồ sơ đất đai, xây dựng đúng hạn; xin lỗi người dân khi trễ hạn", "KT", "TTPV", (12, 31), "", ""),  # noqa: E501
    (3, "Tiếp nhận, xử lý phản ánh, kiến nghị của người dân về quy định hành chính", "VP", "TTPV", (12, 31), "", ""),  # noqa: E501
    (3, "Số hóa sổ hộ tịch, dữ liệu hộ tịch lưu trữ tại xã", "VP", "", (9, 30), "L", "Dữ liệu hộ tịch được số hóa"),  # noqa: E501
    (3, "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "TTPV", "VP", (7, 31), "", ""),  # noqa: E501
    (3, "Vận hành Trung tâm Phục vụ hành chính công xã theo cơ chế một cửa, một cửa liên thông", "TTPV", "", (3, 31), "!", "Quy chế hoạt động"),  # noqa: E501
    (4, "Xây dựng Quy chế làm việc của UBND xã sau sắp xếp đơn vị hành chính", "VP", "", (2, 15), "!", "Quy chế làm việc"),  # noqa: E501
    (4, "Quy định chức năng, nhiệm vụ các phòng chuyên môn và Trung tâm Phục vụ hành chính công xã", "VP", "", (3, 31), "", "Quyết định"),  # noqa: E501
    (4, "Rà soát, sắp xếp thôn, tổ dân phố theo tiêu chí mới", "VP", "VHXH", (9, 30), "L", ""),
    (4, "Thực hiện phân cấp, ủy quyền giải quyết công việc trong UBND xã", "VP", "", (6, 30), "", ""),  # noqa: E501
    (5, "Xây dựng Đề án vị trí việc làm của cán bộ, công chức xã", "VP", "", (5, 31), "L!", "Đề án vị trí việc làm"),  # noqa: E501
    (5, "Cử cán bộ, công chức tham gia bồi dưỡng kỹ năng chuyển đổi số", "VP", "", (10, 31), "", ""),  # noqa: E501
    (5, "Đánh giá, xếp loại chất lượng cán bộ, công chức xã năm {year}", "VP", "", (12, 31), "", ""),  # noqa: E501
    (5, "Kiểm tra việc thực hiện kỷ luật, kỷ cương hành chính, văn hóa công vụ", "VP", "", (8, 31), "", ""),  # noqa: E501
    (5, "Tuyển dụng công chức xã theo chỉ tiêu biên chế được giao", "VP", "", (11, 25), "", "Quyết định tuyển dụng"),  # noqa: E501
    (6, "Giao quyền tự chủ tài chính cho các trường mầm non, tiểu học, trung học cơ sở trên địa bàn xã", "KT", "VHXH", (3, 31), "", "Quyết định giao tự chủ"),  # noqa: E501
    (6, "Công khai dự toán, quyết toán ngân sách xã", "KT", "", (12, 31), "q", "Báo cáo công khai ngân sách"),  # noqa: E501
    (6, "Quản lý, sử dụng tài sản công; phương án xử lý trụ sở dôi dư sau sắp xếp", "KT", "VP", (7, 31), "L", "Phương án xử lý tài sản"),  # noqa: E501
    (6, "Giải ngân vốn đầu tư công năm {year}", "KT", "", (12, 31), "!", ""),
    (6, "Xây dựng Kế hoạch thực hành tiết kiệm, chống lãng phí năm {year}", "KT", "", (3, 15), "", ""),  # noqa: E501
    (7, "Kết nối camera giám sát, dữ liệu của xã với Trung tâm Giám sát, điều hành thông minh (IOC) của tỉnh", "VP", "KT", (10, 31), "L", ""),  # noqa: E501
    (7, "Vận hành hệ thống quản lý văn bản và điều hành; ký số văn bản điện tử", "VP", "", (12, 31), "", ""),  # noqa: E501
    (7, "Cập nhật, làm sạch dữ liệu dân cư phục vụ Đề án 06", "VHXH", "TTPV", (12, 31), "", ""),
    (7, "Xây dựng Kế hoạch chuyển đổi số xã năm {year}", "VP", "", (2, 28), "", "Kế hoạch chuyển đổi số"),  # noqa: E501
    (7, "Bảo đảm an toàn thông tin mạng cho hệ thống thông tin của UBND xã", "VP", "", (8, 31), "", ""),  # noqa: E501
    (7, "Cập nhật thông tin trên Trang thông tin điện tử xã", "VP", "", (12, 31), "", ""),
)
# fmt: on
# agency, symbol, number, tasks
PLANS = (
    ("DEMO-STP", "KH-STP", "15", STP_TASKS),
    ("DEMO-XAB", "KH-UBND", "08", XAB_TASKS),
)


# --- evidence files, built by hand (no document libraries needed) -------------------------


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if ord(c) < 128)


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page A4 PDF showing ``lines`` in Helvetica (accents dropped: no embedded font)."""
    shown = [
        _ascii(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines
    ]
    text = " ".join(["BT /F1 12 Tf 72 770 Td 18 TL", *(f"({line}) '" for line in shown), "ET"])
    stream = text.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes(width: int = 160, height: int = 90, seed: int = 0) -> bytes:
    """A small RGB picture (coloured bands), a stand-in for a photo of the event."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            band = (x * 4 // width + seed) % 4
            base = ((200, 30, 40), (250, 200, 40), (40, 110, 190), (60, 160, 90))[band]
            shade = 0.6 + 0.4 * y / height
            rows += bytes(int(c * shade) for c in base)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A minimal Word document (the three parts Word needs), Vietnamese text intact."""
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _zip(
        {
            "[Content_Types].xml": f'{_XML}<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
            "_rels/.rels": f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
            "word/document.xml": f"{_XML}<w:document xmlns:w="
            '"http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        }
    )


def xlsx_bytes(rows: list[list[str | int]]) -> bytes:
    """A minimal one-sheet workbook with inline strings and numbers."""

    def cell(value: str | int) -> str:
        if isinstance(value, int):
            return f"<c><v>{value}</v></c>"
        return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    data = "".join(f"<row>{''.join(cell(v) for v in row)}</row>" for row in rows)
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return _zip(
        {
            "[Content_Types].xml": f'{_XML}<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sml}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sml}.worksheet+xml"/>'
            "</Types>",
            "_rels/.rels": f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
            "xl/workbook.xml": f'{_XML}<workbook xmlns="{ns}" xmlns:r="{_DOC}"><sheets>'
            '<sheet name="Số liệu" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
            "xl/worksheets/sheet1.xml": f'{_XML}<worksheet xmlns="{ns}"><sheetData>{data}'
            "</sheetData></worksheet>",
        }
    )


# --- loading ---------------------------------------------------------------------------------


def demo_year(today: dt.date) -> int:
    return max(FIRST_YEAR, today.year)


class DemoLoader:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.year = demo_year(today)
        self.agencies: dict[str, Agency] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.users: dict[str, User] = {}
        self.files: list[Evidence] = []
        self.started = timezone.now()

    # Services stamp "now"; the demo moves each step back to the day it would have happened.
    @contextmanager
    def on(self, day: dt.date, hour: int = 9) -> Iterator[None]:
        marks = {m: m.objects.aggregate(x=Max("pk"))["x"] or 0 for m in _STAMPED}
        before = timezone.now()
        yield
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, (day.day * 7) % 60)))
        moment = min(moment, before)
        for model, field in _STAMPED.items():
            model.objects.filter(pk__gt=marks[model]).update(**{field: moment})
        Task.objects.filter(completed_at__gte=before).update(completed_at=moment)

    def load(self) -> None:
        setup_day = dt.date(self.year, 1, 2)
        with self.on(setup_day, hour=8):
            self._setup()
        # One Argon2 hash for everybody: hashing ~30 times would take seconds.
        validate_password(DEMO_PASSWORD)
        User.objects.filter(pk__in=[u.pk for u in self.users.values()]).update(
            password=make_password(DEMO_PASSWORD),
            date_joined=min(
                self.started, timezone.make_aware(dt.datetime.combine(setup_day, dt.time(8)))
            ),
        )
        for code, symbol, number, tasks in PLANS:
            self._plan(code, symbol, number, tasks)
        Notification.objects.filter(
            user__in=self.users.values(),
            created_at__lt=self.started - dt.timedelta(days=14),
        ).update(read_at=self.started - dt.timedelta(days=14))

    def _setup(self) -> None:
        admin_exists = User.objects.filter(username="admin").exists()
        for code, name, kind in AGENCIES:
            parent = None if kind == AgencyKind.PROVINCE else self.agencies[PROVINCE]
            actor = self.users.get("admin")
            self.agencies[code] = agency_create(
                actor=actor, code=code, name=name, kind=kind, parent=parent
            )
            for unit_code, unit_name in UNITS.get(code, ()):
                self.units[code, unit_code] = unit_create(
                    actor=actor, agency=self.agencies[code], code=unit_code, name=unit_name
                )
            for person in PEOPLE.get(code, ()):
                if person.username == "admin" and admin_exists:
                    continue  # an installation's own administrator is left alone
                self.users[person.username] = user_create(
                    actor=actor,
                    username=person.username,
                    agency=self.agencies[code],
                    role=person.role,
                    unit=self.units[code, person.unit] if person.unit else None,
                    email=f"{person.username}@{EMAIL_DOMAIN}",
                    full_name=person.full_name,
                    job_title=person.job_title,
                )

    def _person(self, code: str, name: str) -> User:
        return self.users[f"{code.split('-')[1].lower()}.{name}"]

    def _plan(self, code: str, symbol: str, number: str, specs: tuple[T, ...]) -> None:
        agency, year = self.agencies[code], self.year
        coordinator, leader = self._person(code, "coordinator"), self._person(code, "leader")
        jan = dt.date(year, 1, 1)
        with self.on(dt.date(year, 1, 5)):
            plan = plans.plan_create(
                actor=coordinator,
                agency=agency,
                year=year,
                title=f"Kế hoạch cải cách hành chính năm {year}",
                symbol=symbol,
                signer=leader.full_name,
            )
            areas = {a.number: a for a in plan.areas.all()}
            specs = self._adjusted(specs)
            created = []
            for index, (area, title, lead, coord, due, flags, product) in enumerate(specs):
                recurring = "q" in flags or "m" in flags
                start = jan if recurring else max(jan, due - dt.timedelta(days=90))
                lead_unit = self.units[code, lead]
                officer = self.users.get(f"{code.split('-')[1].lower()}.officer.{lead.lower()}")
                fmt = {"year": year, "period": f"{year}–{year + 4}"}
                task = plans.task_create(
                    actor=coordinator,
                    plan=plan,
                    area=areas[area],
                    title=title.format(**fmt),
                    lead_unit=lead_unit,
                    coordinating_units=[self.units[code, c] for c in coord.split()],
                    assignees=[officer] if officer and index % 4 != 3 else [],
                    start_date=start,
                    due_date=dt.date(year, 12, 31) if recurring else due,
                    recurrence=Recurrence.QUARTERLY
                    if "q" in flags
                    else Recurrence.MONTHLY
                    if "m" in flags
                    else Recurrence.ONCE,
                    product=product.format(**fmt),
                    priority="high" if "!" in flags else "normal",
                )
                created.append((task, index, "L" in flags, "m" in flags))
        Plan.objects.filter(pk=plan.pk).update(
            created_at=timezone.make_aware(dt.datetime(year, 1, 5, 9))
        )
        Task.objects.filter(plan=plan).update(
            created_at=timezone.make_aware(dt.datetime(year, 1, 5, 9))
        )
        with self.on(dt.date(year, 1, 10), hour=15):
            plans.plan_issue(actor=leader, plan=plan, number=number, issued_on=dt.date(year, 1, 10))
        for task, index, lagging, monthly in created:
            children = list(task.children.order_by("due_date"))
            if not children:
                self._work(task, index, lagging=lagging)
                continue
            past = [c for c in children if c.due_date < self.today]
            for position, child in enumerate(children):
                late = lagging and past and child == past[-1]
                self._work(child, index + position, lagging=late, sheet=monthly)

    def _adjusted(self, specs: tuple[T, ...]) -> list[tuple]:
        """Due dates in the demo year; two open tasks moved to fall due in 7 and in 1 days and
        lagging tasks not yet due moved into the past, so reminders and late work show today."""
        rows = [
            (a, t, lead, c, dt.date(self.year, *due), f, p) for a, t, lead, c, due, f, p in specs
        ]
        year_end, year_start = dt.date(self.year, 12, 31), dt.date(self.year, 1, 10)
        soon = [self.today + dt.timedelta(days=7), self.today + dt.timedelta(days=1)]
        soon = [d for d in soon if d <= year_end]
        for i, row in enumerate(rows):
            area, title, lead, coord, due, flags, product = row
            recurring = "q" in flags or "m" in flags
            if "L" in flags and not recurring and due >= self.today:
                moved = self.today - dt.timedelta(days=12 + 7 * (i % 3))
                if moved >= year_start:
                    rows[i] = (area, title, lead, coord, moved, flags, product)
            elif soon and not recurring and "L" not in flags and due > self.today + dt.timedelta(7):
                rows[i] = (area, title, lead, coord, soon.pop(0), flags, product)
        return rows

    def _worker(self, task: Task) -> User:
        assignee = task.assignees.first()
        if assignee is not None:
            return assignee
        head = Membership.objects.filter(
            agency=task.agency, unit=task.lead_unit, role=Role.UNIT_HEAD
        ).first()
        return head.user if head else self._person(task.agency.code, "coordinator")

    def _work(self, task: Task, index: int, *, lagging: bool, sheet: bool = False) -> None:
        """Bring one task to its state as of today: done (with evidence), late, or under way."""
        worker, due, start = self._worker(task), task.due_date, task.start_date or task.due_date
        yesterday = self.today - dt.timedelta(days=1)
        if due < self.today and not lagging:
            finished = (
                due + dt.timedelta(days=4) if index % 7 == 0 else due - dt.timedelta(days=index % 9)
            )
            finished = min(max(finished, start), yesterday)
            halfway = max(start, finished - dt.timedelta(days=20))
            with self.on(halfway, hour=10):
                plans.task_update_progress(
                    actor=worker,
                    task=task,
                    percent=50,
                    note="Đã triển khai, đang tổng hợp kết quả.",
                )
            with self.on(finished, hour=16):
                plans.task_update_progress(
                    actor=worker, task=task, percent=100, note="Đã hoàn thành."
                )
                if index % 6 != 5:
                    self._evidence(task, worker, index, sheet=sheet)
        elif due < self.today:
            percent = (30, 45, 60, 0)[index % 4]
            if percent:
                with self.on(max(start, due - dt.timedelta(days=15)), hour=11):
                    plans.task_update_progress(
                        actor=worker,
                        task=task,
                        percent=percent,
                        note="Đang triển khai; còn chờ ý kiến của các đơn vị phối hợp.",
                    )
            coordinator = self._person(task.agency.code, "coordinator")
            with self.on(min(due + dt.timedelta(days=3), yesterday), hour=8):
                plans.comment_add(
                    actor=coordinator,
                    task=task,
                    body=f"Nhiệm vụ đã quá hạn. Đề nghị {task.lead_unit} khẩn trương hoàn thành, "
                    "báo cáo kết quả về Văn phòng.",
                )
            with self.on(min(due + dt.timedelta(days=5), yesterday), hour=14):
                plans.comment_add(
                    actor=worker,
                    task=task,
                    body="Đơn vị đang hoàn thiện hồ sơ, dự kiến hoàn thành trong tuần tới.",
                )
        else:
            percent = (0, 20, 40, 60, 75)[index % 5]
            if percent and start < self.today:
                with self.on(max(start, self.today - dt.timedelta(days=1 + index % 10))):
                    plans.task_update_progress(
                        actor=worker,
                        task=task,
                        percent=percent,
                        note="Đang triển khai theo kế hoạch.",
                    )
            if index % 5 == 2 and start < self.today:
                with self.on(max(start, yesterday), hour=15):
                    plans.comment_add(
                        actor=self._person(task.agency.code, "leader"),
                        task=task,
                        body="Đề nghị bám sát tiến độ, bảo đảm chất lượng sản phẩm.",
                    )

    def _evidence(self, task: Task, worker: User, index: int, *, sheet: bool) -> None:
        code = task.code.replace("/", "-")
        product = task.product or "Báo cáo kết quả"
        if sheet:
            rows: list[list[str | int]] = [
                ["Chỉ tiêu", "Số lượng"],
                ["Hồ sơ tiếp nhận", 120 + index * 7 % 60],
                ["Hồ sơ giải quyết đúng hạn", 110 + index * 5 % 50],
                ["Hồ sơ được số hóa", 100 + index * 3 % 40],
            ]
            files = [(f"Số liệu {task.period_label} {code}.xlsx", xlsx_bytes(rows))]
        elif index % 3 == 1:
            text = [task.agency.name, product.upper(), task.title, "Kết quả: đã hoàn thành."]
            files = [(f"{product} {code}.docx", docx_bytes(text))]
        else:
            text = [task.agency.name, product, f"Nhiem vu {task.code}", *_wrap(task.title, 80)]
            files = [(f"{product} {code}.pdf", pdf_bytes(text))]
        if index % 5 == 0:
            files.append((f"Hình ảnh {code}.png", png_bytes(seed=index)))
        for name, content in files:
            evidence = plans.evidence_add(
                actor=worker,
                task=task,
                uploaded=io.BytesIO(content),
                name=name,
                size=len(content),
                description=product,
            )
            self.files.append(evidence)


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


_STAMPED: dict[Any, str] = {
    AuditEntry: "at",
    Notification: "created_at",
    ProgressUpdate: "at",
    Evidence: "uploaded_at",
    Comment: "at",
}


# --- existing demo: logins and reset -----------------------------------------------------------


def demo_logins() -> list[dict[str, str]]:
    members = set(
        Membership.objects.filter(agency__code__in=[a[0] for a in AGENCIES]).values_list(
            "user__username", "agency__code"
        )
    )
    return [
        {"username": p.username, "password": DEMO_PASSWORD, "role": str(p.role), "agency": code}
        for code, people in PEOPLE.items()
        for p in people
        if (p.username, code) in members
    ]


def reset_demo() -> None:
    """Delete the demo agencies and everything of theirs (people only in the demo included)."""
    codes = [a[0] for a in AGENCIES]
    agencies = Agency.objects.filter(code__in=codes)
    user_ids = list(
        User.objects.filter(memberships__agency__in=agencies)
        .exclude(memberships__agency__in=Agency.objects.exclude(code__in=codes))
        .values_list("pk", flat=True)
        .distinct()
    )
    stored = list(Evidence.objects.filter(task__agency__in=agencies).values_list("file", flat=True))
    # Citizens' feedback and survey answers refer to dossiers; dossiers and procedures protect
    # their agency.
    from cchc.feedback.demo import delete_demo_feedback
    from cchc.procedures.demo import delete_demo_dossiers
    from cchc.reports.demo import delete_demo_reports
    from cchc.scoring.demo import delete_demo_scoring
    from cchc.surveys.demo import delete_demo_surveys

    delete_demo_reports(agencies)
    delete_demo_scoring(agencies)
    delete_demo_feedback(agencies)
    delete_demo_surveys(agencies)
    delete_demo_dossiers(agencies)
    # Tasks before plans: a task protects its reform area, which the plan would cascade to.
    Task.objects.filter(agency__in=agencies).delete()
    Plan.objects.filter(agency__in=agencies).delete()
    Membership.objects.filter(agency__in=agencies).delete()
    User.objects.filter(pk__in=user_ids).delete()
    AuditEntry.objects.filter(agency__in=agencies).delete()
    Unit.objects.filter(agency__in=agencies).delete()
    agencies.exclude(code=PROVINCE).delete()
    agencies.delete()
    storage = Evidence._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])


class Command(BaseCommand):
    help = "Load the demo province (Tỉnh Demo) and print its logins. Does nothing if loaded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the logins as JSON.")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo data and load it again."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        exists = Agency.objects.filter(code=PROVINCE).exists()
        loader = None
        if options["reset"] or not exists:
            loader = DemoLoader(timezone.localdate())
            try:
                with transaction.atomic():
                    if exists:
                        reset_demo()
                    loader.load()
            except ProtectedError as exc:
                raise CommandError(
                    _("Other data refers to the demo agencies; delete it first: %(error)s")
                    % {"error": exc}
                ) from exc
            except ValidationError as exc:
                self._forget_files(loader)
                raise CommandError(
                    _("The demo could not be loaded: %(error)s")
                    % {"error": "; ".join(exc.messages)}
                ) from exc
            except BaseException:
                self._forget_files(loader)
                raise
        created = load_service_data(timezone.localdate())
        if created and not options["json"]:
            self.stdout.write(
                self.style.SUCCESS(_("Loaded %(count)s demo dossiers.") % {"count": created})
            )
        logins = demo_logins()
        if options["json"]:
            self.stdout.write(json.dumps({"users": logins}, ensure_ascii=False, indent=2))
            return
        if loader is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Loaded the demo: %(tasks)s tasks in %(plans)s plans, %(files)s files.")
                    % {
                        "tasks": Task.objects.filter(
                            agency__code__in=[p[0] for p in PLANS]
                        ).count(),
                        "plans": len(PLANS),
                        "files": len(loader.files),
                    }
                )
            )
        else:
            self.stdout.write(_("The demo is already loaded (use --reset to load it afresh)."))
        self._table(logins)

    def _forget_files(self, loader: DemoLoader | None) -> None:
        for evidence in loader.files if loader else ():
            evidence.file.storage.delete(evidence.file.name)

    def _table(self, logins: list[dict[str, str]]) -> None:
        names = dict(
            User.objects.filter(username__in=[r["username"] for r in logins]).values_list(
                "username", "full_name"
            )
        )
        header = {
            "username": _("User name"),
            "password": _("Password"),
            "role": _("Role"),
            "agency": _("Agency"),
            "name": _("Name"),
        }
        rows = [header, *({**r, "name": names.get(r["username"], "")} for r in logins)]
        widths = {k: max(len(str(r[k])) for r in rows) for k in header}
        for i, row in enumerate(rows):
            self.stdout.write("  ".join(str(row[k]).ljust(widths[k]) for k in header).rstrip())
            if i == 0:
                self.stdout.write("  ".join("-" * widths[k] for k in header))


# --- service quality: procedures, a year of dossiers, the plans' targets -----------------------

DOSSIERS_PER_AGENCY = 25_000
# indicator code, target (%), wording in the plan
DEMO_TARGETS = (
    ("on_time", "95", "Tỷ lệ hồ sơ giải quyết đúng hạn đạt từ 95% trở lên"),
    ("online_usage", "70", "Tỷ lệ hồ sơ tiếp nhận trực tuyến đạt từ 70% trở lên"),
    ("digitization", "80", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC đạt từ 80% trở lên"),
    ("satisfaction", "90", "Mức độ hài lòng của người dân, doanh nghiệp đạt từ 90% trở lên"),
)


def demo_targets(plan: Plan) -> None:
    """Targets for the demo plan's main indicators and a ranking goal, when it has none."""
    from decimal import Decimal

    from cchc.indicators.models import Indicator, Target, TargetKind

    if plan.targets.exists():
        return
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=[t[0] for t in DEMO_TARGETS])
    }
    for code, value, text in DEMO_TARGETS:
        if code in indicators:
            Target.objects.get_or_create(
                plan=plan,
                indicator=indicators[code],
                defaults={"value": Decimal(value), "unit": "%", "text": text},
            )
    Target.objects.get_or_create(
        plan=plan,
        kind=TargetKind.RANK,
        ranking="PAR_INDEX",
        defaults={"text": "Chỉ số cải cách hành chính năm của cơ quan xếp trong nhóm 10 dẫn đầu"},
    )


def load_service_data(today: dt.date) -> int:
    """Procedures, dossiers, citizens' feedback and survey answers, and the targets of the demo
    plans; what an agency has already is left alone. Returns the number of dossiers created."""
    from cchc.feedback.demo import load_demo_feedback
    from cchc.procedures.demo import load_demo_dossiers
    from cchc.reports.demo import load_demo_reports
    from cchc.scoring.demo import load_demo_scoring
    from cchc.surveys.demo import load_demo_surveys

    created = 0
    year = demo_year(today)
    scored = []
    for seed, (code, _symbol, _number, _tasks) in enumerate(PLANS):
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            continue
        plan = Plan.objects.filter(agency=agency, year=year).first()
        if plan is not None:
            demo_targets(plan)
        created += load_demo_dossiers(agency, year, DOSSIERS_PER_AGENCY, seed)
        load_demo_surveys(agency, year, seed)
        load_demo_feedback(agency, year, seed)
        scored.append(agency)
    # The index measures its automatic criteria from the dossiers and surveys just loaded.
    load_demo_scoring(scored, year)
    # The reports are written last, from everything above.
    load_demo_reports(scored, year)
    return created
