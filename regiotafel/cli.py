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

    execute_from_command_line(["regiotafel", *(args or ["help"])])
