"""The gap ahead at a glance, for the regional dashboard: the shortage of nursing-home places
in the key years, per scenario, from the region's current projection."""

from __future__ import annotations

from regiotafel.core import permissions
from regiotafel.projection import report, services

HEADLINE_PRODUCT = "verpleeghuis"  # nursing-home places, PG and somatic together


def region_section(user, region) -> dict | None:
    """None when the person may not see the region's gap analysis or it has no parameters."""
    if not permissions.can(user, "zorgkloof.bekijken", region):
        return None
    parameter_set = services.current_parameter_set(region)
    if parameter_set is None:
        return None
    found = services.load_projection(parameter_set)
    product = HEADLINE_PRODUCT if HEADLINE_PRODUCT in found.products else found.products[0]
    rows = report.baseline(found.results)
    rows = rows[(rows["gemeente"] == found.region_code) & (rows["product"] == product)]
    years = [year for year in report.KEY_YEARS if year in set(rows["jaar"])]
    scenarios = []
    for scenario in found.scenarios:
        mine = rows[rows["scenario"] == scenario].set_index("jaar")
        shortages = [
            (round(mine.at[year, "tekort"]), _percent(mine.at[year, "tekort_pct"]))
            for year in years
        ]
        scenarios.append((found.labels.scenario(scenario), shortages))
    return {
        "region": region,
        "product": found.labels.product(product),
        "years": years,
        "scenarios": scenarios,
        "source": found.source,
    }


def _percent(share) -> int | None:
    return None if share != share else round(share * 100)  # NaN: no current capacity
