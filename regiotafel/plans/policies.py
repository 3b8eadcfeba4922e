"""The plan analysis's actions and menu entry.

Analysts and administrators of a region upload, code and see their own region's plans. Plans
are public documents and codings are not personal data, so the cross-region overview (the
matrix, white spots and evaluation) shows every region's plans to analysts and
administrators anywhere. Frameworks are shared by all regions; analysts and administrators
maintain them. Providers, referrers and triagists have no part in it.
"""

from django.utils.translation import gettext_lazy as _

from regiotafel.core import navigation
from regiotafel.core.models import Role
from regiotafel.core.permissions import Scope, ownership, register
from regiotafel.plans.models import Coding, Framework, Indicator, Plan

A, B = Role.REGIO_ANALIST, Role.BEHEERDER

ownership(Framework)  # shared by all regions
ownership(Indicator)
ownership(Plan, region="region")
ownership(Coding, region="plan__region")

register(
    "plannen.bekijken",
    roles={A, B},
    scope=Scope.REGION,
    description=_("de regioplannen van de eigen regio en hun voorstellen bekijken"),
)
register(
    "plannen.beheren",
    roles={A, B},
    scope=Scope.REGION,
    description=_("een regioplan van de eigen regio uploaden en laten scannen"),
)
register(
    "plannen.coderen",
    roles={A, B},
    scope=Scope.REGION,
    description=_("passages beoordelen en indicatoren van een regioplan coderen"),
)
register(
    "plannen.vergelijken",
    roles={A, B},
    scope=Scope.ANY,
    description=_("de matrix, witte vlekken en evaluatie over alle regio's bekijken"),
)
register(
    "raamwerk.beheren",
    roles={A, B},
    scope=Scope.ANY,
    description=_("toetsingskaders, synoniemen en voorbeeldzinnen beheren"),
)

navigation.register(
    navigation.NavEntry("plannen", _("Regioplannen"), "plans:index", "plannen.bekijken", order=50)
)
