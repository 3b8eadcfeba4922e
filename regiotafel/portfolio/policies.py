"""The portfolio's actions, its models' ownership and its menu entry.

Every member views the portfolio of their own region, and the national register (projects
and themes without a region, the published report); analysts and administrators manage their
region's projects, vision, KPIs and phases. A provider's planner sees everything read-only.
"""

from django.utils.translation import gettext_lazy as _

from regiotafel.core import navigation
from regiotafel.core.models import Role
from regiotafel.core.permissions import ALL_ROLES, Grant, Scope, ownership, register
from regiotafel.portfolio.models import (
    AgendaItem,
    Kpi,
    KpiMeasurement,
    Project,
    RegionPhase,
    Theme,
)

MANAGERS = {Role.REGIO_ANALIST, Role.BEHEERDER}

ownership(Theme, region="region")
ownership(AgendaItem, region="region")
ownership(Project, organisation="lead_organisation", region="region")
ownership(RegionPhase, region="region")
ownership(Kpi, region="region")
ownership(KpiMeasurement, region="kpi__region")

# The national register and its report are open to every member of an organisation.
NATIONAL = Grant(ALL_ROLES, Scope.NATIONAL)

register(
    "portfolio.bekijken",
    roles=ALL_ROLES,
    scope=Scope.REGION,
    also=NATIONAL,
    description=_("het projectportfolio van de regio bekijken"),
)
register(
    "portfolio.beheren",
    roles=MANAGERS,
    scope=Scope.REGION,
    description=_("het projectportfolio, de visie en de KPI's van de regio beheren"),
)
register(
    "regiofasen.vastleggen",
    roles=MANAGERS,
    scope=Scope.REGION,
    description=_("de fasen van een regio vastleggen"),
)

navigation.register(
    navigation.NavEntry(
        "portfolio", _("Portfolio"), "portfolio:index", "portfolio.bekijken", order=40
    )
)
