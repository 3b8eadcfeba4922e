"""The main navigation: a registry that each capability adds its entries to.

The five capabilities are listed from the start so people see where the platform is going;
an entry without a page yet is shown as plain text marked "in ontwikkeling", never as a link
to an empty page. An app that delivers a capability registers its URL here and the entry
becomes a link for the roles allowed to use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regiotafel.core import permissions


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str | None = None
    action: str | None = None  # the permission needed to see the link; None: every member


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str | None
    current: bool


_entries: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    """Add an entry, or give a planned entry its page (same key, now with a URL)."""
    _entries[entry.key] = entry


def links_for(request) -> list[NavLink]:
    user = request.user
    links = []
    for entry in _entries.values():
        if entry.url_name is None:
            links.append(NavLink(entry.key, entry.label, None, False))
            continue
        if entry.action and not permissions.can(user, entry.action):
            continue
        url = reverse(entry.url_name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        links.append(NavLink(entry.key, entry.label, url, current))
    return links


register(NavEntry("home", _("Start"), "home"))
register(NavEntry("capaciteit", _("Beddenbord")))
register(NavEntry("wachtlijst", _("Wachtlijst")))
register(NavEntry("zorgkloof", _("Zorgkloof")))
register(NavEntry("portfolio", _("Portfolio")))
register(NavEntry("plannen", _("Regioplannen")))
register(NavEntry("auditlog", _("Auditlog"), "auditlog", "auditlog.bekijken"))
