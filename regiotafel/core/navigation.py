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
    order: int = 100


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
    visible = [
        (entry, reverse(entry.url_name) if entry.url_name else None)
        for entry in sorted(_entries.values(), key=lambda e: e.order)
        if entry.url_name is None or not entry.action or permissions.can(user, entry.action)
    ]
    # The current page is the entry with the longest URL that the path starts with.
    matching = [url for _entry, url in visible if url and _on_page(request.path, url)]
    current = max(matching, key=len, default=None)
    return [
        NavLink(entry.key, entry.label, url, url is not None and url == current)
        for entry, url in visible
    ]


def _on_page(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


register(NavEntry("home", _("Start"), "home", order=0))
register(NavEntry("capaciteit", _("Beddenbord"), order=10))
register(NavEntry("wachtlijst", _("Wachtlijst"), order=20))
register(NavEntry("zorgkloof", _("Zorgkloof"), order=30))
register(NavEntry("portfolio", _("Portfolio"), order=40))
register(NavEntry("plannen", _("Regioplannen"), order=50))
register(NavEntry("medewerkers", _("Medewerkers"), "members", "medewerkers.beheren", order=89))
register(NavEntry("auditlog", _("Auditlog"), "auditlog", "auditlog.bekijken", order=90))
