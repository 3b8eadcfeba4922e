"""Which registrations and clients a user may see with identity: the same rules as the
'wachtlijst.client.bekijken' policy, as querysets for lists."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from regiotafel.core.acting import memberships_of
from regiotafel.core.models import Role
from regiotafel.waitlist.models import Client, Registration, RegistrationState
from regiotafel.waitlist.policies import care_office_regions


def _provider_orgs(user) -> set[int]:
    return {m.organisation_id for m in memberships_of(user) if m.role == Role.CAPACITEITSBEHEERDER}


def visible_clients(user) -> QuerySet[Client]:
    if user.is_superuser:
        return Client.objects.all()
    orgs, regions = _provider_orgs(user), care_office_regions(user)
    return Client.objects.filter(
        Q(registrations__provider__in=orgs)
        | Q(
            registrations__state=RegistrationState.OPEN,
            registrations__preferences__location__organisation__in=orgs,
        )
        | Q(registrations__municipality__region__in=regions)
    ).distinct()


def visible_registrations(user) -> QuerySet[Registration]:
    """Registrations of clients the user may see (all their providers' files, so that a
    provider sees that another provider is working on the same client)."""
    return Registration.objects.filter(client__in=visible_clients(user).values("pk"))
