import datetime as dt

from cchc.plans import services
from cchc.plans.selectors import dashboard, my_tasks, task_list


def test_dashboard_counts_progress_and_late_work(world):
    today = dt.date(2026, 7, 15)  # world.a.task is due 30/06: late; other_task due 30/09
    services.task_update_progress(actor=world.a.officer, task=world.a.task, percent=50)
    board = dashboard(user=world.a.coordinator, today=today)
    assert board.agency == world.a.agency
    assert (board.total, board.in_progress, board.not_started, board.overdue_count) == (2, 1, 1, 1)
    assert board.progress == 25
    assert [t.pk for t in board.overdue] == [world.a.task.pk]
    by_area = {row.key: row for row in board.by_area}
    assert by_area["3"].progress == 50 and by_area["3"].overdue == 1
    assert by_area["5"].progress == 0
    assert board.activity and all(e.agency_id == world.a.agency.pk for e in board.activity)


def test_due_soon_and_mine(world):
    today = dt.date(2026, 6, 25)
    board = dashboard(user=world.a.officer, today=today)
    assert [t.pk for t in board.due_soon] == [world.a.task.pk]
    assert [t.pk for t in board.mine] == [world.a.task.pk]
    assert list(my_tasks(user=world.a.other_officer)) == [world.a.other_task]


def test_appraiser_dashboard_sees_all_agencies_and_chooses_one(world):
    board = dashboard(user=world.appraiser, today=dt.date(2026, 3, 1))
    assert {a.code for a in board.agencies} >= {"STP", "SYT"}
    assert board.agency is None and board.total == 4
    board = dashboard(user=world.appraiser, agency_id=world.b.agency.pk, today=dt.date(2026, 3, 1))
    assert board.total == 2


def test_dashboard_ignores_an_agency_the_user_cannot_see(world):
    board = dashboard(user=world.a.coordinator, agency_id=world.b.agency.pk)
    assert board.agency == world.a.agency


def test_task_list_filters(world):
    today = dt.date(2026, 7, 15)
    assert list(task_list(user=world.a.viewer, overdue=True, today=today)) == [world.a.task]
    assert list(task_list(user=world.a.viewer, area_number=5)) == [world.a.other_task]
    assert list(task_list(user=world.a.viewer, search="vị trí")) == [world.a.other_task]
    assert list(task_list(user=world.a.viewer, assignee_id=world.a.officer.pk)) == [world.a.task]
    assert list(task_list(user=world.a.viewer, agency_id=world.b.agency.pk)) == []
