"""The demo region is created the same way every time, and only in a demo database."""

import pytest

from regiotafel import errors
from regiotafel.core import demo, permissions
from regiotafel.core.models import Installation, Municipality, Organisation, Region, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration


def test_it_creates_zuid_holland_noord_with_its_organisations_and_a_user_per_role(db):
    logins = demo.seed(password="een-demo-wachtwoord")
    assert Region.objects.count() == 34
    zhn = Region.objects.get(name="Zuid-Holland Noord")
    assert zhn.municipalities.count() == 13
    types = set(Organisation.objects.filter(region=zhn).values_list("type", flat=True))
    assert types == {
        "vvt",
        "ziekenhuis",
        "huisartsenpost",
        "huisartsenpraktijk",
        "zorgkantoor",
        "gemeente",
        "aanmeldpunt",
    }
    assert [login.username for login in logins] == [
        "verwijzer",
        "triagist",
        "planner",
        "analist",
        "beheerder",
    ]
    assert User.objects.get(username="planner").check_password("een-demo-wachtwoord")
    assert Installation.objects.get().is_demo


def test_seeding_twice_gives_the_same_data_and_new_passwords(db):
    first = demo.seed()
    counts = (Organisation.objects.count(), Municipality.objects.count(), User.objects.count())
    second = demo.seed()
    assert counts == (
        Organisation.objects.count(),
        Municipality.objects.count(),
        User.objects.count(),
    )
    assert first[0].password != second[0].password
    assert User.objects.get(username="verwijzer").check_password(second[0].password)


def test_each_demo_role_can_do_what_its_role_is_for(db):
    demo.seed()
    rijnhof = Organisation.objects.get(name="Rijnhof Ouderenzorg")
    zhn = Region.objects.get(name="Zuid-Holland Noord")
    assert permissions.can(User.objects.get(username="beheerder"), "auditlog.bekijken", rijnhof)
    assert permissions.can(User.objects.get(username="analist"), "regio.analyseren", zhn)
    assert not permissions.can(User.objects.get(username="verwijzer"), "auditlog.bekijken", rijnhof)


def test_it_refuses_to_add_demo_accounts_to_a_real_database(cast):
    with pytest.raises(errors.Conflict, match="geen demodatabase"):
        demo.seed()
    assert not Installation.objects.exists()
    assert not Organisation.objects.filter(name="Rijnhof Ouderenzorg", region__name="Kennemerland")
    assert cast.planner.check_password(PASSWORD)  # the real account is untouched
