"""The bed board's version per region, bumped by triggers on beds and locations.

The triggers run in the writing transaction (AFTER each row), so a version is bumped exactly
when the change commits, by every writer: services, ``audit.update`` (a queryset update),
the admin site, bulk imports and raw SQL alike. See regiotafel/capacity/board_cache.py.
"""

from django.db import migrations, models

# The region of a location: core_location.municipality_id -> core_municipality.region_id.
REGION_OF_LOCATION = (
    "(SELECT m.region_id FROM core_location l JOIN core_municipality m "
    "ON m.id = l.municipality_id WHERE l.id = {loc})"
)
REGION_OF_MUNICIPALITY = "(SELECT m.region_id FROM core_municipality m WHERE m.id = {mun})"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION regiotafel_board_bump(region bigint) RETURNS void AS $$
BEGIN
    IF region IS NULL THEN RETURN; END IF;
    INSERT INTO sharedstate_boardversion (scope, number, stamp)
    VALUES (region, 1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (scope) DO UPDATE
        SET number = sharedstate_boardversion.number + 1, stamp = EXCLUDED.stamp;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION regiotafel_board_bed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM regiotafel_board_bump({REGION_OF_LOCATION.format(loc="NEW.location_id")});
    END IF;
    IF TG_OP = 'DELETE' OR OLD.location_id IS DISTINCT FROM NEW.location_id THEN
        PERFORM regiotafel_board_bump({REGION_OF_LOCATION.format(loc="OLD.location_id")});
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION regiotafel_board_location() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM regiotafel_board_bump({REGION_OF_MUNICIPALITY.format(mun="NEW.municipality_id")});
    END IF;
    IF TG_OP = 'DELETE' OR OLD.municipality_id IS DISTINCT FROM NEW.municipality_id THEN
        PERFORM regiotafel_board_bump({REGION_OF_MUNICIPALITY.format(mun="OLD.municipality_id")});
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER regiotafel_board_bed AFTER INSERT OR UPDATE OR DELETE ON capacity_bed
    FOR EACH ROW EXECUTE FUNCTION regiotafel_board_bed();
CREATE TRIGGER regiotafel_board_location AFTER INSERT OR UPDATE OR DELETE ON core_location
    FOR EACH ROW EXECUTE FUNCTION regiotafel_board_location();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS regiotafel_board_bed ON capacity_bed;
DROP TRIGGER IF EXISTS regiotafel_board_location ON core_location;
DROP FUNCTION IF EXISTS regiotafel_board_bed();
DROP FUNCTION IF EXISTS regiotafel_board_location();
DROP FUNCTION IF EXISTS regiotafel_board_bump(bigint);
"""


def _sqlite_bump(region_sql: str) -> str:
    return (
        "INSERT INTO sharedstate_boardversion (scope, number, stamp) "
        f"SELECT {region_sql}, 1, lower(hex(randomblob(16))) WHERE {region_sql} IS NOT NULL "
        "ON CONFLICT (scope) DO UPDATE SET number = number + 1, stamp = excluded.stamp;"
    )


def _sqlite_triggers() -> list[str]:
    new_loc = REGION_OF_LOCATION.format(loc="NEW.location_id")
    old_loc = REGION_OF_LOCATION.format(loc="OLD.location_id")
    new_mun = REGION_OF_MUNICIPALITY.format(mun="NEW.municipality_id")
    old_mun = REGION_OF_MUNICIPALITY.format(mun="OLD.municipality_id")
    return [
        "CREATE TRIGGER regiotafel_board_bed_insert AFTER INSERT ON capacity_bed "
        f"BEGIN {_sqlite_bump(new_loc)} END",
        "CREATE TRIGGER regiotafel_board_bed_update AFTER UPDATE ON capacity_bed "
        f"BEGIN {_sqlite_bump(new_loc)} {_sqlite_bump(old_loc)} END",
        "CREATE TRIGGER regiotafel_board_bed_delete AFTER DELETE ON capacity_bed "
        f"BEGIN {_sqlite_bump(old_loc)} END",
        "CREATE TRIGGER regiotafel_board_location_insert AFTER INSERT ON core_location "
        f"BEGIN {_sqlite_bump(new_mun)} END",
        "CREATE TRIGGER regiotafel_board_location_update AFTER UPDATE ON core_location "
        f"BEGIN {_sqlite_bump(new_mun)} {_sqlite_bump(old_mun)} END",
        "CREATE TRIGGER regiotafel_board_location_delete AFTER DELETE ON core_location "
        f"BEGIN {_sqlite_bump(old_mun)} END",
    ]


SQLITE_NAMES = [
    f"regiotafel_board_{table}_{op}"
    for table in ("bed", "location")
    for op in ("insert", "update", "delete")
]


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FORWARD)
        elif connection.vendor == "sqlite":
            for statement in _sqlite_triggers():
                cursor.execute(statement)
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(connection.vendor)


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_BACKWARD)
        else:
            for name in SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("sharedstate", "0001_cache_tables"),
        ("core", "0003_municipality_centre_and_location"),
        ("capacity", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="BoardVersion",
            fields=[
                ("scope", models.PositiveIntegerField(primary_key=True, serialize=False)),
                ("number", models.BigIntegerField(default=0)),
                ("stamp", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "board version"},
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
