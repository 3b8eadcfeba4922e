"""Demo data for the bed board: locations and beds of every type in Zuid-Holland Noord, and
one day of activity (cases, claims confirmed, declined, expired and open), so the board,
the triage queue and the management information are alive on first start.

Deterministic: one seeded generator, times relative to the moment of seeding.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from regiotafel.capacity import cases, claims
from regiotafel.capacity.models import (
    Bed,
    BedStatus,
    BedType,
    CapacitySettings,
    Case,
    CaseState,
    Location,
    TargetGroup,
)
from regiotafel.core.models import Municipality, User

# organisation, location, CBS code, street, postcode, phone, {bed type: (somatic, pg)}
LOCATIONS = [
    (
        "Rijnhof Ouderenzorg",
        "Rijnhof Leiden",
        "GM0546",
        "Rijnsburgerweg 10",
        "2334 BA",
        "071-5170001",
        {"elv-laag": (8, 0), "elv-hoog": (10, 2), "elv-palliatief": (4, 0)},
    ),
    (
        "Rijnhof Ouderenzorg",
        "Rijnhof Oegstgeest",
        "GM0579",
        "Wilhelminapark 3",
        "2342 AE",
        "071-5170002",
        {"wlz-crisis": (2, 4), "logeerzorg": (3, 2)},
    ),
    (
        "Zorggroep Duinrand",
        "Duinrand Noordwijk",
        "GM0575",
        "Duinweg 45",
        "2202 RD",
        "071-3610001",
        {"elv-laag": (6, 0), "elv-hoog": (6, 0), "grz": (12, 0)},
    ),
    (
        "Katwijkse Zorgkring",
        "De Zorgkring Katwijk",
        "GM0537",
        "Zeeweg 12",
        "2224 CD",
        "071-4010001",
        {"elv-hoog": (6, 2), "elv-palliatief": (3, 0), "wlz-crisis": (1, 3)},
    ),
    (
        "Groene Rijn Zorg",
        "Groene Rijn Alphen",
        "GM0484",
        "Hooftstraat 120",
        "2406 GL",
        "0172-410001",
        {"elv-laag": (8, 0), "elv-hoog": (8, 2), "grz": (16, 0)},
    ),
    (
        "Groene Rijn Zorg",
        "Groene Rijn Roelofarendsveen",
        "GM1884",
        "Noordeinde 8",
        "2371 CR",
        "071-3310001",
        {"logeerzorg": (3, 3), "wlz-crisis": (1, 2)},
    ),
    (
        "Zorgcentrum Zijlhoeve",
        "Zijlhoeve Leiderdorp",
        "GM0547",
        "Simon Smitweg 2",
        "2353 GA",
        "071-5890001",
        {"elv-hoog": (6, 0), "elv-palliatief": (4, 0), "grz": (10, 0)},
    ),
    (
        "Bollenstreek Wonen en Zorg",
        "Bollenstreek Lisse",
        "GM0553",
        "Heereweg 300",
        "2161 BR",
        "0252-410001",
        {"elv-laag": (6, 0), "elv-hoog": (4, 2), "logeerzorg": (2, 2)},
    ),
    (
        "Bollenstreek Wonen en Zorg",
        "Bollenstreek Hillegom",
        "GM0534",
        "Hoofdstraat 80",
        "2181 EN",
        "0252-510001",
        {"wlz-crisis": (1, 2), "elv-palliatief": (2, 0)},
    ),
    (
        "Veenweide Zorg",
        "Veenweide Nieuwkoop",
        "GM0569",
        "Dorpsstraat 50",
        "2421 AB",
        "0172-570001",
        {"elv-laag": (4, 0), "elv-hoog": (4, 0), "logeerzorg": (2, 1)},
    ),
]
OCCUPIED_SHARE = 0.8
DECLINE_REASONS = [
    "Zorgzwaarte past niet bij de afdeling",
    "Isolatie nodig, geen kamer vrij",
    "Geen arts beschikbaar voor opname vandaag",
]


def seed(*, region, organisations) -> None:
    if Location.objects.filter(municipality__region=region).exists():
        return
    with transaction.atomic():
        CapacitySettings.objects.get_or_create(region=region)
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        now = timezone.now()
        _seed_beds(region, organisations, rng, now)
        _seed_day(organisations, rng, now)


def _seed_beds(region, organisations, rng, now) -> None:
    types = {t.code: t for t in BedType.objects.filter(region=None)}
    centres = {m.cbs_code: m for m in Municipality.objects.filter(region=region)}
    planner = User.objects.filter(username="planner").first()
    for org, name, cbs, street, postcode, phone, counts in LOCATIONS:
        location = Location.objects.create(
            organisation=organisations[org],
            name=name,
            municipality=centres[cbs],
            street=street,
            postcode=postcode,
            city=centres[cbs].name,
            phone=phone,
            confirmed_at=now - timedelta(minutes=rng.randint(5, 300)),
            confirmed_by=planner if org == "Rijnhof Ouderenzorg" else None,
        )
        for code, (somatic, pg) in counts.items():
            for group, count in ((TargetGroup.SOMATISCH, somatic), (TargetGroup.PG, pg)):
                for i in range(count):
                    status = (
                        BedStatus.BEZET if rng.random() < OCCUPIED_SHARE else BedStatus.NIET_BEZET
                    )
                    Bed.objects.create(
                        location=location,
                        bed_type=types[code],
                        target_group=group,
                        label=f"{code.upper()}-{group[:2].upper()}-{i + 1:02d}",
                        status=status,
                        status_changed_at=now - timedelta(days=1),
                    )
    # One location has not confirmed its availability for two days: the board flags it.
    Location.objects.filter(name="Veenweide Nieuwkoop").update(confirmed_at=now - timedelta(days=2))


def _seed_day(organisations, rng, now) -> None:
    referrer = User.objects.get(username="verwijzer")
    triagist = User.objects.get(username="triagist")
    planner = User.objects.get(username="planner")
    gp = organisations["Huisartsenpost De LIMES"]
    rijnhof_free = Bed.objects.filter(
        location__organisation=organisations["Rijnhof Ouderenzorg"], status=BedStatus.NIET_BEZET
    ).order_by("label")
    stories = [
        "placed",
        "placed",
        "declined",
        "expired",
        "queued",
        "searching",
        "referred",
        "placed_late",
        "queued",
        "reserved",
    ]
    for hours_ago, story in zip(range(19, 0, -2), stories, strict=True):
        at = now - timedelta(hours=hours_ago)
        data = _case_data(rng)
        free = rijnhof_free.first()
        if story not in {"queued", "referred", "searching"} and free is not None:
            # A case that will get a bed asks for the kind of bed that is free.
            data.update(beddentype=free.bed_type.code, doelgroep=free.target_group)
        case = cases.register_case(user=referrer, organisation=gp, data=data)
        Case.objects.filter(pk=case.pk).update(registered_at=at)
        case.transitions.update(at=at)
        case.refresh_from_db()
        _play(story, case, rijnhof_free, referrer, triagist, planner, gp, rng, at, now)


def _play(story, case, free_beds, referrer, triagist, planner, gp, rng, at, now) -> None:
    if story in {"queued", "referred"}:
        cases.hand_over(user=referrer, case=case)
        if story == "referred":
            cases.transition(
                user=triagist,
                organisation=case.handled_by,
                case=case,
                to=CaseState.DOORVERWEZEN,
                reason="Geen passend bed in de regio; geplaatst in Haaglanden.",
            )
        return
    if story == "searching":
        cases.transition(
            user=referrer,
            organisation=gp,
            case=case,
            to=CaseState.PLAATS_GEZOCHT,
            reason="Zelf verder zoeken",
        )
        return
    bed = free_beds.filter(bed_type=case.bed_type, target_group=case.target_group).first()
    if bed is None:
        return
    claimed_at = at + timedelta(minutes=rng.randint(20, 90))
    claim = claims.reserve(user=referrer, organisation=gp, bed_id=bed.pk, case=case, now=claimed_at)
    if story in {"placed", "placed_late"}:
        decided = claimed_at + timedelta(minutes=rng.randint(15, 90))
        if story == "placed_late":
            Case.objects.filter(pk=case.pk).update(registered_at=at - timedelta(hours=30))
        claims.confirm(user=planner, claim_id=claim.pk, now=decided)
    elif story == "declined":
        claims.decline(
            user=planner,
            claim_id=claim.pk,
            reason=rng.choice(DECLINE_REASONS),
            now=claimed_at + timedelta(minutes=30),
        )
    elif story == "expired":
        claims.release_expired(now=claim.expires_at)


def _case_data(rng) -> dict:
    return {
        "initialen": f"{rng.choice('ABCDEGHJKLMPRSTW')}.{rng.choice('ABCDEGHJKLMPRSTW')}.",
        "geboortejaar": rng.randint(1928, 1950),
        "geslacht": rng.choice(["v", "v", "m"]),
        "gemeente": rng.choice(["GM0546", "GM0547", "GM0579", "GM0537", "GM0484", "GM0575"]),
        "zorgvraag": rng.choice(
            [
                "Valpartij thuis, mobiliteit sterk afgenomen; tijdelijk 24-uurs toezicht nodig.",
                "Na ziekenhuisopname (pneumonie) nog niet in staat om naar huis te gaan.",
                "Mantelzorger acuut uitgevallen; cliënt kan niet alleen thuis blijven.",
                "Palliatieve fase, wens om niet in het ziekenhuis te overlijden.",
            ]
        ),
        "urgentie": rng.choice(["spoed", "vandaag", "vandaag", "planbaar"]),
        "beddentype": rng.choice(["elv-hoog", "elv-hoog", "elv-laag", "elv-palliatief"]),
        "doelgroep": "somatisch",
        "medische_samenvatting": "Demogegevens; geen echte cliënt.",
    }
