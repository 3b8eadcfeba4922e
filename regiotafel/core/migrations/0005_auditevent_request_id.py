"""Audit events name the request they belong to (``request_id``, the X-Request-ID of the
request log line).

SQLite rebuilds the table to add a NOT NULL column and drops its triggers on the way, so the
append-only triggers are dropped first and created again at the end, as in 0004. Existing
events keep an empty request id and their hashes: ``core.audit.canonical`` includes the
field only when it is set.
"""

from importlib import import_module

from django.db import migrations, models

chain = import_module("regiotafel.core.migrations.0004_audit_hash_chain")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_hash_chain")]

    operations = [
        migrations.RunPython(chain.drop_triggers, chain.create_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="request_id",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="verzoek-id"
            ),
        ),
        migrations.RunPython(chain.create_triggers, chain.drop_triggers),
    ]
