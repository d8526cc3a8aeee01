import json
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


def issue_token(username: str, *args: str) -> str:
    out = StringIO()
    call_command("create_token", username, "--json", *args, stdout=out)
    return json.loads(out.getvalue())["token"]


@pytest.fixture
def api():
    """``api(user)``: an API client that authenticates as ``user`` with a bearer token from
    ``create_token``; ``api()`` is anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user.username)}")
        return client

    return make
