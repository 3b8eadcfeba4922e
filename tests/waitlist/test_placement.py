"""Placement: who is next by the agreed rule, the offer, and closing every other file."""

import pytest

from regiotafel import errors
from regiotafel.waitlist import placement
from regiotafel.waitlist.models import PlacementOffer, Registration
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


def _far_planner_with_a_home(cast):
    from regiotafel.core.models import Location, Municipality, Role
    from tests.conftest import make_user

    haarlem = Municipality.objects.get(cbs_code="GM0392")
    home = Location.objects.create(
        organisation=cast.far, name="Spaarne Haarlem", municipality=haarlem
    )
    return make_user("planner-ver", (cast.far, Role.CAPACITEITSBEHEERDER)), home


def test_a_planner_cannot_offer_a_place_to_a_client_they_cannot_see(homes):
    load(homes.neighbour, row("X1", preferences=("Duinrand Katwijk",)))
    theirs = Registration.objects.get()
    with pytest.raises(errors.NotFound):
        placement.offer(
            user=homes.planner, registration_id=theirs.pk, location_id=homes.own_home.pk
        )
    assert not PlacementOffer.objects.exists()


def test_a_planner_of_another_region_cannot_place_a_client_of_this_region(homes, cast):
    load(homes.own, row("K1"))
    far_planner, far_home = _far_planner_with_a_home(cast)
    with pytest.raises(errors.NotFound):
        placement.offer(
            user=far_planner,
            registration_id=Registration.objects.get().pk,
            location_id=far_home.pk,
        )
    assert not PlacementOffer.objects.exists()


def test_an_unseen_registration_and_a_missing_one_are_refused_alike(homes):
    load(homes.neighbour, row("X1", preferences=("Duinrand Katwijk",)))
    theirs = Registration.objects.get()
    refusals = []
    for registration_id in (theirs.pk, theirs.pk + 1000):
        with pytest.raises(errors.NotFound) as refused:
            placement.offer(
                user=homes.planner, registration_id=registration_id, location_id=homes.own_home.pk
            )
        refusals.append((refused.value.status, refused.value.code, refused.value.detail))
    assert refusals[0] == refusals[1]


def test_a_planner_cannot_accept_or_decline_an_offer_for_a_client_they_cannot_see(homes, cast):
    from regiotafel.core.models import User

    load(homes.neighbour, row("X1", preferences=("Duinrand Katwijk",)))
    theirs = Registration.objects.get()
    root = User.objects.create_superuser("root", password="x")
    made = placement.offer(user=root, registration_id=theirs.pk, location_id=homes.own_home.pk)
    with pytest.raises(errors.NotFound):
        placement.accept(user=homes.planner, offer_id=made.pk)
    with pytest.raises(errors.NotFound):
        placement.decline(user=homes.planner, offer_id=made.pk, reason="Geen plek")
    made.refresh_from_db()
    theirs.refresh_from_db()
    assert (made.state, theirs.state) == ("open", "open")


def test_the_care_office_may_offer_no_place_it_does_not_run(homes):
    load(homes.own, row("K1"))
    with pytest.raises(errors.PermissionDenied):
        placement.offer(
            user=homes.care_office_planner,
            registration_id=Registration.objects.get().pk,
            location_id=homes.own_home.pk,
        )
