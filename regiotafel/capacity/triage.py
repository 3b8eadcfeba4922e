"""Crisis triage by the regional registration point (RAP), as seed 004 describes it.

- Verwijzers arrange an ELV bed themselves; a **Wlz crisis** admission (and a bed type a
  region marks ``requires_triage``) goes through the RAP: "het RAP ondersteunt bij het
  triageproces e/o de casusbeoordeling v.w.b. Wlz-crisis". Such a bed is claimed only by a
  triagist of a registration point (action ``crisisbed.reserveren``), for a case handed to
  that registration point, after a recorded crisis assessment (:func:`check_claim`, called by
  ``claims.reserve`` and ``claims.link_case``). No holds without a case on these beds.
- The triagist assesses the case with the region's **instrument** (:class:`TriageQuestion`,
  kept in the admin site): the answers suggest a bed type and an urgency (:func:`suggest`),
  and are stored with the case (:class:`TriageAssessment`, :func:`assess`) with one of three
  outcomes: *crisisopname geïndiceerd* (the RAP keeps the case and claims a bed), *advies*
  ("als er geen crisisopname geïndiceerd is, adviseert de RAP-triagist de verwijzer over
  mogelijke vervolgstappen": the case closes with the advice and goes back to the
  referrer), *ELV/andere route* (back to the referrer, who arranges it).
- A triagist registers a **phoned-in case** for a named referring organisation
  (:func:`check_phone_registration`; ``cases.register_case(on_behalf_of=…)``).
- **Earlier cases** of the same person ("raadplegen bij terugkerende casuïstiek"):
  :func:`earlier_cases`, matched on initials, year of birth, gender and municipality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.capacity.models import (
    AnswerKind,
    Bed,
    BedType,
    Case,
    CaseOutcome,
    CaseState,
    TriageAssessment,
    TriageOutcome,
    TriageQuestion,
    Urgency,
)
from regiotafel.core import audit, permissions
from regiotafel.core.models import Organisation, OrganisationType, Role, User

# Most urgent first: the suggestion takes the most urgent urgency any answer points to.
URGENCY_RANK = {
    Urgency.SPOED: 0,
    Urgency.ZELFDE_DAG: 1,
    Urgency.VANDAAG: 2,
    Urgency.PLANBAAR: 3,
}
TRIAGE_STATES = {CaseState.AANGEMELD, CaseState.IN_TRIAGE, CaseState.PLAATS_GEZOCHT}


# ---------------------------------------------------------------- who may claim


def may_claim(user: User, bed_type: BedType) -> bool:
    """May this user reserve a bed of this type at all (the board's "Reserveer")?"""
    if bed_type.requires_triage:
        return permissions.can(user, "crisisbed.reserveren")
    return permissions.can(user, "bed.reserveren")


def may_claim_for(user: User, case: Case) -> bool:
    """May this user claim a bed of the case's type for it now (offers on the case page)?"""
    if not may_claim(user, case.bed_type):
        return False
    return not case.bed_type.requires_triage or crisis_assessment(case) is not None


def triage_only_codes(region_id: int | None) -> set[str]:
    """Codes of the bed types of a region (and the national ones) that need triage."""
    types = BedType.objects.filter(requires_triage=True)
    if region_id is not None:
        types = types.filter(Q(region__isnull=True) | Q(region_id=region_id))
    return set(types.values_list("code", flat=True))


def crisis_assessment(case: Case) -> TriageAssessment | None:
    """The case's last assessment, if it indicated a crisis admission."""
    last = case.assessments.order_by("-at", "-pk").first()
    return last if last is not None and last.outcome == TriageOutcome.CRISISOPNAME else None


def check_claim(
    *, user: User, organisation: Organisation | None, bed: Bed, case: Case | None
) -> None:
    """Refuse a claim on a triage-only bed unless a triagist of the case's registration point
    claims it for a case with a recorded crisis assessment. Nothing to check otherwise."""
    bed_type = bed.bed_type
    if not bed_type.requires_triage:
        return
    if not permissions.can(user, "crisisbed.reserveren", bed):
        raise errors.PermissionDenied(
            _(
                "Een bed van het type %(type)s reserveert alleen een triagist van het "
                "aanmeldpunt, na een crisisbeoordeling. Draag de casus over aan het aanmeldpunt."
            )
            % {"type": bed_type.name},
            code="alleen-via-triage",
        )
    if case is None:
        raise errors.Conflict(
            _(
                "Een bed van het type %(type)s wordt alleen voor een casus gereserveerd, niet "
                "vastgehouden zonder casus. Kies eerst de casus."
            )
            % {"type": bed_type.name},
            code="triage-casus-verplicht",
        )
    if organisation is None or case.handled_by_id != organisation.pk:
        raise errors.Conflict(
            _(
                "Casus %(ref)s is niet overgedragen aan uw aanmeldpunt; alleen het aanmeldpunt "
                "dat de casus behandelt reserveert een bed van het type %(type)s."
            )
            % {"ref": case.reference, "type": bed_type.name},
            code="casus-niet-bij-aanmeldpunt",
        )
    if crisis_assessment(case) is None:
        raise errors.Conflict(
            _(
                "Voor casus %(ref)s is nog geen crisisopname geïndiceerd. Leg eerst de "
                "crisisbeoordeling vast (triage), dan kunt u een bed van het type %(type)s "
                "reserveren."
            )
            % {"ref": case.reference, "type": bed_type.name},
            code="crisisbeoordeling-ontbreekt",
        )


# ---------------------------------------------------------------- the instrument


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    points: int = 0
    bed_type: str = ""  # code
    urgency: str = ""


@dataclass
class Suggestion:
    score: int
    bed_type: str  # code
    urgency: str
    points: dict[str, int] = field(default_factory=dict)  # bed type code -> points
    reasons: list[str] = field(default_factory=list)  # the questions that pointed somewhere


def options_of(question: TriageQuestion) -> list[Option]:
    if question.kind == AnswerKind.JA_NEE:
        yes_type = question.yes_bed_type.code if question.yes_bed_type_id else ""
        return [
            Option("ja", _("ja"), question.yes_points, yes_type, question.yes_urgency),
            Option("nee", _("nee")),
        ]
    return [
        Option(
            str(i),
            str(o.get("label", "")),
            int(o.get("punten") or 0),
            str(o.get("beddentype") or ""),
            str(o.get("urgentie") or ""),
        )
        for i, o in enumerate(question.options or [])
        if isinstance(o, dict)
    ]


def option_problems(options) -> list[str]:
    """What is wrong with a choice question's options (for the admin form)."""
    if not isinstance(options, list) or not options:
        return [_("Geef een lijst met minstens één keuze.")]
    problems = []
    codes = set(BedType.objects.values_list("code", flat=True))
    for i, option in enumerate(options, start=1):
        if not isinstance(option, dict) or not str(option.get("label", "")).strip():
            problems.append(_("Keuze %(n)s heeft geen label.") % {"n": i})
            continue
        points = option.get("punten", 0)
        if not isinstance(points, int) or points < 0:
            problems.append(_("Keuze %(n)s: punten moet een geheel getal ≥ 0 zijn.") % {"n": i})
        if option.get("beddentype") and option["beddentype"] not in codes:
            problems.append(_("Keuze %(n)s: onbekend beddentype.") % {"n": i})
        if option.get("urgentie") and option["urgentie"] not in Urgency.values:
            problems.append(_("Keuze %(n)s: onbekende urgentie.") % {"n": i})
    return problems


def suggest(
    questions: list[TriageQuestion],
    answers: dict[str, str],
    *,
    default_bed_type: str,
    default_urgency: str,
) -> Suggestion:
    """What the answers point to. Pure: no database beyond the questions' own bed types.

    Every chosen option adds its points to its bed type; the bed type with the most points is
    suggested (the earliest question wins a tie; no points at all: the case's own type). The
    urgency is the most urgent one any chosen option names (none: the case's own). The score
    is the sum of all points.
    """
    points: dict[str, int] = {}
    urgencies: list[str] = []
    reasons: list[str] = []
    score = 0
    for question in questions:
        value = answers.get(str(question.pk))
        chosen = next((o for o in options_of(question) if o.value == value), None)
        if chosen is None:
            continue
        score += chosen.points
        if chosen.bed_type and chosen.points:
            points[chosen.bed_type] = points.get(chosen.bed_type, 0) + chosen.points
        if chosen.urgency:
            urgencies.append(chosen.urgency)
        if chosen.points or chosen.urgency:
            reasons.append(question.text)
    bed_type = default_bed_type
    if points:
        best = max(points.values())
        bed_type = next(code for code, n in points.items() if n == best)  # insertion order
    urgency = min(urgencies, key=lambda u: URGENCY_RANK.get(u, 99)) if urgencies else ""
    return Suggestion(score, bed_type, urgency or default_urgency, points, reasons)


def questions_for(case: Case) -> list[TriageQuestion]:
    """The region's active questions for this case: general ones and its bed type's."""
    return list(
        TriageQuestion.objects.filter(region_id=case.municipality.region_id, active=True)
        .filter(Q(bed_type__isnull=True) | Q(bed_type_id=case.bed_type_id))
        .select_related("yes_bed_type")
        .order_by("order", "pk")
    )


def _region_bed_type(case: Case, code: str) -> BedType | None:
    region_id = case.municipality.region_id
    return (
        BedType.objects.filter(code=code)
        .filter(Q(region__isnull=True) | Q(region_id=region_id))
        .order_by(F("region_id").desc(nulls_last=True))  # the region's own type first
        .first()
    )


# ---------------------------------------------------------------- recording an assessment


@transaction.atomic
def assess(
    *,
    user: User,
    organisation: Organisation | None,
    case: Case,
    answers: dict[str, str],
    outcome: str,
    advice: str = "",
    bed_type: str = "",
    urgency: str = "",
) -> TriageAssessment:
    """Record the triagist's assessment and act on its outcome.

    - *crisisopname*: the case gets the chosen bed type and urgency, stays with the
      registration point and is *plaats gezocht*; the triagist can now claim a crisis bed.
    - *advies*: advice text required; the case closes (*advies gegeven*, outcome ``advies``)
      and goes back to the referrer, whose referrers are told.
    - *andere route* (ELV or other): back to the referrer, *plaats gezocht*, with the chosen
      bed type; the advice text, if any, is shown to them too.
    """
    from regiotafel.capacity import cases

    permissions.check(user, "casus.trieren", case)
    given = case
    case = Case.objects.select_related("municipality", "bed_type", "referrer_organisation").get(
        pk=case.pk
    )
    if organisation is None or case.handled_by_id != organisation.pk:
        raise errors.Conflict(
            _("Casus %(ref)s is niet overgedragen aan uw aanmeldpunt.") % {"ref": case.reference},
            code="casus-niet-bij-aanmeldpunt",
        )
    if case.state not in TRIAGE_STATES:
        raise errors.Conflict(
            _("Casus %(ref)s is %(state)s; triage kan alleen bij een open casus zonder bed.")
            % {"ref": case.reference, "state": case.get_state_display()},
            code="overgang-niet-toegestaan",
        )
    questions = questions_for(case)
    problems: list[errors.FieldError] = []
    stored: dict[str, dict] = {}
    for question in questions:
        key = str(question.pk)
        value = str(answers.get(key) or "")
        chosen = next((o for o in options_of(question) if o.value == value), None)
        if chosen is None:
            problems.append(errors.FieldError(f"vraag_{key}", _("Beantwoord deze vraag.")))
            continue
        stored[key] = {"vraag": question.text, "antwoord": value, "label": chosen.label}
    advice = (advice or "").strip()
    if outcome not in TriageOutcome.values:
        problems.append(errors.FieldError("uitkomst", _("Kies een uitkomst.")))
    elif outcome == TriageOutcome.ADVIES and not advice:
        problems.append(errors.FieldError("advies", _("Schrijf het advies voor de verwijzer.")))
    if urgency and urgency not in Urgency.values:
        problems.append(errors.FieldError("urgentie", _("Kies een bestaande urgentie.")))
    chosen_type = _region_bed_type(case, bed_type) if bed_type else None
    if bed_type and chosen_type is None:
        problems.append(errors.FieldError("beddentype", _("Kies een bestaand beddentype.")))
    if problems:
        raise errors.InvalidInput(
            _("De triage is niet compleet; er is niets opgeslagen."),
            code="triage-onvolledig",
            errors=problems,
        )
    suggestion = suggest(
        questions, answers, default_bed_type=case.bed_type.code, default_urgency=case.urgency
    )
    suggested_type = _region_bed_type(case, suggestion.bed_type)
    now = timezone.now()
    assessment = TriageAssessment.objects.create(
        case=case,
        by=user,
        organisation=organisation,
        at=now,
        answers=stored,
        score=suggestion.score,
        suggested_bed_type=suggested_type,
        suggested_urgency=suggestion.urgency,
        outcome=outcome,
        advice=advice,
    )
    new_type = chosen_type or suggested_type or case.bed_type
    new_urgency = urgency or suggestion.urgency or case.urgency
    if outcome != TriageOutcome.ADVIES and (
        new_type.pk != case.bed_type_id or new_urgency != case.urgency
    ):
        audit.update(Case.objects.filter(pk=case.pk), bed_type=new_type, urgency=new_urgency)
        case.refresh_from_db()
    label = TriageOutcome(outcome).label
    if outcome == TriageOutcome.CRISISOPNAME:
        cases.move(
            case,
            CaseState.PLAATS_GEZOCHT,
            user=user,
            organisation=organisation,
            reason=_("triage: %(outcome)s (%(type)s)") % {"outcome": label, "type": new_type},
            new_owner=organisation if case.current_owner_id != organisation.pk else None,
            now=now,
        )
    elif outcome == TriageOutcome.ADVIES:
        cases.move(
            case,
            CaseState.ADVIES,
            user=user,
            organisation=organisation,
            reason=_("triage: advies aan de verwijzer"),
            new_owner=case.referrer_organisation,
            outcome=CaseOutcome.ADVIES,
            now=now,
        )
    else:
        cases.move(
            case,
            CaseState.PLAATS_GEZOCHT,
            user=user,
            organisation=organisation,
            reason=_("triage: %(outcome)s (%(type)s)") % {"outcome": label, "type": new_type},
            new_owner=case.referrer_organisation,
            now=now,
        )
    if outcome in (TriageOutcome.ADVIES, TriageOutcome.ANDERE_ROUTE):
        _tell_referrer(case, outcome, user=user)
    given.refresh_from_db()  # the caller's object shows the new state
    return assessment


def _tell_referrer(case: Case, outcome: str, *, user: User) -> None:
    from regiotafel.notifications import notify

    if outcome == TriageOutcome.ADVIES:
        text = _(
            "Het aanmeldpunt heeft casus %(ref)s beoordeeld: geen crisisopname. Lees het advies "
            "bij de casus."
        )
    else:
        text = _(
            "Het aanmeldpunt heeft casus %(ref)s beoordeeld: geen crisisopname, maar ELV of een "
            "andere route. De casus is terug bij u."
        )
    notify.send(
        "casus.advies",
        subject=case,
        text=text % {"ref": case.reference},
        url=reverse("capacity:case", kwargs={"reference": case.reference}),
        organisations=[case.referrer_organisation],
        roles=[Role.VERWIJZER],
        actor=user,
    )


def tell_triagists_of_hand_over(case: Case, point: Organisation, *, user: User) -> None:
    """Hand-over to the RAP: its triagists are told (event ``casus.overgedragen``)."""
    from regiotafel.notifications import notify

    notify.send(
        "casus.overgedragen",
        subject=case,
        text=_("Casus %(ref)s (%(urgency)s, %(type)s) is overgedragen aan %(point)s.")
        % {
            "ref": case.reference,
            "urgency": case.get_urgency_display(),
            "type": case.bed_type.name,
            "point": point.name,
        },
        url=reverse("capacity:case-triage", kwargs={"reference": case.reference}),
        organisations=[point],
        roles=[Role.TRIAGIST],
        actor=user,
    )


# ---------------------------------------------------------------- phoned-in cases


def registration_points_of(user: User) -> QuerySet[Organisation]:
    """The registration points where this user (as acting now) is a triagist."""
    from regiotafel.core.acting import memberships_of

    ids = {
        m.organisation_id
        for m in memberships_of(user)
        if m.role == Role.TRIAGIST and m.organisation.type == OrganisationType.AANMELDPUNT
    }
    return Organisation.objects.filter(pk__in=ids)


def referrer_choices(point: Organisation) -> QuerySet[Organisation]:
    """Organisations a registration point may register a phoned-in case for: the active
    organisations of its region other than registration points."""
    return (
        Organisation.objects.filter(region_id=point.region_id, active=True)
        .exclude(type=OrganisationType.AANMELDPUNT)
        .order_by("name")
    )


def check_phone_registration(
    *, user: User, organisation: Organisation, on_behalf_of: Organisation
) -> None:
    """A triagist of ``organisation`` (a registration point) registers for ``on_behalf_of``."""
    permissions.check(user, "casus.telefonisch_aanmelden", on_behalf_of)
    if organisation.type != OrganisationType.AANMELDPUNT or not (
        registration_points_of(user).filter(pk=organisation.pk).exists()
    ):
        raise errors.PermissionDenied(
            _("Alleen een triagist van het aanmeldpunt meldt een casus aan namens een verwijzer."),
            code="geen-toegang",
        )
    if (
        on_behalf_of.type == OrganisationType.AANMELDPUNT
        or not on_behalf_of.active
        or on_behalf_of.region_id != organisation.region_id
    ):
        raise errors.InvalidInput(
            _("Kies een verwijzende organisatie uit de regio van het aanmeldpunt."),
            code="verwijzer-ongeldig",
            errors=[errors.FieldError("namens", _("Kies een organisatie uit de lijst."))],
        )


# ---------------------------------------------------------------- earlier cases


def initials_key(initials: str) -> str:
    """'j.a.', 'J. A.' and 'JA' are the same initials."""
    return re.sub(r"[^A-Z]", "", (initials or "").upper())


@dataclass(frozen=True)
class EarlierCase:
    case: Case
    openable: bool  # the user may open the case itself (casus.bekijken)


def earlier_cases(user: User, case: Case, *, limit: int = 20) -> list[EarlierCase]:
    """Earlier cases of the same person: same initials, year of birth, gender and
    municipality; only those the user may see (``casus.bekijken``) and, for triagists of a
    registration point, the region's (``casus.eerdere_bekijken``). The read is logged."""
    same = Case.objects.filter(
        birth_year=case.birth_year,
        gender=case.gender,
        municipality_id=case.municipality_id,
        registered_at__lte=case.registered_at,
    ).exclude(pk=case.pk)
    seen = set(permissions.visible(user, "casus.bekijken", same).values_list("pk", flat=True))
    regional = set(
        permissions.visible(user, "casus.eerdere_bekijken", same).values_list("pk", flat=True)
    )
    key = initials_key(case.initials)
    found = [
        c
        for c in Case.objects.filter(pk__in=seen | regional)
        .select_related("bed_type", "referrer_organisation")
        .order_by("-registered_at")
        if initials_key(c.initials) == key
    ][:limit]
    if found:
        audit.record_reads(found, detail={"pagina": "eerdere casussen", "casus": case.reference})
    return [EarlierCase(c, c.pk in seen) for c in found]
