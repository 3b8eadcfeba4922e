"""When a place comes free at a location: who is next, the offer, and placing the client.

The region's agreed rule: urgency first (the national waiting status), then preference
(a client who put this location first comes before one who put it second), then waiting
time (the start of the indication).

The client's dossierhouder (one provider, assigned by the care office with
:func:`assign_dossierhouder`) is told of every step: offer, acceptance (the placement) and
decline — seed 003: "was de dossierhoudende zorgaanbieder niet op de hoogte van vorderingen
rondom plaatsing".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, permissions
from regiotafel.core.models import Location, Organisation, Role, User
from regiotafel.waitlist import onward
from regiotafel.waitlist.models import (
    STATUS_RANK,
    Client,
    OfferState,
    OnwardPlacement,
    PlacementOffer,
    Preference,
    Registration,
    RegistrationState,
)


@dataclass(frozen=True)
class InLine:
    registration: Registration
    preference_rank: int
    waiting_days: int


def order_key(status: str, preference_rank: int, indication_date: date) -> tuple:
    """The agreed rule as a sort key: urgency, then preference, then longest waiting."""
    return (STATUS_RANK[status], preference_rank, indication_date)


def next_in_line(*, location: Location, today: date | None = None, limit: int = 20) -> list[InLine]:
    """Open registrations that prefer this location, in the order of the agreed rule."""
    today = today or timezone.localdate()
    preferences = Preference.objects.filter(
        location=location,
        registration__state=RegistrationState.OPEN,
        registration__client__merged_into__isnull=True,
    ).select_related("registration__client", "registration__provider")
    line = sorted(
        (
            InLine(p.registration, p.rank, (today - p.registration.indication_date).days)
            for p in preferences
        ),
        key=lambda i: order_key(
            i.registration.status, i.preference_rank, i.registration.indication_date
        ),
    )
    return _one_per_client(line)[:limit]


def _one_per_client(line: list[InLine]) -> list[InLine]:
    seen, unique = set(), []
    for item in line:
        if item.registration.client_id not in seen:
            seen.add(item.registration.client_id)
            unique.append(item)
    return unique


def _seen_registration(user: User, registration_id: int) -> Registration:
    """A registration of a client the user may see, or "not found" (404, never 403): ids are
    sequential and must not reveal which clients exist."""
    registration = Registration.objects.filter(
        pk=registration_id, client__in=_seen_clients(user)
    ).first()
    if registration is None:
        raise permissions.not_found(Registration)
    return registration


def _seen_clients(user: User):
    return permissions.visible(user, "wachtlijst.client.bekijken", Client).values("pk")


@transaction.atomic
def offer(*, user: User, registration_id: int, location_id: int) -> PlacementOffer:
    location = permissions.get_for(user, "wachtlijst.plaatsen", Location, pk=location_id)
    registration = _seen_registration(user, registration_id)
    if registration.state != RegistrationState.OPEN:
        raise errors.Conflict(
            _("Deze inschrijving wacht niet (meer)."), code="inschrijving-wacht-niet"
        )
    if PlacementOffer.objects.filter(
        registration__client=registration.client, state=OfferState.OPEN
    ).exists():
        raise errors.Conflict(
            _("Deze cliënt heeft al een openstaand aanbod."), code="aanbod-bestaat-al"
        )
    made = PlacementOffer.objects.create(
        registration=registration, location=location, offered_by=user
    )
    _tell_dossierhouder(
        made,
        _("Plaats aangeboden aan %(client)s: %(location)s.")
        % {"client": _client_words(registration.client), "location": location.name},
        actor=user,
    )
    return made


def _open_offer(user: User, offer_id: int) -> PlacementOffer:
    found = (
        PlacementOffer.objects.select_for_update()
        .select_related("registration", "location")
        .filter(pk=offer_id)
        .first()
    )
    if found is None or not _seen_clients(user).filter(pk=found.registration.client_id).exists():
        raise errors.NotFound(_("Aanbod niet gevonden."), code="aanbod-niet-gevonden")
    permissions.check(user, "wachtlijst.plaatsen", found.location)
    if found.state != OfferState.OPEN:
        raise errors.Conflict(
            _("Dit aanbod is al %(state)s.") % {"state": found.get_state_display()},
            code="aanbod-afgesloten",
        )
    return found


@transaction.atomic
def accept(*, user: User, offer_id: int) -> PlacementOffer:
    """The client accepts: placed here, and every other provider's file on them is closed."""
    found = _open_offer(user, offer_id)
    now = timezone.now()
    _decide(found, OfferState.ACCEPTED, now)
    client = found.registration.client_id
    audit.update(
        Registration.objects.filter(pk=found.registration_id),
        state=RegistrationState.GEPLAATST,
        closed_at=now,
    )
    audit.update(
        Registration.objects.filter(client_id=client, state=RegistrationState.OPEN),
        state=RegistrationState.ELDERS_GEPLAATST,
        closed_at=now,
    )
    onward.on_placed(client_id=client, now=now)
    _tell_dossierhouder(
        found,
        _("Aanbod geaccepteerd: %(client)s is geplaatst in %(location)s.")
        % {"client": _client_words(found.registration.client), "location": found.location.name},
        actor=user,
    )
    return found


@transaction.atomic
def decline(*, user: User, offer_id: int, reason: str) -> PlacementOffer:
    if not reason.strip():
        raise errors.InvalidInput(
            _("Geef een reden waarom het aanbod is geweigerd."),
            code="reden-verplicht",
            errors=[errors.FieldError("reden", _("Verplicht."))],
        )
    found = _open_offer(user, offer_id)
    found.reason = reason.strip()[:200]
    _decide(found, OfferState.DECLINED, timezone.now())
    _tell_dossierhouder(
        found,
        _("Aanbod in %(location)s geweigerd door %(client)s: %(reason)s")
        % {
            "client": _client_words(found.registration.client),
            "location": found.location.name,
            "reason": found.reason,
        },
        actor=user,
    )
    return found


def _decide(found: PlacementOffer, state: str, now) -> None:
    found.state, found.decided_at = state, now
    found.save(update_fields=["state", "decided_at", "reason"])


def open_offers(*, location_ids) -> QuerySet[PlacementOffer]:
    return PlacementOffer.objects.filter(location_id__in=location_ids, state=OfferState.OPEN)


# ---------------------------------------------------------------- the dossierhouder


def _client_words(client: Client) -> str:
    """How a message names a client: the dossierhouder's own client number, never a name."""
    number = (
        client.registrations.filter(provider_id=client.dossierhouder_id)
        .values_list("external_id", flat=True)
        .first()
    )
    return _("cliënt %(n)s") % {"n": number or client.pk}


def _tell_dossierhouder(subject, text: str, *, actor: User | None) -> None:
    from regiotafel.notifications import notify

    client = (
        subject.registration.client
        if isinstance(subject, (PlacementOffer, OnwardPlacement))
        else subject
    )
    if client.dossierhouder_id is None:
        return
    notify.send(
        "wachtlijst.plaatsingsstap",
        subject=subject,
        text=text,
        url=reverse("waitlist:client", args=[client.pk]),
        organisations=[client.dossierhouder_id],
        roles=[Role.CAPACITEITSBEHEERDER],
        actor=actor,
    )


@transaction.atomic
def assign_dossierhouder(*, user: User, client_id: int, provider_id: int) -> Client:
    """The care office names the one provider that keeps the client's file; it must hold an
    open registration of the client. The other providers are "ook ingeschreven"."""
    from regiotafel.notifications import notify

    client = permissions.get_for(
        user,
        "wachtlijst.dossierhouder_toewijzen",
        Client.objects.select_for_update(of=("self",)),
        hide=True,
        pk=client_id,
    )
    if client.merged_into_id:
        raise errors.Conflict(
            _("Deze cliënt is samengevoegd; wijs de dossierhouder aan bij de behouden cliënt."),
            code="client-samengevoegd",
        )
    provider = Organisation.objects.filter(
        pk=provider_id,
        waitlist_registrations__client=client,
        waitlist_registrations__state=RegistrationState.OPEN,
    ).first()
    if provider is None:
        raise errors.InvalidInput(
            _("Kies een aanbieder bij wie de cliënt wachtend is ingeschreven."),
            code="dossierhouder-niet-ingeschreven",
            errors=[errors.FieldError("organisatie", _("Geen wachtende inschrijving."))],
        )
    if client.dossierhouder_id == provider.pk:
        return client
    client.dossierhouder, client.dossierhouder_since = provider, timezone.now()
    client.save(update_fields=["dossierhouder", "dossierhouder_since"])
    notify.send(
        "wachtlijst.dossierhouder",
        subject=client,
        text=_("Uw organisatie is dossierhouder van %(client)s.")
        % {"client": _client_words(client)},
        url=reverse("waitlist:client", args=[client.pk]),
        organisations=[provider],
        roles=[Role.CAPACITEITSBEHEERDER],
        actor=user,
    )
    return client
