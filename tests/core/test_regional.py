"""The regional dashboard joins the capabilities: today's beds and waiting list, the gap ahead,
the plans' white spots and the projects, each shown only to those whose role allows it."""

import pytest
from django.urls import reverse

from regiotafel.core import demo, regional
from regiotafel.core.models import Region
from regiotafel.core.regional import Section
from regiotafel.plans.models import Plan, PlanStatus
from regiotafel.projection import report, services

DEMO_PASSWORD = "een-demo-wachtwoord"


@pytest.mark.unit
def test_sections_come_in_order_and_a_section_with_nothing_to_say_is_left_out(monkeypatch):
    monkeypatch.setattr(regional, "_sections", {})
    regional.register(Section("later", "b.html", lambda user, region: {"n": 2}, order=20))
    regional.register(Section("eerst", "a.html", lambda user, region: {"n": 1}, order=10))
    regional.register(Section("stil", "c.html", lambda user, region: None, order=15))
    shown = regional.sections_for(None, None)
    assert [(s.key, s.section["n"]) for s in shown] == [("eerst", 1), ("later", 2)]


@pytest.fixture
def demo_region(demo_once, db):
    """The demo, seeded once for this module (tests/conftest.py, demo_once)."""
    return Region.objects.get(name=demo.DEMO_REGION)


def dashboard_for(client, username: str, region: Region) -> str:
    client.login(username=username, password=DEMO_PASSWORD)
    response = client.get(reverse("portfolio:dashboard", args=[region.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.integration
def test_the_analyst_sees_beds_waiting_list_gap_and_plans_on_the_regional_dashboard(
    demo_region, client
):
    page = dashboard_for(client, "analist", demo_region)
    for heading in ("Beddenbord nu", "Wachtlijst", "Zorgkloof", "Regioplannen"):
        assert f">{heading}</h2>" in page
    projection = services.load_projection(services.current_parameter_set(demo_region))
    results = report.baseline(projection.results)
    base_2040 = results[
        (results["gemeente"] == projection.region_code)
        & (results["scenario"] == "basis")
        & (results["product"] == "verpleeghuis")
        & (results["jaar"] == 2040)
    ].iloc[0]
    shortage = f"{round(base_2040['tekort']):,}".replace(",", ".")
    assert f"{shortage} <small>({round(base_2040['tekort_pct'] * 100)}%)</small>" in page
    plans = Plan.objects.filter(region=demo_region, status=PlanStatus.KLAAR).count()
    assert plans == 2  # seeds 000 and 004
    assert f"{plans} gescande plannen tegen 30 indicatoren" in page


@pytest.mark.integration
def test_a_provider_planner_sees_todays_beds_but_not_the_gap_analysis_or_the_plans(
    demo_region, client
):
    page = dashboard_for(client, "planner", demo_region)
    assert ">Beddenbord nu</h2>" in page
    assert ">Zorgkloof</h2>" not in page
    assert ">Regioplannen</h2>" not in page
    assert reverse("projection:index") not in page  # no link to a page that would refuse


@pytest.mark.integration
def test_the_waiting_list_on_the_dashboard_hides_small_counts(demo_region, client):
    page = dashboard_for(client, "analist", demo_region)
    section = page[page.index(">Wachtlijst</h2>") : page.index("Naar de wachtlijstcijfers")]
    assert "Wachtende cliënten in de regio:" in section
    for status in ("Urgent plaatsen", "Actief plaatsen"):
        assert status in section


@pytest.mark.integration
def test_the_analysts_home_page_shows_the_same_sections(demo_region, client):
    client.login(username="analist", password=DEMO_PASSWORD)
    page = client.get(reverse("home")).content.decode()
    assert ">Zorgkloof</h2>" in page
    assert ">Regioplannen</h2>" in page
    assert "Gemeenten en inwoners" in page
