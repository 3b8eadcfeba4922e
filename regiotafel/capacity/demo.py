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

from regiotafel.capacity import cases, claims, triage
from regiotafel.capacity.models import (
    AnswerKind,
    Bed,
    BedStatus,
    BedType,
    CapacitySettings,
    Case,
    CaseState,
    Location,
    TargetGroup,
    TriageOutcome,
    TriageQuestion,
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
        _seed_instrument(region)
        _seed_triage(organisations, now)


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


# ---------------------------------------------------------------- triage by the RAP

# (bed type the question is for or None, text, help, yes: points, bed type, urgency, demo)
# Questions 1 and 2 use seed 003's words for the Crisis Coördinatiepunt Apeldoorn ("ouderen
# met een acuut zorgprobleem of een mantelzorger die wegvalt"); the others are invented for
# the demo and marked so.
QUESTIONS = [
    (
        None,
        "Is er een acuut zorgprobleem waardoor de cliënt niet thuis kan blijven?",
        "Seed 003, Crisis Coördinatiepunt Apeldoorn: ouderen met een acuut zorgprobleem.",
        (3, "wlz-crisis", "zelfde_dag"),
        False,
    ),
    (
        None,
        "Valt de mantelzorger weg (ziekte, overbelasting, overlijden)?",
        "Seed 003: of een mantelzorger die wegvalt.",
        (3, "wlz-crisis", "zelfde_dag"),
        False,
    ),
    (
        None,
        "Is herstel verwacht na een ziekenhuisopname of ziekte (tijdelijk verblijf met "
        "behandeling)?",
        "Demovraag: wijst op eerstelijns verblijf (ELV hoog complex).",
        (3, "elv-hoog", ""),
        True,
    ),
    (
        None,
        "Is de cliënt in de palliatieve fase?",
        "Demovraag: wijst op ELV palliatief.",
        (4, "elv-palliatief", ""),
        True,
    ),
    (
        None,
        "Kan de situatie thuis met extra zorg (wijkverpleging, logeerzorg) worden overbrugd?",
        "Demovraag: geen crisisopname nodig; advies aan de verwijzer.",
        (2, "logeerzorg", "planbaar"),
        True,
    ),
    (
        None,
        "Is er direct gevaar voor de cliënt of de omgeving?",
        "Demovraag: spoed.",
        (2, "wlz-crisis", "spoed"),
        True,
    ),
]
WLZ_INDICATION = [
    {"label": "Ja, Wlz-indicatie aanwezig", "punten": 2, "beddentype": "wlz-crisis"},
    {"label": "Aangevraagd of verwacht", "punten": 1, "beddentype": "wlz-crisis"},
    {"label": "Nee", "punten": 0},
]


def _seed_instrument(region) -> None:
    if TriageQuestion.objects.filter(region=region).exists():
        return
    types = {t.code: t for t in BedType.objects.filter(region=None)}
    for order, (for_type, text, help_text, (points, kind, urgency), demo) in enumerate(
        QUESTIONS, start=1
    ):
        TriageQuestion.objects.create(
            region=region,
            bed_type=types.get(for_type) if for_type else None,
            order=order * 10,
            text=text,
            help_text=help_text,
            kind=AnswerKind.JA_NEE,
            yes_points=points,
            yes_bed_type=types[kind],
            yes_urgency=urgency,
            demo=demo,
        )
    TriageQuestion.objects.create(
        region=region,
        bed_type=types["wlz-crisis"],
        order=100,
        text="Heeft de cliënt een Wlz-indicatie?",
        help_text="Demovraag, alleen bij een gevraagd Wlz-crisisbed.",
        kind=AnswerKind.KEUZE,
        options=WLZ_INDICATION,
        demo=True,
    )


def _answers(case, yes: set[int], choice: str = "0") -> dict[str, str]:
    """Answers to the case's questions: 'ja' for the questions numbered in ``yes``."""
    answers = {}
    for number, question in enumerate(triage.questions_for(case), start=1):
        if question.kind == AnswerKind.KEUZE:
            answers[str(question.pk)] = choice
        else:
            answers[str(question.pk)] = "ja" if number in yes else "nee"
    return answers


def _crisis_data(**changes) -> dict:
    data = {
        "initialen": "H.M.",
        "geboortejaar": 1936,
        "geslacht": "v",
        "gemeente": "GM0579",
        "zorgvraag": "Mantelzorger (echtgenoot) acuut opgenomen; cliënt met dementie kan niet "
        "alleen thuis blijven.",
        "urgentie": "vandaag",
        "beddentype": "wlz-crisis",
        "doelgroep": "pg",
        "medische_samenvatting": "Demogegevens; geen echte cliënt.",
    }
    return {**data, **changes}


def _seed_triage(organisations, now) -> None:
    """Crisis cases triaged by the RAP: one placed, one with a bed reserved, one advice, one
    phoned in by a GP practice (the same person as the placed one: an earlier case)."""
    referrer = User.objects.get(username="verwijzer")
    triagist = User.objects.get(username="triagist")
    planner = User.objects.get(username="planner")
    gp = organisations["Huisartsenpost De LIMES"]
    rap = organisations["Regionaal Aanmeldpunt Zuid-Holland Noord"]
    practice = organisations["Huisartsenpraktijk Stevenshof"]
    crisis_beds = Bed.objects.filter(
        bed_type__code="wlz-crisis",
        status=BedStatus.NIET_BEZET,
        location__organisation=organisations["Rijnhof Ouderenzorg"],
    ).order_by("-target_group", "label")  # pg first
    for hours_ago, story in ((30, "placed"), (3, "reserved"), (5, "advice")):
        at = now - timedelta(hours=hours_ago)
        data = _crisis_data()
        if story == "advice":
            data = _crisis_data(
                initialen="G.B.",
                geboortejaar=1941,
                geslacht="m",
                gemeente="GM0546",
                zorgvraag="Toenemende verwardheid; partner redt het nog, maar is uitgeput.",
                urgentie="zelfde_dag",
            )
        if story == "reserved":
            data = _crisis_data(initialen="A.K.", geboortejaar=1933, gemeente="GM0547")
        bed = crisis_beds.first()
        if bed is not None and story != "advice":
            data["doelgroep"] = bed.target_group
        case = cases.register_case(user=referrer, organisation=gp, data=data)
        Case.objects.filter(pk=case.pk).update(registered_at=at)
        case.transitions.update(at=at)
        cases.hand_over(user=referrer, case=case)
        case.transitions.exclude(at=at).update(at=at + timedelta(minutes=10))
        case.refresh_from_db()
        if story == "advice":
            triage.assess(
                user=triagist,
                organisation=rap,
                case=case,
                answers=_answers(case, yes={5}, choice="2"),
                outcome=TriageOutcome.ADVIES,
                advice="Geen crisisopname nodig. Advies: logeerzorg aanvragen voor twee weken "
                "(ontlasting partner) en de casemanager dementie vandaag laten bellen. Bij "
                "verslechtering opnieuw aanmelden.",
            )
            _backdate_triage(case, at + timedelta(minutes=40))
            continue
        triage.assess(
            user=triagist,
            organisation=rap,
            case=case,
            answers=_answers(case, yes={1, 2}, choice="0"),
            outcome=TriageOutcome.CRISISOPNAME,
        )
        _backdate_triage(case, at + timedelta(minutes=30))
        if bed is None:
            continue
        claim = claims.reserve(
            user=triagist,
            organisation=rap,
            bed_id=bed.pk,
            case=case,
            now=now - timedelta(minutes=20) if story == "reserved" else at + timedelta(hours=1),
        )
        if story == "placed":
            claims.confirm(user=planner, claim_id=claim.pk, now=at + timedelta(hours=2))
    # Phoned in by the GP practice: the same person as the placed crisis case (earlier case).
    phoned = cases.register_case(
        user=triagist,
        organisation=rap,
        on_behalf_of=practice,
        data=_crisis_data(
            initialen="H.M.",
            zorgvraag="Na terugkeer thuis opnieuw onhoudbare situatie; huisarts belt het RAP.",
            urgentie="spoed",
        ),
    )
    Case.objects.filter(pk=phoned.pk).update(registered_at=now - timedelta(minutes=40))


def _backdate_triage(case, at) -> None:
    """Demo times: the assessment (and its step) happened soon after the registration."""
    case.assessments.update(at=at)
    case.transitions.filter(at__gt=at).update(at=at)
    Case.objects.filter(pk=case.pk, closed_at__isnull=False).update(closed_at=at)
