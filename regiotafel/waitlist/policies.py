"""The waiting list's actions and menu entry.

Providers' planners (capaciteitsbeheerder) manage their own files; the care office's planners
and administrators see the whole region (the care office buys the care and monitors the list);
analysts see aggregates only, with small counts suppressed.
"""

from django.utils.translation import gettext_lazy as _

from regiotafel.core import navigation
from regiotafel.core.acting import memberships_of
from regiotafel.core.models import OrganisationType, Role
from regiotafel.core.permissions import Scope, register

C, A, B = Role.CAPACITEITSBEHEERDER, Role.REGIO_ANALIST, Role.BEHEERDER
CARE_OFFICE_ROLES = {C, B}


def care_office_regions(user) -> set[int]:
    """Regions in which the user works for the care office with a list-keeping role."""
    return {
        m.organisation.region_id
        for m in memberships_of(user)
        if m.organisation.type == OrganisationType.ZORGKANTOOR and m.role in CARE_OFFICE_ROLES
    }


def is_care_office_of(user, obj) -> bool:
    region = getattr(obj, "owner_region_id", None) if obj is not None else None
    regions = care_office_regions(user)
    return bool(regions) and (obj is None or region in regions)


register(
    "wachtlijst.beheren",
    roles={C},
    scope=Scope.OWN,
    also=is_care_office_of,
    description=_("de wachtlijst van de eigen organisatie beheren"),
)
register(
    "wachtlijst.client.bekijken",
    roles={C},
    scope=Scope.OWN,
    also=is_care_office_of,
    personal_data=True,
    description=_("de gegevens van een wachtende cliënt inzien"),
)
register(
    "wachtlijst.ontdubbelen",
    roles={C},
    scope=Scope.OWN,
    also=is_care_office_of,
    description=_("dubbele inschrijvingen beoordelen en samenvoegen"),
)
register(
    "wachtlijst.plaatsen",
    roles={C},
    scope=Scope.OWN,
    description=_("een vrijgekomen plaats aanbieden en de plaatsing vastleggen"),
)
register(
    "wachtlijst.cijfers",
    roles={C, A, B},
    scope=Scope.REGION,
    description=_("de managementinformatie van de wachtlijst bekijken"),
)

navigation.register(
    navigation.NavEntry(
        "wachtlijst", _("Wachtlijst"), "waitlist:list", "wachtlijst.cijfers", order=20
    )
)
