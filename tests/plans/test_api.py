# ruff: noqa: F811 - pytest fixtures imported from test_services are redefined as parameters
"""The JSON twins: the plan list, a plan's proposals and the matrix, with the page's rules."""

from __future__ import annotations

import pytest

from regiotafel.core import services as core_services
from regiotafel.core.models import Role
from regiotafel.plans import results, services
from tests.conftest import make_user
from tests.plans.test_services import framework, inline, plan, strongest  # noqa: F401

pytestmark = pytest.mark.integration


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.issue_token(user=user)}"}


def test_an_analyst_lists_the_plans_of_the_region(cast, plan, client):
    found = client.get("/api/v1/plannen", **bearer(cast.analyst)).json()
    assert [(p["id"], p["status"], p["regio"]) for p in found] == [
        (plan.pk, "klaar", cast.region.name)
    ]
    assert found[0]["paginas"] is None and found[0]["soort"] == "txt"


def test_an_analyst_of_another_region_does_not_see_the_plan(cast, plan, client):
    elsewhere = make_user("kennemer", (cast.far, Role.REGIO_ANALIST))
    assert client.get("/api/v1/plannen", **bearer(elsewhere)).json() == []
    response = client.get(f"/api/v1/plannen/{plan.pk}/voorstellen", **bearer(elsewhere))
    assert response.status_code == 403


def test_a_plans_proposals_cite_line_and_score_per_passage(cast, plan, client):
    body = client.get(f"/api/v1/plannen/{plan.pk}/voorstellen", **bearer(cast.analyst)).json()
    assert body["plan"]["id"] == plan.pk
    assert len(body["indicatoren"]) == 30
    best = strongest(plan)[0]
    entry = next(i for i in body["indicatoren"] if i["id"] == best.indicator.code)
    assert entry["beslissing"] == best.decision and entry["score"] == pytest.approx(best.score)
    first = entry["passages"][0]
    assert first["pagina"] is None and first["regel"] >= 1 and first["tekst"]
    scores = [p["score"] for p in entry["passages"]]
    assert scores == sorted(scores, reverse=True)


def test_the_matrix_twin_equals_the_service(cast, plan, client):
    services.code_indicator(
        user=cast.analyst,
        plan=plan,
        indicator=strongest(plan)[0].indicator,
        verdict="niet gedekt",
    )
    body = client.get("/api/v1/plannen/matrix", **bearer(cast.analyst)).json()
    m = results.matrix(framework=plan.framework)
    expected = {
        (r.name, i.code): (m.cell(r, i).proposed, m.cell(r, i).confirmed)
        for r in m.regions
        for i in m.indicators
    }
    assert {
        (c["regio"], c["indicator"]): (c["voorstel"], c["bevestigd"]) for c in body["cellen"]
    } == expected
    assert body["plannen"] == 1


def test_a_provider_planner_gets_403_from_every_plan_endpoint(cast, plan, client):
    for path in [
        "/api/v1/plannen",
        f"/api/v1/plannen/{plan.pk}/voorstellen",
        "/api/v1/plannen/matrix",
    ]:
        response = client.get(path, **bearer(cast.planner))
        assert response.status_code == 403, path
        assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_plan_is_404(cast, client, db):
    assert client.get("/api/v1/plannen/999/voorstellen", **bearer(cast.analyst)).status_code == 404
