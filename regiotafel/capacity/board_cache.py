"""The bed board from a cache that is never wrong.

The board's answer per filter is cached under the **board version** of the region it covers.

* **The version** is a row per region in ``sharedstate_boardversion`` (database: it survives
  losing the cache). Triggers on ``capacity_bed`` and ``core_location`` bump it in the writing
  transaction, so every bed status change, claim (create, confirm, decline, withdraw, expire,
  extend, link: each moves the bed's status or ``held_until``), location change and
  confirmation moves it when, and only when, the change commits. Changes shown on every board
  (an organisation's or municipality's name, a bed type, a region's settings, the name of the
  person who confirmed) bump scope 0 through ``post_save``/``post_delete`` signals
  (:func:`connect_signals`). Every bump writes a new random stamp: a restored backup can
  never hand out a version an old answer was cached under.
* **Reading the version** costs one query for all regions, at most once per
  :data:`VERSION_TTL` per process; a write in this process (seen by a database execute
  wrapper, :func:`watch_writes`) forgets that copy at once and again on commit. Other
  processes see a change within :data:`VERSION_TTL`, so no answer is staler than that.
* **The answer** (rows, JSON bytes, ETag) is stored in the shared cache (``default``: the
  database cache, Redis with ``REDIS_URL``) and in a small per-process LRU, keyed by a hash
  of the version stamps and the filter. An entry also carries ``valid_until``: the next
  moment the answer changes *without a write* — the earliest ``held_until`` of a reserved
  bed in scope (a hold that lapses shows as free) and the earliest moment a shown location
  turns stale. An entry past it is recomputed; its cache timeout never exceeds it.
* **The ETag** is the version stamp plus a hash of the answer's bytes.

Claiming never reads this cache: :mod:`regiotafel.capacity.claims` decides in the database.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.core.cache import caches
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone

from regiotafel.capacity import availability
from regiotafel.sharedstate import cache as shared
from regiotafel.sharedstate.models import EVERY_REGION, BoardVersion

VERSION_TTL = 0.5  # seconds a process trusts its copy of the version table
MAX_AGE = timedelta(minutes=5)  # an entry is recomputed at least this often
LOCAL_ENTRIES = 256  # answers kept per process (the key holds the version: never stale)
CACHE_ALIAS = "default"
WATCHED_TABLES = ("capacity_bed", "core_location", "sharedstate_boardversion")

_clock = time.monotonic  # tests replace it to make time pass
_lock = threading.Lock()
_versions: tuple[float, dict[int, str]] | None = None  # (read at, scope -> stamp)
_answers: OrderedDict[str, Entry] = OrderedDict()


@dataclass(frozen=True)
class Entry:
    rows: list[availability.BoardRow]
    body: bytes  # the API's JSON answer
    etag: str  # quoted, as sent in the ETag header
    valid_until: datetime


# ---------------------------------------------------------------- versions


def forget_versions() -> None:
    """Drop this process's copy of the version table (the next request reads it again)."""
    global _versions
    _versions = None


def forget_all() -> None:
    """Drop every per-process copy (tests; after a restore)."""
    forget_versions()
    _region_ids.clear()
    with _lock:
        _answers.clear()


def versions() -> dict[int, str]:
    """Every scope's stamp: one query, at most once per VERSION_TTL per process."""
    global _versions
    now = _clock()
    held = _versions
    if held is not None and now - held[0] < VERSION_TTL:
        return held[1]
    found = dict(BoardVersion.objects.values_list("scope", "stamp"))
    _versions = (now, found)
    return found


def stamp_for(region_id: int | None) -> str | None:
    """The version of a region's board (every region's for the national board); None if the
    region has never been versioned (not cacheable: e.g. rows bulk-loaded before migration)."""
    found = versions()
    every = found.get(EVERY_REGION, "")
    if region_id:
        own = found.get(region_id)
        return None if own is None else f"{own}.{every}"
    if not found:
        return None
    return hashlib.sha256(repr(sorted(found.items())).encode()).hexdigest()[:32]


def bump(*region_ids: int | None, every: bool = False) -> None:
    """Move the version of these regions (or of every region) in the current transaction.

    The triggers do this for beds and locations; call it after writing something else the
    board shows, or after a bulk load that bypassed the tables' triggers (none does today).
    """
    from django.db import connection

    scopes = sorted({EVERY_REGION} if every else {r for r in region_ids if r})
    with transaction.atomic(savepoint=False):
        for scope in scopes:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT regiotafel_board_bump(%s)", [scope])
                else:
                    cursor.execute(
                        "INSERT INTO sharedstate_boardversion (scope, number, stamp) "
                        "VALUES (%s, 1, lower(hex(randomblob(16)))) ON CONFLICT (scope) DO "
                        "UPDATE SET number = number + 1, stamp = excluded.stamp",
                        [scope],
                    )
    forget_versions()
    transaction.on_commit(forget_versions)


def _watch(execute, sql, params, many, context):
    """Execute wrapper: a write to a watched table forgets the version copy now and on commit
    (a reader in this process must not keep the old version for VERSION_TTL)."""
    result = execute(sql, params, many, context)
    head = sql.lstrip()[:7].upper() if isinstance(sql, str) else ""
    if head.startswith(("UPDATE", "INSERT", "DELETE")) and any(t in sql for t in WATCHED_TABLES):
        forget_versions()
        connection = context["connection"]
        if connection.in_atomic_block:
            transaction.on_commit(forget_versions, using=connection.alias)
    return result


def watch_writes(sender=None, connection=None, **kwargs) -> None:
    if connection is not None and _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def connect_signals() -> None:
    """Install the write watcher on every connection, and bump scope 0 on shared changes."""
    from django.db.models.signals import post_delete, post_save

    from regiotafel.capacity.models import BedType, CapacitySettings
    from regiotafel.core.models import Municipality, Organisation, Region, User

    connection_created.connect(watch_writes, dispatch_uid="board-cache-watch")
    for connection in connections.all(initialized_only=True):
        watch_writes(connection=connection)
    for model in (BedType, CapacitySettings, Municipality, Organisation, Region):
        post_save.connect(_shared_change, sender=model, dispatch_uid=f"board-{model.__name__}")
        post_delete.connect(_shared_change, sender=model, dispatch_uid=f"board-d{model.__name__}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="board-user")


def _shared_change(sender, instance=None, **kwargs) -> None:
    bump(every=True)


def _user_saved(sender, instance=None, update_fields=None, created=False, **kwargs) -> None:
    """A person's name is shown as "confirmed by": only saves that may change it count."""
    bookkeeping = {"last_login", "password"}
    if created or (update_fields is not None and set(update_fields) <= bookkeeping):
        return
    bump(every=True)


_region_ids: dict[str, tuple[float, int]] = {}
REGION_TTL = 60.0  # a region slug -> id, per process (slugs do not change in practice)


def region_id_for(slug: str, load) -> int | None:
    """The id of the region with this slug, remembered per process for REGION_TTL."""
    now = _clock()
    held = _region_ids.get(slug)
    if held is not None and now - held[0] < REGION_TTL:
        return held[1]
    found = load()
    if found is not None:
        if len(_region_ids) > 1000:
            _region_ids.clear()
        _region_ids[slug] = (now, found)
    return found


# ---------------------------------------------------------------- answers


def filter_key(filters: availability.BoardFilter) -> str:
    return json.dumps(asdict(filters), sort_keys=True, default=str)


def entry(filters: availability.BoardFilter, *, now: datetime | None = None) -> Entry:
    """The board for ``filters``: from the per-process or shared cache while the version and
    no deadline has moved, else computed (and stored)."""
    now = now or timezone.now()
    stamp = stamp_for(filters.region_id)
    if stamp is None:
        return _compute(filters, now, stamp="")
    key = "board:" + shared.key(stamp, filter_key(filters))
    with _lock:
        found = _answers.get(key)
        if found is not None:
            _answers.move_to_end(key)
    if found is None:
        found = caches[CACHE_ALIAS].get(key)
    if found is not None and now < found.valid_until:
        _remember(key, found)
        return found
    fresh = _compute(filters, now, stamp=stamp)
    timeout = max(1, int((fresh.valid_until - now).total_seconds()))
    caches[CACHE_ALIAS].set(key, fresh, timeout=timeout)
    _remember(key, fresh)
    return fresh


def _remember(key: str, value: Entry) -> None:
    with _lock:
        _answers[key] = value
        _answers.move_to_end(key)
        while len(_answers) > LOCAL_ENTRIES:
            _answers.popitem(last=False)


def _compute(filters: availability.BoardFilter, now: datetime, *, stamp: str) -> Entry:
    from ninja.responses import NinjaJSONEncoder

    from regiotafel.capacity.schemas import AvailabilityOut, availability_out

    rows = availability.board(filters, now=now)
    body = json.dumps(
        [AvailabilityOut(**availability_out(row)).model_dump() for row in rows],
        cls=NinjaJSONEncoder,
        ensure_ascii=False,
    ).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()[:16]
    valid_until = min(
        now + MAX_AGE,
        availability.next_change_without_write(filters, rows, now) or now + MAX_AGE,
    )
    return Entry(
        rows=rows, body=body, etag=f'"{stamp[:12] or "v0"}-{digest}"', valid_until=valid_until
    )


def not_modified(request, etag: str) -> bool:
    """Whether the request's If-None-Match names this ETag (weak or strong, or ``*``)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in wanted


def derived_etag(base: str, *parts: object) -> str:
    """An ETag for a representation that also depends on ``parts`` (a page, the acting
    organisation, …): the base plus a short hash of them."""
    digest = hashlib.sha256(repr((base, parts)).encode()).hexdigest()[:16]
    return f'"{base.strip(chr(34))}-{digest}"'
