"""The plan-analysis tables: citations, ownership for the permission helper, and the rules
the database keeps (one coding per analyst, one judgement per passage, unique codes)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from regiotafel.plans.models import Category, Coding, Indicator, Passage, PassageJudgement, Plan
from tests.plans.test_services import framework  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


@pytest.fixture
def stored_plan(cast, framework):  # noqa: F811
    plan = Plan.objects.create(
        region=cast.region,
        framework=framework,
        title="Regioplan",
        file_name="plan.pdf",
        kind="pdf",
        source=b"%PDF-",
        scorer="lexicaal",
    )
    Passage.objects.create(plan=plan, index=0, page=23, line=4, text="Valpreventie.")
    Passage.objects.create(plan=plan, index=1, page=None, line=120, text="Mantelzorg.")
    return plan


def test_a_passage_is_cited_by_page_and_line_or_by_line_alone(stored_plan):
    with_page, without = stored_plan.passages.order_by("index")
    assert with_page.citation == "p. 23, r. 4"
    assert without.citation == "r. 120"


def test_a_plan_belongs_to_its_region_not_to_an_organisation(cast, stored_plan):
    assert stored_plan.owner_region_id == cast.region.pk
    assert stored_plan.owner_organisation_id is None


def test_one_analyst_has_one_coding_per_plan_and_indicator(cast, stored_plan, framework):  # noqa: F811
    indicator = framework.indicators.first()
    Coding.objects.create(
        plan=stored_plan, indicator=indicator, analyst=cast.analyst, verdict="deels"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Coding.objects.create(
            plan=stored_plan, indicator=indicator, analyst=cast.analyst, verdict="gedekt"
        )
    Coding.objects.create(
        plan=stored_plan, indicator=indicator, analyst=cast.admin, verdict="gedekt"
    )
    assert Coding.objects.count() == 2


def test_one_analyst_judges_a_passage_once_per_indicator(cast, stored_plan, framework):  # noqa: F811
    indicator = framework.indicators.first()
    passage = stored_plan.passages.first()
    PassageJudgement.objects.create(
        plan=stored_plan, indicator=indicator, passage=passage, analyst=cast.analyst, accepted=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PassageJudgement.objects.create(
            plan=stored_plan,
            indicator=indicator,
            passage=passage,
            analyst=cast.analyst,
            accepted=False,
        )


def test_an_indicator_code_is_unique_within_its_framework(framework):  # noqa: F811
    category = Category.objects.filter(framework=framework).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            framework=framework, category=category, code="PREV-3", name="Dubbel", question="?"
        )


def test_removing_a_plan_removes_its_passages_and_codings(cast, stored_plan, framework):  # noqa: F811
    Coding.objects.create(
        plan=stored_plan,
        indicator=framework.indicators.first(),
        analyst=cast.analyst,
        verdict="niet gedekt",
    )
    stored_plan.delete()
    assert not Passage.objects.exists() and not Coding.objects.exists()
