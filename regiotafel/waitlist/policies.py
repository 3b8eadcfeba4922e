"""The waiting list's actions, its models' ownership and its menu entry.

Providers' planners (capaciteitsbeheerder) manage their own files; the care office's planners
and administrators see the whole region (the care office buys the care and monitors the list);
analysts see aggregates only, with small counts suppressed.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regiotafel.core import navigation
from regiotafel.core.models import OrganisationType, Role
from regiotafel.core.permissions import Grant, Scope, ownership, register
from regiotafel.waitlist.models import (
    Client,
    DuplicateCandidate,
    Merge,
    OnwardPlacement,
    PlacementOffer,
    Registration,
    RegistrationState,
)

C, A, B = Role.CAPACITEITSBEHEERDER, Role.REGIO_ANALIST, Role.BEHEERDER
CARE_OFFICE_ROLES = {C, B}

# The care office of a region keeps the region's whole list.
CARE_OFFICE = Grant(
    frozenset(CARE_OFFICE_ROLES), Scope.REGION, frozenset({OrganisationType.ZORGKANTOOR})
)


def _client_providers(ids: set[int], prefix: str) -> Q:
    """A client belongs to every provider holding a file on them, and to every provider whose
    location an open registration of theirs prefers."""
    return Q(**{f"{prefix}registrations__provider__in": ids}) | Q(
        **{
            f"{prefix}registrations__state": RegistrationState.OPEN,
            f"{prefix}registrations__preferences__location__organisation__in": ids,
        }
    )


ownership(Client, organisation=_client_providers, region="registrations__municipality__region")
ownership(Registration, organisation="provider", region="municipality__region")
ownership(DuplicateCandidate, via=("client_a", "client_b"))
ownership(Merge, via=("survivor",))
# An onward placement belongs to the provider that admitted the client on its crisis bed, in
# the bed's region (the care office of that region tracks it too).
ownership(OnwardPlacement, organisation="provider", region="bed__location__municipality__region")
ownership(
    PlacementOffer,
    organisation="location__organisation",
    region="location__municipality__region",
)


def care_office_regions(user) -> set[int]:
    """Regions in which the user works for the care office with a list-keeping role."""
    return {m.organisation.region_id for m in CARE_OFFICE.holding(user)}


register(
    "wachtlijst.beheren",
    roles={C},
    scope=Scope.OWN,
    also=CARE_OFFICE,
    description=_("de wachtlijst van de eigen organisatie beheren"),
)
register(
    "wachtlijst.client.bekijken",
    roles={C},
    scope=Scope.OWN,
    also=CARE_OFFICE,
    personal_data=True,
    description=_("de gegevens van een wachtende cliënt inzien"),
)
register(
    "wachtlijst.ontdubbelen",
    roles={C},
    scope=Scope.OWN,
    also=CARE_OFFICE,
    description=_("dubbele inschrijvingen beoordelen en samenvoegen"),
)
register(
    "wachtlijst.plaatsen",
    roles={C},
    scope=Scope.OWN,
    description=_("een vrijgekomen plaats aanbieden en de plaatsing vastleggen"),
)
register(
    "wachtlijst.dossierhouder_toewijzen",
    roles=set(),  # only the care office of the client's region (below)
    scope=Scope.REGION,
    also=CARE_OFFICE,
    description=_("de dossierhouder van een wachtende cliënt aanwijzen"),
)
register(
    "doorplaatsing.bekijken",
    roles={C},
    scope=Scope.OWN,
    also=CARE_OFFICE,
    personal_data=True,
    description=_("doorplaatsingen vanuit crisisbedden volgen"),
)
register(
    "doorplaatsing.bijwerken",
    roles={C},
    scope=Scope.OWN,
    also=CARE_OFFICE,
    description=_("een doorplaatsing vanuit een crisisbed aan de wachtlijst koppelen of afsluiten"),
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
