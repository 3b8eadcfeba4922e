"""Results over plans: the region x indicator matrix, roll-ups per category, white spots, the
comparison of two versions, and how far to trust the proposals (evaluation against codings).

Pure reads; the page, its JSON twin and the exports all call these.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.core.models import Region, User
from regiotafel.plans.models import (
    VERDICT_RANK,
    Category,
    Coding,
    Framework,
    Indicator,
    PassageJudgement,
    Plan,
    PlanStatus,
    Proposal,
    Verdict,
)

# --- results ----------------------------------------------------------------------------------


def best(verdicts) -> str | None:
    present = [v for v in verdicts if v]
    return max(present, key=lambda v: VERDICT_RANK[v]) if present else None


def proposed_by_plan(plans) -> dict[tuple[int, int], tuple[str, float]]:
    """(plan, indicator) -> (decision, score) of each plan's own scorer."""
    scorer_of = {p.pk: p.scorer for p in plans}
    return {
        (p.plan_id, p.indicator_id): (p.decision, p.score)
        for p in Proposal.objects.filter(plan_id__in=scorer_of)
        if p.scorer == scorer_of[p.plan_id]
    }


def confirmed_by_plan(plans) -> dict[tuple[int, int], str]:
    """(plan, indicator) -> the verdict of the most recent coding (any analyst)."""
    found: dict[tuple[int, int], str] = {}
    for coding in Coding.objects.filter(plan__in=plans).order_by("updated_at", "pk"):
        found[(coding.plan_id, coding.indicator_id)] = coding.verdict
    return found


@dataclass
class Cell:
    proposed: str | None = None
    score: float | None = None
    confirmed: str | None = None

    @property
    def effective(self) -> str | None:
        """What counts: the analyst's verdict where there is one, else the proposal."""
        return self.confirmed or self.proposed


@dataclass
class Matrix:
    framework: Framework
    regions: list[Region]
    indicators: list[Indicator]
    categories: list[Category]
    cells: dict[tuple[int, int], Cell]  # (region, indicator)
    plan_cells: dict[tuple[int, int], Cell]  # (plan, indicator)
    plans: list[Plan]

    def cell(self, region: Region, indicator: Indicator) -> Cell:
        return self.cells.get((region.pk, indicator.pk), Cell())


def finished_plans(framework: Framework, regions=None):
    plans = Plan.objects.filter(framework=framework, status=PlanStatus.KLAAR).select_related(
        "region"
    )
    if regions is not None:
        plans = plans.filter(region__in=regions)
    return list(plans.defer("source").order_by("region__name", "plan_date", "pk"))


def matrix(*, framework: Framework, regions=None) -> Matrix:
    """Region x indicator: the best proposal and the best confirmed verdict over a region's
    finished plans of this framework."""
    plans = finished_plans(framework, regions)
    proposed, confirmed = proposed_by_plan(plans), confirmed_by_plan(plans)
    indicators = list(framework.indicators.select_related("category"))
    plan_cells = {}
    for plan in plans:
        for ind in indicators:
            decision, score = proposed.get((plan.pk, ind.pk), (None, None))
            plan_cells[(plan.pk, ind.pk)] = Cell(decision, score, confirmed.get((plan.pk, ind.pk)))
    regions_seen = list({p.region_id: p.region for p in plans}.values())
    cells = {}
    for region in regions_seen:
        mine = [p for p in plans if p.region_id == region.pk]
        for ind in indicators:
            found = [plan_cells[(p.pk, ind.pk)] for p in mine]
            scores = [c.score for c in found if c.score is not None]
            cells[(region.pk, ind.pk)] = Cell(
                best(c.proposed for c in found),
                max(scores) if scores else None,
                best(c.confirmed for c in found),
            )
    return Matrix(
        framework,
        regions_seen,
        indicators,
        list(framework.categories.all()),
        cells,
        plan_cells,
        plans,
    )


def category_rollup(m: Matrix) -> list[dict]:
    """Per region and category: how many indicators are covered, partly, or not (effective),
    and a coverage share (gedekt 1, deels 0.5)."""
    rows = []
    for region in m.regions:
        for category in m.categories:
            mine = [i for i in m.indicators if i.category_id == category.pk]
            verdicts = [m.cell(region, i).effective for i in mine]
            counts = {v: verdicts.count(v) for v in Verdict.values}
            covered = counts[Verdict.GEDEKT] + 0.5 * counts[Verdict.DEELS]
            rows.append(
                {
                    "region": region,
                    "category": category,
                    "indicators": len(mine),
                    "counts": counts,
                    "confirmed": sum(m.cell(region, i).confirmed is not None for i in mine),
                    "share": covered / len(mine) if mine else 0.0,
                }
            )
    return rows


WEAK = {Verdict.NIET_GEDEKT, Verdict.DEELS}


def white_spots(m: Matrix) -> dict:
    """Indicators weak (deels or niet gedekt) in more than half of the plans, and per region
    the indicators that no plan of that region covers even partly."""
    weak = []
    for ind in m.indicators:
        verdicts = [m.plan_cells[(p.pk, ind.pk)].effective for p in m.plans]
        verdicts = [v for v in verdicts if v]
        n_weak = sum(v in WEAK for v in verdicts)
        if verdicts and n_weak * 2 > len(verdicts):
            weak.append({"indicator": ind, "weak": n_weak, "plans": len(verdicts)})
    absent = [
        {"region": region, "indicator": ind, "confirmed": m.cell(region, ind).confirmed is not None}
        for region in m.regions
        for ind in m.indicators
        if m.cell(region, ind).effective == Verdict.NIET_GEDEKT
    ]
    return {"weak": weak, "absent": absent}


def compare(*, user: User, first: Plan, second: Plan) -> list[dict]:
    """Two versions of one region's plan, indicator by indicator."""
    for plan in (first, second):
        permissions.check(user, "plannen.bekijken", plan)
    if first.region_id != second.region_id or first.framework_id != second.framework_id:
        raise errors.InvalidInput(
            _("Vergelijk twee versies van het plan van één regio, met hetzelfde kader."),
            code="plannen-niet-vergelijkbaar",
        )
    m = matrix(framework=first.framework, regions=[first.region])
    rows = []
    for ind in m.indicators:
        a = m.plan_cells.get((first.pk, ind.pk), Cell())
        b = m.plan_cells.get((second.pk, ind.pk), Cell())
        ra, rb = (VERDICT_RANK.get(c.effective, -1) for c in (a, b))
        change = "beter" if rb > ra else "slechter" if rb < ra else "gelijk"
        rows.append({"indicator": ind, "first": a, "second": b, "change": change})
    return rows


# --- evaluation -------------------------------------------------------------------------------


@dataclass
class IndicatorEvaluation:
    indicator: Indicator | None  # None: all indicators together
    coded: int  # plan x indicator pairs with an analyst's verdict
    decisions: object  # evaluation.Metrics: "covered at least partly" against the verdicts
    passages: object  # evaluation.Metrics: proposed passages against judged passages


def evaluation_report(*, framework: Framework, regions=None) -> dict:
    """How far to trust the proposals, from what analysts confirmed (H4's ``evaluate``).

    Decisions: a plan x indicator with a verdict is labelled relevant when the most recent
    verdict is 'gedekt' or 'deels'; the scan proposed it when its decision is 'gedekt' or
    'deels'. Passages: a passage is labelled relevant for an indicator when an analyst
    accepted it or chose it as evidence, not relevant when rejected; the scan proposed it
    when it is among the ranked passages at or above the indicator's threshold. Evidence the
    analyst found by searching the plan counts as a miss when the scan did not propose it, so
    recall is not overstated; proposals nobody judged count as neither.
    """
    from regiotafel.plans.evaluation import Metrics, evaluate

    plans = finished_plans(framework, regions)
    indicators = list(framework.indicators.select_related("category"))
    code_of = {i.pk: i.code for i in indicators}
    decision_gold = {
        (code_of[ind], plan): verdict != Verdict.NIET_GEDEKT
        for (plan, ind), verdict in confirmed_by_plan(plans).items()
    }
    decision_proposed, passage_proposed = _proposed_pairs(plans, framework, code_of)
    decisions = evaluate(decision_proposed, decision_gold)
    passages = evaluate(passage_proposed, _passage_labels(plans, code_of))
    coded = defaultdict(int)
    for code, _plan in decision_gold:
        coded[code] += 1
    rows = [
        IndicatorEvaluation(
            ind,
            coded[ind.code],
            decisions.per_indicator.get(ind.code, Metrics()),
            passages.per_indicator.get(ind.code, Metrics()),
        )
        for ind in indicators
    ]
    overall = IndicatorEvaluation(None, len(decision_gold), decisions.overall, passages.overall)
    return {"indicators": rows, "overall": overall, "plans": plans}


def _proposed_pairs(plans, framework: Framework, code_of: dict) -> tuple[set, set]:
    from regiotafel.plans import scoring
    from regiotafel.plans.services import specs_for

    thresholds = {}
    for scorer in {p.scorer for p in plans}:
        for spec in specs_for(framework, scorer):
            thresholds[(scorer, spec.id)] = scoring.threshold_for(scorer, spec)
    scorer_of = {p.pk: p.scorer for p in plans}
    decisions, passages = set(), set()
    for proposal in Proposal.objects.filter(plan__in=plans).prefetch_related("ranked"):
        scorer = scorer_of[proposal.plan_id]
        if proposal.scorer != scorer:
            continue
        code = code_of[proposal.indicator_id]
        if proposal.decision != Verdict.NIET_GEDEKT:
            decisions.add((code, proposal.plan_id))
        cut = thresholds[(scorer, code)]
        passages |= {(code, r.passage_id) for r in proposal.ranked.all() if r.score >= cut}
    return decisions, passages


def _passage_labels(plans, code_of: dict) -> dict:
    labels = {}
    for j in PassageJudgement.objects.filter(plan__in=plans):
        labels[(code_of[j.indicator_id], j.passage_id)] = j.accepted
    through = Coding.evidence.through.objects.filter(coding__plan__in=plans)
    for indicator_id, passage_id in through.values_list("coding__indicator_id", "passage_id"):
        labels[(code_of[indicator_id], passage_id)] = True  # chosen as evidence: relevant
    return labels
