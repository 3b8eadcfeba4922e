"""The gap analysis's actions and menu entry.

The projection is regional management information: the region's analysts and administrators
(of any organisation in the region) see it and keep its parameters, as ``regio.analyseren``.
"""

from django.utils.translation import gettext_lazy as _

from regiotafel.core import navigation
from regiotafel.core.models import Role
from regiotafel.core.permissions import Scope, ownership, register
from regiotafel.projection.models import ParameterSet

ANALYSTS = {Role.REGIO_ANALIST, Role.BEHEERDER}

ownership(ParameterSet, region="region")

register(
    "zorgkloof.bekijken",
    roles=ANALYSTS,
    scope=Scope.REGION,
    description=_("de zorgkloofanalyse van een regio bekijken"),
)
register(
    "zorgkloof.parameters.beheren",
    roles=ANALYSTS,
    scope=Scope.REGION,
    description=_("de parameters van de zorgkloofanalyse van een regio beheren"),
)

navigation.register(
    navigation.NavEntry(
        "zorgkloof", _("Zorgkloof"), "projection:index", "zorgkloof.bekijken", order=30
    )
)
