"""Request middleware: the request id and its log line, the client's address, the audit
context of a request, and domain errors as pages."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from ipaddress import ip_address

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.functional import empty

from regiotafel import errors
from regiotafel.core import audit
from regiotafel.core.models import AuditChannel

request_log = logging.getLogger("regiotafel.request")
REQUEST_ID_HEADER = "X-Request-ID"
# A request id passed on by a trusted proxy: short and plain, or we make our own.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def _address(text: str):
    """An address from a header hop: "203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443"."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def _is_trusted(address) -> bool:
    return address is not None and any(address in net for net in settings.TRUSTED_PROXIES)


def client_ip(request) -> str | None:
    """The client's address: the peer, or, when the peer is one of ``TRUSTED_PROXIES``, the
    right-most address in X-Forwarded-For that is not a trusted proxy. A hop that is not an
    address ends the walk at the proxy that passed it on. The audit log and the login lock
    (``AXES_CLIENT_IP_CALLABLE``) both use this."""
    cached = getattr(request, "_regiotafel_client_ip", empty)
    if cached is not empty:
        return cached
    remote = request.META.get("REMOTE_ADDR") or None
    found = remote
    peer = _address(remote or "")
    if settings.TRUSTED_PROXIES and _is_trusted(peer):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed([h for h in hops if h.strip()]):
            address = _address(hop)
            if address is None:
                break
            found = str(address)
            if not _is_trusted(address):
                break
    request._regiotafel_client_ip = found
    return found


def request_id(request) -> str:
    """The id of this request: a trusted proxy's X-Request-ID, or a new uuid4."""
    known = getattr(request, "request_id", None)
    if known:
        return known
    passed = request.META.get("HTTP_X_REQUEST_ID", "").strip()
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if passed and _is_trusted(peer) and REQUEST_ID_PATTERN.fullmatch(passed):
        request.request_id = passed
    else:
        request.request_id = uuid.uuid4().hex
    return request.request_id


class RequestLogMiddleware:
    """The request id (``request.request_id``, the X-Request-ID response header, every audit
    event of the request) and one JSON line per request on the ``regiotafel.request`` logger.

    The line names the path without its query string (a search may hold a surname), the
    user and acting organisation by id only, and never a body or header value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        rid = request_id(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        if request_log.isEnabledFor(logging.INFO):
            fields = log_fields(request, response, time.monotonic() - started)
            request_log.info(json.dumps(fields, ensure_ascii=False), extra={"request": fields})
        return response


def log_fields(request, response, seconds: float) -> dict:
    user_id, organisation_id = _who(request)
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": request_id(request),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "user_id": user_id,
        "organisation_id": organisation_id,
        "remote_addr": client_ip(request),
    }


def _who(request) -> tuple[int | None, int | None]:
    """User and acting organisation, as far as the request already knew them (no query)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None, None
    if not getattr(user, "is_authenticated", False):
        return None, None
    acting = getattr(request, "_regiotafel_acting", None)
    organisation = acting[1] if acting and acting[0] == user.pk else None
    return user.pk, organisation.pk if organisation is not None else None


class AuditContextMiddleware:
    """Makes every audit event of a request know its user, organisation and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = AuditChannel.API if request.path.startswith("/api/") else AuditChannel.WEB
        ctx = audit.AuditContext(
            channel=channel,
            request=request,
            ip_address=client_ip(request),
            request_id=request_id(request),
        )
        with audit.request_scope(ctx):  # the request's reads: one event at its end
            return self.get_response(request)


class DomainErrorMiddleware:
    """Pages raise the same domain errors as services; here they become pages.

    API paths never get here: Ninja turns the errors into problem details first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, errors.RegiotafelError):
            return None
        if isinstance(exception, errors.NotAuthenticated):
            return redirect_to_login(request.get_full_path())
        template = {404: "404.html", 403: "403.html"}.get(exception.status, "400.html")
        return render(
            request,
            template,
            {
                "title": exception.title,
                "detail": exception.detail,
                "code": exception.code,
                "field_errors": exception.errors,
            },
            status=exception.status,
        )
