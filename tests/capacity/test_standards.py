"""FHIR export: beds as Locations with HL7 bed status, counts as a MeasureReport, a case as
ServiceRequest + Task — each validated with fhir.resources."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pydantic import ValidationError

from regiotafel.capacity import availability, claims, standards
from regiotafel.capacity.models import Bed, BedStatus
from regiotafel.core import services

pytestmark = pytest.mark.integration


def statuses(bundle: dict) -> dict:
    return {
        e["resource"]["name"]: e["resource"]["operationalStatus"]
        for e in bundle["entry"]
        if "operationalStatus" in e["resource"]
    }


def test_each_bed_is_a_location_with_its_hl7_bed_status(ward):
    beds = Bed.objects.filter(location=ward.leiden).order_by("label")
    Bed.objects.filter(pk=beds[0].pk).update(status=BedStatus.BEZET)
    Bed.objects.filter(pk=beds[1].pk).update(status=BedStatus.GESLOTEN)
    bundle = standards.bed_locations_bundle(
        beds=Bed.objects.filter(location=ward.leiden), now=timezone.now()
    )
    codes = {name: s["code"] for name, s in statuses(bundle).items()}
    assert codes == {
        "Rijnhof Leiden L1": "O",
        "Rijnhof Leiden L2": "C",
        "Rijnhof Leiden L3": "U",
        "Rijnhof Leiden P1": "U",
    }
    site = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"].startswith("loc"))
    assert site["physicalType"]["coding"][0]["code"] == "si"
    assert site["telecom"][0]["value"] == "071-1234567"


def test_a_live_reservation_has_our_own_code_and_an_expired_one_is_unoccupied(ward):
    now = timezone.now()
    bed = Bed.objects.filter(location=ward.leiden).order_by("label").first()
    claim = claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk, now=now)
    live = statuses(standards.bed_locations_bundle(beds=Bed.objects.filter(pk=bed.pk), now=now))
    assert live["Rijnhof Leiden L1"] == {
        "system": "urn:regiotafel:fhir:bedstatus",
        "code": "gereserveerd",
        "display": "gereserveerd",
    }
    later = claim.expires_at + timedelta(seconds=1)
    expired = statuses(
        standards.bed_locations_bundle(beds=Bed.objects.filter(pk=bed.pk), now=later)
    )
    assert expired["Rijnhof Leiden L1"]["code"] == "U"


def test_the_measure_report_counts_match_the_board(ward):
    now = timezone.now()
    Bed.objects.filter(location=ward.katwijk).update(status=BedStatus.BEZET)
    rows = availability.board(availability.BoardFilter(only_free=False), now=now)
    report = standards.measure_report(rows=rows, region_name="Zuid-Holland Noord", now=now)
    groups = {
        g["code"]["text"]: {p["code"]["coding"][0]["code"]: p["count"] for p in g["population"]}
        for g in report["group"]
    }
    assert groups["ELV hoog complex (somatisch)"] == {
        "totaal": 5,
        "bezet": 2,
        "gereserveerd": 0,
        "vrij": 3,
    }
    assert groups["ELV palliatief (somatisch)"]["vrij"] == 1


def test_a_case_is_a_service_request_and_task_without_a_bsn(ward, new_case):
    case = new_case()
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=Bed.objects.filter(location=ward.leiden).first().pk,
        case=case,
    )
    claims.confirm(user=ward.planner, claim_id=claim.pk)
    case.refresh_from_db()
    bundle = standards.case_bundle(case=case)
    request, task = (e["resource"] for e in bundle["entry"])
    patient = request["contained"][0]
    assert (patient["birthDate"], patient["gender"], patient["name"][0]["text"]) == (
        "1938",
        "female",
        "J.A.",
    )
    assert "identifier" not in patient
    assert (request["status"], request["priority"]) == ("completed", "urgent")
    assert (task["status"], task["businessStatus"]["text"]) == ("completed", "geplaatst")
    assert task["focus"]["reference"] == f"ServiceRequest/casus-{case.reference}"


def test_an_invalid_resource_is_refused():
    with pytest.raises(ValidationError):
        standards._validated(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Task", "intent": "order"}}],
            }
        )


def test_the_api_serves_fhir_json(ward, client):
    token = services.issue_token(user=ward.referrer)
    response = client.get(
        "/api/v1/fhir/Location?regio=zuid-holland-noord", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response["Content-Type"] == "application/fhir+json"
    assert response.json()["resourceType"] == "Bundle"
    report = client.get("/api/v1/fhir/MeasureReport", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert report.json()["resourceType"] == "MeasureReport"
