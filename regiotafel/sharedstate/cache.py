"""Helpers over Django's cache framework for values every process shares.

Keys are hashes of what determines the value (:func:`key`), so an entry is never stale and
two processes that compute the same value write the same bytes. Reads and writes go in
batches: one query (database cache) or one round trip (Redis) per batch, and a batch of
writes to the database cache commits once instead of once per entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction

BATCH = 500  # keys per query: well below SQLite's limit on parameters


def key(*parts: str | bytes) -> str:
    """A short, fixed-length key for a value determined by ``parts`` (in order)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))  # no two part lists hash alike
        digest.update(data)
    return digest.hexdigest()


def get_many(alias: str, keys: Iterable[str]) -> dict[str, object]:
    cache = caches[alias]
    wanted = list(dict.fromkeys(keys))
    found: dict[str, object] = {}
    for start in range(0, len(wanted), BATCH):
        found.update(cache.get_many(wanted[start : start + BATCH]))
    return found


def set_many(alias: str, values: Mapping[str, object]) -> None:
    """Store ``values`` with the cache's own timeout; one commit for the database cache."""
    cache = caches[alias]
    if not values:
        return
    if isinstance(cache, DatabaseCache):
        database = router.db_for_write(cache.cache_model_class)
        with transaction.atomic(using=database):
            cache.set_many(dict(values))
    else:
        cache.set_many(dict(values))
