"""Pages of one's own account: overview, second factor set-up and the code after login."""

from __future__ import annotations

import math

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from regiotafel.accounts import lockout, twofactor
from regiotafel.accounts.forms import CodeForm
from regiotafel.core import audit
from regiotafel.core.models import AuditAction


def _before_the_code(request) -> dict:
    """No menu while a code is still due: every link would lead back here."""
    return {} if request.user.is_verified() else {"nav_links": [], "my_organisations": []}


def _next_url(request) -> str:
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else "/"


@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {
            "device": twofactor.confirmed_device(request.user),
            "required": twofactor.must_use(request.user),
        },
    )


@login_required
def setup(request):
    if twofactor.confirmed_device(request.user) is not None:
        return redirect("accounts:verify" if not request.user.is_verified() else "home")
    device = twofactor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(
                    AuditAction.UPDATE,
                    request.user,
                    detail={"tweestapsverificatie": "ingesteld"},
                    actor=request.user,
                )
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _("Deze code klopt niet. Kijk of de tijd op uw telefoon klopt."))
    qr = segno.make(twofactor.otpauth_uri(device), error="m")
    svg = qr.svg_inline(scale=4, light="#fff", title=_("QR-code voor uw app"))
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(svg),  # noqa: S308 - segno's own SVG, no user text in it
            "key": twofactor.readable_key(device),
            "next": _next_url(request),
            "required": twofactor.must_use(request.user),
            **_before_the_code(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def verify(request):
    device = twofactor.confirmed_device(request.user)
    if device is None:
        query = urlencode({REDIRECT_FIELD_NAME: _next_url(request)})
        return redirect(f"{reverse('accounts:setup')}?{query}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        allowed, data = device.verify_is_allowed()
        if not allowed:
            wait = (data or {}).get("locked_until") or timezone.now()
            minutes = max(1, math.ceil((wait - timezone.now()).total_seconds() / 60))
            form.add_error(
                "code",
                _("Te veel foute codes. Probeer het over %(minutes)s minuut opnieuw.")
                % {"minutes": minutes},
            )
            status = 429
        elif device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            audit.record(
                AuditAction.LOGIN_FAILED,
                request.user,
                detail={"tweestapsverificatie": "foute code"},
                actor=request.user,
            )
            form.add_error("code", _("Deze code klopt niet. Probeer de volgende code."))
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _next_url(request), **_before_the_code(request)},
        status=status,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with a wrong old password counted as a failed login.

    Django checks the old password itself, past django-axes: from a session left open, the
    password could be guessed without end and then changed. Here every wrong old password is
    a failure of that user name from that address (audited like a failed login), and a locked
    combination gets the lock page before the form is even read.
    """

    def _credentials(self) -> dict:
        return {"username": self.request.user.get_username()}

    def post(self, request, *args, **kwargs):
        if not AxesProxyHandler.is_allowed(request, self._credentials()):
            return lockout.lockout_response(request, credentials=self._credentials())
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password"):
            user_login_failed.send(
                sender=type(self), credentials=self._credentials(), request=self.request
            )
        return super().form_invalid(form)
