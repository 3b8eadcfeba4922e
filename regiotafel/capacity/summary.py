"""Today's beds at a glance, for the regional dashboard: free short-stay beds per type in the
region right now, from the same availability rule as the bed board."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from regiotafel.capacity import availability
from regiotafel.capacity.models import Bed
from regiotafel.core import permissions


def free_per_type(region_id: int) -> list[dict]:
    """Per bed type in the region: beds free now, and beds in all."""
    now = timezone.now()
    return list(
        Bed.objects.filter(location__municipality__region_id=region_id)
        .values("bed_type__name", "bed_type__sort_order")
        .annotate(free=Count("pk", filter=availability.free_now(now)), total=Count("pk"))
        .order_by("bed_type__sort_order")
    )


def region_section(user, region) -> dict | None:
    """None when the person may not see the board, or the region has no beds registered."""
    if not permissions.can(user, "beschikbaarheid.bekijken", region):
        return None
    per_type = free_per_type(region.pk)
    if not per_type:
        return None
    return {"region": region, "per_type": per_type, "at": timezone.localtime()}
