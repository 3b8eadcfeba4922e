"""Typed domain exceptions, raised by services and turned into responses only at the edges.

The API turns them into ``application/problem+json`` (see ``regiotafel.problems``), pages into
a message or an error page, management commands into one Dutch line on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, optionally in one row of an uploaded file."""

    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = gettext("rij %(row)s, ") % {"row": self.row} if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class RegiotafelError(Exception):
    status = 400
    title = _("Ongeldig verzoek")
    slug = "ongeldig-verzoek"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])

    def __str__(self) -> str:
        if not self.errors:
            return self.detail
        return "\n".join([self.detail, *(f"  - {error}" for error in self.errors)])


class InvalidInput(RegiotafelError):
    status = 422
    title = _("Ongeldige invoer")
    slug = "ongeldige-invoer"


class NotAuthenticated(RegiotafelError):
    status = 401
    title = _("Niet ingelogd")
    slug = "niet-ingelogd"


class PermissionDenied(RegiotafelError):
    status = 403
    title = _("Geen toegang")
    slug = "geen-toegang"


class NotFound(RegiotafelError):
    status = 404
    title = _("Niet gevonden")
    slug = "niet-gevonden"


class Conflict(RegiotafelError):
    status = 409
    title = _("Conflict")
    slug = "conflict"
