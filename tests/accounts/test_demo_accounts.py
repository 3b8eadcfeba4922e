"""The demo obeys the password rules and shows the second factor for its administrator."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from regiotafel.accounts.models import RegionSecurity
from regiotafel.core import demo
from regiotafel.core.models import Region, User

pytestmark = pytest.mark.integration


def test_a_demo_password_that_breaks_the_rules_is_refused_in_dutch(db):
    with pytest.raises(CommandError, match="bevat alleen cijfers"):
        call_command("demo", geen_server=True, wachtwoord="123456789012")
    assert not User.objects.exists()


def test_generated_demo_passwords_pass_the_rules(db):
    for login in demo.seed():
        validate_password(login.password, User.objects.get(username=login.username))


def test_the_demo_administrator_gets_a_printed_key_and_logs_in_with_password_and_code(
    db, client, settings
):
    settings.TWO_FACTOR_ENFORCED = True
    logins = {login.username: login for login in demo.seed(password="een-demo-wachtwoord")}
    region = Region.objects.get(name=demo.DEMO_REGION)
    assert RegionSecurity.objects.get(region=region).second_factor == "beheerders"
    assert logins["planner"].extra == ()
    text = "\n".join(demo.describe_logins(list(logins.values())))
    secret = re.search(r"otpauth://totp/Regiotafel:beheerder\?secret=([A-Z2-7]+)", text).group(1)
    client.post("/inloggen/", {"username": "beheerder", "password": "een-demo-wachtwoord"})
    assert client.get("/")["Location"].startswith("/account/tweestaps/controleren/")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    code = f"{totp(key):06d}"
    response = client.post("/account/tweestaps/controleren/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_demo_keeps_a_region_switch_someone_changed(db, settings):
    settings.TWO_FACTOR_ENFORCED = True
    demo.seed(password="een-demo-wachtwoord")
    region = Region.objects.get(name=demo.DEMO_REGION)
    RegionSecurity.objects.filter(region=region).update(second_factor="uit")
    logins = {login.username: login for login in demo.seed(password="een-demo-wachtwoord")}
    assert logins["beheerder"].extra == ()
    assert not TOTPDevice.objects.filter(user__username="beheerder").exists()
