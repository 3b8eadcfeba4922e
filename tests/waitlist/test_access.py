"""Who sees which clients: providers their own (and those who prefer them), the care office
the region, analysts only aggregates — in pages and in the API, and every read is logged."""

import pytest
from django.urls import reverse

from regiotafel.core import charts, services
from regiotafel.core.models import AuditEvent
from regiotafel.waitlist.models import Client
from tests.waitlist.conftest import load, row

pytestmark = pytest.mark.integration


@pytest.fixture
def lists(homes):
    load(homes.own, row("K1", surname="Jansen", preferences=("Rijnhof Leiden",)))
    load(
        homes.neighbour,
        row("X1", surname="Bakker", born="1940-01-01", preferences=("Duinrand Katwijk",)),
    )
    load(
        homes.neighbour,
        row("X2", surname="Visser", born="1941-02-02", preferences=("Rijnhof Leiden",)),
    )
    return {c.surname: c for c in Client.objects.all()}


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {services.issue_token(user=user)}"}


def test_a_provider_sees_its_own_clients_and_those_who_prefer_its_home(homes, lists, client):
    client.force_login(homes.planner)
    page = client.get(reverse("waitlist:list")).content.decode()
    assert "Jansen" in page and "Visser" in page
    assert "Bakker" not in page


def test_a_provider_cannot_open_another_providers_client(homes, lists, client):
    # Client numbers are sequential: someone else's client is "not found", like a missing one.
    client.force_login(homes.planner)
    for client_id in (lists["Bakker"].pk, 999999):
        response = client.get(reverse("waitlist:client", args=[client_id]))
        assert response.status_code == 404
        api = client.get(f"/api/v1/clienten/{client_id}", **bearer(homes.planner))
        assert api.status_code == 404


def test_the_api_lists_only_visible_registrations(homes, lists, client):
    items = client.get("/api/v1/inschrijvingen", **bearer(homes.planner)).json()["items"]
    assert {i["klantnummer"] for i in items} == {"K1", "X2"}


def test_the_care_office_sees_the_whole_region(homes, lists, client):
    client.force_login(homes.care_office_planner)
    page = client.get(reverse("waitlist:list")).content.decode()
    assert all(name in page for name in ("Jansen", "Bakker", "Visser"))


def test_an_analyst_sees_only_figures_with_small_counts_suppressed(homes, lists, client):
    client.force_login(homes.analyst)
    assert client.get(reverse("waitlist:list"))["Location"] == reverse("waitlist:figures")
    assert client.get(reverse("waitlist:client", args=[lists["Jansen"].pk])).status_code == 403
    page = client.get(reverse("waitlist:figures")).content.decode()
    assert "&lt;5" in page and "Jansen" not in page
    api = client.get("/api/v1/wachtlijstcijfers", **bearer(homes.analyst)).json()
    assert api["waiting"] == "<5" and api["by_profile"] == {"VV5": "<5"}


def test_every_client_shown_on_the_list_is_logged_as_one_read_naming_them_all(homes, lists, client):
    client.force_login(homes.planner)
    client.get(reverse("waitlist:list"))
    [event] = AuditEvent.objects.filter(action="read", actor=homes.planner)
    shown = {f"cliënt {lists['Jansen'].pk}", f"cliënt {lists['Visser'].pk}"}
    assert set(event.detail["betrokkenen"]) == shown
    assert all(subject in event.data_subject for subject in shown)


def test_opening_a_client_is_logged(homes, lists, client):
    client.force_login(homes.planner)
    client.get(reverse("waitlist:client", args=[lists["Jansen"].pk]))
    assert AuditEvent.objects.filter(
        action="read", object_type="waitlist.client", object_id=str(lists["Jansen"].pk)
    ).exists()


def test_a_provider_gets_the_figures_page_with_charts_and_can_export(homes, lists, client):
    client.force_login(homes.planner)
    page = client.get(reverse("waitlist:figures"))
    assert page.status_code == 200
    html = page.content.decode()
    assert charts.library_url() in html and "Wachtenden per wachtstatus" in html
    assert "Actief plaatsen" in html
    export = client.get(reverse("waitlist:figures-export", args=["xlsx"]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    csv_export = client.get(reverse("waitlist:figures-export", args=["csv"])).content.decode()
    assert csv_export.splitlines()[0] == "onderdeel;omschrijving;waarde"


def test_the_care_office_sees_a_client_of_its_region_on_the_list_and_the_client_page_alike(
    homes, lists, cast
):
    from regiotafel.core import permissions
    from regiotafel.core.models import Municipality
    from regiotafel.waitlist.models import Registration
    from regiotafel.waitlist.visibility import visible_clients

    # Bakker's first file moves far away and a new one opens here: the care office of this
    # region sees Bakker through the second file, on the list and on the client page.
    first = Registration.objects.get(external_id="X1")
    first.pk, first.external_id = None, "X1-hier"
    first.save()
    Registration.objects.filter(external_id="X1").update(
        provider=cast.far, municipality=Municipality.objects.get(cbs_code="GM0392")
    )
    listed = set(visible_clients(homes.care_office_planner).values_list("pk", flat=True))
    for client in Client.objects.all():
        allowed = permissions.can(homes.care_office_planner, "wachtlijst.client.bekijken", client)
        assert allowed == (client.pk in listed) == True  # noqa: E712 - all three in its region


def test_a_planner_acting_for_another_organisation_sees_none_of_the_providers_clients(
    homes, lists, cast, client
):
    from regiotafel.core.models import Role
    from tests.conftest import make_user

    both = make_user(
        "twee-petten", (cast.own, Role.CAPACITEITSBEHEERDER), (cast.far, Role.VERWIJZER)
    )
    client.force_login(both)
    assert client.get(reverse("waitlist:client", args=[lists["Jansen"].pk])).status_code == 200
    client.post(reverse("switch-organisation"), {"organisatie": cast.far.pk})
    assert client.get(reverse("waitlist:client", args=[lists["Jansen"].pk])).status_code == 403
    assert client.get("/api/v1/inschrijvingen").status_code == 403
