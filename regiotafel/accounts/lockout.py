"""Login and token throttling on top of django-axes: lock a user name from one address, back off.

Failures are counted per user name *and* address (``AXES_LOCKOUT_PARAMETERS``), in the
database (axes' database handler), so every process and machine sees the same count. After
``AXES_FAILURE_LIMIT`` failures that combination is locked for ``ACCOUNTS_COOLOFF`` minutes;
each further failure after a lock ends locks it again at once, twice as long, up to
``ACCOUNTS_COOLOFF_MAX``. Failures during a lock are not counted (they would only lengthen it).
A successful login clears the count; a count untouched for ``ACCOUNTS_FAILURE_MEMORY`` is
forgotten. Somebody guessing from another address never locks a colleague out.

Bad API tokens are counted the same way, under the pseudo user name ``(api-token)`` that no
real account can have (user names allow letters, digits and @.+-_ only).
"""

from __future__ import annotations

import copy
import math
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from regiotafel import errors

TOKEN_USERNAME = "(api-token)"  # noqa: S105 - a pseudo user name, not a secret


class TooManyAttempts(errors.RegiotafelError):
    status = 429
    title = _lazy("Te veel pogingen")
    code = "te-veel-pogingen"


def cool_off_for(failures: int, limit: int) -> timedelta | None:
    """How long a combination with this many failures stays locked (None: not locked)."""
    if failures < limit:
        return None
    base: timedelta = settings.ACCOUNTS_COOLOFF
    longest: timedelta = settings.ACCOUNTS_COOLOFF_MAX
    doublings = min(failures - limit, 32)
    return min(base * (2**doublings), longest)


def _state(attempts, limit: int, now: datetime) -> tuple[int, datetime | None]:
    """(failures, locked until) of one set of attempts."""
    totals = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures = totals["failures"] or 0
    cool_off = cool_off_for(failures, limit)
    if cool_off is None or totals["last"] is None:
        return failures, None
    until = totals["last"] + cool_off
    return failures, (until if until > now else None)


class BackoffDatabaseHandler(AxesDatabaseHandler):
    """Axes' database handler with a lock that grows with every failure past the limit."""

    def get_user_attempts(self, request, credentials=None):
        now = request.axes_attempt_time or timezone.now()
        limit = get_failure_limit(request, credentials)
        remembered = now - settings.ACCOUNTS_FAILURE_MEMORY
        counted = []
        for attempts in self.filter_user_attempts(request, credentials):
            attempts = attempts.filter(attempt_time__gte=remembered)
            failures, until = _state(attempts, limit, now)
            lock_over = failures >= limit and until is None
            counted.append(attempts.none() if lock_over else attempts)
        return counted

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """Record the failure without the query string and form: axes would keep them, and a
        query or a ``next`` address may name a client (``?zoek=…``)."""
        if request is None:
            return super().user_login_failed(sender, credentials, request=request, **kwargs)
        bare = copy.copy(request)
        bare.GET = QueryDict()
        bare.POST = QueryDict()
        super().user_login_failed(sender, credentials, request=bare, **kwargs)
        for name, value in vars(bare).items():
            if name.startswith("axes_"):
                setattr(request, name, value)
        return None

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        forgotten = timezone.now() - settings.ACCOUNTS_FAILURE_MEMORY
        count, _deleted = AccessAttempt.objects.filter(attempt_time__lte=forgotten).delete()
        return count


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: the lock of this request's user name and address, or the base."""
    until = locked_until(request) if request is not None else None
    if until is None:
        return settings.ACCOUNTS_COOLOFF
    return max(until - timezone.now(), timedelta(seconds=1))


def locked_until(request, credentials: dict | None = None) -> datetime | None:
    AxesProxyHandler.update_request(request)
    username = get_client_username(request, credentials)
    attempts = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
    now = timezone.now()
    return _state(attempts, get_failure_limit(request, credentials), now)[1]


def _retry_after(until: datetime | None) -> int:
    if until is None:
        return int(settings.ACCOUNTS_COOLOFF.total_seconds())
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a Dutch page, status 429, with Retry-After."""
    seconds = _retry_after(locked_until(request, credentials))
    minutes = max(1, math.ceil(seconds / 60))
    response = render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


# ---------------------------------------------------------------- API tokens

_TOKEN_CREDENTIALS = {"username": TOKEN_USERNAME}


def refuse_if_token_locked(request) -> None:
    """Refuse every bearer token from an address that sent too many bad ones."""
    if AxesProxyHandler.is_allowed(request, dict(_TOKEN_CREDENTIALS)):
        return
    seconds = _retry_after(locked_until(request, dict(_TOKEN_CREDENTIALS)))
    minutes = max(1, math.ceil(seconds / 60))
    refusal = TooManyAttempts(
        _(
            "Te veel ongeldige API-tokens vanaf dit adres; probeer het over %(minutes)s "
            "minuten opnieuw."
        )
        % {"minutes": minutes}
    )
    refusal.headers = {"Retry-After": str(seconds)}
    raise refusal


def record_bad_token(request) -> None:
    AxesProxyHandler.user_login_failed(
        sender=refuse_if_token_locked, credentials=dict(_TOKEN_CREDENTIALS), request=request
    )
    # This request still answers 401; the next ones get the 429 problem, not axes' HTML page.
    request.axes_locked_out = False
