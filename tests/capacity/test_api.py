"""The capacity API: the same services as the pages, with problem details on every refusal."""

import json

import pytest

from regiotafel.capacity.models import Bed, CaseState
from regiotafel.core import services
from tests.capacity.conftest import CASE_DATA

pytestmark = pytest.mark.integration


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {services.issue_token(user=user)}"}


def post(client, path, user, body=None):
    return client.post(
        path, json.dumps(body or {}), content_type="application/json", **bearer(user)
    )


def test_availability_as_json_matches_the_board(ward, client):
    rows = client.get(
        "/api/v1/beschikbaarheid?beddentype=elv-hoog&vanaf_gemeente=GM0537", **bearer(ward.referrer)
    ).json()
    assert [(r["locatie"], r["vrij"]) for r in rows] == [
        ("Duinrand Katwijk", 2),
        ("Rijnhof Leiden", 3),
    ]
    assert rows[0]["afstand_km"] == 0.0


def test_a_referrer_registers_a_case_and_claims_a_bed_for_it(ward, client):
    created = post(client, "/api/v1/casussen", ward.referrer, CASE_DATA)
    assert created.status_code == 201, created.content
    reference = created.json()["kenmerk"]
    bed = Bed.objects.filter(location=ward.leiden).first()
    claim = post(
        client, f"/api/v1/bedden/{bed.pk}/reserveringen", ward.referrer, {"casus": reference}
    )
    assert claim.status_code == 201
    assert claim.json()["casus"] == reference
    detail = client.get(f"/api/v1/casussen/{reference}", **bearer(ward.referrer)).json()
    assert detail["status"] == CaseState.BED_GERESERVEERD
    assert [t["naar"] for t in detail["overgangen"]] == ["aangemeld", "bed_gereserveerd"]


def test_a_second_claim_on_the_same_bed_gets_409_in_dutch(ward, client):
    bed = Bed.objects.filter(location=ward.leiden).first()
    assert post(client, f"/api/v1/bedden/{bed.pk}/reserveringen", ward.referrer).status_code == 201
    second = post(client, f"/api/v1/bedden/{bed.pk}/reserveringen", ward.triagist)
    assert second.status_code == 409
    assert second["Content-Type"] == "application/problem+json"
    assert second.json()["code"] == "bed-bezet"
    assert "niet (meer) vrij" in second.json()["detail"]  # the Dutch sentence is the behaviour


def test_an_incomplete_case_gets_422_naming_each_field(ward, client):
    response = post(client, "/api/v1/casussen", ward.referrer, {"initialen": "A."})
    assert response.status_code == 422
    names = {p["name"] for p in response.json()["invalid-params"]}
    assert {
        "geboortejaar",
        "geslacht",
        "gemeente",
        "zorgvraag",
        "urgentie",
        "beddentype",
        "doelgroep",
    } <= names


def test_a_transition_that_is_not_allowed_gets_409(ward, client):
    reference = post(client, "/api/v1/casussen", ward.referrer, CASE_DATA).json()["kenmerk"]
    response = post(
        client, f"/api/v1/casussen/{reference}/overgangen", ward.referrer, {"naar": "geplaatst"}
    )
    assert response.status_code == 409


def test_the_provider_confirms_through_the_api(ward, client):
    reference = post(client, "/api/v1/casussen", ward.referrer, CASE_DATA).json()["kenmerk"]
    bed = Bed.objects.filter(location=ward.leiden).first()
    claim = post(
        client, f"/api/v1/bedden/{bed.pk}/reserveringen", ward.referrer, {"casus": reference}
    ).json()
    confirmed = post(client, f"/api/v1/reserveringen/{claim['id']}/bevestigingen", ward.planner)
    assert confirmed.json()["status"] == "bevestigd"
    case = client.get(f"/api/v1/casussen/{reference}", **bearer(ward.planner)).json()
    assert case["status"] == "geplaatst" and case["binnen_norm"] is True


def test_another_organisations_referrer_gets_403_for_a_case(ward, client):
    reference = post(client, "/api/v1/casussen", ward.referrer, CASE_DATA).json()["kenmerk"]
    response = client.get(f"/api/v1/casussen/{reference}", **bearer(ward.other_referrer))
    assert response.status_code == 403


def test_a_planner_sets_a_bed_status_with_patch(ward, client):
    bed = Bed.objects.filter(location=ward.leiden).first()
    response = client.patch(
        f"/api/v1/bedden/{bed.pk}",
        json.dumps({"status": "onderhoud"}),
        content_type="application/json",
        **bearer(ward.planner),
    )
    assert response.json()["status"] == "onderhoud"
