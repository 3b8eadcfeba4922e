"""The gap analysis as JSON: the same numbers as the page, problem details for errors."""

import pytest

from regiotafel.core import services as core_services
from regiotafel.core.models import Role
from regiotafel.projection import services
from tests.conftest import make_user

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("zhn")]


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.issue_token(user=user)}"}


def get(client, user, slug, **query):
    return client.get(f"/api/v1/zorgkloof/{slug}", query, **bearer(user))


def test_the_answer_has_the_region_first_then_every_municipality(cast, client):
    body = get(client, cast.analyst, cast.region.slug).json()
    assert body["regio"] == "zuid-holland-noord" and body["regio_naam"] == "Zuid-Holland Noord"
    assert body["parameterset"]["versie"] == 1
    areas = body["gebieden"]
    assert areas[0]["regio_totaal"] is True and areas[0]["naam"] == "Zuid-Holland Noord"
    names = {area["naam"] for area in areas[1:]}
    assert {"Leiden", "Katwijk", "Alphen aan den Rijn"} <= names and len(areas) == 14
    year = areas[0]["jaren"][0]
    assert set(year) >= {"jaar", "vraag", "aanbod", "tekort", "tekort_pct"}
    assert year["tekort"] == pytest.approx(year["vraag"] - year["aanbod"])
    assert body["kernjaren"] == [2025, 2030, 2040]


def test_the_numbers_are_those_of_the_page(cast, client):
    view = services.gap_view(user=cast.analyst, region=cast.region)
    body = get(client, cast.analyst, cast.region.slug).json()
    assert (body["scenario"]["code"], body["product"]["code"]) == (view.scenario, view.product)
    leiden = next(area for area in body["gebieden"] if area["code"] == "GM0546")
    row = view.table[(view.table["gemeente"] == "GM0546") & (view.table["jaar"] == 2040)].iloc[0]
    in_2040 = next(year for year in leiden["jaren"] if year["jaar"] == 2040)
    assert in_2040["vraag"] == pytest.approx(row["vraag"])
    assert in_2040["aanbod"] == pytest.approx(row["aanbod"])


def test_with_draws_the_band_is_in_the_answer(cast, client):
    body = get(client, cast.analyst, cast.region.slug).json()
    assert body["heeft_band"] is True
    year = body["gebieden"][0]["jaren"][-1]
    assert year["vraag_p10"] <= year["vraag_p90"]


def test_a_scenario_and_product_can_be_chosen(cast, client):
    first = get(client, cast.analyst, cast.region.slug).json()
    other = first["scenarios"][-1]["code"]
    product = first["producten"][-1]["code"]
    body = get(client, cast.analyst, cast.region.slug, scenario=other, product=product).json()
    assert (body["scenario"]["code"], body["product"]["code"]) == (other, product)


def test_an_unknown_scenario_is_a_problem_naming_the_field(cast, client):
    response = get(client, cast.analyst, cast.region.slug, scenario="bestaat-niet")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["invalid-params"][0]["name"] == "scenario"


def test_others_get_403_and_an_unknown_region_404(cast, client):
    far_analyst = make_user("analist-kennemerland", (cast.far, Role.REGIO_ANALIST))
    assert get(client, cast.planner, cast.region.slug).status_code == 403
    assert get(client, far_analyst, cast.region.slug).status_code == 403
    assert get(client, cast.analyst, "bestaat-niet").status_code == 404


def test_a_region_without_parameters_is_404(cast, client):
    far_analyst = make_user("analist-kennemerland", (cast.far, Role.REGIO_ANALIST))
    response = get(client, far_analyst, cast.other_region.slug)
    assert response.status_code == 404
    assert response.json()["code"] == "geen-parameters"


def test_every_percentile_of_the_draws_is_in_the_answer(cast, client):
    year = get(client, cast.analyst, cast.region.slug).json()["gebieden"][0]["jaren"][-1]
    for name in ("vraag", "tekort", "tekort_pct"):
        assert year[f"{name}_p10"] <= year[f"{name}_p50"] <= year[f"{name}_p90"]


def test_a_product_without_capacity_answers_with_null_supply(cast, client):
    from tests.projection.conftest import demo_text

    text = demo_text(draws=0).replace("  wijkverpleging: basisjaar\n", "", 1)
    assert text != demo_text(draws=0)
    services.save_parameter_set(
        user=cast.analyst, region=cast.region, text=text, filename="zonder-aanbod.yaml"
    )
    response = get(client, cast.analyst, cast.region.slug, product="wijkverpleging")
    assert response.status_code == 200
    year = response.json()["gebieden"][0]["jaren"][-1]
    assert year["vraag"] > 0 and year["aanbod"] is None and year["tekort"] is None
