"""Warnings to providers whose availability went stale.

A location with beds whose availability was not confirmed within its region's
``stale_after_minutes`` gets ONE open :class:`StaleWarning`; its provider's planners see it
on their home page (``open_for``). Confirming the availability again resolves it at the next
sweep. Both are audited changes (created by ``save``, resolved through ``audit.update``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from regiotafel.capacity.availability import _stale_after
from regiotafel.core import audit
from regiotafel.core.models import Location
from regiotafel.ops.models import StaleWarning


def is_stale(location: Location, now: datetime) -> bool:
    confirmed = location.confirmed_at
    return confirmed is None or now - confirmed > _stale_after(location)


def sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Open a warning for every newly stale location, resolve those confirmed since;
    (opened, resolved)."""
    now = now or timezone.now()
    open_ = {w.location_id: w for w in StaleWarning.objects.filter(resolved_at=None)}
    locations = (
        Location.objects.filter(beds__isnull=False)
        .distinct()
        .select_related("municipality__region__capacity_settings")
    )
    opened = resolved = 0
    for location in locations:
        stale, warning = is_stale(location, now), open_.get(location.pk)
        with transaction.atomic():
            if stale and warning is None:
                StaleWarning.objects.create(
                    location=location,
                    organisation_id=location.organisation_id,
                    created_at=now,
                    confirmed_at=location.confirmed_at,
                )
                opened += 1
            elif not stale and warning is not None:
                resolved += audit.update(
                    StaleWarning.objects.filter(pk=warning.pk, resolved_at=None), resolved_at=now
                )
    return opened, resolved


def open_for(organisation_id: int):
    """The open warnings of one provider, oldest first."""
    return (
        StaleWarning.objects.filter(organisation_id=organisation_id, resolved_at=None)
        .select_related("location")
        .order_by("created_at")
    )
