"""The national register's eleven themes and seven funders, so a fresh install reads the
shared project file as it is (seed 003, table 4; lists copied here, migrations stand alone)."""

from django.db import migrations

THEMES = [
    "Anders opleiden / samenwerking met onderwijs",
    "Anders werken",
    "Behandelfunctie / SOG",
    "Efficiënt werken",
    "Leren en verbeteren",
    "Nieuwe professionals aantrekken",
    "Persoonsgerichte zorg",
    "Professionals behouden",
    "Regionale strategievorming",
    "Samenwerking in de keten",
    "Technologie",
]
FUNDERS = ["CZ", "Zilveren Kruis (De Friesland)", "ENO", "Menzis", "VGZ", "Zilveren Kruis", "Z&Z"]


def add(apps, schema_editor):
    Theme = apps.get_model("portfolio", "Theme")
    Funder = apps.get_model("portfolio", "Funder")
    for position, name in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(name=name, region=None, defaults={"position": position})
    for position, name in enumerate(FUNDERS, start=1):
        Funder.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
