"""Demo dossiers: a procedure catalogue and a year of one-stop-desk dossiers for a demo agency.

``load_demo_dossiers`` writes rows straight with ``bulk_create`` (the ingest would take minutes
for 25,000 rows); the derived fields are computed by ``cchc.procedures.rules`` exactly as the
ingest computes them, deadlines by ``cchc.core.calendar``, and the rollups are rebuilt at the
end, so the metrics read the demo as they would read real data.

The distributions are those of a provincial portal in a good year: about 70 % of dossiers
received online, 92 % handled on time, a few per cent asked for supplements, a handful refused
or withdrawn, the dossiers received in the last days still open, and an apology letter for most
of the late ones (some issued too late).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from cchc.core import calendar
from cchc.core.models import Agency, Unit
from cchc.procedures import rollups, rules
from cchc.procedures.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierEvent,
    DossierStatus,
    OnlineLevel,
    PaidOnline,
    Procedure,
    TimeUnit,
)

BATCH = 2000
WD, WH, CD = TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.CALENDAR_DAYS
NONE, PARTIAL, FULL = OnlineLevel.NONE, OnlineLevel.PARTIAL, OnlineLevel.FULL


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    field: str
    unit: str  # code of the handling unit
    limit: int | str
    time_unit: str
    reduced: int | str | None
    online: int
    fee: bool
    paper: bool
    weight: float  # share of the agency's dossiers (relative)


def _s(*args: object) -> Spec:
    return Spec(*args)  # type: ignore[arg-type]


# fmt: off
PROVINCIAL: tuple[Spec, ...] = (
    _s("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam", "Lý lịch tư pháp", "HCTP", 10, WD, 6, FULL, True, True, 62),  # noqa: E501
    _s("2.000505", "Cấp Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng", "Lý lịch tư pháp", "HCTP", 10, WD, None, PARTIAL, False, True, 3),  # noqa: E501
    _s("2.000635", "Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, tổ chức chính trị, tổ chức chính trị - xã hội", "Lý lịch tư pháp", "HCTP", 10, WD, None, PARTIAL, False, True, 2),  # noqa: E501
    _s("2.001417", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "HCTP", 1, WD, None, FULL, True, True, 5),  # noqa: E501
    _s("1.001695", "Cấp Giấy xác nhận có quốc tịch Việt Nam ở trong nước", "Quốc tịch", "HCTP", 20, WD, 12, PARTIAL, True, True, 1.2),  # noqa: E501
    _s("1.001737", "Cấp Giấy xác nhận là người gốc Việt Nam", "Quốc tịch", "HCTP", 10, WD, None, PARTIAL, True, True, 0.8),  # noqa: E501
    _s("2.002019", "Thôi quốc tịch Việt Nam ở trong nước", "Quốc tịch", "HCTP", 20, WD, None, NONE, True, True, 0.4),  # noqa: E501
    _s("2.002020", "Nhập quốc tịch Việt Nam", "Quốc tịch", "HCTP", 20, WD, None, NONE, True, True, 0.2),  # noqa: E501
    _s("1.001071", "Đăng ký hành nghề và cấp Thẻ công chứng viên", "Công chứng", "BTTP", 5, WD, 3, FULL, True, True, 0.8),  # noqa: E501
    _s("1.001082", "Cấp lại Thẻ công chứng viên", "Công chứng", "BTTP", 5, WD, 3, FULL, True, True, 0.3),  # noqa: E501
    _s("1.001125", "Đăng ký hoạt động Văn phòng công chứng", "Công chứng", "BTTP", 10, WD, 6, PARTIAL, True, True, 0.3),  # noqa: E501
    _s("1.001153", "Thay đổi nội dung đăng ký hoạt động Văn phòng công chứng", "Công chứng", "BTTP", 5, WD, None, FULL, True, True, 0.8),  # noqa: E501
    _s("1.001665", "Đăng ký tập sự hành nghề công chứng", "Công chứng", "BTTP", 5, WD, None, FULL, False, True, 0.6),  # noqa: E501
    _s("1.002055", "Đăng ký hoạt động của tổ chức hành nghề luật sư", "Luật sư", "BTTP", 7, WD, 4, PARTIAL, True, True, 0.6),  # noqa: E501
    _s("1.002079", "Thay đổi nội dung đăng ký hoạt động của tổ chức hành nghề luật sư", "Luật sư", "BTTP", 7, WD, 4, FULL, True, True, 1.0),  # noqa: E501
    _s("1.002153", "Đăng ký hành nghề luật sư với tư cách cá nhân", "Luật sư", "BTTP", 7, WD, None, FULL, True, True, 0.3),  # noqa: E501
    _s("1.002181", "Đăng ký hoạt động của chi nhánh của tổ chức hành nghề luật sư", "Luật sư", "BTTP", 7, WD, None, PARTIAL, True, True, 0.4),  # noqa: E501
    _s("2.000940", "Đăng ký hoạt động doanh nghiệp đấu giá tài sản", "Đấu giá tài sản", "BTTP", 7, WD, None, PARTIAL, True, True, 0.2),  # noqa: E501
    _s("2.000953", "Thay đổi nội dung đăng ký hoạt động doanh nghiệp đấu giá tài sản", "Đấu giá tài sản", "BTTP", 7, WD, 4, FULL, True, True, 0.3),  # noqa: E501
    _s("2.001126", "Đăng ký hoạt động Trung tâm hòa giải thương mại", "Hòa giải thương mại", "BTTP", 15, WD, None, PARTIAL, True, True, 0.1),  # noqa: E501
    _s("1.008721", "Đăng ký hoạt động Văn phòng giám định tư pháp", "Giám định tư pháp", "BTTP", 10, WD, None, PARTIAL, True, True, 0.1),  # noqa: E501
    _s("1.008724", "Bổ nhiệm giám định viên tư pháp", "Giám định tư pháp", "VP", 20, WD, 12, NONE, False, True, 0.3),  # noqa: E501
    _s("1.008725", "Miễn nhiệm giám định viên tư pháp", "Giám định tư pháp", "VP", 15, WD, None, NONE, False, True, 0.1),  # noqa: E501
    _s("2.002198", "Đăng ký hành nghề và cấp Thẻ Thừa phát lại", "Thừa phát lại", "BTTP", 5, WD, None, FULL, True, True, 0.2),  # noqa: E501
    _s("2.002203", "Đăng ký hoạt động Văn phòng Thừa phát lại", "Thừa phát lại", "BTTP", 10, WD, None, PARTIAL, True, True, 0.1),  # noqa: E501
    _s("2.002205", "Thay đổi nội dung đăng ký hoạt động Văn phòng Thừa phát lại", "Thừa phát lại", "BTTP", 10, WD, 5, FULL, True, True, 0.2),  # noqa: E501
    _s("2.002184", "Đăng ký hành nghề quản lý, thanh lý tài sản với tư cách cá nhân", "Quản tài viên", "BTTP", 5, WD, None, FULL, False, True, 0.2),  # noqa: E501
    _s("2.002186", "Đăng ký hoạt động doanh nghiệp quản lý, thanh lý tài sản", "Quản tài viên", "BTTP", 5, WD, None, PARTIAL, True, True, 0.1),  # noqa: E501
    _s("1.000502", "Cấp Thẻ tư vấn viên pháp luật", "Tư vấn pháp luật", "BTTP", 5, WD, 3, FULL, True, True, 0.3),  # noqa: E501
    _s("1.000514", "Đăng ký hoạt động của Trung tâm tư vấn pháp luật", "Tư vấn pháp luật", "BTTP", 5, WD, None, PARTIAL, False, True, 0.1),  # noqa: E501
    _s("2.000587", "Yêu cầu trợ giúp pháp lý", "Trợ giúp pháp lý", "TGPL", 2, WD, None, FULL, False, False, 6),  # noqa: E501
    _s("2.000592", "Thay đổi người thực hiện trợ giúp pháp lý", "Trợ giúp pháp lý", "TGPL", 3, WD, None, FULL, False, False, 0.6),  # noqa: E501
    _s("2.000595", "Rút yêu cầu trợ giúp pháp lý", "Trợ giúp pháp lý", "TGPL", 1, WD, None, FULL, False, False, 0.3),  # noqa: E501
    _s("2.000829", "Đăng ký tham gia trợ giúp pháp lý", "Trợ giúp pháp lý", "TGPL", 5, WD, 3, FULL, False, True, 0.3),  # noqa: E501
    _s("2.000977", "Lựa chọn, ký hợp đồng với luật sư thực hiện trợ giúp pháp lý", "Trợ giúp pháp lý", "TGPL", 10, WD, None, PARTIAL, False, True, 0.2),  # noqa: E501
    _s("1.003160", "Công nhận báo cáo viên pháp luật cấp tỉnh", "Phổ biến, giáo dục pháp luật", "PBGDPL", 5, WD, None, PARTIAL, False, True, 0.2),  # noqa: E501
    _s("1.003170", "Miễn nhiệm báo cáo viên pháp luật cấp tỉnh", "Phổ biến, giáo dục pháp luật", "PBGDPL", 5, WD, None, PARTIAL, False, True, 0.05),  # noqa: E501
    _s("2.001037", "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực", "Chứng thực", "HCTP", 8, WH, 4, PARTIAL, True, True, 2),  # noqa: E501
    _s("1.012406", "Kiểm tra, xác nhận văn bản quy phạm pháp luật theo đề nghị", "Xây dựng và thi hành pháp luật", "XDKT", 15, CD, None, NONE, False, True, 0.2),  # noqa: E501
    _s("1.012420", "Giải quyết khiếu nại về quyết định hành chính trong lĩnh vực tư pháp", "Thanh tra, khiếu nại", "TTR", 30, CD, None, NONE, False, True, 0.2),  # noqa: E501
)
COMMUNE: tuple[Spec, ...] = (
    _s("1.001193", "Đăng ký khai sinh", "Hộ tịch", "TTPV", 1, WD, None, FULL, False, True, 9),
    _s("1.000894", "Đăng ký kết hôn", "Hộ tịch", "TTPV", 1, WD, None, FULL, False, True, 3),
    _s("1.000656", "Đăng ký khai tử", "Hộ tịch", "TTPV", 1, WD, None, FULL, False, True, 3),
    _s("1.001022", "Đăng ký nhận cha, mẹ, con", "Hộ tịch", "TTPV", 3, WD, None, FULL, False, True, 0.5),  # noqa: E501
    _s("1.004859", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", "Hộ tịch", "TTPV", 3, WD, None, FULL, True, True, 2),  # noqa: E501
    _s("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", "TTPV", 3, WD, 1, FULL, True, True, 6),  # noqa: E501
    _s("2.000635", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "TTPV", 1, WD, None, FULL, True, True, 5),  # noqa: E501
    _s("1.004837", "Đăng ký giám hộ", "Hộ tịch", "TTPV", 3, WD, None, PARTIAL, False, True, 0.2),
    _s("1.004884", "Đăng ký lại khai sinh", "Hộ tịch", "TTPV", 5, WD, 3, FULL, False, True, 0.8),
    _s("1.003583", "Liên thông thủ tục hành chính: đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "Hộ tịch", "TTPV", 3, WD, None, FULL, False, True, 4),  # noqa: E501
    _s("1.003594", "Liên thông thủ tục hành chính: đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ tử tuất, hỗ trợ chi phí mai táng", "Hộ tịch", "TTPV", 5, WD, None, FULL, False, True, 1),  # noqa: E501
    _s("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp hoặc chứng nhận", "Chứng thực", "TTPV", 8, WH, 4, FULL, True, True, 24),  # noqa: E501
    _s("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", "TTPV", 8, WH, None, PARTIAL, True, True, 6),  # noqa: E501
    _s("2.001035", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", "Chứng thực", "TTPV", 2, WD, None, PARTIAL, True, True, 1.5),  # noqa: E501
    _s("2.001016", "Chứng thực hợp đồng, giao dịch liên quan đến quyền của người sử dụng đất, nhà ở", "Chứng thực", "TTPV", 2, WD, None, PARTIAL, True, True, 4),  # noqa: E501
    _s("2.001019", "Chứng thực văn bản thỏa thuận phân chia di sản", "Chứng thực", "TTPV", 2, WD, None, PARTIAL, True, True, 1),  # noqa: E501
    _s("2.000720", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", "KT", 3, WD, None, FULL, True, True, 3),  # noqa: E501
    _s("2.000575", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", "KT", 3, WD, None, FULL, True, True, 1.5),  # noqa: E501
    _s("2.000583", "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", "KT", 3, WD, None, FULL, False, True, 0.8),  # noqa: E501
    _s("2.000644", "Chấm dứt hoạt động hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", "KT", 3, WD, None, FULL, False, True, 0.8),  # noqa: E501
    _s("1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng", "KT", 15, WD, 9, PARTIAL, True, True, 3),  # noqa: E501
    _s("1.010000", "Cấp giấy phép sửa chữa, cải tạo đối với nhà ở riêng lẻ", "Hoạt động xây dựng", "KT", 15, WD, 9, PARTIAL, True, True, 0.6),  # noqa: E501
    _s("1.010003", "Điều chỉnh, gia hạn, cấp lại giấy phép xây dựng đối với nhà ở riêng lẻ", "Hoạt động xây dựng", "KT", 10, WD, None, PARTIAL, True, True, 0.4),  # noqa: E501
    _s("1.012758", "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận lần đầu", "Đất đai", "KT", 20, WD, 12, PARTIAL, True, True, 2),  # noqa: E501
    _s("1.012766", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "Đất đai", "KT", 10, WD, 6, PARTIAL, True, True, 4),  # noqa: E501
    _s("1.012790", "Chuyển mục đích sử dụng đất", "Đất đai", "KT", 15, WD, None, PARTIAL, True, True, 0.8),  # noqa: E501
    _s("1.012805", "Hòa giải tranh chấp đất đai", "Đất đai", "KT", 45, CD, 30, NONE, False, True, 0.5),  # noqa: E501
    _s("1.012810", "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "Đất đai", "KT", 7, WD, None, PARTIAL, True, True, 1.5),  # noqa: E501
    _s("1.001776", "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng", "Bảo trợ xã hội", "VHXH", 10, WD, None, FULL, False, False, 1),  # noqa: E501
    _s("1.001758", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", "Bảo trợ xã hội", "VHXH", 5, WD, 3, FULL, False, False, 0.4),  # noqa: E501
    _s("1.000489", "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm", "Giảm nghèo", "VHXH", 10, WD, None, PARTIAL, False, True, 0.3),  # noqa: E501
    _s("1.000506", "Công nhận hộ thoát nghèo, hộ thoát cận nghèo trong năm", "Giảm nghèo", "VHXH", 10, WD, None, PARTIAL, False, True, 0.2),  # noqa: E501
    _s("1.003631", "Xác nhận hộ gia đình làm nông nghiệp, lâm nghiệp, diêm nghiệp có mức sống trung bình", "Bảo hiểm y tế", "VHXH", 5, WD, 3, FULL, False, False, 0.5),  # noqa: E501
    _s("1.010801", "Giải quyết chế độ ưu đãi đối với thân nhân liệt sĩ", "Người có công", "VHXH", 20, WD, None, PARTIAL, False, True, 0.2),  # noqa: E501
    _s("1.010831", "Hỗ trợ người có công đi làm phương tiện, dụng cụ trợ giúp chỉnh hình", "Người có công", "VHXH", 10, WD, None, PARTIAL, False, False, 0.2),  # noqa: E501
    _s("1.001055", "Đăng ký hoạt động tín ngưỡng", "Tín ngưỡng, tôn giáo", "VHXH", 15, CD, None, PARTIAL, False, True, 0.1),  # noqa: E501
    _s("1.001090", "Thông báo tổ chức lễ hội cấp xã", "Văn hóa", "VHXH", 10, WD, 5, FULL, False, False, 0.2),  # noqa: E501
    _s("1.001029", "Cấp giấy phép kinh doanh dịch vụ karaoke", "Văn hóa", "VHXH", 5, WD, 3, FULL, True, True, 0.2),  # noqa: E501
    _s("2.000633", "Cấp Giấy phép bán lẻ sản phẩm rượu", "Lưu thông hàng hóa", "KT", 10, WD, 6, FULL, True, True, 0.3),  # noqa: E501
    _s("1.004082", "Xác nhận đơn đề nghị hỗ trợ thiệt hại do thiên tai, dịch bệnh trong sản xuất nông nghiệp", "Nông nghiệp", "KT", 5, WD, None, PARTIAL, False, False, 0.4),  # noqa: E501
)
# fmt: on

# Share of dossiers received online by the procedure's online level.
ONLINE_SHARE = {NONE: 0.0, PARTIAL: 0.45, FULL: 0.76}
# Busy months (before Tết, the new school year), quiet weeks (Tết itself).
MONTH_FACTOR = {1: 1.15, 2: 0.75, 3: 1.05, 4: 1.0, 5: 1.0, 6: 1.05, 7: 1.1, 8: 1.1, 9: 1.0,
                10: 1.0, 11: 0.95, 12: 1.1}  # fmt: skip

APOLOGY_REASONS = (
    "Hồ sơ phải xác minh thông tin tại cơ quan khác, chưa nhận được kết quả xác minh.",
    "Hệ thống phần mềm liên thông gặp sự cố, chậm chuyển hồ sơ giữa các cơ quan.",
    "Khối lượng hồ sơ tăng đột biến, công chức xử lý nghỉ ốm.",
    "Chờ ý kiến phối hợp của cơ quan chuyên môn.",
)


# The dossier columns written, with the values of a dossier that nothing happened to yet.
ROW_DEFAULTS = {
    "finished_at": None,
    "returned_at": None,
    "status_at": None,
    "supplement_requested_at": None,
    "supplement_completed_at": None,
    "supplement_rounds": 0,
    "result_digitized": False,
    "paid_online": PaidOnline.NO,
    "negative_feedback": False,
}
DOSSIER_COLUMNS = (
    "agency_id", "unit_id", "procedure_id", "code", "channel", "received_at", "due_at",
    "due_computed", "finished_at", "returned_at", "status", "status_at",
    "supplement_requested_at", "supplement_completed_at", "supplement_rounds",
    "components_digitized", "result_digitized", "paid_online", "negative_feedback",
    "finished_effective_at", "received_day", "finished_day", "on_time_when_finished",
    "row_hash", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("dossier_id", "status", "at", "recorded_at")


def _insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """A plain multi-row INSERT: the ORM's per-value preparation of ``bulk_create`` would take
    most of the demo's time for 25,000 dossiers and their events. Dates and times are adapted
    the way the backend stores them."""
    quote = connection.ops.quote_name
    adapt_datetime = connection.ops.adapt_datetimefield_value
    adapt_date = connection.ops.adapt_datefield_value
    if connection.vendor == "sqlite" and settings.USE_TZ:
        # What SQLite's adapt_datetimefield_value does (naive, in the connection's zone, as
        # text), without its checks repeated for each of a few hundred thousand values.
        zone = connection.timezone

        def adapt_datetime(value: dt.datetime) -> str:
            return str(value.astimezone(zone).replace(tzinfo=None))

    def adapt(value: object) -> object:
        if isinstance(value, dt.datetime):
            return adapt_datetime(value)
        if isinstance(value, dt.date):
            return adapt_date(value)
        return value

    names = [model._meta.get_field(c.removesuffix("_id")).column for c in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(n) for n in names),
        ", ".join(["%s"] * len(names)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(adapt(v) for v in row) for row in rows])


def catalogue_for(agency: Agency) -> tuple[Spec, ...]:
    """The commune's procedures for a UBND xã, the department's for the others."""
    return COMMUNE if "UBND" in agency.name.upper() or "-X" in agency.code else PROVINCIAL


def demo_procedures(agency: Agency) -> list[Procedure]:
    """The agency's procedure catalogue, created when missing (by code)."""
    specs = catalogue_for(agency)
    existing = set(Procedure.objects.filter(agency=agency).values_list("code", flat=True))
    Procedure.objects.bulk_create(
        [
            Procedure(
                agency=agency,
                code=spec.code,
                name=spec.name,
                field=spec.field,
                level="Cấp xã" if specs is COMMUNE else "Cấp tỉnh",
                time_limit=Decimal(str(spec.limit)),
                time_unit=spec.time_unit,
                reduced_time_limit=None if spec.reduced is None else Decimal(str(spec.reduced)),
                online_level=spec.online,
                fee_bearing=spec.fee,
                paper_result=spec.paper,
                legal_basis="Quyết định công bố danh mục thủ tục hành chính của Chủ tịch UBND tỉnh",
                valid_from=dt.date(2022, 1, 1),
            )
            for spec in specs
            if spec.code not in existing
        ]
    )
    return list(Procedure.objects.filter(agency=agency).order_by("code"))


def _moment(day: dt.date, minutes: int) -> dt.datetime:
    """``minutes`` after midnight of ``day``, local time, aware."""
    base = dt.datetime.combine(day, dt.time.min, tzinfo=calendar.TZ)
    return base + dt.timedelta(minutes=minutes)


def _office_minutes(rng: random.Random) -> int:
    """A time within office hours (07:30–11:30, 13:30–17:00), mornings busier."""
    if rng.random() < 0.6:
        return rng.randint(7 * 60 + 30, 11 * 60 + 25)
    return rng.randint(13 * 60 + 30, 16 * 60 + 55)


def _row_hash(d: SimpleNamespace) -> str:
    key = "|".join(
        str(v)
        for v in (
            d.code,
            d.procedure_id,
            d.unit_id,
            d.channel,
            d.received_at,
            d.due_at,
            d.finished_at,
            d.returned_at,
            d.status,
            d.supplement_requested_at,
            d.supplement_completed_at,
            d.supplement_rounds,
            d.components_digitized,
            d.result_digitized,
            d.paid_online,
        )
    )
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def _days(first: dt.date, last: dt.date, rng: random.Random) -> tuple[list[dt.date], list[float]]:
    days, weights = [], []
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            weight = MONTH_FACTOR[day.month] * rng.uniform(0.8, 1.2)
            if day.weekday() == 0:
                weight *= 1.2  # Mondays are busiest
        else:
            weight = 0.06  # online submissions over the weekend and holidays
        days.append(day)
        weights.append(weight)
        day += dt.timedelta(days=1)
    return days, weights


class _Maker:
    """Builds one dossier's fields from the random stream."""

    def __init__(self, agency: Agency, now: dt.datetime, rng: random.Random) -> None:
        self.agency = agency
        self.now = now
        self.rng = rng
        self.deadlines: dict[tuple[dt.date, Decimal, str], dt.datetime] = {}

    def due(self, received: dt.datetime, procedure: Procedure) -> dt.datetime:
        limit = procedure.effective_time_limit
        if procedure.time_unit == WH:
            return calendar.deadline(received, limit, procedure.time_unit)
        key = (received.astimezone(calendar.TZ).date(), limit, procedure.time_unit)
        if key not in self.deadlines:
            self.deadlines[key] = calendar.deadline(received, limit, procedure.time_unit)
        return self.deadlines[key]

    def dossier(
        self, procedure: Procedure, unit: Unit | None, day: dt.date, code: str
    ) -> tuple[SimpleNamespace, list[tuple[int, dt.datetime]], bool]:
        """The dossier, its events (status, time) and whether it is late on purpose."""
        rng = self.rng
        worked = calendar.is_working_day(day)
        share = ONLINE_SHARE[procedure.online_level]
        if not worked:
            channel = Channel.ONLINE
        else:
            roll = rng.random()
            channel = (
                Channel.ONLINE
                if roll < share
                else (Channel.POST if roll > 0.975 else Channel.IN_PERSON)
            )
        if channel == Channel.ONLINE:
            received = _moment(day, rng.randint(6 * 60, 22 * 60 + 30))
        else:
            received = _moment(day, _office_minutes(rng))
        due = self.due(received, procedure)
        span = max(due - received, dt.timedelta(hours=1))
        events: list[tuple[int, dt.datetime]] = [(DossierStatus.ACCEPTED, received)]
        d = SimpleNamespace(
            **ROW_DEFAULTS,
            agency_id=self.agency.pk,
            unit_id=unit.pk if unit else None,
            procedure_id=procedure.pk,
            code=code,
            channel=channel,
            received_at=received,
            due_at=due,
            due_computed=True,
            status=DossierStatus.PROCESSING,
            components_digitized=rng.random() < 0.9,
            updated_at=self.now,
        )
        roll = rng.random()
        late = False
        if roll < 0.01:  # refused at the desk
            d.status = DossierStatus.REFUSED
            d.status_at = received + dt.timedelta(hours=rng.randint(1, 20))
            events.append((d.status, d.status_at))
            d.components_digitized = False
            return self._finish_fields(d), events, False
        if roll < 0.015:  # withdrawn by the citizen
            d.status = DossierStatus.WITHDRAWN
            d.status_at = received + span * rng.uniform(0.1, 0.6)
            events.append((d.status, d.status_at))
            return self._finish_fields(d), events, False
        pause = dt.timedelta(0)
        if roll < 0.075:  # a supplement was asked for
            d.supplement_rounds = 2 if rng.random() < 0.08 else 1
            d.supplement_requested_at = received + span * rng.uniform(0.1, 0.4)
            events.append((DossierStatus.SUPPLEMENT, d.supplement_requested_at))
            if rng.random() < 0.93:
                pause = dt.timedelta(hours=rng.randint(20, 24 * 6))
                d.supplement_completed_at = d.supplement_requested_at + pause
                events.append((DossierStatus.PROCESSING, d.supplement_completed_at))
            else:
                pause = None  # never completed: the dossier stays waiting
        late = rng.random() < 0.065 or d.supplement_rounds >= 2
        if pause is None:
            d.status = DossierStatus.SUPPLEMENT
            d.status_at = d.supplement_requested_at
            return self._finish_fields(d), events, False
        if late:
            finish = due + pause + dt.timedelta(hours=rng.randint(3, 24 * 12))
        else:
            finish = received + span * rng.uniform(0.25, 0.97) + pause
        if finish > self.now:  # still being handled at the time of the demo
            if d.supplement_completed_at and d.supplement_completed_at > self.now:
                d.supplement_completed_at = None
                d.status = DossierStatus.SUPPLEMENT
                d.status_at = d.supplement_requested_at
                events = [e for e in events if e[1] <= self.now]
            return self._finish_fields(d), events, late and due < self.now
        d.finished_at = finish
        events.append((DossierStatus.DONE, finish))
        if rng.random() < 0.85:
            returned = finish + dt.timedelta(hours=rng.randint(1, 60))
            if returned <= self.now:
                d.returned_at = returned
                events.append((DossierStatus.RETURNED, returned))
        d.status = DossierStatus.RETURNED if d.returned_at else DossierStatus.DONE
        d.status_at = d.returned_at or d.finished_at
        d.result_digitized = procedure.paper_result and rng.random() < 0.86
        if procedure.fee_bearing:
            online_pay = 0.72 if channel == Channel.ONLINE else 0.08
            if rng.random() < online_pay:
                d.paid_online = (
                    PaidOnline.NATIONAL_PORTAL if rng.random() < 0.7 else PaidOnline.LOCAL_GATEWAY
                )
        d.negative_feedback = rng.random() < (0.08 if late else 0.006)
        return self._finish_fields(d), events, late

    def _finish_fields(self, d: SimpleNamespace) -> SimpleNamespace:
        times = rules.DossierTimes(
            received_at=d.received_at,
            due_at=d.due_at,
            finished_at=d.finished_at,
            returned_at=d.returned_at,
            status=d.status,
            status_at=d.status_at,
            supplement_requested_at=d.supplement_requested_at,
            supplement_completed_at=d.supplement_completed_at,
            supplement_rounds=d.supplement_rounds,
        )
        d.finished_effective_at = rules.finished_effective_at(times)
        d.on_time_when_finished = rules.on_time_when_finished(times)
        d.received_day = timezone.localtime(d.received_at, calendar.TZ).date()
        d.finished_day = (
            timezone.localtime(d.finished_effective_at, calendar.TZ).date()
            if d.finished_effective_at
            else None
        )
        d.row_hash = _row_hash(d)
        return d


def load_demo_dossiers(
    agency: Agency,
    year: int,
    count: int = 25_000,
    seed: int = 0,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Create about ``count`` dossiers received in ``year`` (up to ``now``) for ``agency``,
    with its procedure catalogue, events and apology letters, then rebuild its rollups.

    Does nothing (returns 0) when the agency already has dossiers. Returns the number created.
    """
    if Dossier.objects.filter(agency=agency).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(f"{agency.code}-{year}-{seed}")
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), timezone.localtime(now, calendar.TZ).date())
    if last < first:
        return 0
    with transaction.atomic():
        procedures = demo_procedures(agency)
        units = {u.code: u for u in Unit.objects.filter(agency=agency)}
        specs = {s.code: s for s in catalogue_for(agency)}
        weights = [specs[p.code].weight if p.code in specs else 0.2 for p in procedures]
        handling_unit = {
            p.pk: units.get(specs[p.code].unit) if p.code in specs else None for p in procedures
        }
        days, day_weights = _days(first, last, rng)
        total = count
        picked_days = sorted(rng.choices(days, weights=day_weights, k=total))
        picked_procedures = rng.choices(procedures, weights=weights, k=total)
        maker = _Maker(agency, now, rng)
        sequence: dict[dt.date, int] = {}
        created = 0
        prefix = agency.code
        for start in range(0, total, BATCH):
            batch: list[SimpleNamespace] = []
            extras: list[tuple[list[tuple[int, dt.datetime]], bool]] = []
            for day, procedure in zip(
                picked_days[start : start + BATCH],
                picked_procedures[start : start + BATCH],
                strict=True,
            ):
                sequence[day] = sequence.get(day, 0) + 1
                code = f"{prefix}-{day:%y%m%d}-{sequence[day]:04d}"
                dossier, events, late = maker.dossier(
                    procedure, handling_unit[procedure.pk], day, code
                )
                if dossier.received_at > now:
                    continue
                batch.append(dossier)
                extras.append((events, late))
            _insert(Dossier, DOSSIER_COLUMNS, (_values(d, DOSSIER_COLUMNS) for d in batch))
            ids = dict(
                Dossier.objects.filter(agency=agency, code__in=[d.code for d in batch]).values_list(
                    "code", "pk"
                )
            )
            for dossier in batch:
                dossier.pk = ids[dossier.code]
            _events_and_letters(batch, extras, rng, now)
            created += len(batch)
    rollups.rebuild(agency.pk)
    return created


def _values(d: SimpleNamespace, columns: Sequence[str]) -> tuple:
    return tuple(getattr(d, name) for name in columns)


def _events_and_letters(
    dossiers: list[SimpleNamespace],
    extras: list[tuple[list[tuple[int, dt.datetime]], bool]],
    rng: random.Random,
    now: dt.datetime,
) -> None:
    events: list[tuple] = []
    letters: list[ApologyLetter] = []
    for dossier, (history, late) in zip(dossiers, extras, strict=True):
        events.extend((dossier.pk, status, at, at) for status, at in history)
        if not late:
            continue
        roll = rng.random()
        if roll < 0.62:  # in time: at least a day before the deadline
            issued = dossier.due_at - dt.timedelta(hours=rng.randint(24, 24 * 4))
        elif roll < 0.8:  # too late
            issued = dossier.due_at + dt.timedelta(hours=rng.randint(1, 48))
        else:
            continue  # none: flagged as missing
        issued = max(issued, dossier.received_at + dt.timedelta(hours=1))
        if issued > now:
            continue
        letters.append(
            ApologyLetter(
                dossier_id=dossier.pk,
                issued_at=issued,
                new_due_at=dossier.due_at + dt.timedelta(days=rng.randint(2, 10)),
                reason=rng.choice(APOLOGY_REASONS),
            )
        )
    _insert(DossierEvent, EVENT_COLUMNS, events)
    ApologyLetter.objects.bulk_create(letters, batch_size=BATCH)


def delete_demo_dossiers(agencies) -> None:
    """Everything of the agencies' one-stop desk, for ``cchc demo --reset``."""
    from cchc.procedures.models import FinishedRollup, ReceivedRollup

    DossierEvent.objects.filter(dossier__agency__in=agencies).delete()
    ApologyLetter.objects.filter(dossier__agency__in=agencies).delete()
    Dossier.objects.filter(agency__in=agencies).delete()
    ReceivedRollup.objects.filter(agency__in=agencies).delete()
    FinishedRollup.objects.filter(agency__in=agencies).delete()
    Procedure.objects.filter(agency__in=agencies).delete()
