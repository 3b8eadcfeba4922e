"""Seeing clients on the waiting list is logged once per request, naming every client shown;
placement and merges, which close and move registrations in bulk, log each of them."""

import pytest
from django.urls import reverse

from regiotafel.core import audit, services
from regiotafel.core.models import AuditEvent
from regiotafel.waitlist import placement
from regiotafel.waitlist.models import Client, Registration, RegistrationState
from tests.waitlist.conftest import load, row

pytestmark = pytest.mark.integration


@pytest.fixture
def lists(homes):
    load(homes.own, row("K1", surname="Jansen", preferences=("Rijnhof Leiden",)))
    load(homes.neighbour, row("X2", surname="Jansen", preferences=("Rijnhof Leiden",)))
    load(homes.own, row("K3", surname="Visser", born="1941-02-02"))
    return list(Client.objects.order_by("pk"))


def test_the_registration_api_logs_one_read_naming_every_client_returned(homes, lists, client):
    token = services.issue_token(user=homes.planner)
    items = client.get("/api/v1/inschrijvingen", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    shown = {f"cliënt {r['client_id']}" for r in items["items"]}
    assert len(shown) >= 2
    [event] = AuditEvent.objects.filter(action="read", actor=homes.planner)
    assert event.channel == "api" and event.detail["aantal"] == len(items["items"])
    assert set(event.detail["betrokkenen"]) == shown


def test_opening_a_client_page_logs_one_read_for_that_client(homes, lists, client):
    client.force_login(homes.planner)
    client.get(reverse("waitlist:client", args=[lists[0].pk]))
    events = AuditEvent.objects.filter(action="read", actor=homes.planner)
    assert events.count() == 1
    assert f"cliënt {lists[0].pk}" in events.get().data_subject


def test_accepting_a_place_logs_every_registration_it_closes(homes, lists):
    jansen = lists[0]
    own_file = Registration.objects.get(client=jansen, provider=homes.own)
    offer = placement.offer(
        user=homes.planner, registration_id=own_file.pk, location_id=homes.own_home.pk
    )
    placement.accept(user=homes.planner, offer_id=offer.pk)
    closed = Registration.objects.filter(client=jansen).exclude(state=RegistrationState.OPEN)
    logged = AuditEvent.objects.filter(action="update", object_type="waitlist.registration")
    assert {e.object_id for e in logged} >= {str(r.pk) for r in closed}
    assert all(e.data_subject == f"cliënt {jansen.pk}" for e in logged)
    assert audit.verify().broken is None
