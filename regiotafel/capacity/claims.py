"""Claims on beds: reserve (for a case, or a short hold), confirm, decline, withdraw, expire.

Two people can never hold the same bed. The database decides: the claim takes the bed with a
conditional UPDATE (``... WHERE status = 'niet_bezet'``), which on PostgreSQL makes a racing
transaction wait for the row and then find nothing to update, and a partial unique index
allows one active claim per bed. The loser gets :class:`errors.Conflict` (HTTP 409).

Fair use: the region that owns a bed limits how many holds without a case one organisation
may keep on its beds at once, and how often a hold may be extended
(``CapacitySettings.max_holds_without_case_per_organisation``, ``max_hold_extensions``). The
count is taken inside the transaction that makes the hold, after locking the organisation's
row, so two concurrent holds of one organisation cannot both slip under the limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.capacity import cases, triage
from regiotafel.capacity.models import (
    Bed,
    BedStatus,
    BedStatusChange,
    CapacitySettings,
    Case,
    CaseState,
    Claim,
    ClaimDeadline,
    ClaimState,
)
from regiotafel.core import audit, permissions
from regiotafel.core.models import Organisation, User
from regiotafel.notifications import claim_events

DEFAULT_HOLD_MINUTES = CapacitySettings._meta.get_field("hold_minutes").default


def region_settings(region_id: int) -> CapacitySettings:
    """The region's capacity settings, or the defaults when it set none (not saved)."""
    found = CapacitySettings.objects.filter(region_id=region_id).first()
    return found or CapacitySettings(region_id=region_id)


def claim_minutes(bed: Bed, *, hold: bool) -> int:
    """The region's deadline for this bed type, or the short hold when there is no case yet."""
    region_id = bed.location.municipality.region_id
    if hold:
        return region_settings(region_id).hold_minutes
    own = ClaimDeadline.objects.filter(region_id=region_id, bed_type_id=bed.bed_type_id).first()
    return own.minutes if own else bed.bed_type.default_claim_minutes


def _load_bed(bed_id: int) -> Bed:
    bed = Bed.objects.select_related("location__municipality", "bed_type").filter(pk=bed_id).first()
    if bed is None:
        raise errors.NotFound(_("Bed niet gevonden."), code="bed-niet-gevonden")
    return bed


def _set_bed(
    bed: Bed,
    *,
    expect: dict,
    to: str,
    user,
    reason: str,
    now: datetime,
    held_until: datetime | None = None,
) -> bool:
    """Move a bed to a status only if it is still as expected; record the change."""
    moved = audit.update(
        Bed.objects.filter(pk=bed.pk, **expect),
        status=to,
        held_until=held_until,
        status_changed_at=now,
    )
    if moved:
        BedStatusChange.objects.create(
            bed=bed,
            from_status=expect.get("status", bed.status),
            to_status=to,
            at=now,
            by=user,
            reason=reason,
        )
    return bool(moved)


@transaction.atomic
def reserve(
    *,
    user: User,
    organisation: Organisation,
    bed_id: int,
    case: Case | None = None,
    now: datetime | None = None,
) -> Claim:
    """Claim a free bed for a case, or hold it briefly without one. 409 if it is not free."""
    now = now or timezone.now()
    permissions.check(user, "bed.reserveren")
    bed = _load_bed(bed_id)
    if case is not None:
        permissions.check(user, "casus.behandelen", case)
        refuse_second_claim(case, now=now)
        if (
            case.state not in cases.CLAIM_TRANSITIONS
            or CaseState.BED_GERESERVEERD not in cases.CLAIM_TRANSITIONS[case.state]
        ):
            raise cases._not_allowed(case, CaseState.BED_GERESERVEERD)
    triage.check_claim(user=user, organisation=organisation, bed=bed, case=case)  # RAP only
    audit.lock_chain()  # before the organisation's row lock: expiry below may write events
    release_expired_for_bed(bed, now=now)
    if case is None:
        _check_hold_limit(organisation, bed, now=now)
    deadline = now + timedelta(minutes=claim_minutes(bed, hold=case is None))
    taken = _set_bed(
        bed,
        expect={"status": BedStatus.NIET_BEZET},
        to=BedStatus.GERESERVEERD,
        user=user,
        reason=_("gereserveerd"),
        now=now,
        held_until=deadline,
    )
    if not taken:
        raise _not_free(bed)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                bed=bed,
                case=case,
                organisation=organisation,
                claimed_by=user,
                created_at=now,
                expires_at=deadline,
            )
    except IntegrityError:
        raise _not_free(bed) from None
    if case is not None:
        cases.move_by_claim(
            case,
            CaseState.BED_GERESERVEERD,
            user=user,
            organisation=organisation,
            now=now,
            reason=_("bed %(bed)s gereserveerd") % {"bed": bed},
        )
    claim_events.claimed(claim, actor=user)  # the bed's planners, at once
    return claim


def _not_free(bed: Bed) -> errors.Conflict:
    """Why the bed could not be taken: just taken by someone (bed-bezet) or not in use."""
    status = Bed.objects.filter(pk=bed.pk).values_list("status", flat=True).first()
    if status in (BedStatus.GERESERVEERD, BedStatus.BEZET, BedStatus.NIET_BEZET, None):
        # NIET_BEZET here means a racing claim won the row and rolled back or released it
        return errors.Conflict(
            _(
                "Bed %(bed)s is niet (meer) vrij: iemand anders heeft het net gereserveerd of "
                "het is bezet. Kies een ander bed."
            )
            % {"bed": bed},
            code="bed-bezet",
        )
    return errors.Conflict(
        _("Bed %(bed)s is niet beschikbaar (%(status)s). Kies een ander bed.")
        % {"bed": bed, "status": BedStatus(status).label},
        code="bed-niet-vrij",
    )


def active_claim_of(case: Case, *, now: datetime | None = None) -> Claim | None:
    """The case's claim that still holds a bed, if any."""
    now = now or timezone.now()
    return (
        Claim.objects.filter(case=case, state=ClaimState.ACTIEF, expires_at__gt=now)
        .select_related("bed__location")
        .first()
    )


def refuse_second_claim(case: Case, *, now: datetime | None = None) -> None:
    """A case holds at most one bed: a second claim says so, naming the claim it has."""
    held = active_claim_of(case, now=now)
    if held is not None:
        until = timezone.localtime(held.expires_at).strftime("%H:%M")
        raise errors.Conflict(
            _(
                "Casus %(ref)s heeft al een reservering (nummer %(claim)s) op bed %(bed)s, "
                "geldig tot %(time)s. Trek die eerst in als u een ander bed wilt."
            )
            % {"ref": case.reference, "claim": held.pk, "bed": held.bed, "time": until},
            code="casus-heeft-reservering",
        )


def _check_hold_limit(organisation: Organisation, bed: Bed, *, now: datetime) -> None:
    """Refuse a hold past the bed region's limit for holds without a case.

    The organisation's row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
    serialises writers), so a second concurrent hold of the same organisation waits here
    until the first has committed and then counts it.
    """
    region_id = bed.location.municipality.region_id
    limit = region_settings(region_id).max_holds_without_case_per_organisation
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    held = Claim.objects.filter(
        organisation=organisation,
        case__isnull=True,
        state=ClaimState.ACTIEF,
        expires_at__gt=now,
        bed__location__municipality__region_id=region_id,
    ).count()
    if held >= limit:
        region = bed.location.municipality.region
        raise errors.Conflict(
            _(
                "Uw organisatie houdt al %(held)s bed(den) in regio %(region)s vast zonder "
                "casus; deze regio staat er hoogstens %(limit)s tegelijk toe. Koppel eerst een "
                "casus aan een reservering of trek er een in."
            )
            % {"held": held, "region": region.name, "limit": limit},
            code="te-veel-reserveringen",
        )


@transaction.atomic
def extend(*, user: User, claim_id: int, now: datetime | None = None) -> Claim:
    """Give a hold without a case another hold period, as often as the bed's region allows."""
    now = now or timezone.now()
    claim = _load_claim(claim_id)
    permissions.check(user, "reservering.intrekken", claim)
    _require_active(claim, now)
    if claim.case_id:
        raise errors.Conflict(
            _(
                "Deze reservering hoort bij casus %(ref)s en loopt af op de termijn van het "
                "beddentype; alleen een reservering zonder casus kan worden verlengd."
            )
            % {"ref": claim.case.reference},
            code="reservering-heeft-casus",
        )
    settings = region_settings(claim.bed.location.municipality.region_id)
    if claim.extensions >= settings.max_hold_extensions:
        raise errors.Conflict(
            _(
                "Deze reservering is al %(done)s keer verlengd; de regio staat hoogstens "
                "%(limit)s keer verlengen toe. Koppel een casus of laat het bed los."
            )
            % {"done": claim.extensions, "limit": settings.max_hold_extensions},
            code="verlengen-niet-toegestaan",
        )
    claim.expires_at = max(claim.expires_at, now) + timedelta(minutes=settings.hold_minutes)
    claim.extensions += 1
    claim.save(update_fields=["expires_at", "extensions"])
    claim.bed.held_until = claim.expires_at
    claim.bed.save(update_fields=["held_until"])
    return claim


def _load_claim(claim_id: int, *, lock: bool = True) -> Claim:
    found = Claim.objects.select_related("bed__location__municipality", "case", "bed__bed_type")
    claim = (found.select_for_update(of=("self",)) if lock else found).filter(pk=claim_id).first()
    if claim is None:
        raise errors.NotFound(_("Reservering niet gevonden."), code="reservering-niet-gevonden")
    return claim


def _require_active(claim: Claim, now: datetime) -> None:
    if claim.state == ClaimState.ACTIEF and claim.expires_at <= now:
        at = timezone.localtime(claim.expires_at).strftime("%d-%m-%Y %H:%M")
        raise errors.Conflict(
            _("Deze reservering is verlopen op %(at)s; het bed is weer vrij voor anderen.")
            % {"at": at},
            code="reservering-verlopen",
        )
    if claim.state != ClaimState.ACTIEF:
        raise errors.Conflict(
            _("Deze reservering is al %(state)s.") % {"state": claim.get_state_display()},
            code="reservering-afgesloten",
        )


@transaction.atomic
def link_case(*, user: User, claim_id: int, case: Case, now: datetime | None = None) -> Claim:
    """Attach the case to a hold placed before it existed; the bed type's deadline applies."""
    now = now or timezone.now()
    claim = _load_claim(claim_id)
    permissions.check(user, "reservering.intrekken", claim)
    permissions.check(user, "casus.behandelen", case)
    _require_active(claim, now)
    triage.check_claim(user=user, organisation=claim.organisation, bed=claim.bed, case=case)
    if claim.case_id:
        raise errors.Conflict(
            _("Deze reservering hoort al bij casus %(ref)s.") % {"ref": claim.case.reference},
            code="reservering-heeft-casus",
        )
    refuse_second_claim(case, now=now)  # the case holds another bed: say so
    deadline = max(
        claim.expires_at, claim.created_at + timedelta(minutes=claim_minutes(claim.bed, hold=False))
    )
    audit.update(Claim.objects.filter(pk=claim.pk), case=case, expires_at=deadline)
    audit.update(Bed.objects.filter(pk=claim.bed_id), held_until=deadline)
    cases.move_by_claim(
        case,
        CaseState.BED_GERESERVEERD,
        user=user,
        organisation=claim.organisation,
        now=now,
        reason=_("bed %(bed)s gereserveerd") % {"bed": claim.bed},
    )
    claim.refresh_from_db()
    claim_events.linked(claim, actor=user)  # the planners can decide now
    return claim


@transaction.atomic
def confirm(*, user: User, claim_id: int, now: datetime | None = None) -> Claim:
    """The provider confirms the admission: the bed is occupied and the case placed."""
    now = now or timezone.now()
    claim = _load_claim(claim_id)
    permissions.check(user, "reservering.beslissen", claim.bed)
    _require_active(claim, now)
    if claim.case_id is None:
        raise errors.Conflict(
            _("Deze reservering heeft nog geen casus; koppel eerst de casus."),
            code="reservering-zonder-casus",
        )
    _decide(claim, ClaimState.BEVESTIGD, user=user, now=now)
    _set_bed(
        claim.bed,
        expect={"status": BedStatus.GERESERVEERD},
        to=BedStatus.BEZET,
        user=user,
        reason=_("opname bevestigd"),
        now=now,
    )
    audit.update(Case.objects.filter(pk=claim.case_id), placed_bed=claim.bed)
    cases.move_by_claim(
        claim.case,
        CaseState.GEPLAATST,
        user=user,
        now=now,
        organisation=claim.bed.location.organisation,
        reason=_("opgenomen op %(bed)s") % {"bed": claim.bed},
    )
    from regiotafel.waitlist import onward  # a Wlz crisis bed: onward placement (seed 003)

    onward.on_admission(case=claim.case, bed=claim.bed, user=user, now=now)
    claim_events.confirmed(claim, actor=user)
    return claim


@transaction.atomic
def decline(*, user: User, claim_id: int, reason: str, now: datetime | None = None) -> Claim:
    """The provider declines the admission, with a reason; the bed is free again."""
    now = now or timezone.now()
    if not reason.strip():
        raise errors.InvalidInput(
            _("Geef een reden voor de weigering."),
            code="reden-verplicht",
            errors=[errors.FieldError("reden", _("Verplicht."))],
        )
    if len(reason.strip()) > 200:  # Claim.decline_reason and BedStatusChange.reason
        raise errors.InvalidInput(
            _("De reden voor de weigering is te lang (hoogstens 200 tekens)."),
            code="ongeldige-invoer",
            errors=[errors.FieldError("reden", _("Hoogstens 200 tekens."))],
        )
    claim = _load_claim(claim_id)
    permissions.check(user, "reservering.beslissen", claim.bed)
    _require_active(claim, now)
    _release(claim, ClaimState.GEWEIGERD, user=user, now=now, reason=reason.strip())
    return claim


@transaction.atomic
def withdraw(*, user: User, claim_id: int, now: datetime | None = None) -> Claim:
    """The claiming organisation lets go of the bed."""
    now = now or timezone.now()
    claim = _load_claim(claim_id)
    permissions.check(user, "reservering.intrekken", claim)
    _require_active(claim, now)
    _release(claim, ClaimState.INGETROKKEN, user=user, now=now, reason=_("ingetrokken"))
    return claim


def withdraw_active_claims_of(*, case: Case, user: User, reason: str) -> None:
    now = timezone.now()
    for claim in Claim.objects.filter(case=case, state=ClaimState.ACTIEF).select_for_update():
        _decide(claim, ClaimState.INGETROKKEN, user=user, now=now)
        _set_bed(
            claim.bed,
            expect={"status": BedStatus.GERESERVEERD},
            to=BedStatus.NIET_BEZET,
            user=user,
            reason=reason or _("casus geannuleerd"),
            now=now,
        )


def _decide(claim: Claim, state: str, *, user, now: datetime, reason: str = "") -> bool:
    decided = audit.update(
        Claim.objects.filter(pk=claim.pk, state=ClaimState.ACTIEF),
        state=state,
        decided_at=now,
        decided_by=user,
        decline_reason=reason[:200],
    )
    if decided:
        claim.state, claim.decided_at, claim.decline_reason = state, now, reason[:200]
    return bool(decided)


def _release(claim: Claim, state: str, *, user, now: datetime, reason: str) -> None:
    if not _decide(
        claim, state, user=user, now=now, reason=reason if state == ClaimState.GEWEIGERD else ""
    ):
        return
    _set_bed(
        claim.bed,
        expect={"status": BedStatus.GERESERVEERD},
        to=BedStatus.NIET_BEZET,
        user=user,
        reason=reason,
        now=now,
    )
    case = Case.objects.filter(pk=claim.case_id).first() if claim.case_id else None
    if case is not None and case.state == CaseState.BED_GERESERVEERD:
        cases.move_by_claim(
            case,
            CaseState.PLAATS_GEZOCHT,
            user=user,
            organisation=None,
            now=now,
            reason=_("reservering %(state)s: %(reason)s")
            % {"state": ClaimState(state).label, "reason": reason},
        )
    claim_events.released(claim, state, actor=user, reason=reason)  # declined / expired


def _expire_claims(claims, *, now: datetime) -> int:
    expired = 0
    for claim in claims.filter(state=ClaimState.ACTIEF, expires_at__lte=now).select_related(
        "bed", "case"
    ):
        with transaction.atomic():
            _release(claim, ClaimState.VERLOPEN, user=None, now=now, reason=_("termijn verlopen"))
            expired += claim.state == ClaimState.VERLOPEN
    return expired


def release_expired_for_bed(bed: Bed, *, now: datetime) -> int:
    return _expire_claims(Claim.objects.filter(bed_id=bed.pk), now=now)


def release_expired(*, now: datetime | None = None) -> int:
    """Release every claim past its deadline (the periodic job). Returns how many."""
    return _expire_claims(Claim.objects.all(), now=now or timezone.now())


@transaction.atomic
def reserve_at_location(
    *,
    user: User,
    organisation: Organisation,
    location_id: int,
    bed_type_code: str,
    target_group: str,
    case: Case | None = None,
    now: datetime | None = None,
) -> Claim:
    """Reserve any free bed of a type at a location (what a person picks on the board).

    Tries the free beds one by one, so a bed taken a moment ago by someone else does not
    make the whole request fail while another bed of the same kind is still free.
    """
    now = now or timezone.now()
    from regiotafel.capacity.availability import free_now

    permissions.check(user, "bed.reserveren")  # refuse before saying anything about beds
    if case is not None:
        permissions.check(user, "casus.behandelen", case)
        refuse_second_claim(case, now=now)  # the real reason, before looking at beds
    candidates = (
        Bed.objects.filter(
            free_now(now),
            location_id=location_id,
            bed_type__code=bed_type_code,
            target_group=target_group,
        )
        .order_by("label")
        .values_list("pk", flat=True)[:10]
    )
    for bed_id in candidates:
        try:
            with transaction.atomic():
                return reserve(
                    user=user, organisation=organisation, bed_id=bed_id, case=case, now=now
                )
        except errors.Conflict as exc:
            if exc.code not in BED_NOT_FREE:  # a limit or a case state: another bed won't help
                raise
            continue
    raise errors.Conflict(
        _(
            "Op deze locatie is net het laatste vrije bed van dit type door iemand anders "
            "gereserveerd of bezet. Kies een andere locatie."
        ),
        code="bed-bezet",
    )


BED_NOT_FREE = {"bed-bezet", "bed-niet-vrij"}
