"""``CACHES`` from the environment: the database cache by default, Redis with ``REDIS_URL``.

Three caches, so that one kind of entry can never push out another:

``default``
    short-lived values (five minutes unless the caller says otherwise);
``embeddings``
    the plan scanner's text embeddings, keyed by a hash of the model and the text: never
    stale, so they never expire; the database cache keeps at most ``EMBEDDING_ENTRIES``;
``projections``
    computed gap-analysis results (Parquet bytes), keyed by a hash of the engine, the
    parameter file and the platform's supply: never stale, never expire.

Nothing here imports Django's runtime: this runs while the settings are being built.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.translation import gettext_noop as _noop

from regiotafel.config import SettingsError

REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})
# The database cache's tables; the migration creates every one, whatever CACHES says today,
# so switching from Redis back to the default needs no extra command.
TABLES = {
    "default": "regiotafel_cache",
    "embeddings": "regiotafel_cache_embeddings",
    "projections": "regiotafel_cache_projections",
}
DEFAULT_TIMEOUT = 300
DEFAULT_ENTRIES = 10_000
EMBEDDING_ENTRIES = 100_000  # ~2 KB each in the database cache: about 200 MB at most
PROJECTION_ENTRIES = 500  # ~0.5 MB each for the demo region: about 250 MB at most


def caches(redis_url: str) -> dict[str, dict]:
    """The ``CACHES`` setting for an empty (database cache) or a Redis ``REDIS_URL``."""
    redis_url = redis_url.strip()
    if redis_url:
        _check_redis_url(redis_url)
    sizes = {
        "default": (DEFAULT_TIMEOUT, DEFAULT_ENTRIES),
        "embeddings": (None, EMBEDDING_ENTRIES),
        "projections": (None, PROJECTION_ENTRIES),
    }
    return {
        alias: _redis(redis_url, alias, timeout) if redis_url else _database(alias, timeout, size)
        for alias, (timeout, size) in sizes.items()
    }


def _database(alias: str, timeout: int | None, entries: int) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": TABLES[alias],
        "TIMEOUT": timeout,
        "OPTIONS": {"MAX_ENTRIES": entries, "CULL_FREQUENCY": 4},
    }


def _redis(url: str, alias: str, timeout: int | None) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "TIMEOUT": timeout,
        "KEY_PREFIX": f"regiotafel:{alias}",
    }


def _check_redis_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES or not (parts.hostname or parts.path):
        raise SettingsError(
            _noop(
                "REDIS_URL moet beginnen met redis://, rediss:// of unix:// "
                "(bijvoorbeeld redis://127.0.0.1:6379/0), niet '%(scheme)s'."
            )
            % {"scheme": parts.scheme or url.split(":", 1)[0][:20]}
        )
