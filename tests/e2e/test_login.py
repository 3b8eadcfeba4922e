"""A person logs in to the demo in a real browser and lands on the home page of their role."""

import re

import pytest

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def log_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_a_referrer_logs_in_and_sees_the_referrer_home(demo_server, page):
    log_in(page, demo_server, "verwijzer")
    page.wait_for_url(f"{demo_server}/")
    assert page.get_by_role("heading", name="Verwijzer").is_visible()
    assert page.get_by_text("U werkt namens Huisartsenpost De LIMES").is_visible()
    assert page.get_by_role("link", name="Auditlog").count() == 0


def test_an_admin_logs_in_sees_the_members_and_opens_the_audit_log(demo_server, page):
    log_in(page, demo_server, "beheerder")
    page.wait_for_url(f"{demo_server}/")
    assert page.get_by_role("heading", name="Beheerder").is_visible()
    assert page.get_by_role("heading", name=re.compile("Medewerkers van")).is_visible()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Auditlog").click()
    page.wait_for_url(re.compile(r"/beheer/auditlog/"))
    assert page.get_by_role("heading", name=re.compile("Auditlog van")).is_visible()
    assert page.get_by_role("cell", name="ingelogd").first.is_visible()


def test_a_wrong_password_gets_a_dutch_message_tied_to_the_fields(demo_server, page):
    log_in(page, demo_server, "analist", password="niet-het-goede-wachtwoord")
    alert = page.get_by_role("alert")
    assert "gebruikersnaam" in alert.inner_text().lower()
    assert page.get_by_label("Gebruikersnaam").get_attribute("aria-invalid") == "true"


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_the_content(demo_server, page):
    log_in(page, demo_server, "analist")
    page.wait_for_url(f"{demo_server}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


def test_the_analyst_home_shows_the_region_table(demo_server, page):
    log_in(page, demo_server, "analist")
    page.wait_for_url(f"{demo_server}/")
    assert page.get_by_text("13 gemeenten, 583.947 inwoners").is_visible()
    assert page.get_by_role("rowheader", name="Alphen aan den Rijn").is_visible()
