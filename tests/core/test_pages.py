"""Pages of the foundation: a home page for each role, and choosing an organisation."""

import pytest
from django.urls import reverse

from regiotafel.core import navigation, services
from regiotafel.core.models import Membership, Role
from regiotafel.core.navigation import NavEntry
from tests.core.test_municipality_import import SHARED_ZHN

pytestmark = pytest.mark.integration


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_is_dutch_and_labels_its_fields(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="nl">' in page
    assert '<label for="id_username">Gebruikersnaam</label>' in page
    assert '<label for="id_password">Wachtwoord</label>' in page


def test_a_referrer_sees_the_referrer_home_and_no_admin_links(cast, client):
    client.force_login(cast.referrer)
    page = client.get(reverse("home")).content.decode()
    assert "Zoek een vrij bed" in page
    assert reverse("auditlog") not in page
    assert "Medewerkers van" not in page


def test_an_analyst_sees_the_municipalities_of_the_region_with_inhabitants(cast, client):
    services.import_municipalities(source=SHARED_ZHN, region=cast.region)
    client.force_login(cast.analyst)
    page = client.get(reverse("home")).content.decode()
    assert "13 gemeenten, 583.947 inwoners" in page
    assert "127.089" in page  # Leiden


def test_an_admin_sees_the_members_and_a_link_to_the_audit_log(cast, client):
    client.force_login(cast.admin)
    page = client.get(reverse("home")).content.decode()
    assert "Medewerkers van Rijnhof Ouderenzorg" in page
    assert "verwijzer" in page and "Capaciteitsbeheerder" in page
    assert reverse("auditlog") in page


def test_capabilities_still_to_come_are_listed_but_not_linked(cast, client, monkeypatch):
    monkeypatch.setitem(navigation._entries, "later", NavEntry("later", "Toekomst", order=60))
    client.force_login(cast.referrer)
    page = client.get(reverse("home")).content.decode()
    assert "Toekomst <small>(in ontwikkeling)</small>" in page
    assert "Beddenbord <small>" not in page


def test_every_capability_has_its_page_in_the_navigation(cast, client):
    client.force_login(cast.analyst)
    page = client.get(reverse("home")).content.decode()
    assert "(in ontwikkeling)" not in page
    for label in ("Beddenbord", "Wachtlijst", "Zorgkloof", "Portfolio", "Regioplannen"):
        assert f">{label}</a>" in page


def test_a_person_with_two_organisations_can_switch_and_acts_for_the_chosen_one(cast, client):
    Membership.objects.create(user=cast.referrer, organisation=cast.neighbour, role=Role.BEHEERDER)
    client.force_login(cast.referrer)
    assert "Meld een casus aan" in client.get(reverse("home")).content.decode()
    client.post(reverse("switch-organisation"), {"organisatie": cast.neighbour.pk})
    page = client.get(reverse("home")).content.decode()
    assert "U werkt namens Zorggroep Duinrand" in page
    assert "Medewerkers van Zorggroep Duinrand" in page
    assert "Meld een casus aan" not in page


def test_nobody_can_switch_to_an_organisation_they_do_not_work_for(cast, client):
    client.force_login(cast.referrer)
    response = client.post(reverse("switch-organisation"), {"organisatie": cast.far.pk})
    assert response.status_code == 403
    assert "U werkt niet voor die organisatie." in response.content.decode()


def test_someone_without_an_organisation_is_told_to_ask_for_a_role(cast, client):
    client.force_login(cast.outsider)
    page = client.get(reverse("home")).content.decode()
    assert "U bent nog aan geen organisatie gekoppeld" in page


def test_an_admin_grants_and_revokes_a_role_and_both_are_in_the_audit_log(cast, client):
    from regiotafel.core.models import AuditEvent

    client.force_login(cast.admin)
    client.post(reverse("members"), {"gebruikersnaam": "verwijzer", "rol": "triagist"})
    membership = Membership.objects.get(user=cast.referrer, role="triagist")
    assert membership.organisation == cast.own
    client.post(reverse("members"), {"intrekken": membership.pk})
    assert not Membership.objects.filter(user=cast.referrer, role="triagist").exists()
    logged = AuditEvent.objects.filter(object_type="core.membership", object_id=str(membership.pk))
    assert set(logged.values_list("action", flat=True)) == {"create", "delete"}


def test_the_last_administrator_cannot_be_removed(cast, client):
    client.force_login(cast.admin)
    own = Membership.objects.get(user=cast.admin)
    page = client.post(reverse("members"), {"intrekken": own.pk}, follow=True).content.decode()
    assert "minstens één beheerder" in page
    assert Membership.objects.filter(pk=own.pk).exists()


def test_only_an_administrator_manages_members_and_only_of_their_own_organisation(cast, client):
    from regiotafel import errors
    from regiotafel.core import services

    client.force_login(cast.referrer)
    assert client.get(reverse("members")).status_code == 403
    far_member = Membership.objects.create(
        user=cast.outsider, organisation=cast.far, role=Role.VERWIJZER
    )
    with pytest.raises(errors.NotFound):
        services.revoke_role(user=cast.admin, membership_id=far_member.pk)


def test_another_organisations_membership_answers_like_one_that_does_not_exist(cast):
    from regiotafel import errors
    from regiotafel.core import services

    far_member = Membership.objects.create(
        user=cast.outsider, organisation=cast.far, role=Role.VERWIJZER
    )
    answers = []
    for membership_id in (far_member.pk, far_member.pk + 1000):
        with pytest.raises(errors.NotFound) as refused:
            services.revoke_role(user=cast.admin, membership_id=membership_id)
        answers.append((refused.value.code, refused.value.detail))
    assert answers[0] == answers[1]
    assert Membership.objects.filter(pk=far_member.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "auditlog",
        "members",
        "capacity:claims",
        "waitlist:figures",
        "waitlist:placement",
    ],
)
def test_pages_that_act_for_an_organisation_refuse_someone_without_one(cast, client, name):
    client.force_login(cast.outsider)
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "U werkt niet namens een organisatie." in response.content.decode()


def test_every_page_names_its_icon(cast, client):
    client.force_login(cast.referrer)
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()
