"""Importing a municipality list: all rows valid or nothing written, errors per row and field."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from regiotafel import errors
from regiotafel.core import services
from regiotafel.core.models import Municipality, Region

pytestmark = pytest.mark.integration

SHARED_ZHN = Path(__file__).resolve().parents[2] / "regiotafel" / "data" / "zhn_municipalities.csv"


@pytest.fixture
def zhn(db) -> Region:
    return Region.objects.create(name="Zuid-Holland Noord", slug="zuid-holland-noord")


def test_it_loads_the_13_municipalities_of_zuid_holland_noord(zhn):
    result = services.import_municipalities(source=SHARED_ZHN, region=zhn)
    assert (result.created, result.updated, result.unchanged) == (13, 0, 0)
    leiden = Municipality.objects.get(cbs_code="GM0546")
    assert (leiden.name, leiden.subregion.name, leiden.inhabitants, leiden.inhabitants_year) == (
        "Leiden",
        "Leidse Regio",
        127089,
        2023,
    )
    assert sum(m.inhabitants for m in zhn.municipalities.all()) == 583_947
    assert set(zhn.subregions.values_list("name", flat=True)) == {
        "Duin- en Bollenstreek",
        "Leidse Regio",
        "Rijnstreek",
    }


def test_importing_the_same_file_again_changes_nothing(zhn):
    services.import_municipalities(source=SHARED_ZHN, region=zhn)
    again = services.import_municipalities(source=SHARED_ZHN, region=zhn)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 13)


def test_a_changed_row_updates_the_municipality(zhn):
    services.import_municipalities(source=SHARED_ZHN, region=zhn)
    csv = b"gemeentecode,gemeente,subregio,inwoners_2024\nGM0546,Leiden,Leidse Regio,128000\n"
    result = services.import_municipalities(source=csv, region=zhn)
    assert result.updated == 1
    leiden = Municipality.objects.get(cbs_code="GM0546")
    assert (leiden.inhabitants, leiden.inhabitants_year) == (128000, 2024)


def test_it_accepts_semicolons_and_a_byte_order_mark_as_excel_writes_them(zhn):
    csv = "\ufeffgemeentecode;gemeente;subregio;inwoners_2023\nGM0546;Leiden;Leidse Regio;127.089\n"
    services.import_municipalities(source=csv.encode(), region=zhn)
    assert Municipality.objects.get(cbs_code="GM0546").inhabitants == 127089


def test_bad_rows_are_reported_by_row_and_field_and_nothing_is_written(zhn):
    csv = (
        b"gemeentecode,gemeente,subregio,inwoners_2023\n"
        b"GM0546,Leiden,Leidse Regio,127089\n"
        b"0547,Leiderdorp,Leidse Regio,27657\n"
        b"GM0579,,Leidse Regio,veel\n"
        b"GM0546,Leiden nogmaals,Leidse Regio,1\n"
    )
    with pytest.raises(errors.InvalidInput) as caught:
        services.import_municipalities(source=csv, region=zhn, name="gemeenten.csv")
    found = {(e.row, e.field) for e in caught.value.errors}
    assert found == {
        (3, "gemeentecode"),
        (4, "gemeente"),
        (4, "inwoners_2023"),
        (5, "gemeentecode"),
    }
    assert "gemeenten.csv" in caught.value.detail
    assert not Municipality.objects.exists()


def test_a_missing_column_is_named(zhn):
    with pytest.raises(errors.InvalidInput, match="mist de kolom.*gemeente"):
        services.import_municipalities(source=b"gemeentecode\nGM0546\n", region=zhn)


def test_a_municipality_of_another_region_is_refused(zhn):
    other = Region.objects.create(name="Kennemerland", slug="kennemerland")
    Municipality.objects.create(cbs_code="GM0546", name="Leiden", region=other)
    with pytest.raises(errors.InvalidInput) as caught:
        services.import_municipalities(source=SHARED_ZHN, region=zhn)
    assert [str(e) for e in caught.value.errors] == [
        "rij 8, gemeentecode: GM0546 hoort al bij regio Kennemerland."
    ]


def test_the_command_imports_and_reports_counts(zhn, capsys):
    call_command("gemeenten", "importeer", str(SHARED_ZHN), "--regio", "Zuid-Holland Noord")
    assert "13 nieuw, 0 gewijzigd, 0 ongewijzigd" in capsys.readouterr().out


def test_the_command_prints_row_errors_as_one_clear_message(zhn, tmp_path):
    bad = tmp_path / "fout.csv"
    bad.write_text("gemeentecode,gemeente\nXX,Leiden\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"fout\.csv.*\n.*rij 2, gemeentecode"):
        call_command("gemeenten", "importeer", str(bad), "--regio", "zuid-holland-noord")


def test_the_command_names_an_unknown_region(zhn):
    with pytest.raises(CommandError, match="Regio 'Atlantis' bestaat niet"):
        call_command("gemeenten", "importeer", str(SHARED_ZHN), "--regio", "Atlantis")
