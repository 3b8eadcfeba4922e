# ruff: noqa: F811 - pytest fixtures imported from test_services are redefined as parameters
"""Results over plans: the matrix, roll-ups, white spots, comparison and evaluation."""

from __future__ import annotations

import pytest

from regiotafel import errors
from regiotafel.core.models import Organisation, OrganisationType, Role
from regiotafel.plans import results, services
from tests.conftest import make_user
from tests.plans.test_services import ZHN_VISION, framework, inline, plan, strongest  # noqa: F401

pytestmark = pytest.mark.integration


# --- results ----------------------------------------------------------------------------------


@pytest.fixture
def two_regions(cast, framework, inline, plan):
    care_office = Organisation.objects.create(
        name="Zorgkantoor Kennemerland", type=OrganisationType.ZORGKANTOOR, region=cast.other_region
    )
    analyst = make_user("kennemer", (care_office, Role.REGIO_ANALIST))
    other = inline(
        user=analyst,
        region=cast.other_region,
        framework=framework,
        title="Regiovisie ZHN",
        source=ZHN_VISION.read_bytes(),
        file_name=ZHN_VISION.name,
    )
    return plan, other


def test_the_matrix_has_a_row_per_region_and_a_cell_per_indicator(two_regions, framework):
    plan, other = two_regions
    m = results.matrix(framework=framework)
    assert {r.pk for r in m.regions} == {plan.region_id, other.region_id}
    for proposal in plan.proposals.all():
        cell = m.cell(plan.region, proposal.indicator)
        assert (cell.proposed, cell.score, cell.confirmed) == (
            proposal.decision,
            proposal.score,
            None,
        )


def test_a_region_cell_takes_the_best_of_its_plans_and_a_verdict_overrides(
    cast, plan, framework, inline
):
    second = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Tweede",
        source=ZHN_VISION.read_bytes(),
        file_name=ZHN_VISION.name,
    )
    rank = {"niet gedekt": 0, "deels": 1, "gedekt": 2}
    indicator = framework.indicators.get(code="CUL-1")
    a = plan.proposals.get(indicator=indicator)
    b = second.proposals.get(indicator=indicator)
    m = results.matrix(framework=framework)
    assert m.cell(cast.region, indicator).proposed == max(a.decision, b.decision, key=rank.get)
    assert m.cell(cast.region, indicator).score == max(a.score, b.score)
    services.code_indicator(
        user=cast.analyst, plan=plan, indicator=indicator, verdict="niet gedekt"
    )
    services.code_indicator(
        user=cast.analyst, plan=second, indicator=indicator, verdict="niet gedekt"
    )
    cell = results.matrix(framework=framework).cell(cast.region, indicator)
    assert cell.confirmed == "niet gedekt" and cell.effective == "niet gedekt"


def test_white_spots_list_indicators_weak_in_most_plans_and_absent_in_a_region(
    cast, two_regions, framework
):
    plan, other = two_regions
    indicator = framework.indicators.get(code="CUL-2")
    for p in (plan, other):
        services.code_indicator(
            user=p.uploaded_by, plan=p, indicator=indicator, verdict="niet gedekt"
        )
    spots = results.white_spots(results.matrix(framework=framework))
    assert indicator in [w["indicator"] for w in spots["weak"]]
    absent = {(a["region"].pk, a["indicator"].pk) for a in spots["absent"] if a["confirmed"]}
    assert absent == {(plan.region_id, indicator.pk), (other.region_id, indicator.pk)}


def test_the_category_rollup_counts_every_indicator_once(two_regions, framework):
    rows = results.category_rollup(results.matrix(framework=framework))
    assert len(rows) == 2 * 8
    assert sum(r["indicators"] for r in rows) == 2 * 30
    for row in rows:
        assert sum(row["counts"].values()) == row["indicators"]
        assert 0 <= row["share"] <= 1


def test_two_versions_of_a_plan_are_compared_indicator_by_indicator(cast, plan, framework, inline):
    newer = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Regiovisie",
        version="2025",
        source=ZHN_VISION.read_bytes(),
        file_name=ZHN_VISION.name,
    )
    indicator = framework.indicators.get(code="CUL-1")
    services.code_indicator(
        user=cast.analyst, plan=plan, indicator=indicator, verdict="niet gedekt"
    )
    services.code_indicator(
        user=cast.analyst,
        plan=newer,
        indicator=indicator,
        verdict="gedekt",
        evidence=[newer.passages.first().pk],
    )
    rows = results.compare(user=cast.analyst, first=plan, second=newer)
    assert len(rows) == 30
    row = next(r for r in rows if r["indicator"] == indicator)
    assert row["change"] == "beter"


def test_plans_of_two_regions_are_not_versions_of_one_plan(cast, two_regions):
    plan, other = two_regions
    with pytest.raises((errors.InvalidInput, errors.PermissionDenied)):
        results.compare(user=cast.analyst, first=plan, second=other)


def test_the_evaluation_counts_decisions_and_passages_against_the_codings(cast, plan, framework):
    proposal = strongest(plan)[0]  # the scan says covered: positive
    # every ranked passage counts as proposed when the threshold is 0
    proposal.indicator.thresholds = {"lexicaal": 0.0}
    proposal.indicator.save()
    ranked = [r.passage for r in proposal.ranked.all()]
    unproposed = plan.passages.exclude(pk__in=[p.pk for p in ranked]).first()
    services.judge_passage(
        user=cast.analyst,
        plan=plan,
        indicator=proposal.indicator,
        passage_id=ranked[0].pk,
        accepted=True,
    )
    services.judge_passage(
        user=cast.analyst,
        plan=plan,
        indicator=proposal.indicator,
        passage_id=ranked[1].pk,
        accepted=False,
    )
    services.code_indicator(
        user=cast.analyst,
        plan=plan,
        indicator=proposal.indicator,
        verdict="gedekt",
        evidence=[ranked[0].pk, unproposed.pk],
    )
    report = results.evaluation_report(framework=framework)
    row = next(r for r in report["indicators"] if r.indicator == proposal.indicator)
    assert row.coded == 1
    assert (row.decisions.tp, row.decisions.fp, row.decisions.fn) == (1, 0, 0)
    # accepted + evidence: one hit; the rejected one a false positive; evidence the scan did
    # not propose is missed, so recall is 1/2, not 1
    assert (row.passages.tp, row.passages.fp, row.passages.fn) == (1, 1, 1)
    assert row.passages.precision == 0.5 and row.passages.recall == 0.5
    assert report["overall"].coded == 1


def test_a_wrong_proposal_shows_as_a_false_positive(cast, plan, framework):
    proposal = strongest(plan)[0]
    services.code_indicator(
        user=cast.analyst, plan=plan, indicator=proposal.indicator, verdict="niet gedekt"
    )
    overall = results.evaluation_report(framework=framework)["overall"]
    assert (overall.decisions.tp, overall.decisions.fp, overall.decisions.fn) == (0, 1, 0)
    assert overall.decisions.precision == 0.0 and overall.decisions.recall is None
