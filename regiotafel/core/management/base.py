"""The base of every Regiotafel command: audit context and one-line Dutch errors."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, SystemCheckError

from regiotafel import errors
from regiotafel.core import audit


class RegiotafelCommand(BaseCommand):
    def execute(self, *args, **options):
        with audit.acting_as(channel="cli"):
            try:
                return super().execute(*args, **options)
            except errors.RegiotafelError as exc:
                failure = CommandError(str(exc))
            except SystemCheckError:
                raise  # Django formats its own check report
            except CommandError as exc:
                failure = exc
        if self._called_from_command_line and not options.get("traceback"):
            # Django would print "CommandError: …"; a person reads one Dutch line instead.
            self.stderr.write(f"regiotafel: {failure}")
            sys.exit(failure.returncode)
        raise failure
