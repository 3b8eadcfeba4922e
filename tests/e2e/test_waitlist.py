"""The shared waiting list in a real browser: a provider's list, the care office merging a
probable duplicate, and an upload with a bad row that is refused row by row."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e


def test_a_provider_planner_sees_the_list_and_clients_at_two_providers(demo_server, page):
    log_in(page, demo_server, "planner")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Wachtlijst").click()
    expect(page.get_by_role("heading", name="Gedeelde wachtlijst")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ wachtende inschrijvingen"))).to_be_visible()
    page.locator("tbody th a").first.click()
    expect(page.get_by_role("heading", name="Inschrijvingen bij aanbieders")).to_be_visible()


def test_the_care_office_merges_a_probable_duplicate(demo_server, page):
    log_in(page, demo_server, "beheerder")
    page.get_by_label("Namens").select_option(label="Zorgkantoor Zorg en Zekerheid")
    page.get_by_role("button", name="Wissel").click()
    page.goto(f"{demo_server}/wachtlijst/dubbelen/")
    first = page.locator("section.panel").first
    expect(first.get_by_text(re.compile("zelfde"))).to_be_visible()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    first.get_by_role("button", name="Samenvoegen").click()
    expect(page.get_by_text("Samengevoegd.")).to_be_visible()
    assert asked and "samenvoegen" in asked[0]
    expect(page.get_by_role("button", name="Ongedaan maken").first).to_be_visible()


def test_an_upload_with_a_bad_row_is_refused_with_the_row_and_column(demo_server, page, tmp_path):
    bad = tmp_path / "lijst.csv"
    bad.write_text(
        "klantnummer;achternaam;geboortedatum;woongemeente;zorgprofiel;doelgroep;wachtstatus;"
        "statusdatum;indicatiedatum\n"
        "E2E-1;Testpersoon;1940-05-05;GM0546;VV5;pg;actief;2026-01-01;2025-12-01\n"
        "E2E-2;Foutpersoon;1941-13-40;GM0546;VV5;pg;actief;2026-01-01;2025-12-01\n",
        encoding="utf-8",
    )
    log_in(page, demo_server, "planner")
    page.goto(f"{demo_server}/wachtlijst/importeren/")
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Importeren").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("er is niets ingelezen")
    expect(alert.get_by_role("cell", name="geboortedatum")).to_be_visible()
    expect(alert.get_by_role("cell", name="3", exact=True)).to_be_visible()
