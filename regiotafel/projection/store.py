"""Computed projections, shared by every process and machine.

A projection's three tables (results, indicators, decomposition) are kept as Parquet bytes in
one entry of the ``projections`` cache: Django's cache framework, the database cache by
default or Redis with ``REDIS_URL`` (``regiotafel/sharedstate``). The key
(``services.cache_key``) hashes the engine's code and data, the parameter file and what the
platform filled in, so an entry never goes stale and never expires; the database cache culls
the oldest quarter past ``PROJECTION_ENTRIES``. A missing, culled or unreadable entry is
computed again: the store holds nothing that cannot be recomputed.

Nothing is written to a server's disk: two web servers or workers on two machines share the
numbers, and the first to compute them saves every other one the work.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.cache import caches

from regiotafel.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:  # imported on first use: not while Django starts (regiotafel/lazy.py)
    pd = lazy_module("pandas")

CACHE = "projections"
PARTS = ("resultaten", "indicatoren", "decompositie")
# A string: evaluating it would import pandas.
Frames = "tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]"

log = logging.getLogger(__name__)


def entry_key(key: str) -> str:
    return f"projectie:{key}"


def load(key: str) -> Frames | None:
    """The stored tables of a projection, or None when they are not (or no longer) stored."""
    value = caches[CACHE].get(entry_key(key))
    if not isinstance(value, dict) or set(value) != set(PARTS):
        return None
    try:
        return tuple(_frame(value[part]) for part in PARTS)  # type: ignore[return-value]
    except (ValueError, OSError, TypeError) as exc:
        log.warning("projection store: unreadable entry %s (%s); computing again", key, exc)
        return None


def save(key: str, frames: Frames) -> None:
    """Store a projection's tables (None for a table the parameters do not produce)."""
    value = {part: _parquet(frame) for part, frame in zip(PARTS, frames, strict=True)}
    caches[CACHE].set(entry_key(key), value)


def computed(key: str, compute: Callable[[], Frames]) -> Frames:
    """The stored tables for ``key``, or ``compute()``'s, stored for every process."""
    found = load(key)
    if found is None:
        found = tuple(compute())
        save(key, found)
    return found


def forget(key: str) -> None:
    caches[CACHE].delete(entry_key(key))


def _parquet(frame: pd.DataFrame | None) -> bytes | None:
    if frame is None:
        return None
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _frame(data: bytes | None) -> pd.DataFrame | None:
    if data is None:
        return None
    if not isinstance(data, bytes):
        raise TypeError("not bytes")
    return pd.read_parquet(io.BytesIO(data))
