"""The shared waiting list at a glance, for the regional dashboard: how many wait in the
region, by national status, and for how long. Always aggregated with small counts hidden
("<5"), whoever looks: the dashboard is an overview, never a way to single anyone out."""

from __future__ import annotations

from regiotafel.core import permissions
from regiotafel.waitlist import reports
from regiotafel.waitlist.models import WaitingStatus


def region_section(user, region) -> dict | None:
    """None when the person may not see the list's figures, or nobody waits in the region."""
    if not permissions.can(user, "wachtlijst.cijfers", region):
        return None
    figures = reports.figures(region=region)
    if not figures.waiting:
        return None
    shown = reports.suppressed(figures)
    labels = dict(WaitingStatus.choices)
    return {
        "region": region,
        "clients_waiting": shown["clients_waiting"],
        "by_status": [(labels.get(k, k), v) for k, v in shown["by_status"].items()],
        "median_days": shown["median_days"],
        "p90_days": shown["p90_days"],
    }
