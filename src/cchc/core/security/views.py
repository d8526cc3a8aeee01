"""Setting up and verifying the second factor (TOTP) after the password."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from cchc.core.security import twofactor
from cchc.core.security.forms import TotpCodeForm


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app. Only while the person has no confirmed device: replacing a
    device is the administrator's job, so a stolen password cannot enrol a second phone."""
    if twofactor.confirmed_device(request.user) is not None:
        return redirect(_verify_url(request))
    device = twofactor.pending_device(request.user)
    form = TotpCodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        twofactor.device_confirm(actor=request.user, device=device)
        otp_login(request, device)
        return redirect(_next_url(request))
    context = {
        "form": form,
        "qr_data_uri": twofactor.qr_data_uri(device),
        "secret": twofactor.secret_base32(device),
        "next": _next_url(request),
    }
    return render(request, "core/security/two_factor_setup.html", context)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(_setup_url(request))
    form = TotpCodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(
        request,
        "core/security/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


def _verify_url(request: HttpRequest) -> str:
    return _with_next("two_factor_verify", request)


def _setup_url(request: HttpRequest) -> str:
    return _with_next("two_factor_setup", request)


def _with_next(name: str, request: HttpRequest) -> str:
    return reverse(name) + "?" + urlencode({"next": _next_url(request)})
