"""The analyst's home panel: the region's municipalities (as the foundation showed them) and,
with the portfolio, a short summary that links to the regional dashboard."""

from __future__ import annotations

from regiotafel.core import permissions, regional
from regiotafel.core import services as core_services
from regiotafel.core.models import Role
from regiotafel.core.views import home_panel
from regiotafel.portfolio import services


@home_panel(Role.REGIO_ANALIST)
def analyst_panel(request, organisation) -> dict:
    region = organisation.region
    permissions.check(request.user, "regio.analyseren", region)
    summary = services.dashboard(region=region)
    return {
        "template": "portfolio/home_analist.html",
        "region": region,
        **core_services.region_overview(region=region),
        "portfolio": summary,
        "sections": regional.sections_for(request.user, region),
    }
