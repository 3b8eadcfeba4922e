"""Every API error, from any layer, is one problem-details shape (RFC 9457)."""

import json

import pytest
from django.test import Client

from regiotafel.core import services
from regiotafel.core.models import ApiToken

pytestmark = pytest.mark.integration

PROBLEM_KEYS = {"type", "code", "title", "status", "detail", "instance"}


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == "urn:regiotafel:probleem:" + body["code"]
    assert body["instance"].startswith("/api/v1/")
    if code is not None:
        assert body["code"] == code
    return body


@pytest.fixture
def token(cast) -> str:
    return services.issue_token(user=cast.admin)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_without_credentials_the_api_answers_401_in_dutch(client):
    body = assert_problem(client.get("/api/v1/mij"), 401, "niet-ingelogd")
    assert body["title"] == "Niet ingelogd"  # the Dutch title is the behaviour here


def test_an_unknown_path_is_a_problem_not_an_html_page(client, token):
    assert_problem(client.get("/api/v1/bestaat-niet", **bearer(token)), 404, "niet-gevonden")


def test_a_missing_object_is_404(client, token):
    assert_problem(client.get("/api/v1/organisaties/999999", **bearer(token)), 404, "niet-gevonden")


def test_a_forbidden_object_is_403_and_says_what_was_refused(cast, client, token):
    body = assert_problem(
        client.get(f"/api/v1/organisaties/{cast.far.pk}/auditregels", **bearer(token)),
        403,
        "geen-toegang",
    )
    assert "auditlog" in body["detail"]  # the sentence says what was refused


def test_a_wrong_method_is_405(client, token):
    assert_problem(client.delete("/api/v1/mij", **bearer(token)), 405, "methode-niet-toegestaan")


def test_invalid_parameters_are_422_with_invalid_params_per_field(client, token):
    body = assert_problem(
        client.get("/api/v1/organisaties/abc", **bearer(token)), 422, "ongeldige-invoer"
    )
    assert body["invalid-params"] == [
        {"name": "organisatie_id", "reason": "Geef een geheel getal."}
    ]


def test_an_unexpected_crash_is_500_without_internals(client, token, monkeypatch):
    from regiotafel.core import api as core_api

    def explode(*args, **kwargs):
        raise RuntimeError("geheime details")

    monkeypatch.setattr(core_api, "all_memberships_of", explode)
    body = assert_problem(client.get("/api/v1/mij", **bearer(token)), 500, "serverfout")
    assert "geheime details" not in json.dumps(body)


def test_a_browser_session_without_csrf_token_cannot_post():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/mij", "{}", content_type="application/json")
    assert response.status_code in {403, 405}


def test_every_api_response_names_its_version(client, token):
    assert client.get("/api/v1/mij", **bearer(token))["API-Version"] == "1.0.0"
    assert client.get("/api/v1/bestaat-niet")["API-Version"] == "1.0.0"


def test_a_token_acts_for_its_user_and_organisation(cast, client, token):
    body = client.get("/api/v1/mij", **bearer(token)).json()
    assert body["gebruikersnaam"] == "beheerder"
    assert body["handelt_namens"]["naam"] == cast.own.name
    assert body["lidmaatschappen"] == [
        {"organisatie_id": cast.own.pk, "organisatie": cast.own.name, "rol": "beheerder"}
    ]


def test_only_the_hash_of_a_token_is_stored(token):
    stored = ApiToken.objects.get()
    assert token not in {stored.key_hash, stored.prefix}
    assert token.startswith(stored.prefix)


def test_a_revoked_token_is_refused(client, token):
    from django.utils import timezone

    ApiToken.objects.update(revoked_at=timezone.now())
    assert_problem(client.get("/api/v1/mij", **bearer(token)), 401, "niet-ingelogd")


def test_the_browser_session_works_for_the_api_too(cast, client):
    client.force_login(cast.referrer)
    assert client.get("/api/v1/mij").json()["gebruikersnaam"] == "verwijzer"


def test_lists_are_paginated_and_use_dutch_field_names(cast, client, token):
    body = client.get("/api/v1/gemeenten?regio=zuid-holland-noord&limit=10", **bearer(token)).json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "cbs_code": "GM0546",
        "naam": "Leiden",
        "regio": "Zuid-Holland Noord",
        "subregio": None,
        "inwoners": None,
        "peiljaar_inwoners": None,
    }


def test_the_admin_reads_the_audit_log_of_the_own_organisation_through_the_api(cast, client, token):
    response = client.get(f"/api/v1/organisaties/{cast.own.pk}/auditregels", **bearer(token))
    assert response.status_code == 200
    assert set(response.json()) == {"items", "count"}


def test_the_openapi_document_describes_version_1_with_dutch_plural_resources(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["version"] == "1.0.0"
    assert {"/api/v1/organisaties", "/api/v1/gemeenten", "/api/v1/regios"} <= set(spec["paths"])
    assert not [path for path in spec["paths"] if path.endswith("/")]


def test_the_browsable_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr" not in page


def test_a_body_that_is_not_json_is_a_dutch_problem_with_its_code(cast, client):
    client.force_login(cast.referrer)
    response = client.post("/api/v1/casussen", "{niet: json", content_type="application/json")
    body = assert_problem(response, 400, "ongeldige-json")
    assert "Cannot parse" not in body["detail"]


def test_a_domain_refusal_carries_the_specific_code_of_its_raise_site(cast, client, token):
    body = assert_problem(
        client.get("/api/v1/reserveringen/999999", **bearer(token)),
        404,
        "reservering-niet-gevonden",
    )
    assert body["title"] == "Niet gevonden"


def test_a_number_out_of_its_range_gets_a_dutch_reason_not_pydantics_english(cast, client, token):
    response = client.get("/api/v1/regios?limit=0", **bearer(token))
    body = assert_problem(response, 422, "ongeldige-invoer")
    assert all("Input should" not in p["reason"] for p in body["invalid-params"])


def test_an_error_page_shows_the_code_discreetly(cast, client):
    client.force_login(cast.referrer)
    page = client.get("/capaciteit/casussen/2099-BESTAATNIET/")
    assert page.status_code == 404
    assert "<code>" in page.content.decode()


def test_every_operation_declares_its_problem_responses_with_the_shared_schema(client):
    spec = client.get("/api/v1/openapi.json").json()
    problem = {"$ref": "#/components/schemas/Probleem"}
    assert {"type", "code", "detail"} <= set(spec["components"]["schemas"]["Probleem"]["required"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = operation["responses"]
            for status in ("400", "401", "403", "404", "422", "429"):
                content = declared[status]["content"]["application/problem+json"]
                assert content["schema"] == problem, (method, path, status)
            if method in {"post", "patch", "put", "delete"}:
                assert {"409", "413", "415"} <= set(declared), (method, path)
