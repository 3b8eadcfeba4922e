"""A small world for the access walk: for every kind of object the policies decide on, one
of the cast's own organisation, one of the neighbouring organisation in the same region and
one in another region (and the national ones where a model has them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from regiotafel.capacity.models import Bed, BedType, CapacitySettings, Case, Claim
from regiotafel.core.models import Location, Municipality, Organisation, OrganisationType, Role
from regiotafel.plans.models import Category, Coding, Framework, Indicator, Plan
from regiotafel.portfolio.models import (
    AgendaItem,
    Funder,
    Kpi,
    KpiMeasurement,
    Project,
    RegionPhase,
    Theme,
)
from regiotafel.projection.models import ParameterSet
from regiotafel.waitlist.models import (
    Client,
    DuplicateCandidate,
    Merge,
    OnwardPlacement,
    PlacementOffer,
    Preference,
    Registration,
)
from tests.conftest import make_user

SIDES = ("own", "neighbour", "far")


@dataclass
class World:
    cast: object
    care_office: Organisation
    care_office_planner: object
    users: dict[str, object]  # label -> user (None: anonymous)
    objects: dict[str, list] = field(default_factory=dict)  # kind -> [own, neighbour, far, …]


def build(cast) -> World:
    region, other = cast.region, cast.other_region
    leiden = Municipality.objects.get(cbs_code="GM0546")
    haarlem = Municipality.objects.get(cbs_code="GM0392")
    katwijk = Municipality.objects.create(cbs_code="GM0537", name="Katwijk", region=region)
    care_office = Organisation.objects.create(
        name="Zorgkantoor ZHN", type=OrganisationType.ZORGKANTOOR, region=region
    )
    zk = make_user("zorgkantoor", (care_office, Role.CAPACITEITSBEHEERDER))
    # The registration point of the region: its triagist triages the own case (handed over).
    rap = Organisation.objects.create(
        name="RAP ZHN", type=OrganisationType.AANMELDPUNT, region=region
    )
    rap_triagist = make_user("rap-triagist", (rap, Role.TRIAGIST))
    orgs = {"own": cast.own, "neighbour": cast.neighbour, "far": cast.far}
    towns = {"own": leiden, "neighbour": katwijk, "far": haarlem}
    regions = {"own": region, "neighbour": region, "far": other}
    bed_type = BedType.objects.filter(region=None).first()
    author = make_user("auteur", (cast.far, Role.BEHEERDER))
    w = World(cast, care_office, zk, {})
    o = w.objects
    o["location"] = [
        Location.objects.create(organisation=orgs[s], name=f"Huis {s}", municipality=towns[s])
        for s in SIDES
    ]
    o["bed"] = [
        Bed.objects.create(location=loc, bed_type=bed_type, target_group="somatisch", label="B1")
        for loc in o["location"]
    ]
    o["case"] = [
        Case.objects.create(
            reference=f"2026-{i:06X}",
            referrer_organisation=orgs[s],
            created_by=author,
            initials="A.",
            birth_year=1940,
            gender="v",
            municipality=towns[s],
            care_need="Zorg",
            urgency="vandaag",
            bed_type=bed_type,
            target_group="somatisch",
        )
        for i, s in enumerate(SIDES)
    ]
    Case.objects.filter(pk=o["case"][0].pk).update(handled_by=rap)
    o["case"][0].handled_by = rap
    later = timezone.now() + timedelta(hours=2)
    # a claim by the neighbour on the own organisation's bed, and one far away
    o["claim"] = [
        Claim.objects.create(
            bed=o["bed"][0], organisation=cast.neighbour, claimed_by=author, expires_at=later
        ),
        Claim.objects.create(
            bed=o["bed"][1], organisation=cast.own, claimed_by=author, expires_at=later
        ),
        Claim.objects.create(
            bed=o["bed"][2], organisation=cast.far, claimed_by=author, expires_at=later
        ),
    ]
    o["capacitysettings"] = [CapacitySettings.objects.create(region=r) for r in (region, other)]
    clients = [
        Client.objects.create(surname=f"Klant {s}", birth_date=date(1935, 1, 1)) for s in SIDES
    ]
    # a client of the neighbour who prefers the own organisation's home (visible to both)
    clients.append(Client.objects.create(surname="Voorkeur", birth_date=date(1936, 1, 1)))
    sides = [*SIDES, "neighbour"]
    registrations = []
    for i, (client, s) in enumerate(zip(clients, sides, strict=True)):
        reg = Registration.objects.create(
            client=client,
            provider=orgs[s],
            external_id=f"K{i}",
            care_profile="VV5",
            target_group="somatisch",
            status="actief",
            status_date=date(2025, 1, 1),
            indication_date=date(2025, 1, 1),
            municipality=towns[s],
        )
        home = o["location"][0] if i == 3 else o["location"][SIDES.index(s)]
        Preference.objects.create(registration=reg, location=home, rank=1)
        registrations.append(reg)
    o["client"], o["registration"] = clients, registrations
    merged = [
        Client.objects.create(surname=f"Dubbel {s}", birth_date=date(1935, 1, 1), merged_into=c)
        for s, c in zip(SIDES, clients, strict=False)
    ]
    o["duplicatecandidate"] = [
        DuplicateCandidate.objects.create(client_a=clients[0], client_b=clients[3], score=0.9),
        DuplicateCandidate.objects.create(client_a=clients[1], client_b=clients[3], score=0.9),
        DuplicateCandidate.objects.create(client_a=clients[2], client_b=merged[2], score=0.9),
    ]
    o["merge"] = [
        Merge.objects.create(survivor=c, merged=m, by=author)
        for c, m in zip(clients, merged, strict=False)
    ]
    o["placementoffer"] = [
        PlacementOffer.objects.create(registration=r, location=loc, offered_by=author)
        for r, loc in zip(registrations, o["location"], strict=False)
    ]
    # a client on each side's crisis bed, to be moved on (waitlist.onward)
    o["onwardplacement"] = [
        OnwardPlacement.objects.create(
            case=case,
            bed=bed,
            provider=bed.location.organisation,
            registration=reg,
            admitted_at=timezone.now(),
            deadline=later,
        )
        for case, bed, reg in zip(o["case"], o["bed"], registrations, strict=False)
    ]
    framework = Framework.objects.create(name="Toetskader toegang")
    category = Category.objects.create(framework=framework, name="Alles")
    indicator = Indicator.objects.create(
        framework=framework, category=category, code="T1", name="Toets", question="Is het er?"
    )
    o["framework"], o["indicator"] = [framework], [indicator]
    o["plan"] = [
        Plan.objects.create(
            region=r,
            framework=framework,
            title=f"Plan {r.slug}",
            file_name="p.txt",
            source=b"tekst",
            scorer="lexicaal",
        )
        for r in (region, other)
    ]
    o["coding"] = [
        Coding.objects.create(plan=p, indicator=indicator, analyst=author, verdict="gedekt")
        for p in o["plan"]
    ]
    national_theme = Theme.objects.create(name="Landelijk thema")
    o["theme"] = [national_theme, Theme.objects.create(name="Regiothema", region=region)]
    funder = Funder.objects.create(name="Fonds toegang")
    o["project"] = [
        Project.objects.create(
            code=f"P{i}",
            name=f"Project {s}",
            theme=national_theme,
            funder=funder,
            start_period="2025",
            start_year=2025,
            start_year_last=2025,
            region=regions[s] if s != "neighbour" else None,
            lead_organisation=orgs[s],
        )
        for i, s in enumerate(SIDES)
    ]
    o["agendaitem"] = [
        AgendaItem.objects.create(region=r, kind="doel", title="Doel") for r in (region, other)
    ]
    o["kpi"] = [
        Kpi.objects.create(region=r, name="Wachttijd", unit="dagen", direction="lager")
        for r in (region, other)
    ]
    o["kpimeasurement"] = [
        KpiMeasurement.objects.create(kpi=k, date=date(2025, 1, 1), value=3) for k in o["kpi"]
    ]
    o["regionphase"] = [
        RegionPhase.objects.create(
            region=r, date=date(2025, 1, 1), agreements=1, dynamics=1, vision=1
        )
        for r in (region, other)
    ]
    o["parameterset"] = [
        ParameterSet.objects.create(region=r, name="Basis", version=1, text="versie: 1\n")
        for r in (region, other)
    ]
    o["region"] = [region, region, other]
    o["organisation"] = [cast.own, cast.neighbour, cast.far, care_office]
    o["municipality"] = [leiden, katwijk, haarlem]
    w.users = {
        "verwijzer": cast.referrer,
        "triagist": cast.triagist,
        "planner": cast.planner,
        "analist": cast.analyst,
        "beheerder": cast.admin,
        "zorgkantoor": zk,
        "rap-triagist": rap_triagist,
        "buitenstaander": cast.outsider,
        "anoniem": None,
    }
    return w
