"""Placement: who is next by the agreed rule, the offer, and closing every other file."""

import pytest

from regiotafel import errors
from regiotafel.waitlist import placement
from regiotafel.waitlist.models import Registration
from tests.waitlist.conftest import BSN_ANNA, load, row

pytestmark = pytest.mark.integration


@pytest.mark.unit
def test_the_rule_is_urgency_then_preference_then_waiting_time():
    from datetime import date

    early, late = date(2024, 1, 1), date(2025, 1, 1)
    ordered = sorted(
        [
            ("actief", 1, early),
            ("urgent", 3, late),
            ("actief", 1, late),
            ("actief", 2, early),
            ("voorkeur", 1, early),
        ],
        key=lambda x: placement.order_key(*x),
    )
    assert ordered == [
        ("urgent", 3, late),
        ("actief", 1, early),
        ("actief", 1, late),
        ("actief", 2, early),
        ("voorkeur", 1, early),
    ]


def test_next_in_line_follows_the_rule_and_lists_each_person_once(homes):
    load(
        homes.own,
        row("A", surname="Actief", status="actief", indication="2024-01-01"),
        row(
            "B",
            surname="Urgent",
            born="1930-01-01",
            status="urgent",
            indication="2025-06-01",
            preferences=("Duinrand Katwijk", "Rijnhof Leiden"),
        ),
        row("C", surname="Later", born="1931-01-01", status="actief", indication="2025-01-01"),
        row("D", bsn=BSN_ANNA, surname="Dubbel", born="1932-01-01", status="voorkeur"),
    )
    load(
        homes.neighbour,
        row("X", bsn=BSN_ANNA, surname="Dubbel", born="1932-01-01", status="voorkeur"),
    )
    line = placement.next_in_line(location=homes.own_home)
    assert [i.registration.client.surname for i in line] == ["Urgent", "Actief", "Later", "Dubbel"]


def test_accepting_an_offer_places_the_client_and_closes_the_other_providers_file(homes):
    load(homes.own, row("K1", bsn=BSN_ANNA))
    load(homes.neighbour, row("X1", bsn=BSN_ANNA))
    mine = Registration.objects.get(external_id="K1")
    offer = placement.offer(
        user=homes.planner, registration_id=mine.pk, location_id=homes.own_home.pk
    )
    placement.accept(user=homes.planner, offer_id=offer.pk)
    states = dict(Registration.objects.values_list("external_id", "state"))
    assert states == {"K1": "geplaatst", "X1": "elders_geplaatst"}


def test_a_declined_offer_needs_a_reason_and_keeps_the_client_waiting(homes):
    load(homes.own, row("K1"))
    registration = Registration.objects.get()
    offer = placement.offer(
        user=homes.planner, registration_id=registration.pk, location_id=homes.own_home.pk
    )
    with pytest.raises(errors.InvalidInput):
        placement.decline(user=homes.planner, offer_id=offer.pk, reason="")
    placement.decline(user=homes.planner, offer_id=offer.pk, reason="Wil nog niet verhuizen")
    registration.refresh_from_db()
    assert registration.state == "open"


def test_only_the_provider_of_the_place_can_offer_it(homes):
    load(homes.own, row("K1"))
    with pytest.raises(errors.PermissionDenied):
        placement.offer(
            user=homes.other_planner,
            registration_id=Registration.objects.get().pk,
            location_id=homes.own_home.pk,
        )
