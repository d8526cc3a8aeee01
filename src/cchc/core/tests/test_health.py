"""The health endpoint: open to anyone, a database ping, no session."""

import pytest
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_answers_ok_without_login_or_session(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_cannot_be_reached(client, monkeypatch):
    real_execute = CursorWrapper.execute

    def unreachable(self, sql, params=None):
        if sql == "SELECT 1":
            from django.db import OperationalError

            raise OperationalError("connection refused")
        return real_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", unreachable)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert b"database unavailable" in response.content
    assert connection.vendor in {"sqlite", "postgresql"}
