"""On PostgreSQL the application runs as a role that does not own the audit table: that role
cannot truncate it, switch off its triggers, use replica mode, or update or delete events."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from regiotafel.core import audit
from regiotafel.core.models import AuditEvent, Organisation, OrganisationType, Region

# Transactional (a second connection must see the rows); serialized like the other transactional
# tests, so the content types survive for whichever runs next.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

APP_ROLE = "rt_audit_app_test"
ATTEMPTS = [
    "TRUNCATE core_auditevent",
    "TRUNCATE core_auditevent CASCADE",
    "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update",
    "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
    "DROP TRIGGER core_auditevent_no_update ON core_auditevent",
    "DROP TABLE core_auditevent CASCADE",
    "SET session_replication_role = replica",
    "UPDATE core_auditevent SET data_subject = 'iemand anders'",
    "DELETE FROM core_auditevent",
    "SELECT setval(pg_get_serial_sequence('core_auditevent', 'id'), 1)",
]


def _drop_role(cursor) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
    if cursor.fetchone():
        cursor.execute(f"DROP OWNED BY {APP_ROLE}")
        cursor.execute(f"DROP ROLE {APP_ROLE}")


@pytest.fixture
def app_connection():
    if connection.vendor != "postgresql":
        pytest.skip("database roles need PostgreSQL (set DATABASE_URL)")
    with connection.cursor() as cursor:
        _drop_role(cursor)
        cursor.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
    settings = connection.settings_dict
    call_command("audit", "beveilig", "--app-rol", APP_ROLE)
    app = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=APP_ROLE,
        autocommit=True,
    )
    yield app
    app.close()
    with connection.cursor() as cursor:
        _drop_role(cursor)


def an_organisation() -> Organisation:
    region = Region.objects.create(name="Zuid-Holland Noord", slug="zhn")
    return Organisation.objects.create(name="Rijnhof", type=OrganisationType.VVT, region=region)


@pytest.mark.parametrize("statement", ATTEMPTS)
def test_the_application_role_cannot_remove_or_alter_events(app_connection, statement):
    org = an_organisation()
    for n in range(3):
        audit.record("read", org, data_subject=f"cliënt {n}")
    before = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "hash"))
    with pytest.raises(psycopg.Error):
        app_connection.execute(statement)
    after = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "hash"))
    assert after == before
    assert audit.verify().broken is None


def test_the_application_role_still_reads_and_appends_events_and_changes_other_tables(
    app_connection,
):
    org = an_organisation()
    audit.record("read", org, data_subject="cliënt 1")
    with app_connection.transaction():
        app_connection.execute("SELECT pg_advisory_xact_lock(%s)", [audit.CHAIN_LOCK_KEY])
        (count,) = app_connection.execute("SELECT count(*) FROM core_auditevent").fetchone()
        app_connection.execute(
            "INSERT INTO core_auditevent (occurred_at, actor_name, organisation_name, action, "
            "channel, object_type, object_id, object_repr, data_subject, detail, sequence, "
            "previous_hash, hash, request_id) VALUES (now(), '', '', 'read', 'system', '', '', "
            "'', '', '{}', %s, '', '', '')",
            [count + 1000],
        )
        app_connection.execute("UPDATE core_organisation SET name = 'Rijnhof Zorg'")
        app_connection.execute("DELETE FROM core_organisation WHERE name = 'bestaat niet'")
    assert AuditEvent.objects.filter(sequence=count + 1000).exists()


def test_the_owner_or_a_superuser_is_refused_as_application_role():
    if connection.vendor != "postgresql":
        pytest.skip("database roles need PostgreSQL (set DATABASE_URL)")
    from django.core.management import CommandError

    owner = connection.settings_dict["USER"] or "postgres"
    with pytest.raises(CommandError, match="superuser|eigenaar"):
        call_command("audit", "beveilig", "--app-rol", owner)
