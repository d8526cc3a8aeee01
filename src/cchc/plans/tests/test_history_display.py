from django.utils import translation

from cchc.plans.templatetags.cchc_ui import change_items


def test_history_shows_choices_dates_and_numbers_the_vietnamese_way():
    with translation.override("vi"):
        items = dict(
            change_items(
                {
                    "recurrence": "monthly",
                    "status": ["not_started", "done"],
                    "due_date": ["2026-06-30", "2026-07-31"],
                    "progress": ["12.50", "40.00"],
                    "task_id": 7,
                }
            )
        )
    assert items["chu kỳ thực hiện"] == "Hằng tháng"
    assert items["trạng thái"] == "Chưa bắt đầu → Hoàn thành"
    assert items["hạn hoàn thành"] == "30/06/2026 → 31/07/2026"
    assert items["tiến độ (%)"] == "12,5 → 40"
    assert "task_id" not in items
