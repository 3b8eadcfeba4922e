"""Analysts manage their region's portfolio from the pages: link projects to vision points and
KPIs, add vision points, themes and KPI measurements; providers and other regions cannot."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from regiotafel import errors
from regiotafel.portfolio import editing, services
from regiotafel.portfolio.models import AgendaItem, AgendaKind, Kpi, KpiDirection, Theme
from tests.portfolio.test_access import project

pytestmark = pytest.mark.integration


@pytest.fixture
def heading(cast):
    return AgendaItem.objects.create(
        region=cast.region, kind=AgendaKind.VISIE_ELEMENT, group="medewerkers", title="Behoud"
    )


def test_an_analyst_adds_a_vision_point_and_links_a_running_project_which_covers_it(cast, heading):
    point = editing.add_agenda_item(
        user=cast.analyst,
        region=cast.region,
        kind=AgendaKind.VISIE_ELEMENT,
        group="medewerkers",
        parent=heading,
        title="We verminderen de uitstroom",
    )
    assert services.uncovered(region=cast.region) == [point]
    mine = project(cast.region)
    mine.assessments.create(
        valid_from=date(2020, 1, 1),
        status="lopend",
        impact="onbekend",
        shareable="onbekend",
        scalability="nog_niet",
        organisations="onbekend",
    )
    editing.link_project(user=cast.analyst, project=mine, agenda_item_ids=[point.pk], kpi_ids=[])
    assert services.uncovered(region=cast.region) == []


def test_a_provider_may_not_change_the_portfolio(cast, heading):
    with pytest.raises(errors.PermissionDenied):
        editing.add_agenda_item(
            user=cast.planner, region=cast.region, kind=AgendaKind.ACTIELIJN, title="X"
        )
    with pytest.raises(errors.PermissionDenied):
        editing.link_project(
            user=cast.planner, project=project(cast.region), agenda_item_ids=[], kpi_ids=[]
        )


def test_a_project_cannot_be_linked_to_another_regions_points(cast):
    theirs = AgendaItem.objects.create(
        region=cast.other_region, kind=AgendaKind.DOEL, title="Elders"
    )
    with pytest.raises(errors.InvalidInput):
        editing.link_project(
            user=cast.analyst,
            project=project(cast.region),
            agenda_item_ids=[theirs.pk],
            kpi_ids=[],
        )


def test_a_vision_point_needs_a_group_and_a_title(cast):
    with pytest.raises(errors.InvalidInput) as caught:
        editing.add_agenda_item(
            user=cast.analyst, region=cast.region, kind=AgendaKind.VISIE_ELEMENT, title=" "
        )
    assert {e.field for e in caught.value.errors} == {"omschrijving", "groep"}


def test_a_region_adds_a_theme_but_not_a_national_one_again(cast):
    theme = editing.add_theme(user=cast.analyst, region=cast.region, name="Wonen en zorg")
    assert theme.region == cast.region
    with pytest.raises(errors.Conflict):
        editing.add_theme(user=cast.analyst, region=cast.region, name="technologie")
    assert Theme.objects.filter(region=cast.region).count() == 1


def test_a_measurement_is_recorded_and_judged_against_the_target(cast):
    kpi = Kpi.objects.create(
        region=cast.region,
        name="Personeelstekort",
        unit="%",
        direction=KpiDirection.LAGER,
        target=Decimal("9.2"),
        target_year=2026,
    )
    editing.record_measurement(
        user=cast.analyst, kpi=kpi, when=date(2024, 12, 31), value=Decimal("10.1")
    )
    assert services.kpi_statuses(region=cast.region)[0].on_target is False
    editing.record_measurement(
        user=cast.analyst, kpi=kpi, when=date(2025, 12, 31), value=Decimal("8.7")
    )
    assert services.kpi_statuses(region=cast.region)[0].on_target is True
    with pytest.raises(errors.PermissionDenied):
        editing.record_measurement(
            user=cast.planner, kpi=kpi, when=date(2025, 12, 31), value=Decimal("1")
        )


def test_the_pages_accept_the_changes_from_an_analyst(cast, client, heading):
    client.force_login(cast.analyst)
    response = client.post(
        "/portfolio/visie/",
        {
            "soort": AgendaKind.VISIE_ELEMENT,
            "groep": "medewerkers",
            "onderdeel_van": heading.pk,
            "omschrijving": "We bieden loopbaanperspectief",
        },
    )
    assert response.status_code == 302
    point = AgendaItem.objects.get(title="We bieden loopbaanperspectief")
    mine = project(cast.region)
    client.post(f"/portfolio/projecten/{mine.pk}/", {"punten": [point.pk]})
    assert list(mine.agenda_items.all()) == [point]
    client.post("/portfolio/importeren/", {"naam": "Wonen en zorg"})
    assert Theme.objects.filter(region=cast.region, name="Wonen en zorg").exists()


def test_a_link_number_in_superscript_digits_is_skipped_not_a_server_error(cast, client, heading):
    client.force_login(cast.analyst)
    mine = project(cast.region)
    response = client.post(
        f"/portfolio/projecten/{mine.pk}/", {"punten": ["²", heading.pk], "kpis": ["³"]}
    )
    assert response.status_code == 302
    assert list(mine.agenda_items.all()) == [heading]


def test_the_pages_refuse_changes_from_a_provider(cast, client):
    client.force_login(cast.planner)
    mine = project(cast.region)
    assert client.post(f"/portfolio/projecten/{mine.pk}/", {"punten": []}).status_code == 403
    page = client.get(f"/portfolio/projecten/{mine.pk}/").content.decode()
    assert "Koppelingen opslaan" not in page
