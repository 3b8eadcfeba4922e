"""Demo data for the shared waiting list: about 300 waiting clients across the demo
providers, imported through the real importer, with a realistic share of people registered
at two providers (same BSN: recognised at once) and of near-duplicates without a BSN (a typo,
a swapped day and month: proposed for review). The care office has named a dossierhouder for
most clients (the first provider that registered them), and three clients lie on a Wlz crisis
bed of Rijnhof: one 16 days (past the fourteen-day onward-placement deadline), one 12 days
(the deadline is near: warned), and one not yet linked to the waiting list.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from regiotafel.core.models import Location, Organisation
from regiotafel.waitlist import duplicates, registrations
from regiotafel.waitlist.models import Registration, RegistrationState

CLIENTS = 300
SECOND_PROVIDER_SHARE = 0.12
NEAR_DUPLICATE_SHARE = 0.05
SURNAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "van de Ven",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "van Dam",
    "van der Wal",
    "Prins",
    "Blom",
    "Huisman",
    "Zwetsloot",
    "Duivenvoorden",
    "van der Zwet",
    "Warmenhoven",
]
PROFILES = [
    ("VV4", "somatisch", 20),
    ("VV5", "pg", 40),
    ("VV6", "somatisch", 15),
    ("VV7", "pg", 15),
    ("VV8", "somatisch", 10),
]
STATUSES = [("urgent", 5), ("actief", 35), ("voorkeur", 45), ("voorzorg", 15)]
MUNICIPALITIES = [
    "GM0546",
    "GM0547",
    "GM0579",
    "GM0537",
    "GM0575",
    "GM0484",
    "GM0553",
    "GM0534",
    "GM1525",
    "GM0626",
    "GM0638",
    "GM1884",
    "GM0569",
]


def valid_bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, [*digits, last]))


def seed(*, region, organisations) -> None:
    providers = list(Organisation.objects.filter(region=region, type="vvt").order_by("name"))
    if not providers or Registration.objects.filter(provider__in=providers).exists():
        return
    rng = random.Random(4)  # noqa: S311 - demo data
    locations = list(Location.objects.filter(organisation__in=providers).order_by("name"))
    rows: dict[int, list[list[str]]] = {p.pk: [] for p in providers}
    today = timezone.localdate()
    for n in range(CLIENTS):
        person = _person(rng, n, locations, today)
        first, second = rng.sample(providers, 2)
        rows[first.pk].append(_row(person, f"K{n:05d}"))
        if rng.random() < SECOND_PROVIDER_SHARE:
            rows[second.pk].append(_row(person, f"W{n:05d}"))
        elif rng.random() < NEAR_DUPLICATE_SHARE / (1 - SECOND_PROVIDER_SHARE):
            rows[second.pk].append(_row(_near_duplicate(person, rng), f"W{n:05d}"))
    with transaction.atomic():
        for provider in providers:
            registrations.import_registrations(
                user=None,
                provider=provider,
                source=_csv(rows[provider.pk]),
                name=f"demo-{provider.pk}.csv",
            )
        _history(providers, rng, today)
        duplicates.refresh_candidates()
        _dossierhouders(providers, rng)
        _crisis_admissions(organisations, rng)


def _person(rng, n, locations, today) -> dict:
    profile, group = _weighted(rng, [((p, g), w) for p, g, w in PROFILES])
    birth = date(rng.randint(1924, 1950), rng.randint(1, 12), rng.randint(1, 28))
    municipality = rng.choice(MUNICIPALITIES)
    preferred = rng.sample(locations, k=min(len(locations), rng.choice([1, 2, 2, 3])))
    indication = today - timedelta(days=rng.randint(10, 900))
    return {
        "bsn": valid_bsn(rng),
        "achternaam": rng.choice(SURNAMES),
        "voorletters": f"{rng.choice('ABCDEGHJKLMPRSTW')}.{rng.choice(['', 'M.', 'J.', 'C.'])}",
        "geboortedatum": birth.isoformat(),
        "geslacht": rng.choice(["v", "v", "v", "m"]),
        "postcode": f"{rng.randint(2150, 2470)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
        f"{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}",
        "woongemeente": municipality,
        "zorgprofiel": profile,
        "doelgroep": group,
        "wachtstatus": _weighted(rng, STATUSES),
        "statusdatum": (indication + timedelta(days=rng.randint(0, 30))).isoformat(),
        "indicatiedatum": indication.isoformat(),
        "voorkeuren": [loc.name for loc in preferred],
    }


def _near_duplicate(person: dict, rng) -> dict:
    """The same person as another provider typed them in, without the BSN."""
    twin = dict(person, bsn="")
    born = date.fromisoformat(person["geboortedatum"])
    if rng.random() < 0.5 and born.day <= 12:
        twin["geboortedatum"] = born.replace(month=born.day, day=born.month).isoformat()
    else:
        name = person["achternaam"]
        i = rng.randint(1, len(name) - 2)
        twin["achternaam"] = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return twin


def _row(person: dict, number: str) -> list[str]:
    prefs = (person["voorkeuren"] + ["", "", ""])[:3]
    return [
        number,
        person["bsn"],
        person["achternaam"],
        person["voorletters"],
        person["geboortedatum"],
        person["geslacht"],
        person["postcode"],
        person["woongemeente"],
        person["zorgprofiel"],
        person["doelgroep"],
        person["wachtstatus"],
        person["statusdatum"],
        "",
        person["indicatiedatum"],
        *prefs,
    ]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(registrations.TEMPLATE_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _history(providers, rng, today) -> None:
    """Spread inflow over the past two years and close a share as placed, for the figures."""
    tz = timezone.get_current_timezone()
    for registration in Registration.objects.filter(provider__in=providers):
        created = datetime.combine(registration.indication_date, time(9), tz)
        registration.created_at = created
        if rng.random() < 0.15:
            registration.state = RegistrationState.GEPLAATST
            registration.closed_at = created + timedelta(days=rng.randint(20, 200))
            if registration.closed_at.date() > today:
                registration.closed_at = datetime.combine(today, time(9), tz)
        registration.save(update_fields=["created_at", "state", "closed_at"])


def _weighted(rng, options):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _dossierhouders(providers, rng) -> None:
    """The care office named the first registering provider for nine clients in ten."""
    from regiotafel.waitlist.models import Client

    now = timezone.now()
    waiting = Client.objects.filter(
        merged_into__isnull=True,
        registrations__provider__in=providers,
        registrations__state=RegistrationState.OPEN,
    ).distinct()
    for client in waiting.order_by("pk"):
        first = client.registrations.filter(state=RegistrationState.OPEN).order_by("pk").first()
        if first is not None and rng.random() < 0.9:
            Client.objects.filter(pk=client.pk).update(
                dossierhouder_id=first.provider_id,
                dossierhouder_since=now - timedelta(days=rng.randint(1, 90)),
            )


def _crisis_admissions(organisations, rng) -> None:
    """Clients admitted to Rijnhof's Wlz crisis beds 16, 12 and 2 days ago, through the real
    admission hook (``onward.on_admission``), then the scheduler's deadline check."""
    from regiotafel.capacity.models import (
        Bed,
        BedStatus,
        Case,
        CaseState,
        Claim,
        ClaimState,
    )
    from regiotafel.core.models import User
    from regiotafel.waitlist import onward
    from regiotafel.waitlist.models import Client

    provider = organisations.get("Rijnhof Ouderenzorg")
    gp = organisations.get("Huisartsenpost De LIMES")
    referrer = User.objects.filter(username="verwijzer").first()
    planner = User.objects.filter(username="planner").first()
    if provider is None or gp is None or referrer is None:
        return
    # Occupied crisis beds without a case on them: the demo day filled them before it began.
    beds = list(
        Bed.objects.filter(
            bed_type__code=onward.CRISIS_BED_TYPE,
            status=BedStatus.BEZET,
            location__organisation=provider,
        )
        .exclude(pk__in=Case.objects.exclude(placed_bed=None).values("placed_bed"))
        .order_by("label")[:3]
    )
    now = timezone.now()
    waiting = [
        c
        for c in Client.objects.filter(
            merged_into__isnull=True,
            dossierhouder__isnull=False,  # the dossierhouder is warned too
            registrations__provider=provider,
            registrations__state=RegistrationState.OPEN,
        )
        .distinct()
        .order_by("pk")
    ]
    rng.shuffle(waiting)
    for index, (bed, days) in enumerate(zip(beds, (16, 12, 2), strict=False)):
        admitted = now - timedelta(days=days)
        client = next((c for c in waiting if onward.match_client(_as_case(c)) == c), None)
        if client is None or index == 2:  # the third: a person not on the list yet
            person = SimpleNamespace(
                initials="Z.",
                birth_year=1931,
                gender="v",
                municipality_id=bed.location.municipality_id,
            )
        else:
            waiting.remove(client)
            person = _as_case(client)
        case = Case.objects.create(
            reference=f"{admitted:%Y}-DP{index + 1:04d}",
            referrer_organisation=gp,
            created_by=referrer,
            initials=person.initials or "Z.",
            birth_year=person.birth_year,
            gender=person.gender or "v",
            municipality_id=person.municipality_id,
            care_need="Demo: thuis onhoudbaar geworden, Wlz-indicatie aanwezig.",
            urgency="spoed",
            bed_type=bed.bed_type,
            target_group=bed.target_group,
            state=CaseState.GEPLAATST,
            registered_at=admitted - timedelta(hours=3),
            placed_at=admitted,
            closed_at=admitted,
            placed_bed=bed,
            outcome="regio",
        )
        Claim.objects.create(
            bed=bed,
            case=case,
            organisation=gp,
            claimed_by=referrer,
            created_at=admitted - timedelta(hours=2),
            expires_at=admitted,
            state=ClaimState.BEVESTIGD,
            decided_at=admitted,
            decided_by=planner,
        )
        onward.on_admission(case=case, bed=bed, user=None, now=admitted)
    onward.check_deadlines(now=now)


def _as_case(client) -> SimpleNamespace:
    """What a case knows of a person: initials, birth year, gender and municipality."""
    first = client.registrations.filter(state=RegistrationState.OPEN).order_by("pk").first()
    return SimpleNamespace(
        initials=client.initials,
        birth_year=client.birth_date.year,
        gender=client.gender,
        municipality_id=first.municipality_id,
    )
