"""From a Wlz crisis bed to a lasting place (seed 003, Zuidoost-Brabant).

"Het probleem bleek erin te liggen dat enkele organisaties crisisbedden hadden en doorplaatsing
naar reguliere plek moeilijk bleek; met als gevolg dat ouderen te lang op een crisisplek
verbleven en bedden volliepen. [...] bleek doorplaatsing binnen een termijn van veertien dagen
mogelijk."

When a case is placed on a Wlz crisis bed (``capacity.claims.confirm`` calls
:func:`on_admission` in its transaction) the client gets an :class:`OnwardPlacement` with the
region's deadline, and a waiting-list registration with status *Urgent plaatsen*: the case is
matched to one waiting client (initials, birth year, gender and municipality — the only
identity a case carries), or the admitting provider completes the registration
(:func:`complete_registration`: its own client number, or the BSN, which finds the client at
another provider through the keyed hash). The care office and the admitting provider follow it
on the list page; :func:`check_deadlines` (a scheduled job) warns them — and the dossierhouder —
once before the deadline and once when it has passed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, permissions
from regiotafel.core.models import Organisation, OrganisationType, Role, User
from regiotafel.waitlist import duplicates, identity
from regiotafel.waitlist.models import (
    CareProfile,
    Client,
    OnwardPlacement,
    OnwardState,
    Registration,
    RegistrationState,
    StatusChange,
    WaitingStatus,
    WaitlistSettings,
)

CRISIS_BED_TYPE = "wlz-crisis"  # the built-in code (capacity migration 0002)
NOTIFY_ROLES = (Role.CAPACITEITSBEHEERDER, Role.BEHEERDER)


def region_settings(region_id: int) -> WaitlistSettings:
    """The region's agreement, or the defaults (fourteen days, warn three days before)."""
    found = WaitlistSettings.objects.filter(region_id=region_id).first()
    return found or WaitlistSettings(region_id=region_id)


def is_crisis_bed(bed) -> bool:
    return bed.bed_type.code == CRISIS_BED_TYPE


def _initials_key(initials: str) -> str:
    return re.sub(r"[^A-Z]", "", initials.upper())


def match_client(case) -> Client | None:
    """The one waiting client the case describes, or None (no match, or more than one).

    A case carries initials, birth year, gender and municipality only (never a BSN or a
    name), so only an unambiguous match is linked; otherwise the admitting provider completes
    the registration."""
    found = (
        Client.objects.filter(
            merged_into__isnull=True,
            birth_date__year=case.birth_year,
            registrations__state=RegistrationState.OPEN,
            registrations__municipality_id=case.municipality_id,
        )
        .distinct()
        .order_by("pk")
    )
    key = _initials_key(case.initials)
    matches = [
        c
        for c in found
        if _initials_key(c.initials) == key
        and (not c.gender or not case.gender or c.gender == case.gender)
    ]
    return matches[0] if len(matches) == 1 else None


def care_offices(region_id: int) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        region_id=region_id, type=OrganisationType.ZORGKANTOOR, active=True
    )


def _recipients(onward: OnwardPlacement) -> list:
    region_id = onward.bed.location.municipality.region_id
    organisations = [*care_offices(region_id), onward.provider]
    if onward.registration_id and onward.registration.client.dossierhouder_id:
        organisations.append(onward.registration.client.dossierhouder)
    return organisations


def _notify(event: str, onward: OnwardPlacement, text: str, *, actor=None) -> None:
    from regiotafel.notifications import notify

    notify.send(
        event,
        subject=onward,
        text=text,
        url=reverse("waitlist:onward"),
        organisations=_recipients(onward),
        roles=NOTIFY_ROLES,
        actor=actor,
    )


def on_admission(*, case, bed, user: User | None, now: datetime) -> OnwardPlacement | None:
    """A case was placed on a bed: on a Wlz crisis bed, start the onward placement.

    Runs inside the transaction that places the case. Admitted twice (it cannot, but): the
    first record stays."""
    if not is_crisis_bed(bed):
        return None
    existing = OnwardPlacement.objects.filter(case=case).first()
    if existing is not None:
        return existing
    region_id = bed.location.municipality.region_id
    days = region_settings(region_id).onward_days
    onward = OnwardPlacement.objects.create(
        case=case,
        bed=bed,
        provider=bed.location.organisation,
        admitted_at=now,
        deadline=now + timedelta(days=days),
    )
    client = match_client(case)
    if client is not None:
        _link(onward, _registration_of(client, onward.provider), user=user, now=now)
    _notify(
        "doorplaatsing.gestart",
        onward,
        _(
            "Casus %(ref)s is opgenomen op een Wlz-crisisbed bij %(provider)s; doorplaatsen "
            "naar een vaste plek voor %(deadline)s (%(days)s dagen).%(todo)s"
        )
        % {
            "ref": case.reference,
            "provider": onward.provider.name,
            "deadline": timezone.localtime(onward.deadline).strftime("%d-%m-%Y"),
            "days": days,
            "todo": ""
            if onward.registration_id
            else " " + _("Koppel de cliënt aan de wachtlijst."),
        },
        actor=user,
    )
    return onward


def _registration_of(client: Client, provider: Organisation) -> Registration:
    """The client's open registration to link: the admitting provider's, else the
    dossierhouder's, else the oldest."""
    open_ = list(client.registrations.filter(state=RegistrationState.OPEN).order_by("pk"))
    for wanted in (provider.pk, client.dossierhouder_id):
        for registration in open_:
            if registration.provider_id == wanted:
                return registration
    return open_[0]


def _link(onward: OnwardPlacement, registration: Registration, *, user, now: datetime) -> None:
    """Link the registration and make every open file of the client *Urgent plaatsen*."""
    onward.registration = registration
    onward.save(update_fields=["registration"])
    reason = _("opgenomen op Wlz-crisisbed (casus %(ref)s)") % {"ref": onward.case.reference}
    today = timezone.localdate(now)
    for r in registration.client.registrations.filter(state=RegistrationState.OPEN):
        if r.status == WaitingStatus.URGENT:
            continue
        StatusChange.objects.create(
            registration=r,
            from_status=r.status,
            to_status=WaitingStatus.URGENT,
            status_date=today,
            reason=reason[:200],
            by=user,
            at=now,
        )
        r.status, r.status_date, r.status_reason = WaitingStatus.URGENT, today, reason[:200]
        r.save(update_fields=["status", "status_date", "status_reason"])


def _load(user: User, onward_id: int, action: str) -> OnwardPlacement:
    onward = permissions.get_for(
        user,
        action,
        OnwardPlacement.objects.select_for_update(of=("self",)).select_related(
            "case", "bed__location__municipality", "provider"
        ),
        hide=True,
        pk=onward_id,
    )
    if onward.state != OnwardState.OPEN:
        raise errors.Conflict(
            _("Deze doorplaatsing is al afgesloten."), code="doorplaatsing-afgesloten"
        )
    return onward


def _parse_date(raw: str) -> date | None:
    raw = (raw or "").strip()
    for pattern in (r"(\d{4})-(\d{1,2})-(\d{1,2})$", r"(\d{1,2})-(\d{1,2})-(\d{4})$"):
        match = re.match(pattern, raw)
        if match:
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if pattern.startswith(r"(\d{4})") else parts[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


@transaction.atomic
def complete_registration(*, user: User, onward_id: int, data: dict) -> OnwardPlacement:
    """Link an onward placement the case could not be matched for.

    ``klantnummer`` of a registration the admitting provider already has: that one. Otherwise
    a new registration at the admitting provider, for the client with this BSN (any provider's)
    or a new client from the case's data plus surname and birth date."""
    onward = _load(user, onward_id, "doorplaatsing.bijwerken")
    if onward.registration_id:
        raise errors.Conflict(
            _("Deze doorplaatsing is al aan de wachtlijst gekoppeld."),
            code="doorplaatsing-al-gekoppeld",
        )
    provider, case = onward.provider, onward.case
    permissions.check(user, "wachtlijst.beheren", provider)
    number = (data.get("klantnummer") or "").strip()
    if not number or len(number) > 40:
        raise errors.InvalidInput(
            _("Vul het cliëntnummer bij uw organisatie in (hooguit 40 tekens)."),
            code="klantnummer-verplicht",
            errors=[errors.FieldError("klantnummer", _("Verplicht."))],
        )
    now = timezone.now()
    registration = Registration.objects.filter(provider=provider, external_id=number).first()
    if registration is not None and registration.state != RegistrationState.OPEN:
        raise errors.Conflict(
            _("Inschrijving %(n)s wacht niet meer.") % {"n": number},
            code="inschrijving-wacht-niet",
        )
    if registration is None:
        registration = _new_registration(provider, case, number, data, user=user, now=now)
    _link(onward, registration, user=user, now=now)
    return onward


def _new_registration(provider, case, number: str, data: dict, *, user, now) -> Registration:
    problems: list[errors.FieldError] = []
    bsn = identity.normalise_bsn(data.get("bsn") or "")
    if bsn and not identity.bsn_is_valid(bsn):
        problems.append(errors.FieldError("bsn", _("Is geen geldig BSN (elfproef).")))
    surname = (data.get("achternaam") or "").strip()
    if not surname or len(surname) > 100:
        problems.append(errors.FieldError("achternaam", _("Verplicht, hooguit 100 tekens.")))
    born = _parse_date(data.get("geboortedatum") or "")
    if born is None:
        problems.append(errors.FieldError("geboortedatum", _("Geef een datum (JJJJ-MM-DD).")))
    elif born.year != case.birth_year:
        problems.append(
            errors.FieldError(
                "geboortedatum",
                _("Het geboortejaar van de casus is %(y)s.") % {"y": case.birth_year},
            )
        )
    profile = data.get("zorgprofiel") or ""
    if profile not in CareProfile.values:
        problems.append(errors.FieldError("zorgprofiel", _("Kies VV4 t/m VV10.")))
    indication = _parse_date(data.get("indicatiedatum") or "") or timezone.localdate(now)
    if problems:
        raise errors.InvalidInput(
            _("De inschrijving is niet compleet."),
            code="inschrijving-onvolledig",
            errors=problems,
        )
    client = None
    if bsn:
        bsn_hash = identity.hash_bsn(bsn, key=settings.BSN_HASH_KEY)
        client = Client.objects.filter(bsn_hash=bsn_hash).first()
        while client is not None and client.merged_into_id:
            client = client.merged_into
    if client is None:
        client = Client.objects.create(
            bsn_hash=identity.hash_bsn(bsn, key=settings.BSN_HASH_KEY) if bsn else None,
            surname=surname,
            initials=case.initials,
            birth_date=born,
            gender=case.gender,
        )
    today = timezone.localdate(now)
    registration = Registration.objects.create(
        client=client,
        provider=provider,
        external_id=number,
        care_profile=profile,
        target_group=case.target_group,
        status=WaitingStatus.URGENT,
        status_date=today,
        status_reason=(_("opgenomen op Wlz-crisisbed (casus %(ref)s)") % {"ref": case.reference})[
            :200
        ],
        indication_date=indication,
        municipality_id=case.municipality_id,
    )
    StatusChange.objects.create(
        registration=registration,
        to_status=WaitingStatus.URGENT,
        status_date=today,
        reason=registration.status_reason,
        by=user,
        at=now,
    )
    duplicates.refresh_candidates(client_ids=[client.pk])
    return registration


@transaction.atomic
def close(*, user: User, onward_id: int, reason: str) -> OnwardPlacement:
    """End an onward placement without a lasting place here (home again, elsewhere, died)."""
    if not (reason or "").strip():
        raise errors.InvalidInput(
            _("Geef een reden waarom de doorplaatsing wordt afgesloten."),
            code="reden-verplicht",
            errors=[errors.FieldError("reden", _("Verplicht."))],
        )
    onward = _load(user, onward_id, "doorplaatsing.bijwerken")
    onward.state, onward.closed_at = OnwardState.ENDED, timezone.now()
    onward.close_reason = reason.strip()[:200]
    onward.save(update_fields=["state", "closed_at", "close_reason"])
    return onward


def on_placed(*, client_id: int, now: datetime) -> int:
    """The client accepted a lasting place (``waitlist.placement.accept``): done."""
    return audit.update(
        OnwardPlacement.objects.filter(registration__client_id=client_id, state=OnwardState.OPEN),
        state=OnwardState.PLACED,
        closed_at=now,
    )


def check_deadlines(*, now: datetime | None = None) -> tuple[int, int]:
    """Warn once ``onward_warn_days`` before the deadline and once when it has passed.

    Each warning is claimed by a conditional update (``warned_at`` / ``overdue_at`` still
    empty), so two workers running the job at once send it once. A deadline already passed
    before its warning went out gets only the "passed" message."""
    now = now or timezone.now()
    warned = overdue = 0
    open_ = OnwardPlacement.objects.filter(state=OnwardState.OPEN).select_related(
        "case", "bed__location__municipality", "provider", "registration__client"
    )
    for onward in open_.filter(overdue_at__isnull=True, deadline__lte=now):
        with transaction.atomic():
            claimed = audit.update(
                OnwardPlacement.objects.filter(pk=onward.pk, overdue_at__isnull=True),
                overdue_at=now,
                warned_at=onward.warned_at or now,
            )
            if claimed:
                overdue += 1
                _notify(
                    "doorplaatsing.termijn",
                    onward,
                    _(
                        "Termijn verstreken: casus %(ref)s ligt sinds %(admitted)s op een "
                        "Wlz-crisisbed bij %(provider)s; doorplaatsing had voor %(deadline)s "
                        "moeten gebeuren."
                    )
                    % _words(onward),
                )
    settings_by_region: dict[int, WaitlistSettings] = {}
    for onward in open_.filter(warned_at__isnull=True, deadline__gt=now):
        region_id = onward.bed.location.municipality.region_id
        if region_id not in settings_by_region:
            settings_by_region[region_id] = region_settings(region_id)
        if onward.deadline > now + timedelta(days=settings_by_region[region_id].onward_warn_days):
            continue
        with transaction.atomic():
            claimed = audit.update(
                OnwardPlacement.objects.filter(pk=onward.pk, warned_at__isnull=True),
                warned_at=now,
            )
            if claimed:
                warned += 1
                _notify(
                    "doorplaatsing.termijn",
                    onward,
                    _(
                        "Termijn verstrijkt bijna: casus %(ref)s op een Wlz-crisisbed bij "
                        "%(provider)s moet voor %(deadline)s doorgeplaatst zijn (nog %(left)s "
                        "dagen)."
                    )
                    % {**_words(onward), "left": max(onward.days_left(timezone.localdate(now)), 0)},
                )
    return warned, overdue


def _words(onward: OnwardPlacement) -> dict:
    return {
        "ref": onward.case.reference,
        "provider": onward.provider.name,
        "admitted": timezone.localtime(onward.admitted_at).strftime("%d-%m-%Y"),
        "deadline": timezone.localtime(onward.deadline).strftime("%d-%m-%Y"),
    }


def visible_onward(user: User) -> QuerySet[OnwardPlacement]:
    return permissions.visible(user, "doorplaatsing.bekijken", OnwardPlacement).select_related(
        "case", "bed__location", "provider", "registration__client__dossierhouder"
    )


def overdue_count(*, region, now: datetime | None = None) -> int:
    """Crisis beds whose client is still waiting past the onward-placement deadline."""
    return OnwardPlacement.objects.filter(
        bed__location__municipality__region=region,
        state=OnwardState.OPEN,
        deadline__lte=now or timezone.now(),
    ).count()
