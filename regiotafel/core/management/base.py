"""The base of every Regiotafel command: audit context and one-line Dutch errors."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from regiotafel import errors
from regiotafel.core import audit


class RegiotafelCommand(BaseCommand):
    def execute(self, *args, **options):
        with audit.acting_as(channel="cli"):
            try:
                return super().execute(*args, **options)
            except errors.RegiotafelError as exc:
                raise CommandError(str(exc)) from None
