"""What each capability says about a region at a glance: the sections of the regional dashboard.

The dashboard (and the analyst's home page) show one section per capability that has something
to say to this person about this region: the gap ahead, the plans' white spots, the projects.
A capability registers a builder, ``build(user, region) -> dict | None``, and the template that
renders it (as ``section``); None means "nothing to show here, or not for this person". The
capabilities never import each other: they meet here, as the navigation and home panels do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    build: Callable[..., dict | None]
    order: int = 100


@dataclass(frozen=True)
class Rendered:
    key: str
    template: str
    section: dict


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    """Add a capability's section (again under the same key: replace it)."""
    _sections[section.key] = section


def sections_for(user, region) -> list[Rendered]:
    """The sections that have something for this person about this region, in order."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        built = section.build(user, region)
        if built is not None:
            shown.append(Rendered(section.key, section.template, built))
    return shown
