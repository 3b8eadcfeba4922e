"""The audit log becomes a hash chain: every event carries its sequence number, the hash of
the event before it and its own hash (core.audit.event_hash). Existing events are chained in
the order they were written (by primary key).

The append-only triggers of 0002 refuse the UPDATE that fills in the chain, and SQLite drops
them when it rebuilds the table for the new columns; so they are dropped first and created
again at the end (the same SQL as 0002).
"""

from django.db import migrations, models

MESSAGE = "core_auditevent is append-only"

POSTGRESQL_UP = f"""
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""
POSTGRESQL_DOWN = "DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;"
SQLITE_UP = [
    f"CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
]


def _run(schema_editor, postgresql, sqlite) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_DOWN, SQLITE_DOWN)


def create_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_UP, SQLITE_UP)


def chain_existing(apps, schema_editor):
    """Number and hash the events written before the chain existed, oldest first."""
    from regiotafel.core.audit import GENESIS_HASH, event_hash

    AuditEvent = apps.get_model("core", "AuditEvent")
    previous = GENESIS_HASH
    events = AuditEvent.objects.order_by("pk").iterator(chunk_size=2000)
    for sequence, event in enumerate(events, start=1):
        event.sequence, event.previous_hash = sequence, previous
        event.hash = previous = event_hash(event)
        # The historical model has none of the append-only guards; a plain UPDATE per row.
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=event.sequence, previous_hash=event.previous_hash, hash=event.hash
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_municipality_centre_and_location")]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(null=True, verbose_name="volgnummer"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64, verbose_name="vorige hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(unique=True, verbose_name="volgnummer"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
