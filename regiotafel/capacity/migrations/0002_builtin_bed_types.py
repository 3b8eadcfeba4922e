"""The national short-stay bed types every region starts with; regions may add their own."""

from django.db import migrations

# code, name, default claim deadline in minutes, order
BUILTIN = [
    ("elv-laag", "ELV laag complex", 240, 10),
    ("elv-hoog", "ELV hoog complex", 240, 20),
    ("elv-palliatief", "ELV palliatief", 120, 30),
    ("wlz-crisis", "Wlz crisis", 120, 40),
    ("logeerzorg", "Logeerzorg (respijt)", 24 * 60, 50),
    ("grz", "GRZ (geriatrische revalidatie)", 8 * 60, 60),
]


def add(apps, schema_editor):
    BedType = apps.get_model("capacity", "BedType")
    for code, name, minutes, order in BUILTIN:
        BedType.objects.get_or_create(
            code=code,
            region=None,
            defaults={"name": name, "default_claim_minutes": minutes, "sort_order": order},
        )


def remove(apps, schema_editor):
    apps.get_model("capacity", "BedType").objects.filter(
        region=None, code__in=[code for code, *_ in BUILTIN]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("capacity", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
