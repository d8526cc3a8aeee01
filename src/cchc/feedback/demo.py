"""Demo feedback: a year of citizens' feedback for a demo agency, in every state.

``load_demo_feedback`` writes the rows with ``bulk_create`` (the services would notify people
and stamp "now"); each item's history is simulated — classification, perhaps a request for
information and the sender's reply, the draft, the approval, the publication — with every
deadline computed by ``cchc.core.calendar`` from the rules in force, exactly as the services
compute them. Then what has not happened yet by ``now`` is cut off, so the recent items are
still open: some just received, some waiting for the sender, some drafted or approved, and a few
stalled past their deadline.

The distributions are those of a department that answers most feedback on time: about 8 %
refused, 5 % forwarded, one in ten answers late, one in eight items asking the sender for more,
and about 20 % tied to one of the agency's demo dossiers.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cchc.core import calendar
from cchc.core.models import Agency, Membership, Role, Unit, User
from cchc.feedback.deadlines import RuleBook, local_date, working_days_between
from cchc.feedback.models import (
    Classification,
    DeadlineStep,
    Feedback,
    FeedbackAlertLog,
    FeedbackAttachment,
    FeedbackChannel,
    FeedbackEvent,
    FeedbackState,
    FeedbackTopic,
    new_tracking_code,
)
from cchc.feedback.search import search_text_of
from cchc.feedback.services import PUBLIC_ID_PREFIX, topics_ensure_defaults

COUNT = 150
RECENT_DAYS = 21
TIED_TO_DOSSIERS = 0.2


@dataclass(frozen=True)
class Scenario:
    topic: str  # code of a default topic
    title: str
    content: str
    summary: str
    answer: str


# fmt: off
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "thu-tuc-hanh-chinh",
        "Thời gian giải quyết hồ sơ quá thời hạn hẹn trả",
        "Tôi nộp hồ sơ tại bộ phận một cửa, trên giấy tiếp nhận hẹn trả kết quả sau 10 ngày làm việc nhưng đến nay đã quá hẹn mà chưa nhận được kết quả, cũng không được thông báo lý do. Đề nghị cơ quan kiểm tra và trả lời.",  # noqa: E501
        "Công dân phản ánh hồ sơ thủ tục hành chính được giải quyết quá thời hạn hẹn trả mà không được thông báo lý do.",  # noqa: E501
        "{agency} đã kiểm tra hồ sơ: việc giải quyết kéo dài do phải xác minh thông tin tại cơ quan khác. Cơ quan đã gửi văn bản xin lỗi và hẹn lại ngày trả kết quả theo quy định; đồng thời chấn chỉnh bộ phận chuyên môn, yêu cầu thông báo kịp thời cho người dân khi hồ sơ có khả năng quá hạn.",  # noqa: E501
    ),
    Scenario(
        "thu-tuc-hanh-chinh",
        "Đề nghị không yêu cầu nộp lại giấy tờ đã có trong cơ sở dữ liệu",
        "Khi làm thủ tục tôi vẫn bị yêu cầu nộp bản sao có chứng thực căn cước công dân và giấy xác nhận cư trú, trong khi các thông tin này đã có trên Cơ sở dữ liệu quốc gia về dân cư. Đề nghị bỏ yêu cầu này.",  # noqa: E501
        "Kiến nghị không yêu cầu người dân nộp bản sao giấy tờ mà thông tin đã có trong Cơ sở dữ liệu quốc gia về dân cư.",  # noqa: E501
        "Tiếp thu kiến nghị, {agency} đã chỉ đạo bộ phận một cửa khai thác thông tin từ Cơ sở dữ liệu quốc gia về dân cư, không yêu cầu người dân nộp bản sao căn cước và giấy xác nhận cư trú đối với các thủ tục đã được kết nối, theo đúng quy định hiện hành.",  # noqa: E501
    ),
    Scenario(
        "quy-dinh-hanh-chinh",
        "Quy định về phí, lệ phí chưa được niêm yết rõ ràng",
        "Tại nơi tiếp nhận hồ sơ không thấy niêm yết mức phí, lệ phí của một số thủ tục, người dân phải hỏi lại nhiều lần. Đề nghị niêm yết công khai đầy đủ.",  # noqa: E501
        "Phản ánh về việc chưa niêm yết công khai đầy đủ mức phí, lệ phí của thủ tục hành chính tại nơi tiếp nhận hồ sơ.",  # noqa: E501
        "{agency} đã rà soát và niêm yết bổ sung mức phí, lệ phí của toàn bộ thủ tục hành chính tại bộ phận một cửa và trên Cổng dịch vụ công, kèm căn cứ pháp lý của từng khoản thu.",  # noqa: E501
    ),
    Scenario(
        "quy-dinh-hanh-chinh",
        "Kiến nghị hướng dẫn rõ thành phần hồ sơ",
        "Thành phần hồ sơ ghi trong bộ thủ tục có mục 'giấy tờ khác có liên quan' không rõ là giấy tờ gì, dẫn đến phải bổ sung nhiều lần. Kiến nghị quy định cụ thể.",  # noqa: E501
        "Kiến nghị quy định cụ thể thành phần hồ sơ thay cho cách ghi chung chung 'giấy tờ khác có liên quan'.",  # noqa: E501
        "{agency} ghi nhận kiến nghị. Thành phần hồ sơ của thủ tục được quy định tại văn bản của bộ, ngành trung ương; cơ quan đã tổng hợp kiến nghị gửi cơ quan có thẩm quyền xem xét sửa đổi, trong thời gian chờ sửa đổi đã ban hành hướng dẫn chi tiết danh mục giấy tờ cần nộp.",  # noqa: E501
    ),
    Scenario(
        "thai-do-can-bo",
        "Cán bộ một cửa hướng dẫn chưa tận tình",
        "Khi đến nộp hồ sơ, tôi được cán bộ tiếp nhận hướng dẫn qua loa, không giải thích rõ vì sao hồ sơ chưa đủ điều kiện và yêu cầu về làm lại. Đề nghị cơ quan xem xét.",  # noqa: E501
        "Phản ánh về thái độ hướng dẫn chưa tận tình của công chức tiếp nhận hồ sơ tại bộ phận một cửa.",  # noqa: E501
        "{agency} đã làm việc với công chức liên quan, yêu cầu rút kinh nghiệm và thực hiện hướng dẫn một lần, đầy đủ bằng phiếu hướng dẫn theo quy định. Cơ quan cảm ơn ông/bà đã phản ánh và xin lỗi về sự việc.",  # noqa: E501
    ),
    Scenario(
        "thai-do-can-bo",
        "Hẹn trả kết quả nhiều lần",
        "Hồ sơ của tôi đã bị hẹn lại ngày trả kết quả ba lần, mỗi lần đến đều được báo chưa có. Đề nghị làm rõ trách nhiệm.",  # noqa: E501
        "Phản ánh việc hồ sơ bị hẹn lại ngày trả kết quả nhiều lần.",
        "Qua kiểm tra, việc hẹn lại nhiều lần là do bộ phận chuyên môn chưa phối hợp kịp thời. {agency} đã xử lý trách nhiệm theo quy định, trả kết quả cho ông/bà và chỉ đạo theo dõi chặt chẽ các hồ sơ sắp đến hạn trên hệ thống.",  # noqa: E501
    ),
    Scenario(
        "dich-vu-cong-truc-tuyen",
        "Lỗi khi thanh toán phí trực tuyến",
        "Tôi nộp hồ sơ trực tuyến, khi thanh toán lệ phí qua ngân hàng thì tài khoản đã bị trừ tiền nhưng hệ thống vẫn báo chưa thanh toán. Đề nghị kiểm tra.",  # noqa: E501
        "Phản ánh lỗi thanh toán trực tuyến: tài khoản đã bị trừ tiền nhưng hồ sơ vẫn ở trạng thái chưa thanh toán.",  # noqa: E501
        "{agency} đã phối hợp với đơn vị vận hành cổng thanh toán đối soát giao dịch; khoản thanh toán đã được ghi nhận vào hồ sơ và hồ sơ được tiếp tục giải quyết. Lỗi đồng bộ trạng thái đã được khắc phục.",  # noqa: E501
    ),
    Scenario(
        "dich-vu-cong-truc-tuyen",
        "Không nhận được mã xác thực khi nộp hồ sơ trực tuyến",
        "Nhiều lần tôi không nhận được tin nhắn mã xác thực (OTP) khi đăng nhập để nộp hồ sơ trực tuyến nên không thể hoàn thành việc nộp hồ sơ.",  # noqa: E501
        "Phản ánh việc không nhận được mã xác thực (OTP) khi đăng nhập Cổng dịch vụ công để nộp hồ sơ.",  # noqa: E501
        "Nguyên nhân là lỗi của nhà mạng trong thời gian nâng cấp hệ thống gửi tin nhắn; lỗi đã được khắc phục. {agency} đề nghị ông/bà đăng nhập lại; nếu còn vướng mắc, liên hệ bộ phận hỗ trợ để được hướng dẫn.",  # noqa: E501
    ),
    Scenario(
        "dich-vu-cong-truc-tuyen",
        "Hồ sơ trực tuyến bị trả về không ghi rõ lý do",
        "Hồ sơ nộp trực tuyến của tôi bị trả về với ghi chú 'hồ sơ không hợp lệ' mà không nêu cụ thể cần bổ sung gì.",  # noqa: E501
        "Phản ánh hồ sơ trực tuyến bị trả về mà không nêu rõ lý do, nội dung cần bổ sung.",
        "{agency} đã liên hệ hướng dẫn cụ thể nội dung cần bổ sung và yêu cầu công chức tiếp nhận ghi rõ lý do, nội dung cần bổ sung trong mọi thông báo trả hồ sơ trực tuyến.",  # noqa: E501
    ),
    Scenario(
        "khac",
        "Đề nghị bố trí thêm chỗ ngồi chờ và chỗ để xe",
        "Khu vực chờ tại bộ phận một cửa thường xuyên quá tải vào buổi sáng, người cao tuổi phải đứng chờ lâu; chỗ để xe cũng không đủ.",  # noqa: E501
        "Kiến nghị cải thiện khu vực chờ và chỗ để xe tại bộ phận một cửa.",
        "{agency} đã bố trí thêm ghế chờ, ưu tiên người cao tuổi và người khuyết tật, mở rộng khu để xe; đồng thời khuyến khích người dân đặt lịch hẹn trực tuyến để giảm thời gian chờ.",  # noqa: E501
    ),
    Scenario(
        "khac",
        "Đề nghị công khai số điện thoại đường dây nóng",
        "Tôi không tìm thấy số điện thoại để phản ánh khi gặp vướng mắc trong giải quyết thủ tục. Đề nghị công khai đường dây nóng.",  # noqa: E501
        "Kiến nghị công khai số điện thoại đường dây nóng tiếp nhận phản ánh về thủ tục hành chính.",  # noqa: E501
        "{agency} đã niêm yết số điện thoại đường dây nóng và địa chỉ tiếp nhận phản ánh, kiến nghị tại bộ phận một cửa và trên trang thông tin điện tử của cơ quan.",  # noqa: E501
    ),
    Scenario(
        "thu-tuc-hanh-chinh",
        "Đề nghị cho phép nhận kết quả qua dịch vụ bưu chính",
        "Tôi ở xa, đi lại khó khăn; đề nghị cơ quan cho phép nhận kết quả giải quyết thủ tục qua dịch vụ bưu chính công ích.",  # noqa: E501
        "Kiến nghị được nhận kết quả giải quyết thủ tục hành chính qua dịch vụ bưu chính công ích.",
        "Người dân có thể đăng ký nhận kết quả qua dịch vụ bưu chính công ích ngay khi nộp hồ sơ (trực tiếp hoặc trực tuyến). {agency} đã bổ sung hướng dẫn nội dung này trên phiếu tiếp nhận.",  # noqa: E501
    ),
)
# fmt: on

REJECT_REASONS = (
    "Nội dung là tranh chấp dân sự giữa các cá nhân, không phải phản ánh, kiến nghị về quy định "
    "hành chính; đề nghị ông/bà liên hệ Tòa án nhân dân có thẩm quyền.",
    "Nội dung không rõ ràng, không có thông tin cụ thể về quy định hoặc thủ tục được phản ánh, "
    "không đủ cơ sở xem xét theo quy định.",
)
FORWARD_NOTES = (
    "Chuyển Sở Nông nghiệp và Môi trường xử lý theo thẩm quyền (nội dung về cấp Giấy chứng nhận "
    "quyền sử dụng đất).",
    "Chuyển Công an tỉnh xử lý theo thẩm quyền (nội dung về đăng ký cư trú).",
    "Chuyển Bảo hiểm xã hội tỉnh xử lý theo thẩm quyền (nội dung về chế độ bảo hiểm).",
)
INFO_REQUESTS = (
    "Đề nghị ông/bà cung cấp mã hồ sơ ghi trên giấy tiếp nhận để cơ quan tra cứu.",
    "Đề nghị ông/bà cho biết thời gian, địa điểm cụ thể của sự việc.",
)
SENDER_REPLIES = (
    "Tôi xin gửi lại thông tin theo yêu cầu để cơ quan tra cứu.",
    "Sự việc xảy ra vào buổi sáng, tại quầy tiếp nhận của bộ phận một cửa.",
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Đức", "Thu", "Hữu", "Quốc", "Kim")
GIVEN = (
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long",
    "Mai", "Nam", "Phúc", "Quang", "Sơn", "Tâm", "Trang", "Tuấn", "Yến",
)  # fmt: skip


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _office_time(day: dt.date, rng: random.Random) -> dt.datetime:
    hour = rng.choice((7, 8, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 15, 16))
    return dt.datetime.combine(day, dt.time(hour, rng.randrange(0, 60)), tzinfo=calendar.TZ)


def _after(moment: dt.datetime, working_days: int, rng: random.Random) -> dt.datetime:
    """An office time ``working_days`` working days after ``moment`` (0: later that day, or
    the next working day when it is too late)."""
    day = calendar.add_working_days(local_date(moment), working_days)
    later = _office_time(day, rng)
    if later <= moment:
        later = _office_time(calendar.add_working_days(local_date(moment), 1), rng)
    return later


class _People:
    def __init__(self, agency: Agency) -> None:
        rows = Membership.objects.filter(agency=agency, is_active=True, user__is_active=True)
        self.coordinators: list[User] = []
        self.leaders: list[User] = []
        self.by_unit: dict[int, list[User]] = {}
        for membership in rows.select_related("user").order_by("pk"):
            if membership.role == Role.COORDINATOR:
                self.coordinators.append(membership.user)
            elif membership.role == Role.LEADER:
                self.leaders.append(membership.user)
            elif membership.role in (Role.UNIT_HEAD, Role.OFFICER) and membership.unit_id:
                self.by_unit.setdefault(membership.unit_id, []).append(membership.user)
        units = Unit.objects.filter(agency=agency, is_active=True).exclude(code="VP")
        self.units = list(units.order_by("code")) or list(
            Unit.objects.filter(agency=agency, is_active=True)
        )


def _next_number(year: int) -> int:
    prefix = f"{PUBLIC_ID_PREFIX}-{year}-"
    numbers = [
        int(p[len(prefix) :])
        for p in Feedback.objects.filter(public_id__startswith=prefix).values_list(
            "public_id", flat=True
        )
        if p[len(prefix) :].isdigit()
    ]
    return max(numbers, default=0) + 1


def load_demo_feedback(
    agency: Agency,
    year: int,
    seed: int = 0,
    *,
    now: dt.datetime | None = None,
    count: int = COUNT,
) -> int:
    """Create about ``count`` feedback items received in ``year`` (up to ``now``) for
    ``agency``, with their events. Does nothing (returns 0) when the agency has feedback
    already. Returns the number created."""
    if Feedback.objects.filter(agency=agency).exists():
        return 0
    now = now or timezone.now()
    first = dt.date(year, 1, 2)
    last = min(dt.date(year, 12, 31), local_date(now))
    if last < first:
        return 0
    rng = random.Random(f"feedback-{agency.code}-{year}-{seed}")
    with transaction.atomic():
        topics_ensure_defaults(agency)
        topics = {t.code: t for t in FeedbackTopic.objects.filter(agency=agency)}
        people = _People(agency)
        rules = RuleBook()
        dossiers = _dossier_sample(agency, year, count, rng)
        span = (last - first).days
        items: list[tuple[Feedback, list[FeedbackEvent]]] = []
        for index in range(count):
            dossier = dossiers[index] if index < len(dossiers) else None
            if dossier is not None:
                received = dossier[1] + dt.timedelta(
                    days=rng.randint(1, 25), hours=rng.randint(0, 6)
                )
            else:
                # One item in twelve in the last three weeks, so that some are still open.
                recent = rng.random() < 0.08 and span > RECENT_DAYS
                offset = rng.randint(span - RECENT_DAYS, span) if recent else rng.randint(0, span)
                day = first + dt.timedelta(days=offset)
                received = _office_time(calendar.add_working_days(day, 0), rng)
            if received >= now:
                continue
            scenario = rng.choice(SCENARIOS)
            topic = topics.get(scenario.topic) or next(iter(topics.values()))
            feedback, events = _simulate(
                agency, topic, scenario, received, dossier, people, rng, now, rules
            )
            items.append((feedback, events))
        items.sort(key=lambda pair: pair[0].received_at)
        numbers: dict[int, int] = {}
        for feedback, _events in items:
            year_of = local_date(feedback.received_at).year
            if year_of not in numbers:
                numbers[year_of] = _next_number(year_of)
            feedback.public_id = f"{PUBLIC_ID_PREFIX}-{year_of}-{numbers[year_of]:06d}"
            numbers[year_of] += 1
        Feedback.objects.bulk_create([f for f, _e in items], batch_size=500)
        events = []
        for feedback, item_events in items:
            for event in item_events:
                event.feedback = feedback
                events.append(event)
        FeedbackEvent.objects.bulk_create(events, batch_size=2000)
        _mark_dossiers(agency, [f for f, _e in items])
    return len(items)


def _dossier_sample(
    agency: Agency, year: int, count: int, rng: random.Random
) -> list[tuple[int, dt.datetime] | None]:
    """For each item, the (id, receipt) of the dossier it is about, or None (about 20 % tied)."""
    from cchc.procedures.models import Dossier

    rows = list(
        Dossier.objects.filter(agency=agency, received_day__year=year)
        .order_by("pk")
        .values_list("pk", "received_at")
    )
    tied = min(len(rows), round(count * TIED_TO_DOSSIERS))
    chosen: list[tuple[int, dt.datetime] | None] = list(rng.sample(rows, tied)) if tied else []
    chosen += [None] * (count - tied)
    rng.shuffle(chosen)
    return chosen


def _simulate(
    agency: Agency,
    topic: FeedbackTopic,
    scenario: Scenario,
    received: dt.datetime,
    dossier: tuple[int, dt.datetime] | None,
    people: _People,
    rng: random.Random,
    now: dt.datetime,
    rules: RuleBook,
) -> tuple[Feedback, list[FeedbackEvent]]:
    """One item's whole history, then cut at ``now``."""
    day = local_date(received)
    days = {step: rules.days(step, day) for step in DeadlineStep.values}
    recent = (now - received) < dt.timedelta(days=RECENT_DAYS)
    coordinator = rng.choice(people.coordinators) if people.coordinators else None
    leader = rng.choice(people.leaders) if people.leaders else coordinator
    channel = rng.choices(
        (FeedbackChannel.WEB, FeedbackChannel.DESK, FeedbackChannel.OPEN311), (75, 15, 10)
    )[0]
    phone = f"09{rng.randrange(10**7, 10**8)}"
    feedback = Feedback(
        agency=agency,
        topic=topic,
        channel=channel,
        title=scenario.title,
        content=scenario.content,
        dossier_id=dossier[0] if dossier else None,
        contact_name=_name(rng),
        contact_phone=phone if rng.random() < 0.85 else "",
        contact_email=f"nguoidan{rng.randrange(1000, 9999)}@example.com",
        tracking_code=new_tracking_code(),
        received_at=received,
        first_request_due_at=calendar.deadline(received, days[DeadlineStep.FIRST_REQUEST]),
    )
    events = [FeedbackEvent(state=FeedbackState.RECEIVED, at=received, public=True)]

    def happened(moment: dt.datetime) -> bool:
        return moment <= now

    forward_due = calendar.deadline(received, days[DeadlineStep.FORWARD])
    feedback.state, feedback.due_at, feedback.final_due_at = (
        FeedbackState.RECEIVED,
        forward_due,
        forward_due,
    )
    roll = rng.random()
    if roll < 0.13:
        refused = roll < 0.08
        step = DeadlineStep.REJECT if refused else DeadlineStep.FORWARD
        late = rng.random() < 0.1
        limit = days[step]
        decided = _after(
            received, limit + rng.randint(1, 3) if late else rng.randint(0, limit), rng
        )
        if not happened(decided):
            return feedback, events
        feedback.classification = Classification.NOT_ACCEPTED if refused else Classification.FORWARD
        feedback.state = FeedbackState.REJECTED if refused else FeedbackState.FORWARDED
        feedback.decision_note = rng.choice(REJECT_REASONS if refused else FORWARD_NOTES)
        feedback.classified_at = feedback.handled_at = decided
        feedback.final_due_at = calendar.deadline(received, limit)
        feedback.on_time = decided <= feedback.final_due_at
        feedback.due_at = None
        events.append(
            FeedbackEvent(
                state=feedback.state,
                actor=coordinator,
                at=decided,
                note=feedback.decision_note,
                public=True,
            )
        )
        return feedback, events

    classified = _after(received, rng.choice((0, 1, 1, 2, 2, 3, 4)), rng)
    if not happened(classified):
        return feedback, events
    unit = rng.choice(people.units) if people.units else None
    staff = topic.code == "thai-do-can-bo"
    feedback.classification = (
        Classification.STAFF_CONDUCT if staff else Classification.WITHIN_COMPETENCE
    )
    feedback.classified_at = classified
    feedback.unit = unit
    handlers = people.by_unit.get(unit.pk, []) if unit else []
    feedback.handler = rng.choice(handlers) if handlers and rng.random() < 0.8 else None
    feedback.state = FeedbackState.IN_PROGRESS
    answer_days = days[DeadlineStep.ANSWER]
    feedback.final_due_at = feedback.due_at = calendar.deadline(received, answer_days)
    events.append(
        FeedbackEvent(
            state=FeedbackState.IN_PROGRESS, actor=coordinator, at=classified, public=True
        )
    )
    worker = feedback.handler or (handlers[0] if handlers else coordinator)

    cursor = classified
    if rng.random() < (0.5 if recent else 0.12):
        asked = _after(classified, rng.randint(0, 3), rng)
        if not happened(asked):
            return feedback, events
        message = rng.choice(INFO_REQUESTS)
        events.append(
            FeedbackEvent(
                state=FeedbackState.WAITING_SENDER,
                actor=worker,
                at=asked,
                note=message,
                public=True,
            )
        )
        feedback.state, feedback.waiting_since, feedback.due_at = (
            FeedbackState.WAITING_SENDER,
            asked,
            None,
        )
        replied = _after(asked, rng.randint(3, 12) if recent else rng.randint(1, 6), rng)
        if not happened(replied):
            return feedback, events
        feedback.paused_working_days = working_days_between(asked, replied)
        feedback.waiting_since = None
        feedback.state = FeedbackState.IN_PROGRESS
        feedback.final_due_at = feedback.due_at = calendar.deadline(
            received, answer_days + feedback.paused_working_days
        )
        events.append(
            FeedbackEvent(
                state=FeedbackState.IN_PROGRESS,
                at=replied,
                note=rng.choice(SENDER_REPLIES),
                public=True,
                from_sender=True,
            )
        )
        cursor = replied

    if rng.random() < 0.04:
        return feedback, events  # stalled: still being handled, soon overdue
    late = rng.random() < 0.1
    spent = working_days_between(received, cursor)
    left = max(answer_days + feedback.paused_working_days - spent, 1)
    approved = (
        _after(feedback.final_due_at, rng.randint(1, 6), rng)
        if late
        else min(_after(cursor, rng.randint(max(left // 3, 1), left), rng), feedback.final_due_at)
    )
    drafted = max(approved - dt.timedelta(hours=rng.randint(2, 60)), cursor + dt.timedelta(hours=1))
    drafted = min(drafted, approved - dt.timedelta(minutes=5))
    if not happened(drafted):
        return feedback, events
    feedback.answer = scenario.answer.format(agency=agency.name)
    feedback.public_summary = scenario.summary
    feedback.answered_by = worker
    feedback.state = FeedbackState.ANSWER_DRAFTED
    events.append(FeedbackEvent(state=FeedbackState.ANSWER_DRAFTED, actor=worker, at=drafted))
    if not happened(approved):
        return feedback, events
    feedback.state = FeedbackState.ANSWERED
    feedback.approved_by = leader
    feedback.handled_at = approved
    feedback.on_time = approved <= feedback.final_due_at
    feedback.publish_due_at = feedback.due_at = calendar.deadline(
        approved, rules.days(DeadlineStep.PUBLISH, local_date(approved))
    )
    events.append(
        FeedbackEvent(state=FeedbackState.ANSWERED, actor=leader, at=approved, public=True)
    )
    published = _after(approved, rng.choice((0, 1, 1, 2, 2, 2, 3)), rng)
    if not happened(published):
        return feedback, events
    feedback.state = FeedbackState.PUBLISHED
    feedback.published_at = published
    feedback.due_at = None
    feedback.search_text = search_text_of(feedback.public_summary, feedback.answer)
    if rng.random() < 0.4:
        feedback.rating = rng.choices((1, 2, 3, 4, 5), (3, 5, 12, 40, 40))[0]
    events.append(
        FeedbackEvent(state=FeedbackState.PUBLISHED, actor=coordinator, at=published, public=True)
    )
    return feedback, events


def _mark_dossiers(agency: Agency, items: list[Feedback]) -> None:
    """Dossiers with feedback taken up about them count as negative, as the services do."""
    from cchc.procedures import rollups
    from cchc.procedures.models import Dossier

    ids = {
        f.dossier_id
        for f in items
        if f.dossier_id
        and f.classification in (Classification.STAFF_CONDUCT, Classification.WITHIN_COMPETENCE)
    }
    marked = Dossier.objects.filter(pk__in=ids, negative_feedback=False)
    days = set(marked.values_list("received_day", flat=True))
    if days and marked.update(negative_feedback=True):
        rollups.refresh(agency.pk, received_days=days)


def delete_demo_feedback(agencies) -> None:
    """Everything of the agencies' feedback, for ``cchc demo --reset``."""
    stored = list(
        FeedbackAttachment.objects.filter(feedback__agency__in=agencies).values_list(
            "file", flat=True
        )
    )
    FeedbackAlertLog.objects.filter(feedback__agency__in=agencies).delete()
    FeedbackEvent.objects.filter(feedback__agency__in=agencies).delete()
    FeedbackAttachment.objects.filter(feedback__agency__in=agencies).delete()
    Feedback.objects.filter(agency__in=agencies).delete()
    FeedbackTopic.objects.filter(agency__in=agencies).delete()
    storage = FeedbackAttachment._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])
