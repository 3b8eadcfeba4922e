"""The portfolio's actions and menu entry.

Every member views the portfolio of their own region, and the national register (projects
without a region, the published report); analysts and administrators manage their region's
projects, vision, KPIs and phases. A provider's planner sees everything read-only.
"""

from django.utils.translation import gettext_lazy as _

from regiotafel.core import navigation
from regiotafel.core.models import Role
from regiotafel.core.permissions import ALL_ROLES, Scope, register

MANAGERS = {Role.REGIO_ANALIST, Role.BEHEERDER}


def is_national(user, obj) -> bool:
    """The national register and its report are open to every member of an organisation."""
    from regiotafel.core.acting import memberships_of

    return obj is not None and obj.owner_region_id is None and bool(memberships_of(user))


register(
    "portfolio.bekijken",
    roles=ALL_ROLES,
    scope=Scope.REGION,
    also=is_national,
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
