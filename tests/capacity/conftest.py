"""The capacity cast: a GP post that refers, the registration point that triages, and two
providers with beds in Leiden and Katwijk."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from regiotafel.capacity.models import Bed, BedType, Location, TargetGroup
from regiotafel.core.models import Municipality, Organisation, OrganisationType, Role
from tests.conftest import make_user


@dataclass
class Ward:
    gp: Organisation
    rap: Organisation
    provider: Organisation
    other_provider: Organisation
    referrer: object
    other_referrer: object
    triagist: object
    planner: object
    other_planner: object
    analyst: object
    leiden: Location
    katwijk: Location
    elv_hoog: BedType
    palliatief: BedType

    def beds(self, location: Location, bed_type: BedType | None = None):
        beds = Bed.objects.filter(location=location)
        return beds.filter(bed_type=bed_type) if bed_type else beds


def add_beds(location, bed_type, target_group, count, prefix):
    return [
        Bed.objects.create(
            location=location,
            bed_type=bed_type,
            target_group=target_group,
            label=f"{prefix}{i + 1}",
        )
        for i in range(count)
    ]


@pytest.fixture
def ward(cast) -> Ward:
    region = cast.region
    leiden = Municipality.objects.get(cbs_code="GM0546")
    leiden.latitude, leiden.longitude = 52.16, 4.49
    leiden.save()
    katwijk = Municipality.objects.create(
        cbs_code="GM0537", name="Katwijk", region=region, latitude=52.20, longitude=4.41
    )
    Municipality.objects.create(
        cbs_code="GM0569", name="Nieuwkoop", region=region, latitude=52.15, longitude=4.78
    )
    gp = Organisation.objects.create(
        name="Huisartsenpost De LIMES",
        region=region,
        type=OrganisationType.HUISARTSENPOST,
        agb_code="01090001",
    )
    other_gp = Organisation.objects.create(
        name="Huisartsenpraktijk Elders", region=region, type=OrganisationType.HUISARTSENPRAKTIJK
    )
    rap = Organisation.objects.create(
        name="RAP ZHN", region=region, type=OrganisationType.AANMELDPUNT
    )
    analyst = make_user("rap-analist", (rap, Role.REGIO_ANALIST))
    elv_hoog = BedType.objects.get(code="elv-hoog", region=None)
    palliatief = BedType.objects.get(code="elv-palliatief", region=None)
    leiden_location = Location.objects.create(
        organisation=cast.own, name="Rijnhof Leiden", municipality=leiden, phone="071-1234567"
    )
    katwijk_location = Location.objects.create(
        organisation=cast.neighbour,
        name="Duinrand Katwijk",
        municipality=katwijk,
        phone="071-7654321",
    )
    add_beds(leiden_location, elv_hoog, TargetGroup.SOMATISCH, 3, "L")
    add_beds(leiden_location, palliatief, TargetGroup.SOMATISCH, 1, "P")
    add_beds(katwijk_location, elv_hoog, TargetGroup.SOMATISCH, 2, "K")
    return Ward(
        gp=gp,
        rap=rap,
        provider=cast.own,
        other_provider=cast.neighbour,
        referrer=make_user("huisarts", (gp, Role.VERWIJZER)),
        other_referrer=make_user("andere-huisarts", (other_gp, Role.VERWIJZER)),
        triagist=make_user("rap-triagist", (rap, Role.TRIAGIST)),
        planner=cast.planner,
        other_planner=make_user("planner-duinrand", (cast.neighbour, Role.CAPACITEITSBEHEERDER)),
        analyst=analyst,
        leiden=leiden_location,
        katwijk=katwijk_location,
        elv_hoog=elv_hoog,
        palliatief=palliatief,
    )


CASE_DATA = {
    "initialen": "J.A.",
    "geboortejaar": 1938,
    "geslacht": "v",
    "gemeente": "GM0546",
    "zorgvraag": "Valpartij, kan niet naar huis; 24-uurs toezicht nodig.",
    "urgentie": "vandaag",
    "beddentype": "elv-hoog",
    "doelgroep": "somatisch",
    "medische_samenvatting": "Heupkneuzing, geen fractuur. Diabetes type 2.",
}


@pytest.fixture
def new_case(ward):
    from regiotafel.capacity import cases

    def make(**changes):
        return cases.register_case(
            user=ward.referrer, organisation=ward.gp, data={**CASE_DATA, **changes}
        )

    return make
