"""Bulk loads (issue 14): several lists, each all or nothing, one duplicate search at the end;
one audit event per registration with the hash chain intact; stored blocking keys."""

import pytest
from django.core.management import CommandError, call_command

from regiotafel.core import audit
from regiotafel.core.models import AuditEvent
from regiotafel.waitlist import duplicates, registrations
from regiotafel.waitlist.models import Client, DuplicateCandidate, Registration
from tests.waitlist.conftest import BSN_ANNA, as_csv, load, row

pytestmark = pytest.mark.integration


@pytest.fixture
def searches(monkeypatch):
    """Counts the duplicate searches."""
    calls = []
    original = duplicates.refresh_candidates

    def counted(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(duplicates, "refresh_candidates", counted)
    return calls


def test_a_bulk_load_imports_every_file_and_searches_for_duplicates_once(homes, searches):
    result = registrations.import_many(
        user=None,
        files=[
            (homes.own, as_csv(row("K1", bsn=BSN_ANNA), row("K2", surname="Bakker")), "a.csv"),
            (homes.neighbour, as_csv(row("X1", surname="Jasnen")), "b.csv"),
        ],
    )
    assert [(name, r.created) for name, r in result.imported] == [("a.csv", 2), ("b.csv", 1)]
    assert len(searches) == 1 and result.candidates == 1
    candidate = DuplicateCandidate.objects.get()
    pair = {candidate.client_a_id, candidate.client_b_id}
    assert pair == {
        Registration.objects.get(external_id="K1").client_id,
        Registration.objects.get(external_id="X1").client_id,
    }


def test_a_bad_file_is_refused_whole_with_its_rows_and_fields_and_the_others_are_loaded(homes):
    result = registrations.import_many(
        user=None,
        files=[
            (homes.own, as_csv(row("K1"), row("K2", born="31-02-1936")), "fout.csv"),
            (homes.neighbour, as_csv(row("X1", surname="Jasnen")), "goed.csv"),
        ],
    )
    [(name, failure)] = result.failed
    assert name == "fout.csv" and failure.code == "bestand-bevat-fouten"
    assert [(e.row, e.field) for e in failure.errors] == [(3, "geboortedatum")]
    assert list(Registration.objects.values_list("external_id", flat=True)) == ["X1"]
    assert result.candidates == 0


def far_apart(n: int) -> dict:
    """Birth dates two years apart and postcodes in different areas: no pairs among them."""
    return {"born": f"{1900 + 2 * n}-01-01", "postcode": f"{1000 + n} AB"}


def test_one_audit_event_per_registration_and_the_chain_stays_valid(homes):
    before = AuditEvent.objects.count()
    registrations.import_many(
        user=None,
        files=[
            (homes.own, as_csv(*[row(f"K{n}", **far_apart(n)) for n in range(30)]), "a.csv"),
            (homes.neighbour, as_csv(row("X1", surname="Jasnen", **far_apart(1))), "b.csv"),
        ],
    )
    events = AuditEvent.objects.order_by("sequence")[before:]
    kinds = [e.object_type for e in events]
    assert kinds.count("waitlist.registration") == 31
    # per file: the clients, first statuses and preferences in one event each; one proposal
    assert len(kinds) == 31 + 2 * 3 + 1
    assert audit.verify().broken is None


def test_bulk_written_clients_carry_their_blocking_keys_and_saves_keep_them_current(homes):
    load(homes.own, row("K1", surname="van der Berg", postcode="2334 ab"))
    client = Client.objects.get()
    assert (client.name_key, client.name_block) == ("berg", "berg|2334")
    load(homes.own, row("K1", surname="van der Berg", postcode="1234 XY"))
    client.refresh_from_db()
    assert client.name_block == "berg|1234"
    client.surname = "Jansen"
    client.save()
    client.refresh_from_db()
    assert (client.name_key, client.name_block) == ("jansen", "jans|1234")


def test_an_upload_finds_a_mistyped_birth_date_through_the_stored_name_block(homes):
    load(homes.own, row("K1", born="1936-04-12"))
    load(homes.neighbour, row("X1", born="1936-12-04"))  # day and month swapped
    candidate = DuplicateCandidate.objects.get()
    assert "dag en maand omgewisseld" in candidate.reasons


def test_an_upload_with_a_bsn_looks_only_for_partners_without_one(homes):
    load(homes.own, row("K1", bsn="123456782", surname="Jasnen"))
    load(homes.neighbour, row("X1", bsn=BSN_ANNA))
    load(homes.neighbour, row("X2", surname="Jansen", born="1936-04-12"), row("X1", bsn=BSN_ANNA))
    pairs = {(c.client_a_id, c.client_b_id) for c in DuplicateCandidate.objects.all()}
    ids = dict(Registration.objects.values_list("external_id", "client_id"))
    assert (min(ids["K1"], ids["X1"]), max(ids["K1"], ids["X1"])) not in pairs
    assert (min(ids["K1"], ids["X2"]), max(ids["K1"], ids["X2"])) in pairs


def test_the_command_loads_a_folder_of_lists_named_by_agb_code(homes, tmp_path, capsys):
    (tmp_path / f"{homes.own.agb_code}.csv").write_bytes(
        as_csv(row("K1"), row("K2", surname="Bakker"))
    )
    (tmp_path / f"{homes.neighbour.agb_code}-lijst.csv").write_bytes(
        as_csv(row("X1", surname="Jasnen"))
    )
    call_command("wachtlijst", "importeer", str(tmp_path))
    out = capsys.readouterr().out
    assert "Bulklading: 2 bestand(en) ingelezen, 3 nieuwe inschrijving(en)" in out
    assert "1 nieuwe mogelijke dubbele(n)" in out
    assert Registration.objects.filter(provider=homes.neighbour).count() == 1


def test_the_command_names_the_bad_file_row_and_field_and_loads_the_rest(homes, tmp_path):
    bad = tmp_path / f"{homes.own.agb_code}.csv"
    bad.write_bytes(as_csv(row("K1", geboortedatum="gisteren")))
    good = tmp_path / f"{homes.neighbour.agb_code}.csv"
    good.write_bytes(as_csv(row("X1")))
    with pytest.raises(CommandError, match=r"(?s)1 van 2 bestanden.*rij 2, geboortedatum"):
        call_command("wachtlijst", "importeer", str(bad), str(good))
    assert list(Registration.objects.values_list("external_id", flat=True)) == ["X1"]


def test_the_command_refuses_a_file_whose_name_names_no_provider(homes, tmp_path):
    source = tmp_path / "lijst.csv"
    source.write_bytes(as_csv(row("K1")))
    with pytest.raises(CommandError, match="AGB-code"):
        call_command("wachtlijst", "importeer", str(source), "--bulk")
    assert not Registration.objects.exists()


def test_the_command_writes_each_files_rejected_rows_into_a_folder(homes, tmp_path):
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / f"{homes.own.agb_code}.csv"
    source.write_bytes(as_csv(row("K1"), row("K2", geslacht="q")))
    call_command(
        "wachtlijst",
        "importeer",
        str(tmp_path / "in"),
        "--alleen-geldige",
        "--afgekeurd",
        str(tmp_path / "uit"),
    )
    assert "geslacht" in (tmp_path / "uit" / f"{homes.own.agb_code}-afgekeurd.csv").read_text()
