"""One dossierhouder per client, assigned by the care office; the other providers are "ook
ingeschreven"; the dossierhouder is told of every placement step; the duplicate review shows
both registrations side by side without the BSN."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regiotafel import errors
from regiotafel.notifications.models import Notification
from regiotafel.waitlist import placement
from regiotafel.waitlist.models import Client, DuplicateCandidate, Registration
from tests.conftest import PASSWORD
from tests.waitlist.conftest import BSN_ANNA, load, row

pytestmark = pytest.mark.integration


@pytest.fixture
def shared(homes) -> Client:
    """One client (same BSN) waiting at both providers."""
    load(homes.own, row("R-1", bsn=BSN_ANNA))
    load(homes.neighbour, row("D-1", bsn=BSN_ANNA, preferences=("Duinrand Katwijk",)))
    return Client.objects.get()


def test_only_the_care_office_assigns_the_dossierhouder(homes, shared):
    for outsider in (homes.planner, homes.other_planner, homes.analyst):
        with pytest.raises((errors.PermissionDenied, errors.NotFound)):
            placement.assign_dossierhouder(
                user=outsider, client_id=shared.pk, provider_id=homes.own.pk
            )
    placement.assign_dossierhouder(
        user=homes.care_office_planner, client_id=shared.pk, provider_id=homes.neighbour.pk
    )
    shared.refresh_from_db()
    assert shared.dossierhouder == homes.neighbour and shared.dossierhouder_since
    told = Notification.objects.filter(event="wachtlijst.dossierhouder")
    assert set(told.values_list("recipient", flat=True)) == {homes.other_planner.pk}


def test_the_dossierhouder_must_hold_a_waiting_registration(homes, shared):
    from regiotafel.core.models import Organisation

    stranger = Organisation.objects.create(name="Elders", type="vvt", region=homes.own.region)
    with pytest.raises(errors.InvalidInput):
        placement.assign_dossierhouder(
            user=homes.care_office_planner, client_id=shared.pk, provider_id=stranger.pk
        )


def test_pages_and_api_say_dossierhouder_and_ook_ingeschreven(client, homes, shared):
    before = Registration.objects.get(external_id="R-1")
    assert before.role_label.startswith("ingeschreven")  # nobody assigned yet: nobody claims it
    placement.assign_dossierhouder(
        user=homes.care_office_planner, client_id=shared.pk, provider_id=homes.own.pk
    )
    own, other = (Registration.objects.get(external_id=n) for n in ("R-1", "D-1"))
    assert own.role_label == "dossierhouder" and other.role_label == "ook ingeschreven"
    client.login(username=homes.planner.username, password=PASSWORD)
    page = client.get(reverse("waitlist:client", args=[shared.pk])).content.decode()
    assert "ook ingeschreven" in page and "dossierhouder" in page
    listing = client.get(reverse("waitlist:list")).content.decode()
    assert "ook ingeschreven" in listing
    assert "Dossierhouder aanwijzen" not in page  # a provider cannot assign
    api = client.get(f"/api/v1/clienten/{shared.pk}").json()
    assert api["dossierhouder"] == homes.own.name
    roles = {r["klantnummer"]: r["dossierhouder"] for r in api["inschrijvingen"]}
    assert roles == {"R-1": True, "D-1": False}
    assert {r["aanbieder"] for r in api["inschrijvingen"]} == {homes.own.name, homes.neighbour.name}


def test_the_care_office_assigns_on_the_client_page(client, homes, shared):
    client.login(username=homes.care_office_planner.username, password=PASSWORD)
    page = client.get(reverse("waitlist:client", args=[shared.pk])).content.decode()
    assert "Dossierhouder aanwijzen" in page
    client.post(
        reverse("waitlist:dossierhouder", args=[shared.pk]), {"organisatie": homes.neighbour.pk}
    )
    shared.refresh_from_db()
    assert shared.dossierhouder == homes.neighbour


def test_the_dossierhouder_is_told_of_offer_decline_and_placement(homes, shared):
    placement.assign_dossierhouder(
        user=homes.care_office_planner, client_id=shared.pk, provider_id=homes.neighbour.pk
    )
    ours = Registration.objects.get(external_id="R-1")
    offer = placement.offer(
        user=homes.planner, registration_id=ours.pk, location_id=homes.own_home.pk
    )
    placement.decline(user=homes.planner, offer_id=offer.pk, reason="Te ver van de dochter")
    second = placement.offer(
        user=homes.planner, registration_id=ours.pk, location_id=homes.own_home.pk
    )
    placement.accept(user=homes.planner, offer_id=second.pk)
    texts = list(
        Notification.objects.filter(
            recipient=homes.other_planner, event="wachtlijst.plaatsingsstap"
        )
        .order_by("pk")
        .values_list("text", flat=True)
    )
    assert len(texts) == 4
    assert "aangeboden" in texts[0] and "geweigerd" in texts[1] and "geplaatst" in texts[3]
    assert all("D-1" in t and "Jansen" not in t for t in texts)  # their number, no name
    # the provider doing the steps is not told of its own actions
    assert not Notification.objects.filter(
        recipient=homes.planner, event="wachtlijst.plaatsingsstap"
    ).exists()


def test_duplicate_review_shows_both_registrations_side_by_side_without_the_bsn(client, homes):
    load(homes.own, row("R-5", bsn=BSN_ANNA, surname="Jansen", born="1936-04-12"))
    load(
        homes.neighbour,
        row("D-9", surname="Janssen", born="1936-12-04", preferences=("Duinrand Katwijk",)),
    )
    assert DuplicateCandidate.objects.count() == 1
    client.login(username=homes.care_office_planner.username, password=PASSWORD)
    page = client.get(reverse("waitlist:duplicates")).content.decode()
    for shown in ("Rijnhof Ouderenzorg: R-5", "Zorggroep Duinrand: D-9", "Gelijk?"):
        assert shown in page, shown
    assert BSN_ANNA not in page
    candidate = DuplicateCandidate.objects.get()
    from regiotafel.waitlist.views import _side_by_side

    rows = {str(r["label"]): r["same"] for r in _side_by_side(candidate)}
    assert rows["Voorletters"] is True
    assert rows["Geboortedatum"] is False
    assert rows["Postcode"] is True
    assert rows["BSN"] is None  # known on one side only: cannot say
