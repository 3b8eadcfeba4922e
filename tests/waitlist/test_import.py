"""Importing providers' lists: validated per row, all or nothing, idempotent, BSN recognised."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from regiotafel import errors
from regiotafel.waitlist import registrations
from regiotafel.waitlist.models import Client, DuplicateCandidate, Registration, StatusChange
from tests.waitlist.conftest import BSN_ANNA, BSN_BOB, as_csv, load, row

pytestmark = pytest.mark.integration


def test_a_valid_list_is_imported_with_preferences_and_history(homes):
    report = load(
        homes.own,
        row(),
        row("K2", surname="Bakker", preferences=("Duinrand Katwijk", "Rijnhof Leiden")),
        user=homes.planner,
    )
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    bakker = Registration.objects.get(external_id="K2")
    assert [p.location.name for p in bakker.preferences.all()] == [
        "Duinrand Katwijk",
        "Rijnhof Leiden",
    ]
    assert StatusChange.objects.filter(registration=bakker, to_status="actief").exists()


def test_importing_the_same_file_again_changes_nothing(homes):
    load(homes.own, row(), row("K2", surname="Bakker"))
    again = load(homes.own, row(), row("K2", surname="Bakker"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Registration.objects.count() == 2


def test_a_changed_status_is_updated_and_kept_as_history(homes):
    load(homes.own, row())
    report = load(homes.own, row(status="urgent"))
    assert report.updated == 1
    registration = Registration.objects.get()
    assert registration.status == "urgent"
    assert [c.to_status for c in registration.status_changes.all()] == ["actief", "urgent"]


def test_the_same_bsn_from_two_providers_becomes_one_person(homes):
    load(homes.own, row("K1", bsn=BSN_ANNA))
    load(homes.neighbour, row("X9", bsn=BSN_ANNA, surname="Jansen-de Vries"))
    assert Client.objects.count() == 1
    assert Registration.objects.filter(client=Client.objects.get()).count() == 2


def test_the_bsn_is_never_stored_in_plain_text(homes):
    load(homes.own, row(bsn=BSN_ANNA))
    client = Client.objects.get()
    assert client.bsn_hash and BSN_ANNA not in client.bsn_hash
    assert BSN_ANNA not in str(Client.objects.values().get())


def test_a_near_duplicate_without_bsn_is_proposed_but_not_merged(homes):
    load(homes.own, row("K1"))
    load(homes.neighbour, row("X1", surname="Jasnen"))
    assert Client.objects.count() == 2
    candidate = DuplicateCandidate.objects.get()
    assert candidate.state == "open" and candidate.score >= 0.8


def test_two_different_bsns_are_never_proposed_as_duplicates(homes):
    load(homes.own, row("K1", bsn=BSN_ANNA))
    load(homes.neighbour, row("X1", bsn=BSN_BOB))
    assert not DuplicateCandidate.objects.exists()


def test_an_invalid_file_changes_nothing_and_names_every_bad_row_and_field(homes):
    load(homes.own, row("K0"))
    bad = [
        row("K1", bsn="123456789"),
        row("K2", born="31-02-1936"),
        row("K3", zorgprofiel="VV99", preferences=("Het Onbekende Huis",)),
        row("K4"),
    ]
    with pytest.raises(errors.InvalidInput) as caught:
        load(homes.own, *bad)
    assert {(e.row, e.field) for e in caught.value.errors} == {
        (2, "bsn"),
        (3, "geboortedatum"),
        (4, "zorgprofiel"),
        (4, "voorkeur_1"),
    }
    assert "3 van 4 rijen" in caught.value.detail
    assert list(Registration.objects.values_list("external_id", flat=True)) == ["K0"]


def test_a_bsn_written_in_arabic_indic_digits_is_a_refused_row_not_a_server_error(homes):
    arabic_indic = BSN_ANNA.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    with pytest.raises(errors.InvalidInput) as caught:
        load(homes.own, row("K1", bsn=arabic_indic))
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "bsn")]
    assert not Registration.objects.exists()


def test_the_user_can_import_the_valid_rows_and_get_the_rejected_ones_back(homes):
    report = load(homes.own, row("K1"), row("K2", wachtstatus="misschien"), valid_only=True)
    assert report.created == 1 and [r.number for r in report.rejected] == [3]
    rejected = report.rejected_csv()
    assert rejected.splitlines()[0].endswith(";fouten")
    assert "K2" in rejected and "wachtstatus" in rejected


def test_a_missing_column_is_named(homes):
    with pytest.raises(errors.InvalidInput, match="mist de kolom.*indicatiedatum"):
        registrations.import_registrations(
            user=None,
            provider=homes.own,
            name="x.csv",
            source=b"klantnummer,achternaam,geboortedatum,woongemeente,zorgprofiel,doelgroep,"
            b"wachtstatus,statusdatum\nK1,Jansen,1936-04-12,GM0546,VV5,pg,actief,2025-01-01\n",
        )


def test_an_xlsx_list_with_date_cells_is_imported(homes):
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(registrations.TEMPLATE_COLUMNS)
    values = row()
    values["geboortedatum"] = datetime(1936, 4, 12)
    sheet.append([values.get(c, "") for c in registrations.TEMPLATE_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    report = registrations.import_registrations(
        user=None, provider=homes.own, source=buffer.getvalue(), name="lijst.xlsx"
    )
    assert report.created == 1
    assert str(Client.objects.get().birth_date) == "1936-04-12"


def test_another_providers_planner_may_not_import_into_my_list(homes):
    with pytest.raises(errors.PermissionDenied):
        load(homes.own, row(), user=homes.other_planner)


def test_the_command_imports_by_agb_code_and_writes_rejected_rows(homes, tmp_path, capsys):
    source = tmp_path / "lijst.csv"
    source.write_bytes(as_csv(row("K1"), row("K2", geslacht="q")))
    rejected = tmp_path / "afgekeurd.csv"
    call_command(
        "wachtlijst",
        "importeer",
        str(source),
        "--aanbieder",
        homes.own.agb_code,
        "--alleen-geldige",
        "--afgekeurd",
        str(rejected),
    )
    assert "1 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 afgekeurd" in capsys.readouterr().out
    assert "geslacht" in rejected.read_text()


def test_the_command_refuses_a_bad_file_in_one_clear_message(homes, tmp_path):
    source = tmp_path / "lijst.csv"
    source.write_bytes(as_csv(row("K1", geboortedatum="gisteren")))
    with pytest.raises(CommandError, match=r"rij 2, geboortedatum"):
        call_command("wachtlijst", "importeer", str(source), "--aanbieder", homes.own.agb_code)


def test_every_row_written_by_an_import_is_in_the_audit_log(homes):
    """One event per registration (naming the client); the clients, first statuses and
    preferences made with them in one event per kind for the file (issue 14)."""
    from regiotafel.core.models import AuditEvent

    load(homes.own, row("K1"), row("K2", surname="Bakker"), user=homes.planner)
    clients = list(Client.objects.order_by("pk"))
    for client in clients:
        created = AuditEvent.objects.filter(action="create", data_subject=f"cliënt {client.pk}")
        assert list(created.values_list("object_type", flat=True)) == ["waitlist.registration"]
    per_file = {
        e.object_type: e.detail
        for e in AuditEvent.objects.filter(
            action="create", object_type__startswith="waitlist."
        ).exclude(object_type="waitlist.registration")
    }
    assert per_file["waitlist.client"]["aantal"] == 2
    assert per_file["waitlist.client"]["ids"] == [c.pk for c in clients]
    assert per_file["waitlist.statuschange"]["aantal"] == 2
    assert per_file["waitlist.preference"]["aantal"] == 2
    assert AuditEvent.objects.filter(object_type__startswith="waitlist.").count() == 5


def test_the_same_person_twice_in_one_file_is_one_client(homes):
    load(homes.own, row("K1", bsn=BSN_ANNA), row("K2", bsn=BSN_ANNA))
    assert Client.objects.count() == 1 and Registration.objects.count() == 2
