"""The waiting-list cast: two providers with a nursing home each, the care office that sees
the region, and an analyst who sees only aggregates."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest

from regiotafel.core.models import Location, Municipality, Organisation, OrganisationType, Role
from regiotafel.waitlist import registrations
from tests.conftest import make_user

# Valid BSNs (elfproef), made up for tests.
BSN_ANNA = "111222333"
BSN_BOB = "123456782"


@dataclass
class Homes:
    own: Organisation
    neighbour: Organisation
    care_office: Organisation
    own_home: Location
    neighbour_home: Location
    planner: object
    other_planner: object
    care_office_planner: object
    analyst: object


@pytest.fixture
def homes(cast) -> Homes:
    katwijk = Municipality.objects.create(cbs_code="GM0537", name="Katwijk", region=cast.region)
    leiden = Municipality.objects.get(cbs_code="GM0546")
    care_office = Organisation.objects.create(
        name="Zorgkantoor ZHN", region=cast.region, type=OrganisationType.ZORGKANTOOR
    )
    return Homes(
        own=cast.own,
        neighbour=cast.neighbour,
        care_office=care_office,
        own_home=Location.objects.create(
            organisation=cast.own, name="Rijnhof Leiden", municipality=leiden
        ),
        neighbour_home=Location.objects.create(
            organisation=cast.neighbour, name="Duinrand Katwijk", municipality=katwijk
        ),
        planner=cast.planner,
        other_planner=make_user("planner-duinrand", (cast.neighbour, Role.CAPACITEITSBEHEERDER)),
        care_office_planner=make_user("zorgbemiddelaar", (care_office, Role.CAPACITEITSBEHEERDER)),
        analyst=make_user("analist-zk", (care_office, Role.REGIO_ANALIST)),
    )


def row(
    number="K1",
    bsn="",
    surname="Jansen",
    initials="A.",
    born="1936-04-12",
    status="actief",
    indication="2025-01-15",
    preferences=("Rijnhof Leiden",),
    **extra,
):
    values = {
        "klantnummer": number,
        "bsn": bsn,
        "achternaam": surname,
        "voorletters": initials,
        "geboortedatum": born,
        "geslacht": "v",
        "postcode": "2334 AB",
        "woongemeente": "GM0546",
        "zorgprofiel": "VV5",
        "doelgroep": "pg",
        "wachtstatus": status,
        "statusdatum": "2025-02-01",
        "statusreden": "",
        "indicatiedatum": indication,
    }
    for rank, name in enumerate(preferences, start=1):
        values[f"voorkeur_{rank}"] = name
    values.update(extra)
    return values


def as_csv(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=registrations.TEMPLATE_COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def load(provider, *rows, user=None, **options):
    return registrations.import_registrations(
        user=user, provider=provider, source=as_csv(*rows), name="lijst.csv", **options
    )
