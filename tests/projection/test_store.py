"""Computed projections live in the shared store (Django's cache framework), not on one
server's disk and not in a module dictionary: another process finds them there."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.cache import caches

from regiotafel.projection import runner, services, store

pytestmark = pytest.mark.integration


def frames():
    results = pd.DataFrame({"gemeente": ["GM0546"], "jaar": [2030], "waarde": [1.5]})
    return results, None, pd.DataFrame({"deel": ["demografie"], "waarde": [0.25]})


def test_stored_tables_come_back_equal_and_a_missing_table_stays_missing(db):
    store.save("k1", frames())
    results, indicators, decomposition = store.load("k1")
    assert results.equals(frames()[0]) and indicators is None
    assert decomposition.equals(frames()[2])


def test_a_key_never_stored_is_not_found(db):
    assert store.load("nooit") is None


def test_an_unreadable_entry_is_computed_again(db):
    caches[store.CACHE].set(store.entry_key("kapot"), dict.fromkeys(store.PARTS, b"geen parquet"))
    calls = []
    found = store.computed("kapot", lambda: calls.append(1) or frames())
    assert calls == [1] and found[0].equals(frames()[0])
    assert store.load("kapot") is not None  # and stored readable this time


def test_another_process_reads_what_one_computed_without_computing(
    cast, zhn, settings, tmp_path, monkeypatch
):
    settings.DATA_DIR = tmp_path
    first = services.projection(user=cast.analyst, region=cast.region).results
    services.forget_memory()  # another process: nothing in its memory
    caches.close_all()
    monkeypatch.setattr(runner, "run", lambda *a, **k: pytest.fail("computed again"))
    again = services.projection(user=cast.analyst, region=cast.region).results
    assert again.equals(first)
    assert not (tmp_path / "projectie").exists()  # nothing on this server's disk


def test_the_projection_cache_is_the_configured_shared_one(settings):
    backend = settings.CACHES[store.CACHE]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }
    assert settings.CACHES[store.CACHE]["TIMEOUT"] is None  # never stale: never expires


def test_the_command_line_reads_statline_even_before_the_cache_tables_exist(db, monkeypatch):
    from django.db import ProgrammingError

    from regiotafel.projection import cbs

    def missing_table(*args, **kwargs):
        raise ProgrammingError("no such table: regiotafel_cache_projections")

    monkeypatch.setattr(caches[store.CACHE], "get", missing_table)
    rows = [{"Key": "GM0546", "Title": "Leiden"}]
    loader = cbs.Loader(None, fetch=lambda t, q: rows, regions=lambda t, q: rows)
    assert loader.region_titles("03759ned") == {"Leiden": "GM0546"}
