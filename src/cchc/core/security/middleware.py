"""Two-factor verification before any page, and safe headers on every download."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cchc.core.security import twofactor

# The sandbox makes a browser that renders a download anyway treat it as a foreign origin
# without scripts, forms or plugins.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


class TwoFactorRequiredMiddleware:
    """A person who must use two factors reaches no page until their TOTP device is set up
    and verified in this session. Pages needed to get there (login, logout, the 2FA pages,
    the language switch, static files) stay open; API calls with a bearer token are
    authenticated by the token alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self._must_verify(request):
            return self._send_to_verification(request)
        return self.get_response(request)

    @staticmethod
    def _exempt_paths() -> tuple[str, ...]:
        return (
            reverse("login"),
            reverse("logout"),
            reverse("two_factor_setup"),
            reverse("two_factor_verify"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )

    def _must_verify(self, request: HttpRequest) -> bool:
        if not settings.CCHC_REQUIRE_2FA:
            return False
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return False
        if request.path.startswith(self._exempt_paths()):
            return False
        return twofactor.requires_two_factor(user)

    def _send_to_verification(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Two-factor verification is required.")}, status=403)
        name = (
            "two_factor_verify"
            if twofactor.confirmed_device(request.user) is not None
            else "two_factor_setup"
        )
        url = reverse(name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


class DownloadHeadersMiddleware:
    """Every file the app hands out is a download, never a page of the app's origin: whatever
    view served it, the response leaves as an attachment, unsniffed and sandboxed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        if not disposition:
            return response
        if disposition.lower().startswith("inline") and not _is_own_image(response):
            response["Content-Disposition"] = "attachment" + disposition[len("inline") :]
        response["X-Content-Type-Options"] = "nosniff"
        if "sandbox" not in response.get("Content-Security-Policy", ""):
            response["Content-Security-Policy"] = DOWNLOAD_CSP
        return response


def _is_own_image(response: HttpResponseBase) -> bool:
    """QR codes the app draws itself (survey posters) may be shown in the page."""
    return response.get("Content-Type", "").startswith("image/svg+xml") and not hasattr(
        response, "file_to_stream"
    )
