"""The database cache's tables, created by ``regiotafel migrate`` like every other table.

Every table of ``sharedstate.config.TABLES`` (named here again: a migration must not change
when the code does) is created whatever ``CACHES`` says at migrate
time (with ``REDIS_URL`` set they stay empty), so switching back to the database cache needs
no ``createcachetable``. Creating a table that exists is a no-op (a database migrated before
this migration may have made them with ``createcachetable``).
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLES = ("regiotafel_cache", "regiotafel_cache_embeddings", "regiotafel_cache_projections")


def create_tables(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    for table in TABLES:
        command.create_table(schema_editor.connection.alias, table, dry_run=False)


def drop_tables(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in TABLES:
            if table in existing:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_tables, drop_tables, elidable=False)]
