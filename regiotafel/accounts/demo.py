"""The demo shows the second factor: in the demo region administrators must use TOTP.

Every start gives the demo administrator a fresh, confirmed authenticator key and prints it
(with its otpauth URI) under their password, so a newcomer can add it to an app, or compute
the code with any TOTP tool, and log in.
"""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from regiotafel.accounts import twofactor
from regiotafel.accounts.models import RegionSecurity, SecondFactor

DEMO_LEVEL = SecondFactor.ADMINISTRATORS


def second_factor_lines(*, user, region) -> list[str]:
    RegionSecurity.objects.get_or_create(region=region, defaults={"second_factor": DEMO_LEVEL})
    TOTPDevice.objects.filter(user=user).delete()  # demo accounts: a fresh key at every start
    if not twofactor.must_use(user):
        return []
    device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    return [
        f"tweestapsverificatie: sleutel {twofactor.readable_key(device)}",
        twofactor.otpauth_uri(device),
    ]
