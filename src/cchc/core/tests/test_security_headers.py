"""Content-Security-Policy on every page, downloads that never render inline, and templates
free of inline script and style (STYLE.md §4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from cchc.core.tests.test_permission_matrix import PAGES, targets  # noqa: F401 (fixture)
from cchc.core.tokens import token_create

PAGE_CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
}
# Every view that hands out a stored or generated file (checked to answer 200 below).
DOWNLOADS = {
    "evidence_download",
    "feedback_attachment",
    "assessment_evidence_download",
    "report_template_download",
    "report_template_default",
    "plan_export_xlsx",
    "plan_appendix_template",
    "survey_export_xlsx",
    "scoring_ranking_xlsx",
}


def _directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";") if part.strip()}


# QR codes the app draws itself may show in a tab (to print a poster); sandboxed all the same.
OWN_IMAGES = {"survey_dossier_qr", "survey_agency_qr"}


def _assert_download(response, label):
    if label in OWN_IMAGES:
        assert response["Content-Type"] == "image/svg+xml", label
    else:
        assert response["Content-Disposition"].startswith("attachment"), label
    assert response["X-Content-Type-Options"] == "nosniff", label
    policy = _directives(response["Content-Security-Policy"])
    assert "sandbox" in policy and "default-src 'none'" in policy, label


@pytest.mark.django_db
def test_every_page_answers_with_the_policy(client, world, targets):  # noqa: F811
    client.force_login(world.admin)
    seen_downloads = set()
    for name, (method, template, _allowed, _about_a) in PAGES.items():
        if method != "GET":
            continue
        response = client.get(template.format(**targets))
        assert "Content-Security-Policy" in response, name
        if response.has_header("Content-Disposition"):
            _assert_download(response, name)
            seen_downloads.add(name)
        elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert _directives(response["Content-Security-Policy"]) >= PAGE_CSP, name
    assert seen_downloads >= DOWNLOADS


@pytest.mark.django_db
def test_login_and_public_pages_answer_with_the_policy(client, world):
    for path in ("/accounts/login/", "/phan-anh/", "/accounts/2fa/setup/"):
        response = client.get(path, follow=True)
        assert _directives(response["Content-Security-Policy"]) >= PAGE_CSP, path


@pytest.mark.django_db
def test_api_download_is_an_attachment_too(world, targets):  # noqa: F811
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.a.officer)}")
    response = api.get(f"/api/v1/evidence/{targets['evidence']}/download/")
    assert response.status_code == 200
    _assert_download(response, "api:evidence-download")


@pytest.mark.django_db
def test_an_inline_file_response_is_turned_into_an_attachment(rf):
    from django.http import HttpResponse

    from cchc.core.security.middleware import DownloadHeadersMiddleware

    def view(request):
        response = HttpResponse(b"<script>alert(1)</script>", content_type="text/html")
        response["Content-Disposition"] = 'inline; filename="x.html"'
        return response

    response = DownloadHeadersMiddleware(view)(rf.get("/x"))
    assert response["Content-Disposition"] == 'attachment; filename="x.html"'
    _assert_download(response, "inline html")


INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on… handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    root = Path(django_settings.PACKAGE_DIR)
    found = []
    templates = [p for p in root.rglob("templates/**/*.html") if "site-packages" not in str(p)]
    assert len(templates) > 50
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(root)}:{line}: {what}")
    assert found == []


@pytest.mark.browser
def test_main_pages_break_no_policy_rule(page, live_server, live_world):
    from cchc.plans.tests.conftest import log_in

    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    url = live_server.url
    log_in(page, url, live_world.a.coordinator.username)
    paths = [
        "/",
        f"/tasks/{live_world.a.task.pk}/",
        "/reports/",
        "/dashboards/agency/?year=2026",
        "/phan-anh/",
    ]
    for path in paths:
        page.goto(f"{url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => window.__csp") == [], path
    page.goto(f"{url}/dashboards/agency/?year=2026")
    page.wait_for_selector("[data-testid=dashboard][data-loaded='1']")
    assert page.evaluate("() => window.__csp") == []
    assert violations == []
