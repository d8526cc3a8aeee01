"""The starter frameworks of the reform index, for departments (sở, ban, ngành) and communes
(xã, phường): eight areas after Quyết định 876/QĐ-BNV (2022) adapted to a province's agencies,
with criteria and sub-criteria whose maxima add up exactly and areas adding up to 100.

They ship as templates (``is_template``, the title says so): each province issues its own index
by decision, so the starter is a starting point to adapt, then publish. Automatic criteria are
wired to the service metrics (DESIGN.md §4.3) and to the plan's progress; the satisfaction
criterion reads the survey index; one bonus and one penalty show how caps work.

The texts are Vietnamese content (what the province's decision would say), not interface strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from cchc.core.models import User
from cchc.scoring import arithmetic
from cchc.scoring.frameworks import Spec, framework_create
from cchc.scoring.models import Framework, FrameworkStatus, Level, Method

TEMPLATE_MARK = "Khung mẫu — điều chỉnh theo quyết định của tỉnh"
DECISION = (
    "Khung mẫu xây dựng theo Quyết định số 876/QĐ-BNV năm 2022 của Bộ Nội vụ; thay bằng số, "
    "ngày quyết định ban hành Bộ chỉ số CCHC của tỉnh."
)
LEVEL_TITLES = {
    Level.DEPARTMENT: "Bộ chỉ số cải cách hành chính các sở, ban, ngành",
    Level.COMMUNE: "Bộ chỉ số cải cách hành chính UBND các xã, phường",
}


@dataclass(frozen=True)
class Node:
    """A criterion of the starter; ``points`` is (department, commune)."""

    code: str
    title: str
    points: tuple[str, str]
    method: str = Method.MANUAL
    source: str = ""
    # (from rate, share of the maximum): the points of a band are the maximum × share.
    shares: tuple[tuple[str, str], ...] = ()
    cap: tuple[str, str] | None = None
    guidance: str = ""
    evidence: str = ""
    children: tuple[Node, ...] = field(default_factory=tuple)


# Bands as shares of the criterion's maximum.
COMPLETE = (("100", "1"), ("90", "0.75"), ("80", "0.5"), ("0", "0"))
ON_TIME = (("100", "1"), ("98", "0.75"), ("95", "0.5"), ("90", "0.25"), ("0", "0"))
HIGH_SHARE = (("80", "1"), ("60", "0.75"), ("40", "0.5"), ("20", "0.25"), ("0", "0"))
MID_SHARE = (("50", "1"), ("30", "0.75"), ("20", "0.5"), ("10", "0.25"), ("0", "0"))
SATISFACTION = (("90", "1"), ("80", "0.75"), ("70", "0.5"), ("50", "0.25"), ("0", "0"))

STARTER: tuple[Node, ...] = (
    Node(
        "1",
        "Công tác chỉ đạo, điều hành cải cách hành chính",
        ("12", "10"),
        guidance="Đánh giá việc lập kế hoạch, tổ chức thực hiện, báo cáo, kiểm tra và tuyên truyền "
        "cải cách hành chính của cơ quan trong năm.",
        children=(
            Node(
                "1.1",
                "Kế hoạch cải cách hành chính năm",
                ("2", "2"),
                children=(
                    Node(
                        "1.1.a",
                        "Ban hành kế hoạch CCHC năm đúng thời hạn theo hướng dẫn của tỉnh",
                        ("1", "1"),
                        guidance="Đúng thời hạn: 1 điểm; chậm thời hạn: 0 điểm.",
                        evidence="Kế hoạch CCHC năm đã ban hành (số, ngày ký).",
                    ),
                    Node(
                        "1.1.b",
                        "Kế hoạch xác định đầy đủ nhiệm vụ, sản phẩm, thời hạn và đơn vị chủ trì",
                        ("1", "1"),
                        guidance="Đầy đủ các nội dung: 1 điểm; thiếu một trong các nội dung: "
                        "0,5 điểm; không xác định: 0 điểm.",
                        evidence="Kế hoạch CCHC năm kèm phụ lục nhiệm vụ.",
                    ),
                ),
            ),
            Node(
                "1.2",
                "Mức độ hoàn thành kế hoạch CCHC",
                ("4", "3"),
                method=Method.AUTO,
                source="plan_progress",
                shares=COMPLETE,
                guidance="Tính tự động từ tiến độ bình quân gia quyền các nhiệm vụ của kế hoạch "
                "CCHC năm: hoàn thành 100% được điểm tối đa; từ 90% được 3/4; từ 80% được 1/2; "
                "dưới 80% không có điểm.",
                evidence="Báo cáo kết quả thực hiện kế hoạch; sản phẩm của các nhiệm vụ.",
            ),
            Node(
                "1.3",
                "Báo cáo cải cách hành chính",
                ("1.5", "1.5"),
                children=(
                    Node(
                        "1.3.a",
                        "Báo cáo định kỳ đầy đủ về số lượng, nội dung theo đề cương",
                        ("0.75", "0.75"),
                        guidance="Đủ 4 báo cáo (quý I, 6 tháng, quý III, năm) đúng đề cương.",
                        evidence="Các báo cáo CCHC định kỳ trong năm.",
                    ),
                    Node(
                        "1.3.b",
                        "Báo cáo đúng thời hạn",
                        ("0.75", "0.75"),
                        guidance="Tất cả báo cáo gửi đúng hạn: điểm tối đa; có báo cáo chậm: "
                        "0 điểm.",
                        evidence="Văn bản gửi báo cáo (ngày gửi trên hệ thống quản lý văn bản).",
                    ),
                ),
            ),
            Node(
                "1.4",
                "Kiểm tra công tác cải cách hành chính",
                ("1.5", "1"),
                guidance="Có kế hoạch kiểm tra; kiểm tra đủ số đơn vị theo kế hoạch; xử lý "
                "các tồn tại phát hiện qua kiểm tra.",
                evidence="Kế hoạch kiểm tra, biên bản, báo cáo kết quả kiểm tra và xử lý.",
            ),
            Node(
                "1.5",
                "Công tác tuyên truyền cải cách hành chính",
                ("1.5", "1.5"),
                guidance="Có kế hoạch tuyên truyền và thực hiện đầy đủ các hình thức đã đề ra.",
                evidence="Kế hoạch tuyên truyền; tin, bài, hình ảnh các hoạt động tuyên truyền.",
            ),
            Node(
                "1.6",
                "Sáng kiến, giải pháp đổi mới trong thực hiện cải cách hành chính",
                ("1.5", "1"),
                guidance="Có sáng kiến, giải pháp mới được áp dụng hiệu quả trong năm.",
                evidence="Quyết định công nhận, báo cáo kết quả áp dụng sáng kiến.",
            ),
            Node(
                "1.7",
                "Điểm thưởng: sáng kiến CCHC được cấp tỉnh trở lên công nhận, nhân rộng",
                ("1", "1"),
                method=Method.BONUS,
                cap=("1", "1"),
                guidance="Điểm thưởng bù vào điểm bị trừ trong lĩnh vực này, tối đa 1 điểm; "
                "tổng điểm lĩnh vực không vượt điểm tối đa của lĩnh vực.",
                evidence="Quyết định công nhận hoặc văn bản nhân rộng của cấp tỉnh trở lên.",
            ),
        ),
    ),
    Node(
        "2",
        "Cải cách thể chế",
        ("8", "7"),
        guidance="Đánh giá công tác tham mưu xây dựng, rà soát, theo dõi thi hành và kiểm tra "
        "văn bản quy phạm pháp luật.",
        children=(
            Node(
                "2.1",
                "Tham mưu xây dựng, ban hành văn bản quy phạm pháp luật",
                ("3", "2"),
                children=(
                    Node(
                        "2.1.a",
                        "Tham mưu đầy đủ, đúng tiến độ các văn bản theo chương trình được giao",
                        ("2", "1"),
                        guidance="100% văn bản đúng tiến độ: điểm tối đa; dưới 100%: 0 điểm.",
                        evidence="Chương trình xây dựng văn bản; danh mục văn bản đã ban hành.",
                    ),
                    Node(
                        "2.1.b",
                        "Thực hiện đúng quy trình lấy ý kiến, thẩm định văn bản",
                        ("1", "1"),
                        evidence="Hồ sơ lấy ý kiến, báo cáo thẩm định của từng văn bản.",
                    ),
                ),
            ),
            Node(
                "2.2",
                "Rà soát, hệ thống hóa văn bản quy phạm pháp luật",
                ("2", "2"),
                guidance="Có kế hoạch, thực hiện đầy đủ và xử lý kết quả rà soát.",
                evidence="Kế hoạch, báo cáo kết quả rà soát; văn bản xử lý sau rà soát.",
            ),
            Node(
                "2.3",
                "Theo dõi tình hình thi hành pháp luật",
                ("1.5", "1.5"),
                evidence="Kế hoạch, báo cáo theo dõi thi hành pháp luật.",
            ),
            Node(
                "2.4",
                "Kiểm tra, xử lý văn bản quy phạm pháp luật",
                ("1.5", "1.5"),
                evidence="Báo cáo kết quả kiểm tra; văn bản xử lý sai sót phát hiện.",
            ),
        ),
    ),
    Node(
        "3",
        "Cải cách thủ tục hành chính",
        ("14", "16"),
        guidance="Đánh giá kiểm soát thủ tục hành chính, giải quyết hồ sơ, cơ chế một cửa và "
        "tiếp nhận, xử lý phản ánh, kiến nghị.",
        children=(
            Node(
                "3.1",
                "Kiểm soát thủ tục hành chính",
                ("3", "3"),
                children=(
                    Node(
                        "3.1.a",
                        "Công bố, công khai thủ tục hành chính đầy đủ, kịp thời",
                        ("1.5", "1.5"),
                        evidence="Quyết định công bố; ảnh chụp niêm yết, công khai trên Cổng "
                        "dịch vụ công.",
                    ),
                    Node(
                        "3.1.b",
                        "Rà soát, đơn giản hóa thủ tục hành chính theo kế hoạch",
                        ("1.5", "1.5"),
                        evidence="Kế hoạch rà soát; phương án đơn giản hóa được phê duyệt.",
                    ),
                ),
            ),
            Node(
                "3.2",
                "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
                ("4", "5"),
                method=Method.AUTO,
                source="on_time_rate",
                shares=ON_TIME,
                guidance="Tính tự động từ hồ sơ trên hệ thống: 100% đúng hạn được điểm tối đa; "
                "từ 98% được 3/4; từ 95% được 1/2; từ 90% được 1/4; dưới 90% không có điểm.",
                evidence="Số liệu từ hệ thống thông tin giải quyết thủ tục hành chính.",
            ),
            Node(
                "3.3",
                "Thực hiện cơ chế một cửa, một cửa liên thông",
                ("3", "4"),
                children=(
                    Node(
                        "3.3.a",
                        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
                        ("1.5", "2"),
                        method=Method.AUTO,
                        source="digitization_rate",
                        shares=HIGH_SHARE,
                        guidance="Tính tự động: từ 80% hồ sơ được số hóa được điểm tối đa.",
                        evidence="Số liệu số hóa trên hệ thống thông tin giải quyết TTHC.",
                    ),
                    Node(
                        "3.3.b",
                        "Thanh toán trực tuyến phí, lệ phí",
                        ("1.5", "2"),
                        method=Method.AUTO,
                        source="online_payment_rate",
                        shares=MID_SHARE,
                        guidance="Tính tự động: từ 50% hồ sơ có phí, lệ phí được thanh toán "
                        "trực tuyến được điểm tối đa.",
                        evidence="Số liệu thanh toán trực tuyến trên Cổng dịch vụ công.",
                    ),
                ),
            ),
            Node(
                "3.4",
                "Tiếp nhận, xử lý phản ánh, kiến nghị đúng hạn",
                ("2", "2"),
                method=Method.AUTO,
                source="feedback_on_time_rate",
                shares=COMPLETE,
                guidance="Tính tự động: 100% phản ánh, kiến nghị được xử lý đúng hạn được điểm "
                "tối đa; từ 90% được 3/4; từ 80% được 1/2.",
                evidence="Sổ theo dõi phản ánh, kiến nghị; văn bản trả lời.",
            ),
            Node(
                "3.5",
                "Thực hiện xin lỗi người dân, tổ chức khi giải quyết hồ sơ quá hạn",
                ("2", "2"),
                guidance="Mọi hồ sơ quá hạn đều có phiếu xin lỗi và hẹn lại: điểm tối đa.",
                evidence="Phiếu xin lỗi và hẹn lại ngày trả kết quả.",
            ),
        ),
    ),
    Node(
        "4",
        "Cải cách tổ chức bộ máy",
        ("8", "6"),
        children=(
            Node(
                "4.1",
                "Thực hiện quy định về chức năng, nhiệm vụ, cơ cấu tổ chức",
                ("3", "2"),
                evidence="Quyết định quy định chức năng, nhiệm vụ; quy chế làm việc.",
            ),
            Node(
                "4.2",
                "Thực hiện quy định về quản lý, sử dụng biên chế được giao",
                ("3", "2"),
                guidance="Sử dụng biên chế không vượt số được giao; thực hiện tinh giản "
                "biên chế theo lộ trình.",
                evidence="Quyết định giao biên chế; báo cáo sử dụng biên chế.",
            ),
            Node(
                "4.3",
                "Thực hiện phân cấp, ủy quyền và kiểm tra việc thực hiện",
                ("2", "2"),
                evidence="Văn bản phân cấp, ủy quyền; báo cáo kiểm tra.",
            ),
        ),
    ),
    Node(
        "5",
        "Cải cách chế độ công vụ",
        ("12", "12"),
        children=(
            Node(
                "5.1",
                "Vị trí việc làm và cơ cấu ngạch công chức, chức danh nghề nghiệp",
                ("3", "3"),
                children=(
                    Node(
                        "5.1.a",
                        "Xây dựng, điều chỉnh vị trí việc làm được cấp có thẩm quyền phê duyệt",
                        ("1.5", "1.5"),
                        evidence="Quyết định phê duyệt vị trí việc làm.",
                    ),
                    Node(
                        "5.1.b",
                        "Bố trí công chức, viên chức theo vị trí việc làm được phê duyệt",
                        ("1.5", "1.5"),
                        evidence="Danh sách bố trí công chức, viên chức theo vị trí việc làm.",
                    ),
                ),
            ),
            Node(
                "5.2",
                "Tuyển dụng, sử dụng, quản lý công chức, viên chức đúng quy định",
                ("3", "3"),
                evidence="Hồ sơ tuyển dụng, bổ nhiệm; kết luận kiểm tra (nếu có).",
            ),
            Node(
                "5.3",
                "Đào tạo, bồi dưỡng công chức, viên chức",
                ("3", "3"),
                guidance="Hoàn thành 100% kế hoạch đào tạo, bồi dưỡng: điểm tối đa.",
                evidence="Kế hoạch và báo cáo kết quả đào tạo, bồi dưỡng.",
            ),
            Node(
                "5.4",
                "Đánh giá, xếp loại chất lượng; kỷ luật, kỷ cương hành chính",
                ("3", "3"),
                evidence="Kết quả đánh giá, xếp loại; văn bản chấn chỉnh kỷ luật, kỷ cương.",
            ),
            Node(
                "5.5",
                "Điểm trừ: cán bộ, công chức, viên chức vi phạm kỷ luật, kỷ cương hành chính "
                "bị xử lý",
                ("2", "2"),
                method=Method.PENALTY,
                cap=("2", "2"),
                guidance="Trừ 1 điểm cho mỗi trường hợp bị xử lý kỷ luật trong năm, tối đa "
                "2 điểm; điểm lĩnh vực không thấp hơn 0.",
                evidence="Quyết định xử lý kỷ luật (nếu có).",
            ),
        ),
    ),
    Node(
        "6",
        "Cải cách tài chính công",
        ("8", "7"),
        children=(
            Node(
                "6.1",
                "Thực hiện quy định về quản lý, sử dụng ngân sách và giải ngân vốn",
                ("3", "3"),
                guidance="Giải ngân đạt kế hoạch được giao: điểm tối đa.",
                evidence="Báo cáo quyết toán, báo cáo giải ngân.",
            ),
            Node(
                "6.2",
                "Ban hành, thực hiện quy chế chi tiêu nội bộ, quy chế quản lý, sử dụng tài sản "
                "công",
                ("2.5", "2"),
                evidence="Quy chế chi tiêu nội bộ; quy chế quản lý, sử dụng tài sản công.",
            ),
            Node(
                "6.3",
                "Thực hiện kết luận thanh tra, kiểm toán về tài chính, ngân sách",
                ("2.5", "2"),
                evidence="Kết luận thanh tra, kiểm toán; báo cáo kết quả thực hiện.",
            ),
        ),
    ),
    Node(
        "7",
        "Xây dựng, phát triển chính quyền điện tử, chính quyền số",
        ("14", "14"),
        children=(
            Node(
                "7.1",
                "Kế hoạch chuyển đổi số, ứng dụng công nghệ thông tin",
                ("1.5", "1.5"),
                evidence="Kế hoạch và báo cáo kết quả chuyển đổi số trong năm.",
            ),
            Node(
                "7.2",
                "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình",
                ("3", "3"),
                method=Method.AUTO,
                source="procedures_online_rate",
                shares=HIGH_SHARE,
                guidance="Tính tự động: từ 80% thủ tục cung cấp trực tuyến toàn trình được "
                "điểm tối đa.",
                evidence="Danh mục dịch vụ công trực tuyến trên Cổng dịch vụ công.",
            ),
            Node(
                "7.3",
                "Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận trực tuyến",
                ("4", "4"),
                method=Method.AUTO,
                source="online_rate",
                shares=HIGH_SHARE,
                guidance="Tính tự động: từ 80% hồ sơ nộp trực tuyến được điểm tối đa; từ 60% "
                "được 3/4; từ 40% được 1/2; từ 20% được 1/4.",
                evidence="Số liệu hồ sơ trực tuyến trên hệ thống thông tin giải quyết TTHC.",
            ),
            Node(
                "7.4",
                "Văn bản điện tử và chữ ký số",
                ("3", "3"),
                children=(
                    Node(
                        "7.4.a",
                        "Văn bản trao đổi dưới dạng điện tử (trừ văn bản mật)",
                        ("1.5", "1.5"),
                        evidence="Báo cáo từ hệ thống quản lý văn bản và điều hành.",
                    ),
                    Node(
                        "7.4.b",
                        "Sử dụng chữ ký số trên văn bản điện tử",
                        ("1.5", "1.5"),
                        evidence="Báo cáo từ hệ thống quản lý văn bản và điều hành.",
                    ),
                ),
            ),
            Node(
                "7.5",
                "Hệ thống quản lý chất lượng và bảo đảm an toàn thông tin",
                ("2.5", "2.5"),
                evidence="Công bố hệ thống quản lý chất lượng; phương án bảo đảm an toàn "
                "thông tin.",
            ),
        ),
    ),
    Node(
        "8",
        "Tác động của cải cách hành chính",
        ("24", "28"),
        guidance="Đánh giá sự hài lòng của người dân, tổ chức và tác động của cải cách hành "
        "chính đến kết quả thực hiện nhiệm vụ.",
        children=(
            Node(
                "8.1",
                "Sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính",
                ("12", "14"),
                method=Method.SURVEY,
                source="overall",
                shares=SATISFACTION,
                guidance="Tính tự động từ chỉ số hài lòng của khảo sát: từ 90% được điểm tối đa; "
                "từ 80% được 3/4; từ 70% được 1/2; từ 50% được 1/4.",
                evidence="Kết quả khảo sát sự hài lòng trong năm.",
            ),
            Node(
                "8.2",
                "Tác động đến thực hiện các chỉ tiêu phát triển kinh tế - xã hội được giao",
                ("4", "5"),
                evidence="Báo cáo kết quả thực hiện chỉ tiêu kinh tế - xã hội.",
            ),
            Node(
                "8.3",
                "Tác động đến chất lượng thực hiện nhiệm vụ chuyên môn và công tác tham mưu",
                ("4", "4"),
                evidence="Báo cáo tổng kết năm; đánh giá của cấp có thẩm quyền.",
            ),
            Node(
                "8.4",
                "Tác động của chuyển đổi số đến phục vụ người dân, doanh nghiệp",
                ("4", "5"),
                evidence="Báo cáo chuyển đổi số; số liệu sử dụng dịch vụ số.",
            ),
        ),
    ),
)


def _index(level: str) -> int:
    return 0 if level == Level.DEPARTMENT else 1


def starter_specs(level: str) -> list[Spec]:
    """The starter's criteria for ``level`` as specs, parents first."""
    i = _index(level)
    out: list[Spec] = []

    def add(node: Node, parent: str | None) -> None:
        top = Decimal(node.points[i])
        out.append(
            Spec(
                code=node.code,
                title=node.title,
                max_points=top,
                method=node.method,
                source=node.source,
                cap=None if node.cap is None else Decimal(node.cap[i]),
                bands=[
                    (Decimal(rate), arithmetic.round2(top * Decimal(share)))
                    for rate, share in node.shares
                ],
                guidance=node.guidance,
                required_evidence=node.evidence,
                parent=parent,
            )
        )
        for child in node.children:
            add(child, node.code)

    for area in STARTER:
        add(area, None)
    return out


def starter_title(year: int, level: str) -> str:
    return f"{LEVEL_TITLES[Level(level)]} năm {year} ({TEMPLATE_MARK})"


def framework_install_starter(*, year: int, level: str, actor: User | None = None) -> Framework:
    """Install the starter framework for ``year`` and ``level`` (once: a second call returns the
    one installed). It is published when no framework of that year and level is, else a draft
    beside the published one."""
    level = Level(level)
    with transaction.atomic():
        existing = (
            Framework.objects.select_for_update()
            .filter(year=year, level=level, is_template=True)
            .order_by("version")
            .first()
        )
        if existing is not None:
            return existing
        published = Framework.objects.filter(
            year=year, level=level, status=FrameworkStatus.PUBLISHED
        ).exists()
        return framework_create(
            actor=actor,
            year=year,
            level=level,
            title=starter_title(year, level),
            decision=DECISION,
            specs=starter_specs(level),
            status=FrameworkStatus.DRAFT if published else FrameworkStatus.PUBLISHED,
            is_template=True,
            action="framework.install_starter",
        )
