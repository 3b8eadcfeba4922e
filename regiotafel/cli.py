"""The ``regiotafel`` console command: a thin wrapper over Django's management commands."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    from regiotafel.config import SettingsError

    try:
        import django

        django.setup()
    except SettingsError as exc:
        print(f"regiotafel: fout in de instellingen: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    try:
        execute_from_command_line(["regiotafel", *(args or ["help"])])
    except (OperationalError, InterfaceError) as exc:
        print(f"regiotafel: {database_unreachable(exc)}", file=sys.stderr)
        raise SystemExit(2) from None


def database_unreachable(exc: Exception) -> str:
    """One Dutch line for a database that cannot be reached, without its password."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    password = settings.DATABASES["default"].get("PASSWORD") or ""
    if password:
        reason = reason.replace(password, "***")
    return _("de database is niet bereikbaar: %(reason)s") % {
        "reason": reason or type(exc).__name__
    }
