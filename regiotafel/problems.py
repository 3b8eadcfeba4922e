"""One error shape for the whole API: RFC 9457 problem details (``application/problem+json``).

Members: ``type``, ``code``, ``title``, ``status``, ``detail``, ``instance`` and, for invalid input,
``invalid-params``: a list of ``{"name", "reason"}`` (plus ``"row"`` for file uploads), the
extension the Dutch government's APIs use. ``tests/test_error_shape.py`` locks the shape.

``code`` is the stable, machine-readable name of the refusal (``bed-niet-vrij``,
``geen-toegang``, …); ``type`` is ``urn:regiotafel:probleem:`` + code. Clients match on the
code, never on the Dutch ``detail``. docs/api.md lists every code.
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
    413: ("te-groot", lambda: _("Verzoek te groot")),
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
    413: lambda: _("Het verzoek is te groot."),
    429: lambda: _("Te veel verzoeken; probeer het later opnieuw."),
    500: lambda: _("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


def problem(
    request: HttpRequest,
    status: int,
    *,
    detail: str | None = None,
    code: str | None = None,
    title: str | None = None,
    invalid_params: list[dict] | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    default_code, default_title = TITLES.get(status) or TITLES[500 if status >= 500 else 400]
    code = code or default_code
    body: dict = {
        "type": TYPE_PREFIX + code,
        "code": code,
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
        code=exc.code,
        title=str(exc.title),
        invalid_params=params,
        headers=getattr(exc, "headers", None),  # e.g. Retry-After on 429
    )


def _reasons(kinds: str, reason) -> dict:
    return dict.fromkeys(kinds.split(), reason)


# Every pydantic error type has a Dutch reason (``tests/test_problem_codes.py`` checks it
# against pydantic_core's list); pydantic's own English ``msg`` never reaches a user.
PYDANTIC_REASONS = {
    **_reasons(
        "missing missing_argument missing_keyword_only_argument missing_positional_only_argument",
        lambda c: _("Dit veld is verplicht."),
    ),
    **_reasons(
        "extra_forbidden unexpected_keyword_argument unexpected_positional_argument "
        "no_such_attribute",
        lambda c: _("Dit veld is hier niet toegestaan."),
    ),
    **_reasons("int_type int_parsing int_from_float", lambda c: _("Geef een geheel getal.")),
    **_reasons("int_parsing_size", lambda c: _("Dit getal is te groot of te klein.")),
    **_reasons(
        "float_type float_parsing decimal_type decimal_parsing fraction_type "
        "fraction_parsing complex_type complex_str_parsing finite_number",
        lambda c: _("Geef een getal."),
    ),
    **_reasons(
        "decimal_max_digits decimal_max_places decimal_whole_digits",
        lambda c: _("Dit getal heeft te veel cijfers."),
    ),
    **_reasons(
        "greater_than", lambda c: _("Geef een getal groter dan %(n)s.") % {"n": c.get("gt")}
    ),
    **_reasons(
        "greater_than_equal", lambda c: _("Geef een getal van minstens %(n)s.") % {"n": c.get("ge")}
    ),
    **_reasons("less_than", lambda c: _("Geef een getal kleiner dan %(n)s.") % {"n": c.get("lt")}),
    **_reasons(
        "less_than_equal", lambda c: _("Geef een getal van hoogstens %(n)s.") % {"n": c.get("le")}
    ),
    **_reasons(
        "multiple_of", lambda c: _("Geef een veelvoud van %(n)s.") % {"n": c.get("multiple_of")}
    ),
    **_reasons(
        "string_type string_unicode bytes_type bytes_invalid_encoding", lambda c: _("Geef tekst.")
    ),
    **_reasons("string_not_ascii", lambda c: _("Gebruik alleen gewone letters en cijfers.")),
    **_reasons(
        "string_too_short too_short bytes_too_short",
        lambda c: _("Te kort: minstens %(n)s.") % {"n": c.get("min_length", 1)},
    ),
    **_reasons(
        "string_too_long too_long bytes_too_long url_too_long",
        lambda c: _("Te lang: hoogstens %(n)s.") % {"n": c.get("max_length", "")},
    ),
    **_reasons("string_pattern_mismatch", lambda c: _("De vorm van deze waarde klopt niet.")),
    **_reasons("bool_type bool_parsing", lambda c: _("Geef true of false.")),
    **_reasons(
        "date_type date_parsing date_from_datetime_parsing date_from_datetime_inexact",
        lambda c: _("Geef een datum als JJJJ-MM-DD."),
    ),
    **_reasons("date_past datetime_past", lambda c: _("Geef een datum in het verleden.")),
    **_reasons("date_future datetime_future", lambda c: _("Geef een datum in de toekomst.")),
    **_reasons("time_type time_parsing", lambda c: _("Geef een tijd als UU:MM.")),
    **_reasons(
        "datetime_type datetime_parsing datetime_object_invalid "
        "datetime_from_date_parsing timezone_naive timezone_aware timezone_offset",
        lambda c: _("Geef een tijdstip volgens ISO 8601."),
    ),
    **_reasons(
        "time_delta_type time_delta_parsing", lambda c: _("Geef een tijdsduur volgens ISO 8601.")
    ),
    **_reasons("json_invalid json_type", lambda c: _("De inhoud is geen geldige JSON.")),
    **_reasons(
        "enum literal_error union_tag_invalid union_tag_not_found",
        lambda c: _("Kies een van de toegestane waarden."),
    ),
    **_reasons(
        "list_type tuple_type set_type frozen_set_type deque_type iterable_type "
        "iteration_error set_item_not_hashable",
        lambda c: _("Geef een lijst."),
    ),
    **_reasons(
        "dict_type frozen_dict_type ordered_dict_type counter_type mapping_type "
        "model_type model_attributes_type dataclass_type dataclass_exact_type "
        "named_tuple_type arguments_type invalid_key",
        lambda c: _("Geef een object met velden en waarden."),
    ),
    **_reasons(
        "url_type url_parsing url_syntax_violation url_scheme", lambda c: _("Geef een geldige URL.")
    ),
    **_reasons("uuid_type uuid_parsing uuid_version", lambda c: _("Geef een geldige UUID.")),
    **_reasons("none_required", lambda c: _("Laat dit veld leeg.")),
    **_reasons("frozen_field frozen_instance", lambda c: _("Dit veld kan niet worden gewijzigd.")),
    **_reasons(
        "recursion_loop recursion_depth_exceeded", lambda c: _("De invoer is te diep genest.")
    ),
    **_reasons("multiple_argument_values", lambda c: _("Dit veld staat er meer dan eens.")),
}


def pydantic_reason(error: dict) -> str:
    """A Dutch reason for one pydantic error, never pydantic's English message.

    A ``value_error`` carries the validator's own message; validators in this project raise
    Dutch text, but anything else gets the generic Dutch sentence.
    """
    reason = PYDANTIC_REASONS.get(error.get("type", ""))
    if reason is not None:
        try:
            return str(reason(error.get("ctx") or {}))
        except (TypeError, ValueError):  # an odd ctx value: the sentence without the number
            pass
    return _("Deze waarde is ongeldig.")


def from_validation_errors(request: HttpRequest, raw_errors: list[dict]) -> HttpResponse:
    params = []
    for error in raw_errors:
        location = [str(part) for part in error.get("loc", ())]
        # Ninja prefixes the source ("body", "query", "path") and the schema argument name.
        name = ".".join(location[2:] or location[1:] or location) or "body"
        params.append({"name": name, "reason": pydantic_reason(error)})
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
