"""FHIR export (R4, validated against fhir.resources R4B): beds as Locations with their HL7 bed
status, counts as a SANER-style MeasureReport, a case as ServiceRequest + Task."""

import json
import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from pydantic import ValidationError

from regiotafel.capacity import availability, cases, claims, fhir
from regiotafel.capacity.models import Bed, BedStatus, CaseState

pytestmark = pytest.mark.integration

# Codes of the required bindings (FHIR R4), which fhir.resources does not check itself.
TASK_STATUSES = {
    "draft",
    "requested",
    "received",
    "accepted",
    "rejected",
    "ready",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
}
REQUEST_STATUSES = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error"}


def resources(bundle: dict, resource_type: str) -> list[dict]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def bed_statuses(bundle: dict) -> dict[str, dict]:
    beds = (r for r in resources(bundle, "Location") if "operationalStatus" in r)
    return {bed["name"]: bed["operationalStatus"] for bed in beds}


def leiden_beds(ward):
    return Bed.objects.filter(location=ward.leiden).order_by("label")


def place(ward, case):
    claim = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=leiden_beds(ward)[0].pk, case=case
    )
    claims.confirm(user=ward.planner, claim_id=claim.pk)
    case.refresh_from_db()
    return case


def test_each_bed_is_a_location_with_its_hl7_bed_status(ward):
    l1, l2, l3, p1 = leiden_beds(ward)
    Bed.objects.filter(pk=l1.pk).update(status=BedStatus.BEZET)
    Bed.objects.filter(pk=l2.pk).update(status=BedStatus.GESLOTEN)
    Bed.objects.filter(pk=l3.pk).update(status=BedStatus.IN_ISOLATIE)
    Bed.objects.filter(pk=p1.pk).update(status=BedStatus.ONDERHOUD)
    Bed.objects.filter(location=ward.katwijk).update(status=BedStatus.NIET_BEZET)
    bundle = fhir.bed_locations_bundle(beds=Bed.objects.all(), now=timezone.now())
    statuses = bed_statuses(bundle)
    assert {name: s["code"] for name, s in statuses.items()} == {
        "Rijnhof Leiden L1": "O",
        "Rijnhof Leiden L2": "C",
        "Rijnhof Leiden L3": "I",
        "Rijnhof Leiden P1": "H",
        "Duinrand Katwijk K1": "U",
        "Duinrand Katwijk K2": "U",
    }
    assert {s["system"] for s in statuses.values()} == {fhir.V2_0116}
    assert statuses["Rijnhof Leiden L1"]["display"] == "Occupied"


def test_a_bed_is_typed_and_part_of_its_site_which_is_in_the_bundle(ward):
    ward.leiden.street, ward.leiden.postcode, ward.leiden.city = "Rijnweg 1", "2311 AA", "Leiden"
    ward.leiden.save()
    bundle = fhir.bed_locations_bundle(beds=leiden_beds(ward), now=timezone.now())
    locations = {r["id"]: r for r in resources(bundle, "Location")}
    bed = locations[f"bed-{leiden_beds(ward)[0].pk}"]
    site = locations[f"locatie-{ward.leiden.pk}"]
    assert bundle["type"] == "collection"
    assert bed["status"] == "active"
    assert bed["physicalType"]["coding"][0]["code"] == "bd"
    assert bed["partOf"]["reference"] == f"Location/locatie-{ward.leiden.pk}"
    assert [t["coding"][0] for t in bed["type"]] == [
        {"system": fhir.LOCAL_BED_TYPE, "code": "elv-hoog", "display": ward.elv_hoog.name},
        {"system": fhir.LOCAL_TARGET_GROUP, "code": "somatisch", "display": "somatisch"},
    ]
    assert site["physicalType"]["coding"][0]["code"] == "si"
    assert site["address"] == {
        "line": ["Rijnweg 1"],
        "postalCode": "2311 AA",
        "city": "Leiden",
        "country": "NL",
    }
    assert site["telecom"] == [{"system": "phone", "value": "071-1234567"}]
    assert len(locations) == 5  # one site, four beds


def test_with_a_base_url_every_entry_has_a_full_url_its_references_resolve_to(ward):
    base = "https://regiotafel.test/api/v1/fhir/"
    bundle = fhir.bed_locations_bundle(beds=leiden_beds(ward), now=timezone.now(), base_url=base)
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    references = {r["partOf"]["reference"] for r in resources(bundle, "Location") if "partOf" in r}
    assert {base + reference for reference in references} <= full_urls
    without_base = fhir.bed_locations_bundle(beds=leiden_beds(ward), now=timezone.now())
    assert not any("fullUrl" in e for e in without_base["entry"])


def test_a_live_reservation_exports_as_gereserveerd_and_an_expired_one_as_unoccupied(ward):
    now = timezone.now()
    bed = leiden_beds(ward)[0]
    claim = claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk, now=now)
    one_bed = Bed.objects.filter(pk=bed.pk)
    live = bed_statuses(fhir.bed_locations_bundle(beds=one_bed, now=now))
    assert live["Rijnhof Leiden L1"] == {
        "system": "urn:regiotafel:fhir:bedstatus",
        "code": "gereserveerd",
        "display": "gereserveerd",
    }
    later = claim.expires_at + timedelta(seconds=1)
    expired = bed_statuses(fhir.bed_locations_bundle(beds=one_bed, now=later))
    assert Bed.objects.get(pk=bed.pk).status == BedStatus.GERESERVEERD  # not released yet
    assert (expired["Rijnhof Leiden L1"]["system"], expired["Rijnhof Leiden L1"]["code"]) == (
        fhir.V2_0116,
        "U",
    )


def test_the_measure_report_counts_match_the_board(ward):
    now = timezone.now()
    Bed.objects.filter(location=ward.katwijk).update(status=BedStatus.BEZET)
    Bed.objects.filter(pk=leiden_beds(ward)[1].pk).update(status=BedStatus.GESLOTEN)
    claims.reserve(
        user=ward.triagist, organisation=ward.rap, bed_id=leiden_beds(ward)[0].pk, now=now
    )
    rows = availability.board(availability.BoardFilter(only_free=False), now=now)
    report = fhir.measure_report(rows=rows, region_name="Zuid-Holland Noord", now=now)
    groups = {
        g["code"]["coding"][0]["code"]: {
            p["code"]["coding"][0]["code"]: p["count"] for p in g["population"]
        }
        for g in report["group"]
    }
    assert groups == {
        "elv-hoog.somatisch": {"totaal": 5, "bezet": 2, "gereserveerd": 1, "vrij": 1},
        "elv-palliatief.somatisch": {"totaal": 1, "bezet": 0, "gereserveerd": 0, "vrij": 1},
    }
    assert sum(r.free for r in rows) == sum(g["vrij"] for g in groups.values())


def test_the_measure_report_is_a_saner_style_summary_of_the_region(ward):
    now = timezone.now()
    rows = availability.board(availability.BoardFilter(only_free=False), now=now)
    report = fhir.measure_report(rows=rows, region_name="Zuid-Holland Noord", now=now)
    assert (report["status"], report["type"], report["measure"]) == (
        "complete",
        "summary",
        fhir.MEASURE,
    )
    assert report["reporter"] == {"display": "Zuid-Holland Noord"}
    assert report["period"]["start"] == report["period"]["end"]
    assert report["group"][0]["code"]["text"] == f"{ward.elv_hoog.name}, somatisch"


def test_a_case_bundle_holds_only_the_minimal_patient_and_no_bsn(ward, new_case):
    case = new_case(urgentie="spoed", geslacht="m")
    bundle = fhir.case_bundle(case=case)
    (request,) = resources(bundle, "ServiceRequest")
    (patient,) = request["contained"]
    assert patient == {
        "resourceType": "Patient",
        "id": "client",
        "name": [{"text": "J.A."}],
        "gender": "male",
        "birthDate": "1938",
    }
    assert request["subject"] == {"reference": "#client"}
    text = json.dumps(bundle).replace(f'"{fhir.TRANSFER_OF_CARE[0]}"', "")  # a SNOMED code
    assert not re.search(r"(?<!\d)\d{9}(?!\d)", text)  # nothing shaped like a BSN
    assert "bsn" not in text.lower()
    assert "Heupkneuzing" not in text  # the medical summary stays home


def test_the_service_request_says_what_is_asked_by_whom_and_how_urgently(ward, new_case):
    case = new_case()
    (request,) = resources(fhir.case_bundle(case=case), "ServiceRequest")
    assert (request["status"], request["intent"], request["priority"]) == (
        "active",
        "order",
        "urgent",
    )
    assert request["code"]["text"] == ward.elv_hoog.name
    assert request["requester"] == {
        "display": "Huisartsenpost De LIMES",
        "identifier": {"system": fhir.AGB, "value": "01090001"},
    }
    assert request["category"][0]["coding"][0]["code"] == "3457005"  # patient referral
    assert request["reasonCode"] == [{"text": case.care_need}]
    assert request["note"] == [{"text": case.care_need}]
    assert datetime.fromisoformat(request["authoredOn"]) == case.registered_at


def test_the_task_status_follows_the_case_state(ward, new_case):
    case = new_case()

    def task_and_request():
        bundle = fhir.case_bundle(case=case)
        return resources(bundle, "Task")[0], resources(bundle, "ServiceRequest")[0]

    task, request = task_and_request()
    assert (task["status"], task["businessStatus"]["text"]) == ("requested", "aangemeld")
    assert task["focus"] == {"reference": f"ServiceRequest/{request['id']}"}
    assert task["owner"]["display"] == "Huisartsenpost De LIMES"
    assert task["requester"]["display"] == "Huisartsenpost De LIMES"
    assert task["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "308292007",
        "display": "Transfer of care",
    }
    assert task["input"][0]["valueReference"] == task["focus"]
    assert "end" not in task["executionPeriod"]
    place(ward, case)
    task, request = task_and_request()
    assert (task["status"], task["businessStatus"]["text"]) == ("completed", "geplaatst")
    assert request["status"] == "completed"
    assert task["owner"]["display"] == ward.provider.name  # on to the admitting provider
    period = {key: datetime.fromisoformat(at) for key, at in task["executionPeriod"].items()}
    assert period == {"start": case.registered_at, "end": case.closed_at}


def test_a_cancelled_case_is_a_cancelled_task_and_a_revoked_request(ward, new_case):
    case = cases.transition(
        user=ward.referrer,
        organisation=ward.gp,
        case=new_case(),
        to=CaseState.GEANNULEERD,
        reason="Toch thuis opgevangen.",
    )
    bundle = fhir.case_bundle(case=case)
    assert resources(bundle, "Task")[0]["status"] == "cancelled"
    assert resources(bundle, "ServiceRequest")[0]["status"] == "revoked"


def test_every_mapped_code_is_in_its_fhir_value_set():
    assert set(fhir.TASK_STATUS) == set(CaseState) == set(fhir.REQUEST_STATUS)
    assert set(fhir.TASK_STATUS.values()) <= TASK_STATUSES
    assert set(fhir.REQUEST_STATUS.values()) <= REQUEST_STATUSES
    assert set(fhir.HL7_BED_STATUS.values()) <= set(fhir.V2_0116_DISPLAY)
    assert set(fhir.PRIORITY.values()) <= {"routine", "urgent", "asap", "stat"}
    assert set(fhir.GENDER.values()) <= {"male", "female", "other", "unknown"}


@pytest.mark.parametrize(
    "resource",
    [
        {"resourceType": "Location", "operationalStatus": "U"},  # a Coding, not a string
        {"resourceType": "Patient", "birthDate": "38"},
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": {"resourceType": "Task", "intent": "order"}}],  # no status
        },
    ],
    ids=["coding-as-string", "two-digit-year", "task-without-status"],
)
def test_an_invalid_resource_is_refused(resource):
    with pytest.raises(ValidationError):
        fhir.validate(resource)


def test_an_unknown_resource_type_is_refused():
    with pytest.raises(ValueError, match="not a valid FHIR Model"):
        fhir.validate({"resourceType": "Bed"})


def test_the_api_serves_fhir_json_whose_references_resolve_within_the_bundle(ward, client):
    from regiotafel.core import services

    token = services.issue_token(user=ward.referrer)
    response = client.get(
        "/api/v1/fhir/Location?regio=zuid-holland-noord", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response["Content-Type"] == "application/fhir+json"
    bundle = response.json()
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    for entry in bundle["entry"]:
        part_of = entry["resource"].get("partOf")
        if part_of:
            assert f"http://testserver/api/v1/fhir/{part_of['reference']}" in urls
    report = client.get("/api/v1/fhir/MeasureReport", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert report.json()["resourceType"] == "MeasureReport"
