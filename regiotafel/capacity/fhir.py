"""FHIR export of the bed status and of referral cases, validated with ``fhir.resources``.

The issue asks for FHIR R4. fhir.resources 8 ships R5 and R4B (4.3) but no plain R4 package;
R4B is backward compatible with R4 for Bundle, Location, MeasureReport, Patient,
ServiceRequest and Task, so we validate against ``fhir.resources.R4B``.

Every public function builds plain JSON, parses it into the R4B model of its
``resourceType`` (:func:`validate`) and returns the model's JSON. A structural error
(missing required element, wrong type, malformed date) raises ``pydantic.ValidationError``.
fhir.resources does not check required code bindings, so the code tables below only hold
codes from the FHIR value sets (the tests check that too).

- :func:`bed_locations_bundle`: a ``Location`` per site (physicalType *si*) and per bed
  (physicalType *bd*, ``partOf`` its site) with ``operationalStatus`` from HL7 v2 table 0116;
  a live reservation has the local code *gereserveerd*, an expired one is U (unoccupied),
  exactly as :meth:`Bed.is_free` and the bed board count it.
- :func:`measure_report`: SANER-style counts per bed type × target group.
- :func:`case_bundle`: a ``ServiceRequest`` (what is asked) with a contained ``Patient``
  holding only initials, gender and year of birth (never a BSN), and a ``Task`` (where the
  case stands) following the eOverdracht pattern where it applies: ``code`` *transfer of
  care*, ``requester`` the referring organisation, ``owner`` the organisation that holds the
  case now (referrer, registration point or admitting provider), ``focus`` the
  ServiceRequest, ``input`` the request, ``output`` the triage outcome and the advice.
  What we follow and what not: docs/capacity.md, "Standards: FHIR".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from fhir.resources.R4B import get_fhir_model_class

from regiotafel.capacity.models import (
    HL7_BED_STATUS,
    Bed,
    BedStatus,
    Case,
    CaseState,
    TriageOutcome,
)
from regiotafel.core.models import Location, Organisation, TargetGroup

V2_0116 = "http://terminology.hl7.org/CodeSystem/v2-0116"
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
LOCAL_BED_STATUS = "urn:regiotafel:fhir:bedstatus"
LOCAL_BED_TYPE = "urn:regiotafel:fhir:beddentype"
LOCAL_TARGET_GROUP = "urn:regiotafel:fhir:doelgroep"
LOCAL_GROUP = "urn:regiotafel:fhir:beddentype-doelgroep"
LOCAL_POPULATION = "urn:regiotafel:fhir:populatie"
LOCAL_CASE = "urn:regiotafel:fhir:casus"
LOCAL_CASE_STATE = "urn:regiotafel:fhir:casusstatus"
LOCAL_TRIAGE = "urn:regiotafel:fhir:triage-uitkomst"
LOCAL_TASK_PARAMETER = "urn:regiotafel:fhir:taak-parameter"
LOCAL_URGENCY = "urn:regiotafel:fhir:urgentie"
SNOMED = "http://snomed.info/sct"
AGB = "http://fhir.nl/fhir/NamingSystem/agb-z"  # the Dutch AGB code of a care provider
# eOverdracht's Task.code: SNOMED CT 308292007 "Transfer of care (procedure)".
TRANSFER_OF_CARE = ("308292007", "Transfer of care")
# ServiceRequest.category: SNOMED CT 3457005 "Patient referral (procedure)".
PATIENT_REFERRAL = ("3457005", "Patient referral")
MEASURE = "urn:regiotafel:fhir:Measure/beschikbaarheid-kortdurende-bedden"

# Official displays of HL7 v2 table 0116 (a Coding's display should be the code system's).
V2_0116_DISPLAY = {
    "C": "Closed",
    "H": "Housekeeping",
    "I": "Isolated",
    "K": "Contaminated",
    "O": "Occupied",
    "U": "Unoccupied",
}
# Patient.gender (administrative-gender).
GENDER = {"v": "female", "m": "male", "x": "other", "o": "unknown"}
# ServiceRequest.priority (request-priority).
PRIORITY = {"spoed": "stat", "zelfde_dag": "asap", "vandaag": "urgent", "planbaar": "routine"}
# Case state → ServiceRequest.status (request-status): open states are active; a placement
# completes the request; rejected, cancelled and referred-elsewhere end it without a
# placement by the region (revoked).
REQUEST_STATUS = {
    CaseState.AANGEMELD: "active",
    CaseState.IN_TRIAGE: "active",
    CaseState.PLAATS_GEZOCHT: "active",
    CaseState.BED_GERESERVEERD: "active",
    CaseState.GEPLAATST: "completed",
    CaseState.AFGEWEZEN: "revoked",
    CaseState.GEANNULEERD: "revoked",
    CaseState.DOORVERWEZEN: "revoked",
    CaseState.ADVIES: "revoked",  # no admission: the request ends unfulfilled
}
# Case state → Task.status (task-status). Searching and holding a bed are both work under
# way (in-progress; businessStatus tells them apart), so a claim that expires and sends the
# case back to *plaats gezocht* is not a step backwards in the FHIR task lifecycle.
# *Doorverwezen* (no bed in the region, placed elsewhere) is failed: the task ended undone.
TASK_STATUS = {
    CaseState.AANGEMELD: "requested",
    CaseState.IN_TRIAGE: "received",
    CaseState.PLAATS_GEZOCHT: "in-progress",
    CaseState.BED_GERESERVEERD: "in-progress",
    CaseState.GEPLAATST: "completed",
    CaseState.AFGEWEZEN: "rejected",
    CaseState.GEANNULEERD: "cancelled",
    CaseState.DOORVERWEZEN: "failed",
    CaseState.ADVIES: "completed",  # the registration point did its work: the advice (output)
}
# (population code, BoardRow attribute)
POPULATIONS = (
    ("totaal", "total"),
    ("bezet", "occupied"),
    ("gereserveerd", "reserved"),
    ("vrij", "free"),
)


def validate(resource: dict) -> dict:
    """Parse ``resource`` with the R4B model of its resourceType; return its JSON.

    Raises ``pydantic.ValidationError`` for an invalid resource and ``ValueError`` for an
    unknown resourceType.
    """
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return model.model_dump(mode="json", exclude_none=True)


def bed_locations_bundle(
    *, beds: Iterable[Bed], now: datetime, base_url: str | None = None
) -> dict:
    """A collection Bundle: a Location per site and per bed, with the bed's status at ``now``.

    With ``base_url`` (the FHIR base, e.g. ``https://host/api/v1/fhir``) every entry gets a
    ``fullUrl``, so the relative ``partOf`` references resolve within the bundle.
    """
    if isinstance(beds, QuerySet):
        beds = beds.select_related("location__organisation", "bed_type")
    beds = list(beds)
    sites = {bed.location_id: bed.location for bed in beds}
    resources = [_site(site) for site in sites.values()] + [_bed(bed, now) for bed in beds]
    return validate(_bundle(resources, base_url, timestamp=now))


def measure_report(*, rows: Iterable, region_name: str, now: datetime) -> dict:
    """A SANER-style summary MeasureReport: bed counts per bed type × target group.

    ``rows`` are :class:`availability.BoardRow` (call the board with ``only_free=False``);
    they are summed over locations.
    """
    counts: dict[tuple[str, str], dict[str, int]] = {}
    names: dict[tuple[str, str], str] = {}
    for row in rows:
        key = (row.bed_type_code, row.target_group)
        names[key] = row.bed_type
        totals = counts.setdefault(key, dict.fromkeys((code for code, _ in POPULATIONS), 0))
        for code, attribute in POPULATIONS:
            totals[code] += getattr(row, attribute)
    moment = now.isoformat()
    return validate(
        {
            "resourceType": "MeasureReport",
            "status": "complete",
            "type": "summary",
            "measure": MEASURE,
            "date": moment,
            "period": {"start": moment, "end": moment},
            "reporter": {"display": region_name},
            "group": [_group(key, names[key], counts[key]) for key in sorted(counts)],
        }
    )


def case_bundle(*, case: Case, base_url: str | None = None) -> dict:
    """A collection Bundle with the case's ServiceRequest and Task."""
    return validate(_bundle([_service_request(case), _task(case)], base_url))


def bed_status(bed: Bed, *, now: datetime) -> dict:
    """The bed's operationalStatus: v2-0116, or our own code for a live reservation."""
    status = BedStatus.NIET_BEZET if bed.is_free(now) else BedStatus(bed.status)
    if status == BedStatus.GERESERVEERD:
        return _coding(LOCAL_BED_STATUS, "gereserveerd", str(status.label))
    code = HL7_BED_STATUS[status]
    return _coding(V2_0116, code, V2_0116_DISPLAY[code])


def _coding(system: str, code: str, display: str = "") -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def _concept(system: str, code: str, display: str = "") -> dict:
    return {"coding": [_coding(system, code, display)]}


def _bundle(resources: list[dict], base_url: str | None, timestamp: datetime | None = None) -> dict:
    bundle = {"resourceType": "Bundle", "type": "collection"}
    if timestamp:
        bundle["timestamp"] = timestamp.isoformat()
    bundle["entry"] = [_entry(resource, base_url) for resource in resources]
    return bundle


def _entry(resource: dict, base_url: str | None) -> dict:
    if not base_url:
        return {"resource": resource}
    url = f"{base_url.rstrip('/')}/{resource['resourceType']}/{resource['id']}"
    return {"fullUrl": url, "resource": resource}


def _site(location: Location) -> dict:
    address = {
        "line": [location.street] if location.street else None,
        "postalCode": location.postcode or None,
        "city": location.city or None,
        "country": "NL",
    }
    return {
        "resourceType": "Location",
        "id": f"locatie-{location.pk}",
        "status": "active",
        "name": location.name,
        "physicalType": _concept(PHYSICAL_TYPE, "si", "Site"),
        "address": {key: value for key, value in address.items() if value},
        "telecom": [{"system": "phone", "value": location.phone}] if location.phone else None,
        "managingOrganization": {"display": location.organisation.name},
    }


def _bed(bed: Bed, now: datetime) -> dict:
    target_group = TargetGroup(bed.target_group)
    return {
        "resourceType": "Location",
        "id": f"bed-{bed.pk}",
        "status": "active",
        "name": f"{bed.location.name} {bed.label}",
        "operationalStatus": bed_status(bed, now=now),
        "physicalType": _concept(PHYSICAL_TYPE, "bd", "Bed"),
        "type": [
            _concept(LOCAL_BED_TYPE, bed.bed_type.code, bed.bed_type.name),
            _concept(LOCAL_TARGET_GROUP, target_group.value, str(target_group.label)),
        ],
        "partOf": {"reference": f"Location/locatie-{bed.location_id}"},
    }


def _group(key: tuple[str, str], bed_type_name: str, counts: dict[str, int]) -> dict:
    bed_type_code, target_group = key
    return {
        "code": {
            "coding": [_coding(LOCAL_GROUP, f"{bed_type_code}.{target_group}")],
            "text": f"{bed_type_name}, {TargetGroup(target_group).label}",
        },
        "population": [
            {"code": _concept(LOCAL_POPULATION, code), "count": count}
            for code, count in counts.items()
        ],
    }


def _patient(case: Case) -> dict:
    """Only what we hold: initials, gender, year of birth. No identifier, never a BSN."""
    return {
        "resourceType": "Patient",
        "id": "client",
        "name": [{"text": case.initials}],
        "gender": GENDER[case.gender],
        "birthDate": f"{case.birth_year:04d}",
    }


def _organisation(organisation: Organisation) -> dict:
    """A logical reference: the organisation's name and, for a care provider, its AGB code."""
    reference = {"display": organisation.name}
    if organisation.agb_code:
        reference["identifier"] = {"system": AGB, "value": organisation.agb_code}
    return reference


def _service_request(case: Case) -> dict:
    urgency = case.get_urgency_display()
    return {
        "resourceType": "ServiceRequest",
        "id": f"casus-{case.reference}",
        "contained": [_patient(case)],
        "identifier": [{"system": LOCAL_CASE, "value": case.reference}],
        "status": REQUEST_STATUS[CaseState(case.state)],
        "intent": "order",
        "category": [_concept(SNOMED, *PATIENT_REFERRAL)],
        "priority": PRIORITY[case.urgency],
        "code": {
            "coding": [_coding(LOCAL_BED_TYPE, case.bed_type.code, case.bed_type.name)],
            "text": case.bed_type.name,
        },
        "orderDetail": [
            {
                "coding": [_coding(LOCAL_URGENCY, case.urgency, str(urgency))],
                "text": str(urgency),
            }
        ],
        "subject": {"reference": "#client"},
        "authoredOn": case.registered_at.isoformat(),
        "requester": _organisation(case.referrer_organisation),
        "reasonCode": [{"text": case.care_need}],
        "note": [{"text": case.care_need}],
    }


def _parameter(code: str, display: str, **value) -> dict:
    return {"type": _concept(LOCAL_TASK_PARAMETER, code, display), **value}


def _task(case: Case) -> dict:
    state = CaseState(case.state)
    period = {"start": case.registered_at.isoformat()}
    if case.closed_at:
        period["end"] = case.closed_at.isoformat()
    owner = case.owner or case.referrer_organisation
    request = {"reference": f"ServiceRequest/casus-{case.reference}"}
    task = {
        "resourceType": "Task",
        "id": f"taak-{case.reference}",
        "identifier": [{"system": LOCAL_CASE, "value": case.reference}],
        "status": TASK_STATUS[state],
        "businessStatus": {
            "coding": [_coding(LOCAL_CASE_STATE, state.value, str(state.label))],
            "text": str(state.label),
        },
        "intent": "order",
        "priority": PRIORITY[case.urgency],
        "code": _concept(SNOMED, *TRANSFER_OF_CARE),
        "focus": request,
        "authoredOn": case.registered_at.isoformat(),
        "requester": _organisation(case.referrer_organisation),
        "owner": _organisation(owner),
        "executionPeriod": period,
        "input": [_parameter("aanvraag", "Aanvraag", valueReference=request)],
    }
    last = case.assessments.select_related("suggested_bed_type").order_by("at", "pk").last()
    if last is not None:
        outcome = TriageOutcome(last.outcome)
        output = [
            _parameter(
                "triage-uitkomst",
                "Triage-uitkomst",
                valueCodeableConcept=_concept(LOCAL_TRIAGE, outcome.value, str(outcome.label)),
            )
        ]
        if last.suggested_bed_type_id:
            kind = last.suggested_bed_type
            output.append(
                _parameter(
                    "voorgesteld-beddentype",
                    "Voorgesteld beddentype",
                    valueCodeableConcept=_concept(LOCAL_BED_TYPE, kind.code, kind.name),
                )
            )
        if last.advice:
            output.append(_parameter("advies", "Advies aan de verwijzer", valueString=last.advice))
        task["output"] = output
    return task
