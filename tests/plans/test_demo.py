"""The demo: three regional documents as plans of two regions, scanned on first start, with a
few demo codings by two analysts in Zuid-Holland Noord; a second start changes nothing."""

from __future__ import annotations

import pytest

from regiotafel.core import demo as core_demo
from regiotafel.plans import demo, results, services
from regiotafel.plans.models import (
    Coding,
    Passage,
    PassageJudgement,
    Plan,
    PlanStatus,
    Proposal,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def seeded(db):
    core_demo.seed(password="een-demo-wachtwoord")


def test_the_demo_scans_three_plans_of_two_regions(seeded):
    plans = Plan.objects.order_by("file_name")
    assert [(p.region.name, p.status, p.is_demo) for p in plans] == [
        ("Zuid-Holland Noord", PlanStatus.KLAAR, True),
        ("Kennemerland", PlanStatus.KLAAR, True),
        ("Zuid-Holland Noord", PlanStatus.KLAAR, True),
    ]
    for plan in plans:
        assert plan.proposals.filter(scorer="lexicaal").count() == 30
        assert plan.passages.exists()


def test_the_zhn_regional_plan_is_coded_from_the_hand_labels_by_two_analysts(seeded):
    coded = Coding.objects.filter(is_demo=True)
    assert {c.plan.file_name for c in coded} == {"004_4d2e3de32583dcaa.txt"}
    assert {c.analyst.username for c in coded} == {"analist", "beheerder"}
    plan = Plan.objects.get(file_name__startswith="004_")
    labels = demo.hand_labels(plan.file_name)
    mine = {c.indicator.code: c for c in coded.filter(analyst__username="analist")}
    assert set(mine) == set(labels)
    for code, rows in labels.items():
        relevant = sum(1 for _line, is_relevant, _sample in rows if is_relevant)
        assert mine[code].verdict == demo.verdict_for(relevant)
        assert mine[code].evidence.count() == relevant
    judged = PassageJudgement.objects.filter(plan=plan, analyst__username="analist")
    assert judged.count() == sum(len(rows) for rows in labels.values())
    [found] = services.agreement(plan=plan)
    assert found.indicators == len(labels) and found.kappa is not None
    assert found.same < found.indicators  # the second coder read only the random sample


def test_the_reliability_of_the_demo_is_measured_not_perfect(seeded):
    plan = Plan.objects.get(file_name__startswith="004_")
    overall = results.evaluation_report(framework=plan.framework)["overall"]
    assert overall.coded == len(demo.hand_labels(plan.file_name))
    assert 0 < overall.passages.precision < 1 and 0 < overall.passages.recall < 1


def test_a_second_start_changes_nothing(seeded):
    counts = (Plan.objects.count(), Passage.objects.count(), Proposal.objects.count())
    codings = sorted(Coding.objects.values_list("pk", "verdict"))
    core_demo.seed(password="een-demo-wachtwoord")
    assert (Plan.objects.count(), Passage.objects.count(), Proposal.objects.count()) == counts
    assert sorted(Coding.objects.values_list("pk", "verdict")) == codings
