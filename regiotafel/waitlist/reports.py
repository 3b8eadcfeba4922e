"""Management information of the waiting list, per organisation and for the region.

Aggregates only; no identities. For analysts, counts under the suppression threshold are
shown as "<5" so that no one can be singled out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from regiotafel.waitlist.models import (
    CandidateState,
    DuplicateCandidate,
    Merge,
    Registration,
    RegistrationState,
)

SUPPRESS_BELOW = 5


def suppress(count: int, *, active: bool) -> int | str:
    return f"<{SUPPRESS_BELOW}" if active and 0 < count < SUPPRESS_BELOW else count


def percentile(values: list[int], p: float) -> float | None:
    """The p-th percentile (0–100), linear between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Figures:
    waiting: int
    clients_waiting: int
    by_status: dict
    by_profile: dict
    by_municipality: dict
    median_days: float | None
    p90_days: float | None
    inflow: dict
    outflow: dict
    duplicates_found: int
    duplicates_merged: int
    duplicates_open: int


def figures(*, region, provider=None, today: date | None = None) -> Figures:
    """The numbers for a region, or for one provider within it."""
    today = today or timezone.localdate()
    registrations = Registration.objects.filter(municipality__region=region)
    if provider is not None:
        registrations = registrations.filter(provider=provider)
    waiting = registrations.filter(state=RegistrationState.OPEN)
    days = [(today - d).days for d in waiting.values_list("indication_date", flat=True)]
    candidates = DuplicateCandidate.objects.filter(
        client_a__registrations__in=registrations
    ).distinct()
    return Figures(
        waiting=waiting.count(),
        clients_waiting=waiting.values("client").distinct().count(),
        by_status=_count(waiting, "status"),
        by_profile=_count(waiting, "care_profile"),
        by_municipality=_count(waiting, "municipality__name"),
        median_days=statistics.median(days) if days else None,
        p90_days=percentile(days, 90),
        inflow=_per_month(registrations, "created_at"),
        outflow=_per_month(registrations.exclude(state=RegistrationState.OPEN), "closed_at"),
        duplicates_found=candidates.count(),
        duplicates_merged=Merge.objects.filter(
            candidate__in=candidates, undone_at__isnull=True
        ).count(),
        duplicates_open=candidates.filter(state=CandidateState.OPEN).count(),
    )


def _count(queryset, field: str) -> dict:
    rows = queryset.values(field).annotate(n=Count("pk")).order_by(field)
    return {row[field]: row["n"] for row in rows}


def _per_month(queryset, field: str) -> dict:
    rows = (
        queryset.exclude(**{f"{field}__isnull": True})
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return {row["month"].strftime("%Y-%m"): row["n"] for row in rows}


def suppressed(figures_: Figures) -> dict:
    """The figures as an analyst may see them: small counts replaced by '<5'."""

    def hide(table: dict) -> dict:
        return {k: suppress(v, active=True) for k, v in table.items()}

    return {
        "waiting": suppress(figures_.waiting, active=True),
        "clients_waiting": suppress(figures_.clients_waiting, active=True),
        "by_status": hide(figures_.by_status),
        "by_profile": hide(figures_.by_profile),
        "by_municipality": hide(figures_.by_municipality),
        "median_days": figures_.median_days,
        "p90_days": figures_.p90_days,
        "inflow": hide(figures_.inflow),
        "outflow": hide(figures_.outflow),
        "duplicates_found": suppress(figures_.duplicates_found, active=True),
        "duplicates_merged": suppress(figures_.duplicates_merged, active=True),
        "duplicates_open": suppress(figures_.duplicates_open, active=True),
    }
