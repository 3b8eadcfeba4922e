"""Periodic work of notifications: warn once about claims about to expire unanswered.

Every minute (``SCHEDULE_EXPIRY_WARNINGS_SECONDS``) the scheduler looks at active claims whose
deadline is near: within ``WARN_BEFORE`` (10 minutes) and within the last quarter of their
term, whichever is shorter — the same in every region, so a 30-minute claim is warned 7½
minutes before its end and a 4-hour claim 10 minutes before. Each claim is warned once: the
warning is stored (:class:`ExpiryWarning`, unique per claim) in the transaction that sends it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from regiotafel.notifications import claim_events
from regiotafel.notifications.models import ExpiryWarning
from regiotafel.ops.scheduler import register

WARN_BEFORE = timedelta(minutes=10)
WARN_FRACTION = 0.25  # never earlier than the last quarter of the claim's term


def due(claim, now: datetime) -> bool:
    left = claim.expires_at - now
    window = min(WARN_BEFORE, (claim.expires_at - claim.created_at) * WARN_FRACTION)
    return timedelta(0) < left <= window


def warn_expiring(*, now: datetime | None = None) -> int:
    """Warn about every claim now due for its warning; returns how many were warned."""
    from regiotafel.capacity.models import Claim, ClaimState

    now = now or timezone.now()
    candidates = (
        Claim.objects.filter(
            state=ClaimState.ACTIEF,
            expires_at__gt=now,
            expires_at__lte=now + WARN_BEFORE,
            expiry_warning__isnull=True,
        )
        .select_related("bed__location", "case")
        .order_by("expires_at")
    )
    warned = 0
    for claim in candidates:
        if not due(claim, now):
            continue
        try:
            with transaction.atomic():
                ExpiryWarning.objects.create(claim=claim, warned_at=now)
                claim_events.expiring(claim)
        except IntegrityError:  # warned meanwhile by another process
            continue
        warned += 1
    return warned


@register("reserveringen-waarschuwen", setting="SCHEDULE_EXPIRY_WARNINGS_SECONDS")
def expiry_warnings() -> str:
    return f"{warn_expiring()} gewaarschuwd"
