"""Who must confirm a login with a time-based code (TOTP, django-otp), and their device.

Required for platform staff (the admin site) and, per region (:class:`RegionSecurity`), for
administrators and for every role that may open personal data: the roles of each action
registered with ``personal_data=True``. A person with a confirmed device always enters a code,
required or not. ``settings.TWO_FACTOR_ENFORCED`` is on in every deployment; the test suite
turns it off for tests that are not about accounts.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote

from django.conf import settings
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from regiotafel.accounts.models import RegionSecurity, SecondFactor
from regiotafel.core import permissions
from regiotafel.core.acting import all_memberships_of
from regiotafel.core.models import Role

DEFAULT_LEVEL = SecondFactor.PERSONAL_DATA
ISSUER = "Regiotafel"


def personal_data_roles() -> set[Role]:
    """Roles that may do at least one action marked as showing personal data."""
    roles: set[Role] = set()
    for policy in permissions.registered_actions().values():
        if policy.personal_data:
            roles |= set(policy.roles)
    return roles


def roles_for(level: str) -> set[Role]:
    if level == SecondFactor.OFF:
        return set()
    if level == SecondFactor.ADMINISTRATORS:
        return {Role.BEHEERDER}
    return {Role.BEHEERDER} | personal_data_roles()


def level_of(region) -> str:
    found = RegionSecurity.objects.filter(region=region).values_list("second_factor", flat=True)
    return next(iter(found), DEFAULT_LEVEL)


def must_use(user) -> bool:
    """Whether this person must confirm every login with a code."""
    if not settings.TWO_FACTOR_ENFORCED or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    memberships = all_memberships_of(user)  # every organisation, not just the acting one
    regions = {m.organisation.region_id for m in memberships}
    levels = dict(
        RegionSecurity.objects.filter(region_id__in=regions).values_list(
            "region_id", "second_factor"
        )
    )
    return any(
        m.role in roles_for(levels.get(m.organisation.region_id, DEFAULT_LEVEL))
        for m in memberships
    )


def confirmed_device(user) -> TOTPDevice | None:
    return next(iter(devices_for_user(user, confirmed=True)), None)


def needs_code(user) -> bool:
    """Logged in with a password only, and a code is due before anything else."""
    if not user.is_authenticated or user.is_verified():
        return False
    cached = getattr(user, "_regiotafel_needs_code", None)
    if cached is None:
        cached = confirmed_device(user) is not None or must_use(user)
        user._regiotafel_needs_code = cached
    return cached


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device a person is setting up (the same key until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def readable_key(device: TOTPDevice) -> str:
    """The key in base32 groups of four, as authenticator apps accept it typed in."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def otpauth_uri(device: TOTPDevice) -> str:
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    label = quote(f"{ISSUER}:{device.user.get_username()}", safe=":@")
    return (
        f"otpauth://totp/{label}?secret={key}&issuer={ISSUER}"
        f"&algorithm=SHA1&digits={device.digits}&period={device.step}"
    )
