"""An organisation's administrator gives roles to its own people only, and learns nothing
about user names elsewhere."""

import pytest
from django.urls import reverse

from regiotafel import errors
from regiotafel.core import services
from regiotafel.core.models import Membership, Role
from tests.conftest import make_user

pytestmark = pytest.mark.integration


def grant(client, username, role="triagist"):
    response = client.post(
        reverse("members"), {"gebruikersnaam": username, "rol": role}, follow=True
    )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_an_administrator_gives_a_colleague_of_their_organisation_another_role(cast, client):
    client.force_login(cast.admin)
    assert grant(client, "planner") == ["Rol toegekend."]
    assert Membership.objects.filter(user=cast.planner, organisation=cast.own, role="triagist")


def test_a_name_from_another_organisation_gets_the_same_answer_as_a_name_that_does_not_exist(
    cast, client
):
    make_user("elders", (cast.far, Role.VERWIJZER))
    client.force_login(cast.admin)
    elsewhere = grant(client, "elders")
    nowhere = grant(client, "bestaat-niet")
    without_organisation = grant(client, "buitenstaander")
    assert elsewhere == nowhere == without_organisation
    assert elsewhere == ["Rijnhof Ouderenzorg heeft geen medewerker met deze gebruikersnaam."]


def test_no_role_can_be_given_to_someone_of_another_organisation(cast, client):
    elders = make_user("elders", (cast.neighbour, Role.VERWIJZER))
    client.force_login(cast.admin)
    grant(client, "elders")
    assert list(Membership.objects.filter(user=elders).values_list("organisation", flat=True)) == [
        cast.neighbour.pk
    ]
    assert not Membership.objects.filter(user=cast.outsider).exists()


def test_the_service_refuses_outsiders_with_the_same_error_code(cast):
    make_user("elders", (cast.far, Role.BEHEERDER))
    answers = []
    for name in ["elders", "bestaat-niet", "buitenstaander"]:
        with pytest.raises(errors.InvalidInput) as caught:
            services.grant_role(
                user=cast.admin, organisation=cast.own, username=name, role=Role.BEHEERDER
            )
        answers.append((caught.value.code, caught.value.detail))
    assert len(set(answers)) == 1


def test_an_inactive_colleague_is_not_found_either(cast, client):
    cast.planner.is_active = False
    cast.planner.save()
    client.force_login(cast.admin)
    assert grant(client, "planner") == grant(client, "bestaat-niet")


@pytest.mark.parametrize(
    "data",
    [
        {"intrekken": "geen-getal"},
        {"intrekken": "0"},
        {"gebruikersnaam": "planner", "rol": "koning"},
        {"gebruikersnaam": "x" * 500, "rol": "triagist"},
        {},
    ],
)
def test_nonsense_in_the_members_form_is_a_message_not_a_crash(cast, client, data):
    client.force_login(cast.admin)
    response = client.post(reverse("members"), data, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Vul een gebruikersnaam in en kies een rol."
    ]


def test_a_membership_number_past_64_bits_is_refused_without_a_server_error(cast, client):
    client.force_login(cast.admin)
    response = client.post(reverse("members"), {"intrekken": str(2**70)})
    assert 400 <= response.status_code < 500
    assert Membership.objects.count() == 5
