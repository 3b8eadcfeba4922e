"""Which registrations and clients a user may see with identity: the
'wachtlijst.client.bekijken' policy as querysets (``permissions.visible``)."""

from __future__ import annotations

from django.db.models import QuerySet

from regiotafel.core import permissions
from regiotafel.waitlist.models import Client, Registration


def visible_clients(user) -> QuerySet[Client]:
    return permissions.visible(user, "wachtlijst.client.bekijken", Client)


def visible_registrations(user) -> QuerySet[Registration]:
    """Registrations of clients the user may see (all their providers' files, so that a
    provider sees that another provider is working on the same client)."""
    return Registration.objects.filter(client__in=visible_clients(user).values("pk"))
