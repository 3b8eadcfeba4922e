"""The capacity capability's actions and menu entries, registered with the foundation."""

from django.utils.translation import gettext_lazy as _

from regiotafel.capacity.models import Bed, CapacitySettings, Case, Claim
from regiotafel.core import navigation
from regiotafel.core.models import OrganisationType, Role
from regiotafel.core.permissions import Grant, Scope, ownership, register

V, T, C, A, B = (
    Role.VERWIJZER,
    Role.TRIAGIST,
    Role.CAPACITEITSBEHEERDER,
    Role.REGIO_ANALIST,
    Role.BEHEERDER,
)

ownership(CapacitySettings, region="region")
ownership(Bed, organisation="location__organisation", region="location__municipality__region")
# A case belongs to the referrer, the registration point handling it and every provider
# whose bed was claimed for it.
ownership(
    Case,
    organisation=("referrer_organisation", "handled_by", "claims__bed__location__organisation"),
    region="municipality__region",
)
ownership(Claim, organisation="organisation", region="bed__location__municipality__region")

register(
    "beschikbaarheid.bekijken",
    roles={V, T, C, A},
    scope=Scope.ANY,
    description=_("de beschikbaarheid van bedden bekijken"),
)
register(
    "bedden.bijwerken",
    roles={C},
    scope=Scope.OWN,
    description=_("bedden en beschikbaarheid van een locatie bijwerken"),
)
register("bed.reserveren", roles={V, T}, scope=Scope.ANY, description=_("een bed reserveren"))
register(
    "reservering.intrekken",
    roles={V, T},
    scope=Scope.OWN,
    description=_("een reservering van de eigen organisatie intrekken"),
)
register(
    "reservering.beslissen",
    roles={C},
    scope=Scope.OWN,
    description=_("een opname op een eigen bed bevestigen of weigeren"),
)
register("casus.aanmelden", roles={V}, scope=Scope.OWN, description=_("een casus aanmelden"))
register(
    "casus.bekijken",
    roles={V, T, C},
    scope=Scope.OWN,
    personal_data=True,
    description=_("een casus inzien"),
)
register(
    "casus.behandelen",
    roles={V, T},
    scope=Scope.OWN,
    description=_("de status van een casus wijzigen"),
)
# Crisis triage by the registration point (seed 004; capacity/triage.py): only a triagist
# of an organisation of type *aanmeldpunt* counts for these (no main grant: roles=()).
RAP_TRIAGIST = frozenset({T})
RAP = frozenset({OrganisationType.AANMELDPUNT})
register(
    "crisisbed.reserveren",
    roles=(),
    scope=Scope.ANY,
    also=Grant(RAP_TRIAGIST, Scope.ANY, RAP),
    description=_("een bed reserveren dat alleen via triage door het aanmeldpunt gaat"),
)
register(
    "casus.trieren",
    roles=(),
    scope=Scope.OWN,
    also=Grant(RAP_TRIAGIST, Scope.OWN, RAP),
    description=_("een aan het aanmeldpunt overgedragen casus beoordelen (triage)"),
)
register(
    "casus.telefonisch_aanmelden",
    roles=(),
    scope=Scope.REGION,
    also=Grant(RAP_TRIAGIST, Scope.REGION, RAP),
    description=_("een telefonisch aangemelde casus registreren namens een verwijzer"),
)
register(
    "casus.eerdere_bekijken",
    roles=(),
    scope=Scope.REGION,
    personal_data=True,
    also=Grant(RAP_TRIAGIST, Scope.REGION, RAP),
    description=_("eerdere casussen van dezelfde persoon in de regio raadplegen"),
)
register(
    "capaciteit.rapportage",
    roles={T, A, B},
    scope=Scope.REGION,
    description=_("de managementinformatie over capaciteit bekijken"),
)

for key, label, url_name, action, order in [
    ("capaciteit", _("Beddenbord"), "capacity:board", "beschikbaarheid.bekijken", 10),
    ("casussen", _("Casussen"), "capacity:cases", "casus.bekijken", 11),
    ("reserveringen", _("Reserveringen"), "capacity:claims", "casus.bekijken", 12),
    ("triage", _("Triage"), "capacity:triage", "casus.trieren", 12),
    ("bedden", _("Mijn bedden"), "capacity:beds", "bedden.bijwerken", 13),
    ("rapportage", _("Capaciteitscijfers"), "capacity:report", "capaciteit.rapportage", 14),
]:
    navigation.register(navigation.NavEntry(key, label, url_name, action, order))
