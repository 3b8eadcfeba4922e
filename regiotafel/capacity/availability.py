"""The bed board: where beds are free now, counted from bed states, with freshness.

One query groups beds by location, bed type and target group; "free" includes a reserved
bed whose deadline has passed, so the board is right even if the release job did not run.
The page, its fragment and ``GET /api/v1/beschikbaarheid`` all get it through
:mod:`regiotafel.capacity.board_cache`, which keeps it under the board version and no longer
than :func:`next_change_without_write`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from regiotafel.capacity.models import Bed, BedStatus, CapacitySettings, Location
from regiotafel.core.models import Municipality

DEFAULT_STALE_MINUTES = CapacitySettings._meta.get_field("stale_after_minutes").default


@dataclass(frozen=True)
class BoardFilter:
    region_id: int | None = None
    bed_type: str = ""  # BedType.code
    target_group: str = ""
    municipality: str = ""  # CBS code: only locations in this municipality
    subregion_id: int | None = None
    near: str = ""  # CBS code: sort by distance from this municipality
    only_free: bool = True


@dataclass(frozen=True)
class BoardRow:
    location_id: int
    location: str
    organisation: str
    municipality: str
    phone: str
    bed_type: str
    bed_type_code: str
    target_group: str
    free: int
    reserved: int
    occupied: int
    total: int
    confirmed_at: datetime | None
    confirmed_by: str
    stale: bool
    distance_km: float | None
    stale_after: timedelta | None = None  # how long a confirmation stays fresh here


def distance_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance between two (latitude, longitude) points, in kilometres."""
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def free_now(now: datetime) -> Q:
    return Q(status=BedStatus.NIET_BEZET) | Q(status=BedStatus.GERESERVEERD, held_until__lte=now)


def board(filters: BoardFilter, *, now: datetime | None = None) -> list[BoardRow]:
    now = now or timezone.now()
    groups = list(grouped_counts(filters, now))
    locations = _locations({g["location_id"] for g in groups})
    origin = _centroid(filters.near)
    rows = [_row(g, locations[g["location_id"]], origin, now) for g in groups]
    rows.sort(
        key=lambda r: (
            r.distance_km if r.distance_km is not None else math.inf,
            r.location,
            r.bed_type,
        )
    )
    return rows


def beds_in_scope(filters: BoardFilter):
    """The beds a board with these filters counts (whatever their status)."""
    beds = Bed.objects.all()
    if filters.region_id:
        beds = beds.filter(location__municipality__region_id=filters.region_id)
    if filters.bed_type:
        beds = beds.filter(bed_type__code=filters.bed_type)
    if filters.target_group:
        beds = beds.filter(target_group=filters.target_group)
    if filters.municipality:
        beds = beds.filter(location__municipality__cbs_code=filters.municipality)
    if filters.subregion_id:
        beds = beds.filter(location__municipality__subregion_id=filters.subregion_id)
    return beds


def grouped_counts(filters: BoardFilter, now: datetime):
    """The one query behind the board: bed counts per location, bed type and target group."""
    grouped = (
        beds_in_scope(filters)
        .values(
            "location_id",
            "bed_type__name",
            "bed_type__code",
            "bed_type__sort_order",
            "target_group",
        )
        .annotate(
            free=Count("pk", filter=free_now(now)),
            reserved=Count("pk", filter=Q(status=BedStatus.GERESERVEERD, held_until__gt=now)),
            occupied=Count("pk", filter=Q(status=BedStatus.BEZET)),
            total=Count("pk"),
        )
        .order_by()
    )
    return grouped.filter(free__gt=0) if filters.only_free else grouped


def _locations(ids: set[int]) -> dict[int, Location]:
    found = Location.objects.filter(pk__in=ids).select_related(
        "organisation", "municipality", "municipality__region__capacity_settings", "confirmed_by"
    )
    return {location.pk: location for location in found}


def _centroid(cbs_code: str) -> tuple[float, float] | None:
    if not cbs_code:
        return None
    m = Municipality.objects.filter(cbs_code=cbs_code).values("latitude", "longitude").first()
    if not m or m["latitude"] is None:
        return None
    return (m["latitude"], m["longitude"])


def _stale_after(location: Location) -> timedelta:
    settings = getattr(location.municipality.region, "capacity_settings", None)
    minutes = settings.stale_after_minutes if settings else DEFAULT_STALE_MINUTES
    return timedelta(minutes=minutes)


def _row(group: dict, location: Location, origin, now: datetime) -> BoardRow:
    m = location.municipality
    here = (m.latitude, m.longitude) if m.latitude is not None else None
    confirmed = location.confirmed_at
    return BoardRow(
        location_id=location.pk,
        location=location.name,
        organisation=location.organisation.name,
        municipality=m.name,
        phone=location.phone,
        bed_type=group["bed_type__name"],
        bed_type_code=group["bed_type__code"],
        target_group=group["target_group"],
        free=group["free"],
        reserved=group["reserved"],
        occupied=group["occupied"],
        total=group["total"],
        confirmed_at=confirmed,
        confirmed_by=str(location.confirmed_by) if location.confirmed_by else "",
        stale=confirmed is None or now - confirmed > _stale_after(location),
        distance_km=round(d, 1) if (d := distance_km(origin, here)) is not None else None,
        stale_after=_stale_after(location),
    )


def next_change_without_write(
    filters: BoardFilter, rows: list[BoardRow], now: datetime
) -> datetime | None:
    """The next moment this board's answer changes although nobody writes anything: a hold
    in scope passes its deadline (its bed shows as free), or a shown location's confirmation
    grows stale. The board cache keeps an answer no longer than this."""
    moments = []
    held = (
        beds_in_scope(filters)
        .filter(status=BedStatus.GERESERVEERD, held_until__gt=now)
        .aggregate(first=Min("held_until"))["first"]
    )
    if held is not None:
        moments.append(held)
    for row in rows:
        if row.confirmed_at is not None and not row.stale:
            # stale once now - confirmed_at > stale_after: just after this moment
            moments.append(row.confirmed_at + row.stale_after + timedelta(microseconds=1))
    return min(moments) if moments else None
