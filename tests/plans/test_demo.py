"""The demo: three regional documents as plans of two regions, scanned on first start, with a
few demo codings by two analysts in Zuid-Holland Noord; a second start changes nothing."""

from __future__ import annotations

import pytest

from regiotafel.core import demo as core_demo
from regiotafel.plans import demo, results, services
from regiotafel.plans.models import Coding, Passage, Plan, PlanStatus, Proposal

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


def test_the_zhn_plans_carry_demo_codings_with_agreement_between_two_analysts(seeded):
    coded = Coding.objects.filter(is_demo=True)
    assert {c.plan.region.name for c in coded} == {"Zuid-Holland Noord"}
    assert {c.analyst.username for c in coded} == {"analist", "beheerder"}
    plan = Plan.objects.get(file_name__startswith="004_")
    [found] = services.agreement(plan=plan)
    assert found.indicators == demo.CODED_PER_PLAN + 1
    assert found.kappa is not None and 0 < found.kappa < 1
    m = results.matrix(framework=plan.framework)
    assert any(m.cell(plan.region, i).confirmed for i in m.indicators)


def test_a_second_start_changes_nothing(seeded):
    counts = (Plan.objects.count(), Passage.objects.count(), Proposal.objects.count())
    codings = sorted(Coding.objects.values_list("pk", "verdict"))
    core_demo.seed(password="een-demo-wachtwoord")
    assert (Plan.objects.count(), Passage.objects.count(), Proposal.objects.count()) == counts
    assert sorted(Coding.objects.values_list("pk", "verdict")) == codings
