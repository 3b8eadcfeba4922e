"""FHIR export of the bed board and of referral cases, validated with ``fhir.resources``.

fhir.resources 8 ships FHIR R5 and R4B (4.3), not plain R4; R4B is R4 plus a few additions and
Location, MeasureReport, ServiceRequest and Task are the same in both, so we validate against
R4B. Every function builds plain JSON, validates it by parsing it into the R4B models (an
invalid resource raises ``pydantic.ValidationError``) and returns the validated JSON.

- Beds: one ``Location`` per bed (physicalType *bd*, ``operationalStatus`` from HL7 v2 table
  0116), part of a ``Location`` per site (physicalType *si*).
- Counts: a SANER-style ``MeasureReport`` with one group per bed type × target group and the
  populations totaal / bezet / gereserveerd / vrij.
- A case: a ``ServiceRequest`` (what is asked) and a ``Task`` (where it stands), with only the
  minimal data we hold — initials, gender, year of birth; never a BSN.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.measurereport import MeasureReport

from regiotafel.capacity.models import HL7_BED_STATUS, BedStatus, Case, CaseState

V2_0116 = "http://terminology.hl7.org/CodeSystem/v2-0116"
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
LOCAL = "urn:regiotafel:fhir:"
MEASURE = "urn:regiotafel:fhir:Measure/beschikbaarheid-kortdurende-bedden"
GENDER = {"v": "female", "m": "male", "x": "other", "o": "unknown"}
PRIORITY = {"spoed": "stat", "vandaag": "urgent", "planbaar": "routine"}
# Case state → (ServiceRequest.status, Task.status)
CASE_STATUS = {
    CaseState.AANGEMELD: ("active", "requested"),
    CaseState.IN_TRIAGE: ("active", "received"),
    CaseState.PLAATS_GEZOCHT: ("active", "in-progress"),
    CaseState.BED_GERESERVEERD: ("active", "accepted"),
    CaseState.GEPLAATST: ("completed", "completed"),
    CaseState.AFGEWEZEN: ("revoked", "rejected"),
    CaseState.GEANNULEERD: ("revoked", "cancelled"),
    CaseState.DOORVERWEZEN: ("completed", "failed"),  # no bed in the region
}


def _validated(resource: dict) -> dict:
    return Bundle.model_validate(resource).model_dump(mode="json", exclude_none=True)


def _coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def bed_status_code(bed, now: datetime) -> dict:
    """v2-0116 for the HL7 statuses; a live reservation has our own code; an expired one is U."""
    status = BedStatus.NIET_BEZET if bed.is_free(now) else bed.status
    if status == BedStatus.GERESERVEERD:
        return _coding(LOCAL + "bedstatus", "gereserveerd", "gereserveerd")
    return _coding(V2_0116, HL7_BED_STATUS[status], str(BedStatus(status).label))


def _site(location) -> dict:
    return {
        "resourceType": "Location",
        "id": f"locatie-{location.pk}",
        "status": "active",
        "name": location.name,
        "physicalType": {"coding": [_coding(PHYSICAL_TYPE, "si", "Site")]},
        "address": {
            "line": [location.street] if location.street else None,
            "postalCode": location.postcode or None,
            "city": location.city or None,
            "country": "NL",
        },
        "telecom": [{"system": "phone", "value": location.phone}] if location.phone else None,
        "managingOrganization": {"display": location.organisation.name},
    }


def _bed(bed, now: datetime) -> dict:
    return {
        "resourceType": "Location",
        "id": f"bed-{bed.pk}",
        "status": "active",
        "name": f"{bed.location.name} {bed.label}",
        "operationalStatus": bed_status_code(bed, now),
        "physicalType": {"coding": [_coding(PHYSICAL_TYPE, "bd", "Bed")]},
        "type": [
            {"coding": [_coding(LOCAL + "beddentype", bed.bed_type.code, bed.bed_type.name)]},
            {"coding": [_coding(LOCAL + "doelgroep", bed.target_group)]},
        ],
        "partOf": {"reference": f"Location/locatie-{bed.location_id}"},
    }


def _entry(resource: dict) -> dict:
    return {
        "fullUrl": f"urn:regiotafel:{resource['resourceType']}/{resource['id']}",
        "resource": resource,
    }


def bed_locations_bundle(*, beds, now: datetime) -> dict:
    """A Bundle (collection) with a Location per site and per bed, with the bed's status."""
    beds = list(beds.select_related("location__organisation", "bed_type"))
    sites = {bed.location_id: bed.location for bed in beds}
    resources = [_site(site) for site in sites.values()] + [_bed(bed, now) for bed in beds]
    return _validated(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": now.isoformat(),
            "entry": [_entry(r) for r in resources],
        }
    )


def measure_report(*, rows, region_name: str, now: datetime) -> dict:
    """SANER-style counts per bed type × target group, from the board's rows."""
    totals: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    names = {}
    for row in rows:
        key = (row.bed_type_code, row.target_group)
        names[key] = row.bed_type
        for population, value in (
            ("totaal", row.total),
            ("bezet", row.occupied),
            ("gereserveerd", row.reserved),
            ("vrij", row.free),
        ):
            totals[key][population] += value
    groups = [
        {
            "code": {
                "coding": [_coding(LOCAL + "beddentype", code)],
                "text": f"{names[(code, group)]} ({group})",
            },
            "population": [
                {"code": {"coding": [_coding(LOCAL + "populatie", name)]}, "count": n}
                for name, n in counts.items()
            ],
        }
        for (code, group), counts in sorted(totals.items())
    ]
    report = {
        "resourceType": "MeasureReport",
        "status": "complete",
        "type": "summary",
        "measure": MEASURE,
        "date": now.isoformat(),
        "period": {"start": now.isoformat(), "end": now.isoformat()},
        "reporter": {"display": region_name},
        "group": groups,
    }
    return MeasureReport.model_validate(report).model_dump(mode="json", exclude_none=True)


def case_bundle(*, case: Case) -> dict:
    """A ServiceRequest and a Task for one case, with the minimal personal data we hold."""
    request_status, task_status = CASE_STATUS[CaseState(case.state)]
    patient = {
        "resourceType": "Patient",
        "id": "client",
        "name": [{"text": case.initials}],
        "gender": GENDER.get(case.gender, "unknown"),
        "birthDate": str(case.birth_year),
        "address": [{"district": case.municipality.name, "country": "NL"}],
    }
    service_request = {
        "resourceType": "ServiceRequest",
        "id": f"casus-{case.reference}",
        "identifier": [{"system": LOCAL + "casus", "value": case.reference}],
        "status": request_status,
        "intent": "order",
        "priority": PRIORITY.get(case.urgency, "routine"),
        "code": {
            "coding": [_coding(LOCAL + "beddentype", case.bed_type.code, case.bed_type.name)],
            "text": case.bed_type.name,
        },
        "subject": {"reference": "Patient/client"},
        "authoredOn": case.registered_at.isoformat(),
        "requester": {"display": case.referrer_organisation.name},
        "note": [{"text": case.care_need}],
        "contained": [patient],
    }
    service_request["subject"] = {"reference": "#client"}
    task = {
        "resourceType": "Task",
        "id": f"taak-{case.reference}",
        "status": task_status,
        "intent": "order",
        "businessStatus": {"text": str(CaseState(case.state).label)},
        "focus": {"reference": f"ServiceRequest/casus-{case.reference}"},
        "owner": {"display": (case.handled_by or case.referrer_organisation).name},
        "authoredOn": case.registered_at.isoformat(),
        "executionPeriod": {
            "start": case.registered_at.isoformat(),
            **({"end": case.closed_at.isoformat()} if case.closed_at else {}),
        },
    }
    return _validated(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [_entry(service_request), _entry(task)],
        }
    )
