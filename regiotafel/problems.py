"""One error shape for the whole API: RFC 9457 problem details (``application/problem+json``).

Members: ``type``, ``title``, ``status``, ``detail``, ``instance`` and, for invalid input,
``invalid-params``: a list of ``{"name", "reason"}`` (plus ``"row"`` for file uploads), the
extension the Dutch government's APIs use. ``tests/test_error_shape.py`` locks the shape.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from regiotafel import errors

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:regiotafel:probleem:"

TITLES = {
    400: ("ongeldig-verzoek", lambda: _("Ongeldig verzoek")),
    401: ("niet-ingelogd", lambda: _("Niet ingelogd")),
    403: ("geen-toegang", lambda: _("Geen toegang")),
    404: ("niet-gevonden", lambda: _("Niet gevonden")),
    405: ("methode-niet-toegestaan", lambda: _("Methode niet toegestaan")),
    409: ("conflict", lambda: _("Conflict")),
    415: ("mediatype-niet-ondersteund", lambda: _("Mediatype niet ondersteund")),
    422: ("ongeldige-invoer", lambda: _("Ongeldige invoer")),
    429: ("te-veel-verzoeken", lambda: _("Te veel verzoeken")),
    500: ("serverfout", lambda: _("Interne serverfout")),
}
DEFAULT_DETAILS = {
    401: lambda: _("Log in of stuur een geldig API-token mee (Authorization: Bearer …)."),
    403: lambda: _("U heeft geen toestemming voor deze handeling."),
    404: lambda: _("Deze bron bestaat niet."),
    405: lambda: _("Deze methode is hier niet toegestaan."),
    500: lambda: _("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


def problem(
    request: HttpRequest,
    status: int,
    *,
    detail: str | None = None,
    slug: str | None = None,
    title: str | None = None,
    invalid_params: list[dict] | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    default_slug, default_title = TITLES.get(status, (f"http-{status}", lambda: str(status)))
    body: dict = {
        "type": TYPE_PREFIX + (slug or default_slug),
        "title": str(title or default_title()),
        "status": status,
        "detail": str(detail or DEFAULT_DETAILS.get(status, default_title)()),
        "instance": request.get_full_path(),
    }
    if invalid_params:
        body["invalid-params"] = invalid_params
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_error(request: HttpRequest, exc: errors.RegiotafelError) -> HttpResponse:
    params = [
        {"name": e.field, "reason": e.message, **({"row": e.row} if e.row is not None else {})}
        for e in exc.errors
    ]
    return problem(
        request,
        exc.status,
        detail=exc.detail,
        slug=exc.slug,
        title=str(exc.title),
        invalid_params=params,
    )


PYDANTIC_REASONS = {
    "missing": lambda: _("Dit veld is verplicht."),
    "int_parsing": lambda: _("Geef een geheel getal."),
    "int_type": lambda: _("Geef een geheel getal."),
    "string_type": lambda: _("Geef tekst."),
    "bool_parsing": lambda: _("Geef true of false."),
    "date_from_datetime_parsing": lambda: _("Geef een datum als JJJJ-MM-DD."),
    "date_parsing": lambda: _("Geef een datum als JJJJ-MM-DD."),
    "datetime_parsing": lambda: _("Geef een tijdstip volgens ISO 8601."),
    "json_invalid": lambda: _("De inhoud is geen geldige JSON."),
    "enum": lambda: _("Kies een van de toegestane waarden."),
    "literal_error": lambda: _("Kies een van de toegestane waarden."),
}


def from_validation_errors(request: HttpRequest, raw_errors: list[dict]) -> HttpResponse:
    params = []
    for error in raw_errors:
        location = [str(part) for part in error.get("loc", ())]
        # Ninja prefixes the source ("body", "query", "path") and the schema argument name.
        name = ".".join(location[2:] or location[1:] or location) or "body"
        reason = PYDANTIC_REASONS.get(error.get("type", ""))
        params.append({"name": name, "reason": reason() if reason else error.get("msg", "")})
    return problem(
        request, 422, detail=_("De invoer klopt niet; zie invalid-params."), invalid_params=params
    )


class ApiResponseMiddleware:
    """Under /api/: every error becomes a problem document, every response names its version.

    Errors that never reach an endpoint (an unknown path, a wrong method, a CSRF failure, a
    crash) would otherwise be Django's HTML pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        if response.status_code >= 400 and response.get("Content-Type") != CONTENT_TYPE:
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
            response = problem(request, response.status_code, headers=headers)
        if request.path.startswith("/api/v1/"):
            response["API-Version"] = API_VERSION
        return response


API_VERSION = "1.0.0"
