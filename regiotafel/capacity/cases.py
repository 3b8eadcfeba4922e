"""Referral cases: registration, the state machine, handing over to the registration point."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.capacity.models import (
    DEFAULT_NORM_HOURS,
    FINAL_STATES,
    BedType,
    CapacitySettings,
    Case,
    CaseOutcome,
    CaseState,
    CaseTransition,
    Gender,
    PlacementNorm,
    TargetGroup,
    Urgency,
)
from regiotafel.core import audit, permissions
from regiotafel.core.acting import memberships_of
from regiotafel.core.models import Municipality, Organisation, OrganisationType, Role, User

S = CaseState
# Transitions a person may choose. Reserving a bed and placing happen through claims.
MANUAL_TRANSITIONS: dict[str, set[str]] = {
    S.AANGEMELD: {S.IN_TRIAGE, S.PLAATS_GEZOCHT, S.AFGEWEZEN, S.GEANNULEERD, S.DOORVERWEZEN},
    S.IN_TRIAGE: {S.PLAATS_GEZOCHT, S.AFGEWEZEN, S.GEANNULEERD, S.DOORVERWEZEN},
    S.PLAATS_GEZOCHT: {S.AFGEWEZEN, S.GEANNULEERD, S.DOORVERWEZEN},
    S.BED_GERESERVEERD: {S.GEANNULEERD},
}
# Transitions that follow from a claim (reserve, confirm, decline, expire, withdraw).
CLAIM_TRANSITIONS: dict[str, set[str]] = {
    S.AANGEMELD: {S.BED_GERESERVEERD},
    S.IN_TRIAGE: {S.BED_GERESERVEERD},
    S.PLAATS_GEZOCHT: {S.BED_GERESERVEERD},
    S.BED_GERESERVEERD: {S.GEPLAATST, S.PLAATS_GEZOCHT},
}
NEEDS_REASON = {S.AFGEWEZEN, S.GEANNULEERD, S.DOORVERWEZEN}
CASE_ROLES = {Role.VERWIJZER, Role.TRIAGIST, Role.CAPACITEITSBEHEERDER}
DEFAULT_TARGET_HOURS = CapacitySettings._meta.get_field("placement_target_hours").default
URGENCY_ORDER = {Urgency.SPOED: 0, Urgency.ZELFDE_DAG: 1, Urgency.VANDAAG: 2, Urgency.PLANBAAR: 3}


def norm_hours(region_id: int, urgency: str, bed_type_id: int | None, norms=None) -> int:
    """The region's placement norm for this urgency and bed type.

    The region's norm for the bed type, else its norm for the urgency, else the default
    (spoed 4, zelfde dag 12, binnen 24 uur 24, planbaar 72 hours). ``norms``: the region's
    :class:`PlacementNorm` rows, when the caller already loaded them (lists of cases).
    """
    if norms is None:
        norms = PlacementNorm.objects.filter(region_id=region_id, urgency=urgency)
    by_type = general = None
    for norm in norms:
        if norm.region_id != region_id or norm.urgency != urgency:
            continue
        if norm.bed_type_id is None:
            general = norm.hours
        elif norm.bed_type_id == bed_type_id:
            by_type = norm.hours
    if by_type is not None:
        return by_type
    if general is not None:
        return general
    return DEFAULT_NORM_HOURS.get(urgency, DEFAULT_TARGET_HOURS)


def target_hours(case: Case) -> int:
    """The placement norm for this case: its region's, per urgency and bed type."""
    cached = getattr(case, "_norm_hours", None)
    if cached is not None:
        return cached
    return norm_hours(case.municipality.region_id, case.urgency, case.bed_type_id)


def within_target(case: Case) -> bool | None:
    """Placed within the norm for its urgency (and bed type)? None while not placed."""
    if case.placed_at is None:
        return None
    return case.hours_to_placement() <= target_hours(case)


def annotate_norms(case_list) -> list[Case]:
    """Give every case of a list its norm with one query (``target_hours`` then uses it)."""
    case_list = list(case_list)
    region_ids = {c.municipality.region_id for c in case_list}
    norms = list(PlacementNorm.objects.filter(region_id__in=region_ids))
    for case in case_list:
        case._norm_hours = norm_hours(
            case.municipality.region_id, case.urgency, case.bed_type_id, norms
        )
        case.norm_hours = case._norm_hours
        case.norm_met = within_target(case)
    return case_list


def visible_cases(user: User) -> QuerySet[Case]:
    """The cases this user may see: the 'casus.bekijken' policy as a queryset."""
    return permissions.visible(user, "casus.bekijken", Case)


def new_reference(now: datetime) -> str:
    return f"{now:%Y}-{secrets.token_hex(3).upper()}"


@transaction.atomic
def register_case(
    *,
    user: User,
    organisation: Organisation,
    data: dict,
    on_behalf_of: Organisation | None = None,
) -> Case:
    """Register a referral for the referrer's organisation; all fields are checked first.

    ``on_behalf_of``: a triagist of the registration point ``organisation`` registers a case
    that was phoned in, for that referring organisation (which then owns and sees it as its
    own). The registration point handles the case from the start (*in triage*).
    """
    if on_behalf_of is not None:
        from regiotafel.capacity import triage

        triage.check_phone_registration(
            user=user, organisation=organisation, on_behalf_of=on_behalf_of
        )
    else:
        permissions.check(user, "casus.aanmelden", organisation)
    fields = _validated_case_fields(data)
    now = timezone.now()
    phoned_in = on_behalf_of is not None
    case = Case.objects.create(
        reference=new_reference(now),
        referrer_organisation=on_behalf_of or organisation,
        handled_by=organisation if phoned_in else None,
        owner=organisation if phoned_in else None,
        phoned_in=phoned_in,
        state=S.IN_TRIAGE if phoned_in else S.AANGEMELD,
        created_by=user,
        registered_at=now,
        **fields,
    )
    CaseTransition.objects.create(
        case=case,
        to_state=case.state,
        at=now,
        by=user,
        organisation=organisation,
        new_owner=organisation if phoned_in else None,
        reason=(
            _("telefonisch aangemeld door %(point)s namens %(org)s")
            % {"point": organisation, "org": on_behalf_of}
            if phoned_in
            else ""
        ),
    )
    if phoned_in:
        _tell_referrer_of_phoned_in(case, organisation, user=user)
    return case


def _tell_referrer_of_phoned_in(case: Case, point: Organisation, *, user: User) -> None:
    """The referring organisation named on a phoned-in case is told it now has this case."""
    from django.urls import reverse

    from regiotafel.notifications import notify

    notify.send(
        "casus.telefonisch",
        subject=case,
        text=_(
            "%(point)s heeft casus %(ref)s (%(urgency)s, %(type)s) telefonisch namens uw "
            "organisatie aangemeld; het aanmeldpunt doet de triage."
        )
        % {
            "point": point.name,
            "ref": case.reference,
            "urgency": case.get_urgency_display(),
            "type": case.bed_type.name,
        },
        url=reverse("capacity:case", kwargs={"reference": case.reference}),
        organisations=[case.referrer_organisation_id],
        roles=[Role.VERWIJZER],
        actor=user,
    )


def _validated_case_fields(data: dict) -> dict:
    problems: list[errors.FieldError] = []

    def need(field: str, message: str) -> None:
        problems.append(errors.FieldError(field, message))

    initials = (data.get("initialen") or "").strip()
    if not initials:
        need("initialen", _("Vul de initialen in."))
    elif len(initials) > 10:
        need("initialen", _("Gebruik hooguit 10 tekens."))
    year = data.get("geboortejaar")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 120 <= year <= this_year:
        need(
            "geboortejaar",
            _("Geef een geboortejaar tussen %(a)s en %(b)s.")
            % {"a": this_year - 120, "b": this_year},
        )
    gender = data.get("geslacht")
    if gender not in Gender.values:
        need("geslacht", _("Kies v, m, x of o."))
    municipality = Municipality.objects.filter(cbs_code=data.get("gemeente") or "").first()
    if municipality is None:
        need("gemeente", _("Kies een bestaande gemeente (CBS-code)."))
    care_need = (data.get("zorgvraag") or "").strip()
    if not care_need:
        need("zorgvraag", _("Beschrijf de zorgvraag."))
    urgency = data.get("urgentie")
    if urgency not in Urgency.values:
        need("urgentie", _("Kies spoed, zelfde_dag, vandaag of planbaar."))
    bed_type = BedType.objects.filter(code=data.get("beddentype") or "").first()
    if bed_type is None:
        need("beddentype", _("Kies een bestaand beddentype."))
    target_group = data.get("doelgroep")
    if target_group not in TargetGroup.values:
        need("doelgroep", _("Kies somatisch of pg."))
    if problems:
        raise errors.InvalidInput(
            _("De aanmelding is niet compleet; er is niets opgeslagen."),
            code="aanmelding-onvolledig",
            errors=problems,
        )
    return {
        "initials": initials,
        "birth_year": year,
        "gender": gender,
        "municipality": municipality,
        "care_need": care_need,
        "urgency": urgency,
        "bed_type": bed_type,
        "target_group": target_group,
        "medical_summary": (data.get("medische_samenvatting") or "").strip(),
    }


def load_case(*, user: User, reference: str, action: str = "casus.bekijken") -> Case:
    """Load a case the user may see (logged as a read of personal data) and check the action."""
    case = permissions.get_for(
        user,
        "casus.bekijken",
        Case.objects.select_related(
            "municipality", "bed_type", "referrer_organisation", "handled_by"
        ),
        reference=reference,
    )
    if action != "casus.bekijken":
        permissions.check(user, action, case)
    return case


@transaction.atomic
def transition(
    *, user: User, organisation: Organisation | None, case: Case, to: str, reason: str = ""
) -> Case:
    """A transition a person chooses, checked against the state machine."""
    permissions.check(user, "casus.behandelen", case)
    if to not in CaseState.values:
        raise errors.InvalidInput(
            _("Onbekende status '%(state)s'.") % {"state": to},
            code="onbekende-status",
            errors=[
                errors.FieldError(
                    "naar",
                    _("Kies een van: %(options)s.") % {"options": ", ".join(CaseState.values)},
                )
            ],
        )
    if to not in MANUAL_TRANSITIONS.get(case.state, set()):
        raise _not_allowed(case, to)
    _require_owner(case, to, organisation)
    if to in NEEDS_REASON and not reason.strip():
        raise errors.InvalidInput(
            _("Geef een toelichting bij %(state)s.") % {"state": CaseState(to).label},
            code="toelichting-verplicht",
            errors=[errors.FieldError("reden", _("Een toelichting is verplicht."))],
        )
    if to == S.GEANNULEERD:
        from regiotafel.capacity import claims

        claims.withdraw_active_claims_of(case=case, user=user, reason=reason)
        case.refresh_from_db()
    return _move(case, to, user=user, organisation=organisation, reason=reason)


def manual_choices(case: Case, organisation: Organisation | None) -> set[str]:
    """The states this organisation may move the case to by hand (the case page's list)."""
    allowed = set(MANUAL_TRANSITIONS.get(case.state, set()))
    for to in list(allowed):
        try:
            _require_owner(case, to, organisation)
        except errors.Conflict:
            allowed.discard(to)
    return allowed


def _require_owner(case: Case, to: str, organisation: Organisation | None) -> None:
    """A case handed to the registration point is the RAP's (seed 004: "met uitzondering van
    een Wlz-crisisindicatie"): only it moves the case on; the referrer may still cancel."""
    if (
        organisation is None
        or to == S.GEANNULEERD
        or not case.handled_by_id
        or case.current_owner_id != case.handled_by_id
        or organisation.pk == case.handled_by_id
    ):
        return
    raise errors.Conflict(
        _(
            "Casus %(ref)s is overgedragen aan %(org)s; het aanmeldpunt behandelt de casus nu. "
            "U kunt de casus nog wel annuleren."
        )
        % {"ref": case.reference, "org": case.handled_by},
        code="casus-bij-aanmeldpunt",
    )


def move(
    case: Case,
    to: str,
    *,
    user: User | None,
    organisation,
    reason: str = "",
    new_owner: Organisation | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> Case:
    """A step decided by a service (triage): no state-machine check beyond "was open".

    Moving to the same state records the step (an owner change) without changing the state.
    Must run inside the caller's transaction."""
    if case.state in FINAL_STATES:
        raise _not_allowed(case, to)
    return _move(
        case,
        to,
        user=user,
        organisation=organisation,
        reason=reason,
        now=now,
        new_owner=new_owner,
        outcome=outcome,
    )


def move_by_claim(
    case: Case,
    to: str,
    *,
    user: User | None,
    organisation,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """A transition that follows from a claim. Must run inside the claim's transaction."""
    if to not in CLAIM_TRANSITIONS.get(case.state, set()):
        raise _not_allowed(case, to)
    # Admitted: the case passes on to the admitting provider (seed 004).
    new_owner = organisation if to == S.GEPLAATST and organisation is not None else None
    return _move(
        case, to, user=user, organisation=organisation, reason=reason, now=now, new_owner=new_owner
    )


def outcome_for(case: Case, to: str) -> str:
    """The outcome of a case closing in state ``to`` (CaseOutcome values are stable)."""
    if to == S.GEPLAATST:
        bed_region = (
            Case.objects.filter(pk=case.pk)
            .values_list("placed_bed__location__municipality__region_id", flat=True)
            .first()
        )
        if bed_region is not None and bed_region != case.municipality.region_id:
            return CaseOutcome.BOVENREGIONAAL
        return CaseOutcome.REGIO
    return {
        S.DOORVERWEZEN: CaseOutcome.BOVENREGIONAAL,
        S.ADVIES: CaseOutcome.ADVIES,
        S.AFGEWEZEN: CaseOutcome.GEEN_BED,
        S.GEANNULEERD: CaseOutcome.GEANNULEERD,
    }.get(to, "")


def _move(
    case: Case,
    to: str,
    *,
    user,
    organisation,
    reason: str,
    now=None,
    new_owner: Organisation | None = None,
    outcome: str | None = None,
) -> Case:
    now = now or timezone.now()
    values = {
        "state": to,
        "closed_at": now if to in FINAL_STATES else None,
        "placed_at": now if to == S.GEPLAATST else case.placed_at,
        "outcome": (outcome or outcome_for(case, to)) if to in FINAL_STATES else "",
    }
    if new_owner is not None and new_owner.pk == case.current_owner_id:
        new_owner = None  # no change of owner to record
    if new_owner is not None:
        values["owner"] = new_owner
    updated = audit.update(Case.objects.filter(pk=case.pk, state=case.state), **values)
    if not updated:
        raise errors.Conflict(
            _("Casus %(ref)s is intussen door iemand anders gewijzigd; laad de pagina opnieuw.")
            % {"ref": case.reference},
            code="gelijktijdig-gewijzigd",
        )
    CaseTransition.objects.create(
        case=case,
        from_state=case.state,
        to_state=to,
        at=now,
        by=user,
        organisation=organisation,
        reason=reason,
        new_owner=new_owner,
    )
    case.refresh_from_db()
    return case


def _not_allowed(case: Case, to: str) -> errors.Conflict:
    return errors.Conflict(
        _("Casus %(ref)s kan niet van %(from)s naar %(to)s.")
        % {"ref": case.reference, "from": CaseState(case.state).label, "to": CaseState(to).label},
        code="overgang-niet-toegestaan",
    )


@transaction.atomic
def hand_over(*, user: User, case: Case, registration_point: Organisation | None = None) -> Case:
    """The referrer hands the case to the registration point of the case's region."""
    permissions.check(user, "casus.behandelen", case)
    if case.state in FINAL_STATES:
        raise _not_allowed(case, S.IN_TRIAGE)
    if case.handled_by_id:
        raise errors.Conflict(
            _("Casus %(ref)s is al overgedragen aan %(org)s.")
            % {"ref": case.reference, "org": case.handled_by},
            code="casus-al-overgedragen",
        )
    points = Organisation.objects.filter(
        type=OrganisationType.AANMELDPUNT, region_id=case.municipality.region_id, active=True
    )
    point = registration_point or points.first()
    if point is None or not points.filter(pk=point.pk).exists():
        raise errors.InvalidInput(
            _("Deze regio heeft geen aanmeldpunt om aan over te dragen."), code="geen-aanmeldpunt"
        )
    audit.update(Case.objects.filter(pk=case.pk), handled_by=point)
    case.handled_by = point
    _move(
        case,
        S.IN_TRIAGE if case.state == S.AANGEMELD else case.state,
        user=user,
        organisation=case.referrer_organisation,
        reason=_("overgedragen aan %(org)s") % {"org": point},
        new_owner=point,
    )
    from regiotafel.capacity import triage

    triage.tell_triagists_of_hand_over(case, point, user=user)
    return case


def triage_queue(*, user: User) -> QuerySet[Case]:
    """Open cases handed to the user's registration point(s), most urgent and oldest first."""
    orgs = {m.organisation_id for m in memberships_of(user) if m.role == Role.TRIAGIST}
    open_cases = Case.objects.filter(handled_by__in=orgs).exclude(state__in=FINAL_STATES)
    rank = SqlCase(*(When(urgency=u, then=Value(r)) for u, r in URGENCY_ORDER.items()))
    return open_cases.select_related("municipality", "bed_type", "referrer_organisation").order_by(
        rank, "registered_at"
    )
