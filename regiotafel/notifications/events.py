"""The registry of event kinds: the single list of what people can be told about.

A capability registers its kinds here (at import of this module, so the list is complete
wherever it is read) with a Dutch label and whether e-mail is on by default. The preferences
page shows exactly this list, in this order. In-app notifications are always on; e-mail can
be switched per kind by each user (``NotificationPreference``).

Register a kind::

    from regiotafel.notifications.events import EventKind, register

    register(EventKind("casus-overgedragen", _("Casus overgedragen aan het RAP"), email=True))

and send it with :func:`regiotafel.notifications.notify.send`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventKind:
    slug: str  # stable, stored on every notification and preference
    label: str  # Dutch, shown on the preferences page and as the e-mail subject
    email: bool = True  # e-mail on by default (a user may switch it off, or on)
    help: str = ""  # Dutch: who gets it and when, shown under the label


REGISTRY: dict[str, EventKind] = {}


def register(kind: EventKind) -> EventKind:
    """Add an event kind; registering the same slug again replaces it (module reloads)."""
    REGISTRY[kind.slug] = kind
    return kind


def get(slug: str) -> EventKind:
    try:
        return REGISTRY[slug]
    except KeyError:
        raise LookupError(
            f"unknown notification event kind {slug!r}; register it in events.py"
        ) from None


def all_kinds() -> list[EventKind]:
    return list(REGISTRY.values())


# ---------------------------------------------------------------- claims (capacity)

CLAIM_NEW = register(
    EventKind(
        "reservering-nieuw",
        _("Nieuwe reservering op een bed van uw organisatie"),
        email=True,
        help=_("Voor capaciteitsbeheerders van de aanbieder van het bed."),
    )
)
CLAIM_CONFIRMED = register(
    EventKind(
        "reservering-bevestigd",
        _("Reservering bevestigd (opname)"),
        email=True,
        help=_(
            "Voor wie reserveerde, de verwijzers en triagisten van die organisatie en, als het "
            "aanmeldpunt reserveerde, de verwijzers die de casus aanmeldden."
        ),
    )
)
CLAIM_DECLINED = register(
    EventKind(
        "reservering-geweigerd",
        _("Reservering geweigerd, met de reden"),
        email=True,
        help=_(
            "Voor wie reserveerde, de verwijzers en triagisten van die organisatie en, als het "
            "aanmeldpunt reserveerde, de verwijzers die de casus aanmeldden."
        ),
    )
)
CLAIM_EXPIRED = register(
    EventKind(
        "reservering-verlopen",
        _("Reservering verlopen zonder antwoord"),
        email=True,
        help=_(
            "Voor wie reserveerde, de verwijzers en triagisten van die organisatie en, als het "
            "aanmeldpunt reserveerde, de verwijzers die de casus aanmeldden; ook de "
            "capaciteitsbeheerders van het bed."
        ),
    )
)
CLAIM_EXPIRING = register(
    EventKind(
        "reservering-verloopt-bijna",
        _("Reservering verloopt bijna zonder antwoord"),
        email=True,
        help=_("Voor de capaciteitsbeheerders van het bed en voor wie reserveerde."),
    )
)

# ------------------------------------------- waiting list (onward placement, dossierhouder)

ONWARD_STARTED = register(
    EventKind(
        "doorplaatsing.gestart",
        _("Cliënt opgenomen op een Wlz-crisisbed: doorplaatsing gestart"),
        email=True,
        help=_("Voor het zorgkantoor en de opnemende aanbieder; de termijn begint te lopen."),
    )
)
ONWARD_DEADLINE = register(
    EventKind(
        "doorplaatsing.termijn",
        _("Termijn voor doorplaatsing vanuit een crisisbed verstrijkt bijna of is verstreken"),
        email=True,
        help=_("Voor het zorgkantoor, de opnemende aanbieder en de dossierhouder."),
    )
)
DOSSIERHOUDER_ASSIGNED = register(
    EventKind(
        "wachtlijst.dossierhouder",
        _("Uw organisatie is dossierhouder van een cliënt geworden"),
        email=True,
        help=_("Voor de capaciteitsbeheerders van de aanbieder die het zorgkantoor aanwijst."),
    )
)
PLACEMENT_STEP = register(
    EventKind(
        "wachtlijst.plaatsingsstap",
        _("Plaatsingsstap bij een cliënt van wie u dossierhouder bent"),
        email=True,
        help=_("Aanbod, acceptatie, weigering en plaatsing; voor de dossierhouder."),
    )
)

# ---------------------------------------------------------------- triage (capacity, RAP)

CASE_HANDED_OVER = register(
    EventKind(
        "casus.overgedragen",
        _("Casus overgedragen aan het aanmeldpunt"),
        email=True,
        help=_("Voor de triagisten van het aanmeldpunt dat de casus overneemt."),
    )
)
CASE_PHONED_IN = register(
    EventKind(
        "casus.telefonisch",
        _("Casus namens uw organisatie aangemeld door het aanmeldpunt"),
        email=True,
        help=_(
            "Voor de verwijzers van de organisatie namens wie een triagist een casus aanmeldde."
        ),
    )
)
CASE_ADVICE = register(
    EventKind(
        "casus.advies",
        _("Advies van het aanmeldpunt bij uw casus (geen crisisopname)"),
        email=True,
        help=_("Voor de verwijzers van de organisatie die de casus aanmeldde."),
    )
)
