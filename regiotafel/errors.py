"""Typed domain exceptions, raised by services and turned into responses only at the edges.

The API turns them into ``application/problem+json`` (see ``regiotafel.problems``), pages into
a message or an error page, management commands into one Dutch line on stderr.

Every error carries a stable machine-readable ``code`` beside its Dutch sentence: clients and
tests match on the code, never on the prose. A raise site names a specific code
(``errors.Conflict(_("…"), code="bed-niet-vrij")``); without one the class's generic code
applies. Every code is listed in docs/api.md (``tests/test_problem_codes.py`` checks it).
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
    code = "ongeldig-verzoek"

    def __init__(
        self, detail: str, *, code: str | None = None, errors: list[FieldError] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or type(self).code
        self.errors = list(errors or [])

    @property
    def slug(self) -> str:
        """The old name of :attr:`code` (the last part of the problem's ``type``)."""
        return self.code

    def __str__(self) -> str:
        if not self.errors:
            return self.detail
        return "\n".join([self.detail, *(f"  - {error}" for error in self.errors)])


class InvalidInput(RegiotafelError):
    status = 422
    title = _("Ongeldige invoer")
    code = "ongeldige-invoer"


class NotAuthenticated(RegiotafelError):
    status = 401
    title = _("Niet ingelogd")
    code = "niet-ingelogd"


class PermissionDenied(RegiotafelError):
    status = 403
    title = _("Geen toegang")
    code = "geen-toegang"


class NotFound(RegiotafelError):
    status = 404
    title = _("Niet gevonden")
    code = "niet-gevonden"


class Conflict(RegiotafelError):
    status = 409
    title = _("Conflict")
    code = "conflict"
