"""PostgreSQL roles: the application runs as a role that does not own its tables.

Migrations run as the owner (``DATABASE_URL`` of the owner for ``regiotafel migrate``); the
server runs as the application role. :func:`secure_audit_log`, run as the owner after each
migration, gives the application role full DML on every table and use of every sequence, but
on the audit table only SELECT and INSERT. Without ownership the application role cannot
TRUNCATE the audit table, ALTER it (DISABLE TRIGGER) or drop its triggers, and a role that is
not a superuser cannot set ``session_replication_role``; UPDATE and DELETE are refused by the
missing privilege before the append-only trigger is even reached.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core.models import AuditEvent


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _refuse(message: str) -> None:
    raise errors.InvalidInput(message)


def check_app_role(role: str) -> None:
    """The role must exist, must not own the audit table (or be a member of its owner) and
    must not be a superuser: each of those could remove events."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            _refuse(
                _("Databaserol %(role)s bestaat niet; maak hem eerst aan (CREATE ROLE … LOGIN).")
                % {"role": role}
            )
        if found[0]:
            _refuse(_("Databaserol %(role)s is superuser; kies een gewone rol.") % {"role": role})
        cursor.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass", [table]
        )
        owner = cursor.fetchone()[0]
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])
        if cursor.fetchone()[0]:
            _refuse(
                _(
                    "Databaserol %(role)s is (lid van) de eigenaar %(owner)s van de tabellen; "
                    "de applicatie moet als een andere rol draaien."
                )
                % {"role": role, "owner": owner}
            )


@transaction.atomic
def secure_audit_log(*, app_role: str) -> None:
    check_app_role(app_role)
    role, table = _quote(app_role), _quote(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = _quote(cursor.fetchone()[0])
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)",
            [AuditEvent._meta.db_table, AuditEvent._meta.pk.column],
        )
        sequence = cursor.fetchone()[0]  # already quoted where needed
        for statement in [
            f"GRANT USAGE ON SCHEMA {schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {role}",
            f"REVOKE ALL ON {table} FROM {role}",
            f"REVOKE ALL ON {table} FROM PUBLIC",
            f"GRANT SELECT, INSERT ON {table} TO {role}",
            # nextval only: with UPDATE, setval() could turn the audit table's id back and
            # make every later event (and so every audited change) fail.
            f"REVOKE ALL ON SEQUENCE {sequence} FROM {role}",
            f"GRANT USAGE ON SEQUENCE {sequence} TO {role}",
            # Tables of later migrations: the same DML for the application role.
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
            f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        ]:
            cursor.execute(statement)
