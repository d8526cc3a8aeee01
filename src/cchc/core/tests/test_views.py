"""Site-wide pages: login and logout, dashboard, notifications, history, language switch."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from cchc.core.models import Notification
from cchc.plans import services
from cchc.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    """A client that chose English, so assertions on text do not depend on translations."""
    client.cookies["django_language"] = "en"
    return client


def test_login_page(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta charset="utf-8">' in html
    assert 'lang="vi"' in html
    assert 'id="id_username"' in html and 'id="id_password"' in html
    assert "<script>" not in html


def test_login_and_logout(client, world):
    response = client.post(
        reverse("login"), {"username": world.a.officer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is a POST
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_wrong_password_shows_error(en, world):
    response = en.post(reverse("login"), {"username": "stp_officer", "password": "sai"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_dashboard_needs_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_renders_for_everyone(client, world):
    a = world.a
    for person in (
        a.leader,
        a.coordinator,
        a.unit_head,
        a.officer,
        a.viewer,
        world.appraiser,
        world.admin,
    ):
        client.force_login(person)
        response = client.get(reverse("dashboard"), {"year": "2026"})
        assert response.status_code == 200, person.username
        html = response.content.decode()
        for testid in ("stat-total", "stat-done", "stat-overdue"):
            assert f'data-testid="{testid}"' in html


def _stat(html: str, testid: str) -> str:
    block = html.split(f'data-testid="{testid}"', 1)[1]
    return re.search(r'class="h3 mb-0 stat-value[^"]*">([^<]*)<', block).group(1)


def test_dashboard_figures_and_chart_data(en, world):
    a = world.a
    services.task_update_progress(actor=a.officer, task=a.task, percent=100)
    en.force_login(a.coordinator)
    html = en.get(reverse("dashboard"), {"year": "2026"}).content.decode()
    assert _stat(html, "stat-total") == "2"
    assert _stat(html, "stat-done") == "1"
    match = re.search(r'<script id="chart-by-area" type="application/json">(.*?)</script>', html)
    chart = json.loads(match.group(1))
    assert chart["labels"] == ["II.3", "II.5"]
    assert chart["values"] == [100.0, 0.0]
    assert 'data-chart="chart-by-area"' in html
    assert 'data-testid="by-area-table"' in html
    assert "Phòng Nghiệp vụ 1" in html  # by unit
    assert "Sở Y tế" not in html


def test_dashboard_agency_filter_for_appraiser(en, world):
    en.force_login(world.appraiser)
    html = en.get(reverse("dashboard"), {"year": "2026"}).content.decode()
    assert 'id="id_agency"' in html
    assert _stat(html, "stat-total") == "4"
    html = en.get(
        reverse("dashboard"), {"year": "2026", "agency": world.b.agency.pk}
    ).content.decode()
    assert _stat(html, "stat-total") == "2"
    # One agency only: no agency select. Bad parameters are ignored.
    en.force_login(world.a.officer)
    response = en.get(reverse("dashboard"), {"agency": "x", "year": "abc"})
    assert response.status_code == 200
    assert 'id="id_agency"' not in response.content.decode()


def test_dashboard_does_not_leak_other_agency_through_filter(en, world):
    en.force_login(world.a.officer)
    html = en.get(
        reverse("dashboard"), {"year": "2026", "agency": world.b.agency.pk}
    ).content.decode()
    assert "Sở Y tế" not in html
    assert _stat(html, "stat-total") == "2"


def test_notifications_list_and_mark_read(en, world):
    officer = world.a.officer
    note = officer.notifications.get(kind="assigned")
    other = Notification.objects.create(user=officer, kind="reminder", title="Sắp đến hạn")
    stranger_note = Notification.objects.create(user=world.b.officer, kind="x", title="B")
    en.force_login(officer)
    html = en.get(reverse("dashboard")).content.decode()
    assert 'data-testid="unread-count">2<' in html
    response = en.get(reverse("notifications"))
    assert response.status_code == 200
    assert "Sắp đến hạn" in response.content.decode()
    assert "B</" not in response.content.decode()
    response = en.post(reverse("notifications"), {"notification": note.pk})
    assert response.status_code == 302
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None and other.read_at is None
    # Someone else's notification is not touched.
    en.post(reverse("notifications"), {"notification": stranger_note.pk})
    stranger_note.refresh_from_db()
    assert stranger_note.read_at is None
    en.post(reverse("notifications"), {"all": "1"})
    assert not officer.notifications.filter(read_at__isnull=True).exists()
    assert world.b.officer.notifications.filter(read_at__isnull=True).exists()


def test_activity_is_scoped(en, world):
    en.force_login(world.a.viewer)
    response = en.get(reverse("activity"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rà soát, đơn giản hóa thủ tục hành chính" in html
    assert "Sở Y tế" not in html
    assert "Task created" in html
    en.force_login(world.appraiser)
    html = en.get(reverse("activity"), {"agency": world.b.agency.pk}).content.decode()
    assert "Sở Y tế" in html
    assert "Sở Tư pháp" not in html.split('data-testid="activity-table"', 1)[1]


def test_language_switch(client, world):
    client.force_login(world.a.officer)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'action="/i18n/setlang/"' in html
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("task_list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("task_list")
    assert 'lang="en"' in client.get(reverse("task_list")).content.decode()


def test_navigation_marks_current_page(en, world):
    en.force_login(world.a.coordinator)
    html = en.get(reverse("plan_list")).content.decode()
    assert re.search(r'aria-current="page" href="/plans/"', html)
    assert 'href="/admin/"' not in html
    en.force_login(world.admin)
    assert 'href="/admin/"' in en.get(reverse("plan_list")).content.decode()


def test_skip_link_and_main_landmark(client, world):
    client.force_login(world.a.officer)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_csrf_failure_and_server_error_pages_have_no_inline_code(world):
    from django.template.loader import render_to_string
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.force_login(world.a.officer)
    response = client.post(reverse("notifications"), {"all": "1"})
    assert response.status_code == 403
    for html in (response.content.decode(), render_to_string("500.html")):
        assert '<meta charset="utf-8">' in html
        assert "<style" not in html and " style=" not in html and "<script" not in html
    assert "The form has expired" in response.content.decode()


def test_vietnamese_is_the_default_whatever_the_browser_says(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.content.decode().count('lang="vi"') >= 1
    client.cookies["django_language"] = "en"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert '<html lang="en"' in response.content.decode()
