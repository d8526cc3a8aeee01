"""The questionnaire every agency starts with: five aspects, two to four questions each, rated on
a 5-point scale, and one optional free-text question.

It follows the method of measuring satisfaction with the public administration (SIPAS) of Bộ Nội
vụ — the five aspects, the 5-point scale from "rất không hài lòng" to "rất hài lòng", and the
satisfaction rate of an aspect as the share of answers 4 and 5. The national method (Quyết định
1001/QĐ-BNV and its successors) may differ in detail; this is data, copied into each agency's
first survey by ``cchc.surveys.services.survey_default_for`` and edited there (a new version) —
never read by the aggregation.

Content in Vietnamese, as citizens read it (NFC).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DefaultQuestion:
    text: str
    required: bool = True


@dataclass(frozen=True)
class DefaultAspect:
    code: str
    name: str
    questions: tuple[DefaultQuestion, ...]


TITLE = "Phiếu khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan"
INTRODUCTION = (
    "Xin Ông/Bà vui lòng dành ít phút cho biết mức độ hài lòng về việc giải quyết thủ tục hành "
    "chính tại cơ quan. Với mỗi câu hỏi, Ông/Bà chọn một mức từ 1 (rất không hài lòng) đến 5 "
    "(rất hài lòng). Phiếu không ghi tên, không hỏi thông tin cá nhân."
)
METHOD = "Phương pháp đo lường sự hài lòng (SIPAS) của Bộ Nội vụ"
SCALE_MAX = 5
SCALE_LABELS = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng")
SATISFIED_FROM = 4
NEGATIVE_BELOW = Decimal("3.00")

ASPECTS: tuple[DefaultAspect, ...] = (
    DefaultAspect(
        "access",
        "Tiếp cận dịch vụ",
        (
            DefaultQuestion("Việc tìm hiểu thông tin về thủ tục hành chính có thuận tiện không?"),
            DefaultQuestion(
                "Nơi ngồi chờ, trang thiết bị phục vụ tại Bộ phận Một cửa có đầy đủ, tiện nghi, "
                "dễ sử dụng không?"
            ),
            DefaultQuestion("Việc nộp hồ sơ trực tuyến có dễ dàng không?", required=False),
        ),
    ),
    DefaultAspect(
        "procedure",
        "Thủ tục hành chính",
        (
            DefaultQuestion(
                "Thủ tục hành chính có được niêm yết, công khai đầy đủ, chính xác không?"
            ),
            DefaultQuestion(
                "Thành phần hồ sơ Ông/Bà phải nộp có đúng với quy định đã công khai không?"
            ),
            DefaultQuestion("Phí, lệ phí Ông/Bà phải nộp có đúng với quy định đã công khai không?"),
        ),
    ),
    DefaultAspect(
        "civil_servant",
        "Công chức trực tiếp giải quyết công việc",
        (
            DefaultQuestion("Công chức có thái độ lịch sự, tôn trọng khi tiếp nhận hồ sơ không?"),
            DefaultQuestion(
                "Công chức có hướng dẫn kê khai, bổ sung hồ sơ tận tình, dễ hiểu không?"
            ),
            DefaultQuestion(
                "Công chức có lắng nghe và trả lời đầy đủ các câu hỏi của Ông/Bà không?"
            ),
            DefaultQuestion(
                "Công chức có giải quyết công việc đúng quy định, không gây phiền hà, "
                "nhũng nhiễu không?"
            ),
        ),
    ),
    DefaultAspect(
        "result",
        "Kết quả giải quyết thủ tục hành chính",
        (
            DefaultQuestion("Ông/Bà có nhận được kết quả đúng hẹn không?"),
            DefaultQuestion("Kết quả nhận được có thông tin đầy đủ, chính xác không?"),
        ),
    ),
    DefaultAspect(
        "feedback_handling",
        "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
        (
            DefaultQuestion(
                "Việc gửi góp ý, phản ánh, kiến nghị đến cơ quan có thuận tiện không?",
                required=False,
            ),
            DefaultQuestion(
                "Góp ý, phản ánh, kiến nghị của Ông/Bà có được tiếp nhận, trả lời kịp thời, "
                "thỏa đáng không?",
                required=False,
            ),
        ),
    ),
)

# The free-text question, after the rated ones.
FREE_TEXT = DefaultQuestion("Ông/Bà có góp ý gì thêm?", required=False)
