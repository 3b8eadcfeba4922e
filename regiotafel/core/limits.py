"""Hostile requests refused before anything reads them: size, NUL bytes, impossible numbers.

:class:`RequestLimitMiddleware` runs before sessions, CSRF and every view. It refuses

- a body larger than the limit, from its ``Content-Length`` alone (an upload: ``MAX_UPLOAD_MB``;
  any other body: ``DATA_UPLOAD_MAX_MEMORY_SIZE``), and an upload whose body turns out larger
  than it said, at the first chunk past the limit (:class:`LimitedUploadHandler`): 413;
- a NUL byte in the path, the query string, a cookie, a form field, an upload's name or a
  JSON string, and a lone surrogate (``"\\ud800"``) in a JSON string: PostgreSQL cannot store
  a NUL and no database driver can encode a lone surrogate; both used to be a crash: 400;
- a whole number past 2⁶³ − 1 in the query string (400) or as a path segment (404: no
  object has such an id), which no database column can hold.

Under ``/api/`` a refusal is a problem document with a stable code; elsewhere a Dutch page.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import Field
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination

from regiotafel import problems

MAX_INT = 2**63 - 1  # the largest value of a bigint column (every id)
MAX_OFFSET = 2**62  # an offset plus any page still fits a bigint
MAX_LIMIT = 1000
DEFAULT_MAX_UPLOAD_MB = 20
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LONG_NUMBER = re.compile(r"(?<![^/])\d{19,}(?![^/])")
_WHOLE_NUMBER = re.compile(r"[+-]?\d{19,}")


def max_upload_bytes() -> int:
    return getattr(settings, "MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB) * 1024 * 1024


class Pagination(LimitOffsetPagination):
    """Ninja's limit/offset pagination with bounds a database can hold (every list uses it)."""

    class Input(LimitOffsetPagination.Input):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class Refused(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of every uploaded file in a request and stops the upload (without
    reading on) at the first chunk past the limit, whatever the request said its length was."""

    def __init__(self, request=None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


class RequestLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            _check_path(request)
            _check_query_and_cookies(request)
            _check_body(request)
        except Refused as refused:
            return _refusal(request, refused)
        return self.get_response(request)


def _check_path(request) -> None:
    if "\x00" in request.path:
        raise _nul(_("het adres"))
    for digits in _LONG_NUMBER.findall(request.path):
        if _past_bigint(digits):
            raise Refused(404, "niet-gevonden", _("Deze bron bestaat niet."))


def _check_query_and_cookies(request) -> None:
    try:
        query = request.GET
    except SuspiciousOperation:  # too many fields
        raise _too_many_fields() from None
    for key, values in query.lists():
        for value in [key, *values]:
            if "\x00" in value:
                raise _nul(_("de zoekparameters"))
        _check_numbers(key, values)
    if any("\x00" in key + value for key, value in request.COOKIES.items()):
        raise _nul(_("een cookie"))


def _check_numbers(key: str, values: list[str]) -> None:
    """A whole number no database column can hold (past 2⁶³ − 1) is refused."""
    for value in values:
        if _WHOLE_NUMBER.fullmatch(value.strip()) and _past_bigint(value.strip().lstrip("+-")):
            raise Refused(
                400,
                "getal-buiten-bereik",
                _("Veld %(name)s bevat een getal dat te groot is.") % {"name": key[:50]},
            )


def _past_bigint(digits: str) -> bool:
    """Without int(): Python refuses to convert more than 4,300 digits (and that would be
    work an attacker chooses)."""
    digits = digits.lstrip("0")
    return len(digits) > 19 or (len(digits) == 19 and int(digits) > MAX_INT)


def _check_body(request) -> None:
    if request.method not in BODY_METHODS:
        return
    multipart = request.content_type == "multipart/form-data"
    limit = max_upload_bytes() if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0:
        raise Refused(400, "ongeldig-verzoek", _("De lengte van het verzoek is ongeldig."))
    if limit is not None and length > limit:
        raise _too_large(multipart, limit)
    if multipart and request.path.startswith("/api/"):
        # No API operation takes a form; parsing one here would leave a JSON endpoint unable
        # to read its body (a server error) and cost an upload's work for nothing.
        raise Refused(
            415,
            "mediatype-niet-ondersteund",
            _("De API neemt geen formulieren aan; stuur JSON (application/json)."),
        )
    if request.method == "POST" and (
        multipart or request.content_type == "application/x-www-form-urlencoded"
    ):
        _check_form(request, multipart=multipart, limit=limit)
    elif request.content_type == "application/json" or request.content_type.endswith("+json"):
        _check_json(request)


def _check_form(request, *, multipart: bool, limit: int) -> None:
    handler = LimitedUploadHandler(request, limit=limit)
    if multipart:
        request.upload_handlers.insert(0, handler)
    try:
        form, files = request.POST, request.FILES  # parsed here, once, within the bounds
    except RequestDataTooBig:
        raise _too_large(False, settings.DATA_UPLOAD_MAX_MEMORY_SIZE) from None
    except (SuspiciousOperation, MultiPartParserError):
        raise _too_many_fields() from None
    if handler.exceeded:
        raise _too_large(True, limit)
    for key, values in form.lists():
        if any("\x00" in value for value in [key, *values]):
            raise _nul(_("het formulier"))
        _check_numbers(key, values)
    if any("\x00" in (upload.name or "") for upload in files.values()):
        raise _nul(_("een bestandsnaam"))


def _check_json(request) -> None:
    try:
        body = request.body
    except RequestDataTooBig:
        raise _too_large(False, settings.DATA_UPLOAD_MAX_MEMORY_SIZE) from None
    if b"\\u" not in body:  # a NUL or a lone surrogate in JSON is always an escape
        return
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON at all: the API answers that itself
    found = unstorable_string_in(document)
    if found is None:
        return
    where, reason = found
    if reason == "nul":
        raise Refused(
            400, "nul-teken", _("Veld %(field)s bevat een NUL-teken.") % {"field": where or "body"}
        )
    raise Refused(
        400,
        "ongeldig-teken",
        _("Veld %(field)s bevat een teken dat geen geldige Unicode is (een losse surrogaat).")
        % {"field": where or "body"},
    )


def unstorable_string_in(value, path: str = "") -> tuple[str, str] | None:
    """The dotted path of the first string (or key) a database cannot store, and why ("nul"
    or "surrogaat"), else None. Walks the document without recursion (it may be deep) and
    looks at each container once, so YAML aliases shared a billion times cost nothing."""
    seen: set[int] = set()
    pending = [(path, value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            reason = _unstorable(item)
            if reason:
                return where, reason
            continue
        if not isinstance(item, dict | list) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                reason = _unstorable(key) if isinstance(key, str) else None
                if reason:
                    return child_path, reason
                pending.append((child_path, child))
        else:
            pending.extend(
                (f"{where}.{i}" if where else str(i), child) for i, child in enumerate(item)
            )
    return None


def _unstorable(text: str) -> str | None:
    if "\x00" in text:
        return "nul"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "surrogaat"
    return None


def _nul(where: str) -> Refused:
    return Refused(
        400,
        "nul-teken",
        _("Het verzoek bevat een NUL-teken in %(where)s; dat kan geen geldige invoer zijn.")
        % {"where": where},
    )


def _too_many_fields() -> Refused:
    return Refused(400, "ongeldig-verzoek", _("Het formulier is te groot of niet te lezen."))


def _too_large(upload: bool, limit: int) -> Refused:
    megabytes = f"{limit / (1024 * 1024):.1f}".replace(".0", "").replace(".", ",")
    if upload:
        return Refused(
            413,
            "bestand-te-groot",
            _("Het bestand is te groot: het maximum is %(mb)s MB.") % {"mb": megabytes},
        )
    return Refused(
        413, "te-groot", _("Het verzoek is te groot: het maximum is %(mb)s MB.") % {"mb": megabytes}
    )


def _refusal(request, refused: Refused):
    if request.path.startswith("/api/"):
        return problems.problem(request, refused.status, detail=refused.detail, code=refused.code)
    template = "404.html" if refused.status == 404 else "400.html"
    titles = {404: _("Niet gevonden"), 413: _("Te groot")}
    return render(
        request,
        template,
        {"title": titles.get(refused.status, _("Ongeldig verzoek")), "detail": refused.detail},
        status=refused.status,
    )
