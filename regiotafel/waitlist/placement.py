"""When a place comes free at a location: who is next, the offer, and placing the client.

The region's agreed rule: urgency first (the national waiting status), then preference
(a client who put this location first comes before one who put it second), then waiting
time (the start of the indication).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, permissions
from regiotafel.core.models import Location, User
from regiotafel.waitlist.models import (
    STATUS_RANK,
    Client,
    OfferState,
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
    return PlacementOffer.objects.create(
        registration=registration, location=location, offered_by=user
    )


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
    return found


def _decide(found: PlacementOffer, state: str, now) -> None:
    found.state, found.decided_at = state, now
    found.save(update_fields=["state", "decided_at", "reason"])


def open_offers(*, location_ids) -> QuerySet[PlacementOffer]:
    return PlacementOffer.objects.filter(location_id__in=location_ids, state=OfferState.OPEN)
