"""The JSON API, version 1, following the Dutch government's API Design Rules.

Versioned under /api/v1/, Dutch plural resource names, no trailing slashes, OpenAPI 3 at
/api/v1/openapi.json with browsable docs at /api/v1/docs, errors as problem details, and two
ways in: the browser session (with CSRF) or a bearer token from ``regiotafel token``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from regiotafel import errors, problems
from regiotafel.core import token_cache
from regiotafel.core.models import ApiToken, hash_token

log = logging.getLogger(__name__)
TOKEN_TOUCH_EVERY = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    openapi_description = "Een API-token van `regiotafel token GEBRUIKERSNAAM`."

    def authenticate(self, request, token: str):
        from regiotafel.accounts import lockout

        # 429 te-veel-pogingen after repeated bad tokens (asked at most once a second)
        token_cache.refuse_if_locked(request, lockout.refuse_if_token_locked)
        # Token, user and memberships from a per-process copy at most a second old: a
        # revocation anywhere counts within a second (core/token_cache.py).
        key_hash = hash_token(token)
        api_token = token_cache.resolve(key_hash)
        if api_token is None:
            token_cache.forget_address(request)
            lockout.record_bad_token(request)
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > TOKEN_TOUCH_EVERY:
            # Bookkeeping, not a change: at most one write a minute, not one per request.
            api_token.last_used_at = now
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            token_cache.touched(key_hash, now)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class InvalidParam(Schema):
    name: str
    reason: str
    row: int | None = None


class Probleem(Schema):
    """The one error shape (RFC 9457); ``code`` is the stable name of the refusal."""

    type: str
    code: str
    title: str
    status: int
    detail: str
    instance: str
    invalid_params: list[InvalidParam] | None = Field(None, alias="invalid-params")


# The problem statuses every operation can answer: unreadable input or a NUL byte (400), no
# login (401), no right (403), an unknown or invisible object (404), a wrong parameter (422),
# throttling (429); operations that change something also a conflict (409), a body too
# large (413) and a form instead of JSON (415). ``RegiotafelApi.get_openapi_schema`` adds
# them to every operation, so the OpenAPI document names every status an endpoint answers
# (checked by schemathesis in tests/test_api_schema.py).
STANDARD_PROBLEMS = (400, 401, 403, 404, 422, 429)
CHANGE_PROBLEMS = (409, 413, 415)
CHANGING_METHODS = {"post", "put", "patch", "delete"}
PROBLEM_SCHEMA_REF = "#/components/schemas/Probleem"


class RegiotafelApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return with_problem_responses(schema)


def with_problem_responses(schema: dict) -> dict:
    """Declare the problem responses of every operation, with the shared Probleem schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Probleem"] = Probleem.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}"
    )
    for name, sub in components["Probleem"].pop("$defs", {}).items():
        components.setdefault(name, sub)
    content = {problems.CONTENT_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            statuses = STANDARD_PROBLEMS + (CHANGE_PROBLEMS if method in CHANGING_METHODS else ())
            for status in statuses:
                title = problems.TITLES[status][1]()
                responses.setdefault(status, {"description": str(title), "content": content})
    return schema


api = RegiotafelApi(
    title="Regiotafel API",
    version=problems.API_VERSION,
    description=(
        "De API van Regiotafel. Fouten volgen RFC 9457 (application/problem+json). "
        "Inloggen met de browsersessie of met een bearer-token."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[TokenAuth(), django_auth],
)


@api.exception_handler(errors.RegiotafelError)
def _domain_error(request, exc: errors.RegiotafelError):
    return problems.from_error(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return problems.from_validation_errors(request, exc.errors)


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return problems.problem(request, 401, headers={"WWW-Authenticate": 'Bearer realm="regiotafel"'})


@api.exception_handler(AuthorizationError)
def _authorization_error(request, exc):
    return problems.problem(request, 403)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # Ninja's own HttpErrors carry English text ("Cannot parse request body", "CSRF check
    # Failed"): never shown; a Dutch sentence and a stable code instead.
    if exc.status_code == 400:
        return problems.problem(
            request,
            400,
            code="ongeldige-json",
            detail=_("De inhoud van het verzoek is geen geldige JSON."),
        )
    if exc.status_code == 403:
        return problems.problem(
            request,
            403,
            code="csrf-mislukt",
            detail=_("De CSRF-controle is mislukt; laad de pagina opnieuw."),
        )
    return problems.problem(request, exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problems.problem(request, 404)


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request, exc):
    return problems.problem(request, 403)


@api.exception_handler(Exception)
def _crash(request, exc):
    log.exception("unhandled error in %s %s", request.method, request.path)
    return problems.problem(request, 500, detail=_("Er ging iets mis aan onze kant."))


def _register_routers() -> None:
    from regiotafel.capacity.api import router as capacity_router
    from regiotafel.core.api import router as core_router
    from regiotafel.notifications.api import router as notifications_router
    from regiotafel.plans.api import router as plans_router
    from regiotafel.portfolio.api import router as portfolio_router
    from regiotafel.projection.api import router as projection_router
    from regiotafel.waitlist.api import router as waitlist_router

    api.add_router("/", core_router)
    api.add_router("/", capacity_router)
    api.add_router("/", waitlist_router)
    api.add_router("/", projection_router)
    api.add_router("/", portfolio_router)
    api.add_router("/", plans_router)
    api.add_router("/", notifications_router)


_register_routers()
