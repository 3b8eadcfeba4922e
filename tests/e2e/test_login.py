"""A person logs in to the demo in a real browser and lands on the home page of their role."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.e2e.conftest import DEMO_PASSWORD, TOTP_SECRETS

pytestmark = pytest.mark.e2e


STEP = 30
_last_step: dict[str, int] = {}  # a code is accepted once: the next login uses a later one


def next_code(username: str) -> str:
    """The code an authenticator app would show; never one this user already used.

    The server accepts the code of the next 30-second step too (one step of clock drift), so
    two logins in one step need no wait; a third waits for the step to pass.
    """
    secret = TOTP_SECRETS[username]
    key = b32decode(secret + "=" * (-len(secret) % 8))
    now = int(time.time()) // STEP
    wanted = max(now, _last_step.get(username, now - 1) + 1)
    if wanted > now + 1:
        time.sleep((wanted - 1) * STEP - time.time() + 0.5)
        now = int(time.time()) // STEP
    _last_step[username] = wanted
    return f"{totp(key, step=STEP, drift=wanted - now):06d}"


def log_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    if username in TOTP_SECRETS and "/account/tweestaps/controleren/" in page.url:
        page.get_by_label("Code uit uw authenticator-app").fill(next_code(username))
        page.get_by_role("button", name="Bevestigen").click()
        page.wait_for_load_state()


def test_a_referrer_logs_in_and_sees_the_referrer_home(demo_server, page):
    log_in(page, demo_server, "verwijzer")
    page.wait_for_url(f"{demo_server}/")
    assert page.get_by_role("heading", name="Verwijzer").is_visible()
    assert page.get_by_text("U werkt namens Huisartsenpost De LIMES").is_visible()
    assert page.get_by_role("link", name="Auditlog").count() == 0


def test_the_demo_administrator_must_enter_a_code_after_the_password(demo_server, page):
    page.goto(f"{demo_server}/beheer/auditlog/")
    page.get_by_label("Gebruikersnaam").fill("beheerder")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/account/tweestaps/controleren/"))
    page.goto(f"{demo_server}/beheer/medewerkers/")
    assert "/account/tweestaps/controleren/" in page.url
    page.get_by_label("Code uit uw authenticator-app").fill(next_code("beheerder"))
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_url(f"{demo_server}/beheer/medewerkers/")
    assert page.get_by_role("heading", name=re.compile("Medewerkers van")).is_visible()


def test_a_user_changes_their_password_and_the_rules_speak_dutch(demo_server, page):
    log_in(page, demo_server, "triagist")
    page.wait_for_url(f"{demo_server}/")
    page.goto(f"{demo_server}/account/wachtwoord/")
    page.get_by_label("Oud wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_label("Nieuw wachtwoord", exact=True).fill("kort")
    page.get_by_label("Nieuw wachtwoord bevestigen").fill("kort")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    assert page.get_by_text("Dit wachtwoord is te kort").is_visible()


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
