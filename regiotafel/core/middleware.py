from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from regiotafel import errors
from regiotafel.core import audit
from regiotafel.core.models import AuditChannel


def client_ip(request) -> str | None:
    """The peer address. Behind a proxy, configure the proxy to set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes every audit event of a request know its user, organisation and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = AuditChannel.API if request.path.startswith("/api/") else AuditChannel.WEB
        ctx = audit.AuditContext(channel=channel, request=request, ip_address=client_ip(request))
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
