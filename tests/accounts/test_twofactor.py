"""A second factor (TOTP) for administrators and for roles that see personal data."""

import json
import re

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from regiotafel.accounts import twofactor
from regiotafel.accounts.models import RegionSecurity, SecondFactor
from regiotafel.core.models import AuditEvent, Role
from regiotafel.core.services import issue_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def code_for(device: TOTPDevice, ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + ahead * device.step
    return f"{totp.token():06d}"


def log_in(client, user):
    response = client.post("/inloggen/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def device_of(user, *, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="telefoon", confirmed=confirmed)


def test_the_roles_that_see_personal_data_are_referrer_triagist_planner_and_administrator():
    required = twofactor.roles_for(SecondFactor.PERSONAL_DATA)
    assert {Role.VERWIJZER, Role.TRIAGIST, Role.CAPACITEITSBEHEERDER, Role.BEHEERDER} <= required
    assert Role.REGIO_ANALIST not in required


def test_an_administrator_without_a_device_is_led_to_set_one_up_before_anything_else(cast, client):
    log_in(client, cast.admin)
    response = client.get("/beheer/auditlog/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/tweestaps/instellen/")
    assert "next=/beheer/auditlog/" in response["Location"]


def test_setting_up_shows_a_qr_code_and_the_key_and_a_right_code_confirms_it(cast, client):
    log_in(client, cast.admin)
    page = client.get("/account/tweestaps/instellen/?next=/beheer/auditlog/")
    text = page.content.decode()
    assert "<svg" in text and "<script" not in text.split("<main", 1)[1]
    key = re.search(r'id="tweestaps-sleutel">([A-Z2-7 ]+)<', text).group(1)
    device = TOTPDevice.objects.get(user=cast.admin)
    assert key.replace(" ", "") in twofactor.otpauth_uri(device)
    done = client.post(
        "/account/tweestaps/instellen/", {"code": code_for(device), "next": "/beheer/auditlog/"}
    )
    assert done.status_code == 302 and done["Location"] == "/beheer/auditlog/"
    assert TOTPDevice.objects.get(user=cast.admin).confirmed
    assert client.get("/beheer/auditlog/").status_code == 200
    assert AuditEvent.objects.filter(detail__tweestapsverificatie="ingesteld").exists()


def test_a_wrong_code_does_not_confirm_the_device(cast, client):
    log_in(client, cast.admin)
    client.get("/account/tweestaps/instellen/")
    response = client.post("/account/tweestaps/instellen/", {"code": "000000"})
    device = TOTPDevice.objects.get(user=cast.admin)
    if code_for(device) == "000000":  # one chance in a million
        return
    assert response.status_code == 400
    assert "Deze code klopt niet" in response.content.decode()
    assert not device.confirmed
    assert client.get("/").status_code == 302


def test_a_person_with_a_device_enters_a_code_after_the_password(cast, client):
    device = device_of(cast.planner)
    log_in(client, cast.planner)
    response = client.get("/wachtlijst/")
    assert response["Location"].startswith("/account/tweestaps/controleren/")
    wrong = client.post("/account/tweestaps/controleren/", {"code": "12345"})
    assert wrong.status_code == 400
    assert "zes cijfers" in wrong.content.decode()
    right = client.post(
        "/account/tweestaps/controleren/", {"code": code_for(device), "next": "/wachtlijst/"}
    )
    assert right["Location"] == "/wachtlijst/"
    assert client.get("/").status_code == 200


def test_the_code_page_refuses_a_next_address_on_another_site(cast, client):
    device = device_of(cast.planner)
    log_in(client, cast.planner)
    response = client.post(
        "/account/tweestaps/controleren/",
        {"code": code_for(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_repeated_wrong_codes_are_slowed_down(cast, client):
    device = device_of(cast.planner)
    log_in(client, cast.planner)
    bad = "999999" if code_for(device) != "999999" else "888888"
    client.post("/account/tweestaps/controleren/", {"code": bad})
    response = client.post("/account/tweestaps/controleren/", {"code": code_for(device)})
    assert response.status_code == 429
    assert "Te veel foute codes" in response.content.decode()


def test_an_analyst_does_not_need_a_code_where_only_personal_data_roles_must(cast, client):
    log_in(client, cast.analyst)
    assert client.get("/").status_code == 200


def test_a_region_that_asks_it_of_administrators_only_lets_the_planner_in(cast, client):
    RegionSecurity.objects.create(region=cast.region, second_factor=SecondFactor.ADMINISTRATORS)
    log_in(client, cast.planner)
    assert client.get("/").status_code == 200
    client.logout()
    log_in(client, cast.admin)
    assert client.get("/").status_code == 302


def test_a_region_switched_off_asks_nobody(cast, client):
    RegionSecurity.objects.create(region=cast.region, second_factor=SecondFactor.OFF)
    log_in(client, cast.admin)
    assert client.get("/").status_code == 200


def test_platform_staff_always_need_a_code(cast, client):
    cast.outsider.is_staff = True
    cast.outsider.save()
    log_in(client, cast.outsider)
    assert client.get("/admin/").status_code == 302


def test_an_api_call_on_a_session_that_owes_a_code_is_a_403_problem(cast, client):
    log_in(client, cast.planner)
    response = client.get("/api/v1/mij")
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "tweestaps-vereist"


def test_a_bearer_token_is_its_own_credential_and_needs_no_code(cast, client):
    token = issue_token(user=cast.planner)
    response = client.get("/api/v1/mij", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_a_bad_token_with_an_unconfirmed_session_is_not_let_in_by_the_session(cast, client):
    log_in(client, cast.planner)
    response = client.get("/api/v1/mij", HTTP_AUTHORIZATION="Bearer rt_fout")
    assert response.status_code == 401


def test_the_command_switches_a_region_and_says_so(cast, capsys):
    call_command("accounts", "tweestaps", "--regio", cast.region.slug, "beheerders")
    assert RegionSecurity.objects.get(region=cast.region).second_factor == "beheerders"
    call_command("accounts", "tweestaps", "--regio", cast.region.slug, "uit")
    out = capsys.readouterr().out
    assert "voor niemand verplicht" in out
    assert twofactor.level_of(cast.region) == SecondFactor.OFF


def test_the_command_removes_a_lost_device(cast, capsys):
    device_of(cast.admin)
    call_command("accounts", "tweestaps-herstel", "beheerder")
    assert not TOTPDevice.objects.filter(user=cast.admin).exists()


def test_a_wrong_code_is_a_failed_login_in_the_audit_log_of_the_users_organisation(cast, client):
    device = device_of(cast.planner)
    log_in(client, cast.planner)
    bad = "999999" if code_for(device) != "999999" else "888888"
    client.post("/account/tweestaps/controleren/", {"code": bad})
    event = AuditEvent.objects.get(action="login_failed")
    assert event.detail == {"tweestapsverificatie": "foute code"}
    assert event.organisation == cast.own


def test_after_the_code_the_session_also_works_for_the_api(cast, client):
    device = device_of(cast.planner)
    log_in(client, cast.planner)
    client.post("/account/tweestaps/controleren/", {"code": code_for(device)})
    response = client.get("/api/v1/mij")
    assert response.status_code == 200
    assert response.json()["gebruikersnaam"] == "planner"


def test_the_code_page_shows_no_menu_of_pages_that_are_not_reachable_yet(cast, client):
    device_of(cast.planner)
    log_in(client, cast.planner)
    page = client.get("/account/tweestaps/controleren/").content.decode()
    assert 'aria-label="Hoofdmenu"' not in page
    assert "Uitloggen" in page
