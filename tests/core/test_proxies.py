"""Client addresses: X-Forwarded-For is believed only from the proxies in TRUSTED_PROXIES, and
the audit log and the login lock use the same address."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from regiotafel.config import SettingsError, trusted_proxies
from regiotafel.core.middleware import client_ip
from regiotafel.core.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"
SPOOFED = "198.51.100.66"


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = (ip_network("10.0.0.0/24"), ip_network("fd00::/8"))


def address(peer: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=peer, **extra))


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = ()
    assert address(PROXY, f"{SPOOFED}, {CLIENT}") == PROXY


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(behind_a_proxy):
    assert address(PROXY, CLIENT) == CLIENT


def test_an_address_the_client_put_in_the_header_itself_is_not_believed(behind_a_proxy):
    # The client sent "X-Forwarded-For: SPOOFED"; the proxy appended the address it saw.
    assert address(PROXY, f"{SPOOFED}, {CLIENT}") == CLIENT


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(behind_a_proxy):
    assert address(PROXY, f"{SPOOFED}, {CLIENT}, 10.0.0.7, 10.0.0.9") == CLIENT


def test_a_peer_that_is_not_a_trusted_proxy_cannot_forward(behind_a_proxy):
    assert address("192.0.2.50", CLIENT) == "192.0.2.50"


def test_a_hop_that_is_not_an_address_ends_the_walk_at_the_proxy_that_passed_it(behind_a_proxy):
    assert address(PROXY, "unknown, 10.0.0.7") == "10.0.0.7"
    assert address(PROXY, "<script>") == PROXY


def test_when_every_hop_is_a_trusted_proxy_the_first_one_is_the_client(behind_a_proxy):
    assert address(PROXY, "10.0.0.5, 10.0.0.6") == "10.0.0.5"


def test_addresses_with_ports_and_ipv6_are_read(behind_a_proxy):
    assert address(PROXY, f"{CLIENT}:51234") == CLIENT
    assert address("fd00::1", "[2001:db8::7]:443") == "2001:db8::7"
    assert address("fd00::1", "2001:db8::8") == "2001:db8::8"


def test_an_empty_forwarded_header_leaves_the_peer(behind_a_proxy):
    assert address(PROXY, "") == PROXY
    assert address(PROXY) == PROXY


def test_trusted_proxies_are_read_as_addresses_and_networks():
    assert trusted_proxies({"TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/24, fd00::/8"}) == (
        ip_network("10.0.0.5/32"),
        ip_network("10.1.0.0/24"),
        ip_network("fd00::/8"),
    )
    assert trusted_proxies({}) == ()


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES: 'proxy.intern'"):
        trusted_proxies({"TRUSTED_PROXIES": "proxy.intern"})


def test_the_audit_log_records_the_forwarded_client_address(cast, client, behind_a_proxy):
    client.post(
        "/inloggen/",
        {"username": "planner", "password": "niet-het-wachtwoord"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}",
    )
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("sequence")
    assert failed.ip_address == CLIENT


def test_the_login_lock_counts_the_forwarded_client_not_the_proxy(
    cast, client, behind_a_proxy, settings
):
    settings.AXES_ENABLED = True

    def try_password(password, forwarded):
        return client.post(
            "/inloggen/",
            {"username": "planner", "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(5):
        try_password("niet-het-wachtwoord", f"{SPOOFED}, {CLIENT}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    # The attacker is locked out, even when he changes the address he claims ...
    assert try_password(PASSWORD, f"192.0.2.1, {CLIENT}").status_code == 429
    # ... and a colleague behind the same proxy is not.
    assert try_password(PASSWORD, "198.51.100.20").status_code == 302
