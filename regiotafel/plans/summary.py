"""The plans at a glance, for the regional dashboard: how the region's finished plans cover
the indicators of "de beweging naar de voorkant", and which ones no plan covers."""

from __future__ import annotations

from regiotafel.core import permissions
from regiotafel.plans import results
from regiotafel.plans.models import Framework, Verdict
from regiotafel.plans.services import DEFAULT_FRAMEWORK

SHOWN_WHITE_SPOTS = 8


def region_section(user, region) -> dict | None:
    """None when the person may not see the region's plans, or nothing has been scanned yet."""
    if not permissions.can(user, "plannen.bekijken", region):
        return None
    framework = Framework.objects.filter(name=DEFAULT_FRAMEWORK).first()
    if framework is None:
        return None
    m = results.matrix(framework=framework, regions=[region])
    if not m.plans:
        return None
    verdicts = [m.cell(region, indicator).effective for indicator in m.indicators]
    absent = [i for i in m.indicators if m.cell(region, i).effective == Verdict.NIET_GEDEKT]
    return {
        "region": region,
        "framework": framework,
        "plans": len(m.plans),
        "indicators": len(m.indicators),
        "counts": [(Verdict(v).label, verdicts.count(v)) for v in Verdict.values],
        "confirmed": sum(m.cell(region, i).confirmed is not None for i in m.indicators),
        "white_spots": absent[:SHOWN_WHITE_SPOTS],
        "more_white_spots": max(0, len(absent) - SHOWN_WHITE_SPOTS),
    }
