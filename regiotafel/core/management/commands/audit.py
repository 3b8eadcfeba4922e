"""`regiotafel audit controleer`: prove the audit log is unbroken.
`regiotafel audit beveilig --app-rol ROL`: on PostgreSQL, give the application's own database
role what it needs and no way to remove or change audit events (run as the tables' owner)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext as _

from regiotafel.core import audit, database_roles
from regiotafel.core.management.base import RegiotafelCommand


class Command(RegiotafelCommand):
    help = _(
        "Auditlog: 'controleer' bewijst dat de keten van auditregels ongebroken is; "
        "'beveilig' geeft de databaserol van de applicatie (PostgreSQL) alleen lezen en "
        "toevoegen op het auditlog."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        sub.add_parser(
            "controleer",
            help=_("Controleer volgnummers en hashes van alle auditregels (exitcode 1: breuk)."),
        )
        beveilig = sub.add_parser(
            "beveilig",
            help=_(
                "Geef de applicatierol rechten op alle tabellen, maar op het auditlog alleen "
                "SELECT en INSERT (uitvoeren als eigenaar van de tabellen)."
            ),
        )
        beveilig.add_argument(
            "--app-rol",
            dest="app_rol",
            required=True,
            help=_("De PostgreSQL-rol waarmee de applicatie draait (niet de eigenaar)."),
        )

    def handle(self, *args, opdracht, **options):
        if opdracht == "controleer":
            self._verify()
        else:
            self._secure(options["app_rol"])

    def _verify(self) -> None:
        result = audit.verify()
        if result.broken is not None:
            raise CommandError(
                _(
                    "auditlog is gebroken bij regel %(seq)s (id %(pk)s): %(reason)s; "
                    "%(n)s regel(s) daarvoor zijn in orde."
                )
                % {
                    "seq": result.broken.sequence,
                    "pk": result.broken.pk,
                    "reason": result.broken.reason,
                    "n": result.checked,
                },
                returncode=1,
            )
        self.stdout.write(
            _("Auditlog ongebroken: %(n)s regel(s) gecontroleerd; laatste hash %(hash)s.")
            % {"n": result.checked, "hash": result.last_hash}
        )

    def _secure(self, role: str) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                _("'audit beveilig' is voor PostgreSQL; SQLite kent geen databaserollen.")
            )
        database_roles.secure_audit_log(app_role=role)
        self.stdout.write(
            _(
                "Rol %(role)s mag lezen en schrijven in alle tabellen, maar auditregels alleen "
                "lezen en toevoegen (geen UPDATE, DELETE, TRUNCATE of triggers)."
            )
            % {"role": role}
        )
