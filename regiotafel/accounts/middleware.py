"""Nothing but the login and the code pages before a required second factor is confirmed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext as _

from regiotafel import problems
from regiotafel.accounts import twofactor


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("login"),
        reverse("logout"),
        reverse("accounts:verify"),
        reverse("accounts:setup"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class SecondFactorMiddleware:
    """After OTPMiddleware: send a password-only login to the code page (or the setup page).

    API requests: a bearer token is a separate credential an administrator issued, so a
    request that carries one is never judged by its session; a session alone that still owes
    a code gets a 403 problem ``tweestaps-vereist``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not twofactor.needs_code(user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if request.META.get("HTTP_AUTHORIZATION"):
                request.user = AnonymousUser()
                return self.get_response(request)
            return problems.problem(
                request,
                403,
                code="tweestaps-vereist",
                detail=_("Bevestig eerst uw inlog met een code uit uw authenticator-app."),
            )
        if request.path.startswith(_exempt_paths()):
            return self.get_response(request)
        has_device = twofactor.confirmed_device(user) is not None
        target = reverse("accounts:verify" if has_device else "accounts:setup")
        return redirect_to_login(request.get_full_path(), login_url=target)
