"""Agreement between analysts, precision/recall/F1 against confirmed codings, calibration."""

from __future__ import annotations

import pytest

from regiotafel.plans import evaluation
from regiotafel.plans.evaluation import Metrics, calibrate_thresholds, cohen_kappa, evaluate
from regiotafel.plans.framework import IndicatorSpec
from regiotafel.plans.ingest import Passage
from regiotafel.plans.scoring import IndicatorResult, ScoredPassage

pytestmark = pytest.mark.unit


# -- Cohen's kappa --------------------------------------------------------------------------


def test_kappa_is_one_for_identical_codings():
    codes = ["gedekt", "deels", "niet gedekt", "gedekt"]
    assert cohen_kappa(codes, codes) == 1.0


def test_kappa_matches_a_worked_example():
    # 50 items: both yes 20, both no 15, A yes/B no 5, A no/B yes 10.
    # p_o = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.4.
    a = ["ja"] * 25 + ["nee"] * 25
    b = ["ja"] * 20 + ["nee"] * 5 + ["ja"] * 10 + ["nee"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_kappa_is_zero_or_less_when_agreement_is_what_chance_gives():
    assert cohen_kappa(["ja", "nee", "ja", "nee"], ["ja", "ja", "nee", "nee"]) == pytest.approx(0.0)
    assert cohen_kappa(["ja", "nee"], ["nee", "ja"]) < 0


def test_kappa_needs_the_same_items():
    with pytest.raises(ValueError):
        cohen_kappa(["ja"], ["ja", "nee"])


# -- precision, recall, F1 ------------------------------------------------------------------


def test_only_labelled_pairs_count_and_misses_lower_recall():
    gold = {
        ("A", "p1"): True,
        ("A", "p2"): True,
        ("A", "p3"): False,
        ("A", "p4"): False,
        ("B", "p1"): True,
    }
    proposals = {("A", "p1"), ("A", "p3"), ("A", "p9"), ("B", "p1")}
    result = evaluate(proposals, gold)
    assert result.per_indicator["A"] == Metrics(tp=1, fp=1, fn=1, tn=1)
    assert result.per_indicator["A"].precision == 0.5
    assert result.per_indicator["A"].recall == 0.5
    assert result.per_indicator["B"].f1 == 1.0
    assert result.overall == Metrics(tp=2, fp=1, fn=1, tn=1)
    assert result.overall.f1 == pytest.approx(2 / 3)
    assert result.macro_f1 == pytest.approx((0.5 + 1.0) / 2)
    assert result.unlabelled == 1


def test_gold_may_be_given_as_rows():
    rows = [("A", "p1", True), ("A", "p2", False)]
    assert evaluate({("A", "p2")}, rows).overall == Metrics(fp=1, fn=1)


def test_undefined_measures_are_none_not_zero():
    nothing_proposed = Metrics(fn=2)
    assert nothing_proposed.precision is None
    assert nothing_proposed.recall == 0.0
    assert Metrics(tn=3).f1 is None


def test_decisions_and_passages_become_proposals():
    passage = Passage(7, 3, 12, "tekst")
    results = {
        "plan.pdf": [
            IndicatorResult("A", 0.6, "gedekt", [ScoredPassage(passage, 0.6)]),
            IndicatorResult("B", 0.3, "deels", [ScoredPassage(passage, 0.3)]),
            IndicatorResult("C", 0.1, "niet gedekt", [ScoredPassage(passage, 0.1)]),
        ]
    }
    assert evaluation.decision_proposals(results) == {("A", "plan.pdf"), ("B", "plan.pdf")}
    assert evaluation.decision_proposals(results, partly_counts=False) == {("A", "plan.pdf")}
    thresholds = {"A": 0.5, "B": 0.5, "C": 0.05}
    assert evaluation.passage_proposals(results, thresholds) == {
        ("A", ("plan.pdf", 7)),
        ("C", ("plan.pdf", 7)),
    }


# -- calibration ----------------------------------------------------------------------------


def test_calibration_finds_a_cut_per_indicator():
    scored = [
        ("A", 0.9, True),
        ("A", 0.7, True),
        ("A", 0.5, False),
        ("A", 0.2, False),
        ("B", 0.3, True),
        ("B", 0.25, True),
        ("B", 0.1, False),
        ("B", 0.05, False),
    ]
    thresholds = calibrate_thresholds(scored, default=0.4)
    assert thresholds["A"] == pytest.approx(0.6)
    assert thresholds["B"] == pytest.approx(0.175)


def test_calibration_keeps_the_default_when_labels_are_too_few():
    scored = [("A", 0.9, True), ("A", 0.1, False), ("A", 0.2, False)]
    assert calibrate_thresholds(scored, default={"A": 0.33}) == {"A": 0.33}


def test_calibration_maximises_f1_rather_than_precision():
    # Cutting at 0.55 gives tp=1 fp=0 fn=1 (precision 1, F1 2/3); at 0.25 tp=2 fp=1 fn=0
    # (precision 2/3, F1 0.8).
    scored = [("A", 0.6, True), ("A", 0.4, True), ("A", 0.5, False), ("A", 0.1, False)]
    assert calibrate_thresholds(scored, default=0.9)["A"] == pytest.approx(0.25)


# -- the hand-labelled pool (docs/plan-scan-evaluation.md) ----------------------------------


def test_the_labelled_pool_reproduces_the_documented_lexical_figures():
    """Golden figures: if the passage splitting or the lexical scorer changes, this fails,
    and the measurement in docs/plan-scan-evaluation.md must be redone with
    ``python benchmarks/plan_scan.py evaluatie``."""

    from regiotafel.core.demo import DATA_DIR
    from regiotafel.plans import scoring
    from regiotafel.plans.framework import default_framework
    from regiotafel.plans.ingest import read_document

    labels = evaluation.read_labels(evaluation.LABELS_FILE)
    ids = {label.indicator_id for label in labels}
    specs = [s for s in default_framework() if s.id in ids]
    names = {label.document for label in labels}
    documents = {n: read_document(DATA_DIR / "seeds" / n, name=n) for n in sorted(names)}
    general = {s.id: scoring.default_threshold("lexicaal", "-") for s in specs}
    pool = evaluation.score_pool(
        documents, labels, scoring.get_scorer("lexicaal"), specs, thresholds=general
    )
    assert len(pool.scored) == len(labels) == 549
    overall = evaluate(evaluation.passage_proposals(pool.results, general), pool.gold).overall
    assert (overall.tp, overall.fp, overall.fn) == (16, 18, 23)


def test_a_label_that_points_at_no_passage_start_is_an_error(plan_text):
    from regiotafel.plans import scoring
    from regiotafel.plans.ingest import read_document

    document = read_document(plan_text.encode(), name="plan.txt")
    spec = IndicatorSpec("T-1", "Test", "Mantelzorg", "Mantelzorg?")
    wrong = [evaluation.PassageLabel("plan.txt", 2, "T-1", True)]
    with pytest.raises(ValueError, match="line 2"):
        evaluation.score_pool(
            {"plan.txt": document},
            wrong,
            scoring.get_scorer("lexicaal"),
            [spec],
            thresholds={"T-1": 0.3},
        )
