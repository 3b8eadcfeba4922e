"""Bearer tokens resolved at most once a second per process.

A machine client polling the bed board sends its token with every request; looking up the
token, its user and the user's memberships costs two queries each time. This keeps, per
process, what a token resolved to (the token, its user, the user's memberships) for
:data:`TTL` seconds. Revocation still takes effect within that second everywhere: a token
revoked or deleted, a user deactivated, a membership removed or changed. In the process
that makes such a change (a ``post_save``/``post_delete`` of ApiToken, User or Membership)
it takes effect at once. Nothing personal is kept beyond what the request itself loads, and
only in memory. The bad-token lock of a client address (``accounts.lockout``) is asked at
most once a second per address and process in the same way (:func:`refuse_if_locked`).

Every request gets its own copies of the token and user objects, so per-request state kept
on them (the acting organisation, cached memberships) never leaks between requests.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

TTL = 1.0  # seconds: the longest a revocation takes to reach another process
ENTRIES = 2048

_clock = time.monotonic  # tests replace it to make time pass
_lock = threading.Lock()
_entries: OrderedDict[str, _Resolved] = OrderedDict()


@dataclass(frozen=True)
class _Resolved:
    token: object  # ApiToken with user and organisation loaded
    memberships: tuple
    at: float


def forget_all(*args, **kwargs) -> None:
    with _lock:
        _entries.clear()
    _allowed.clear()


def _changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_used_at", "last_login"}:
        return  # bookkeeping: rights are unchanged
    forget_all()


def resolve(key_hash: str):
    """The active token with this hash (its user active), or None. The returned token and
    its ``user`` are fresh copies; the user's memberships are filled in."""
    now = _clock()
    with _lock:
        held = _entries.get(key_hash)
    if held is None or now - held.at >= TTL:
        held = _load(key_hash, now)
        if held is None:
            with _lock:
                _entries.pop(key_hash, None)
            return None
        with _lock:
            _entries[key_hash] = held
            _entries.move_to_end(key_hash)
            while len(_entries) > ENTRIES:
                _entries.popitem(last=False)
    token = _clone(held.token)
    user = _clone(held.token.user)
    user._regiotafel_memberships = list(held.memberships)
    token.user = user
    return token


def _clone(instance):
    """A shallow copy of a model instance with its own state (related-object cache), much
    cheaper than ``copy.copy`` (which goes through pickling's ``__reduce_ex__``)."""
    clone = instance.__class__.__new__(instance.__class__)
    clone.__dict__.update(instance.__dict__)
    state = copy.copy(instance._state)
    state.fields_cache = dict(instance._state.fields_cache)
    clone._state = state
    clone.__dict__.pop("_regiotafel_memberships", None)
    clone.__dict__.pop("_regiotafel_acting", None)
    return clone


_allowed: dict[str | None, float] = {}  # client address -> when the lock last let it in


def refuse_if_locked(request, check) -> None:
    """``check(request)`` (the bad-token lock of the client's address, two queries) at most
    once per TTL per address and process. A bad token from the address in this process
    forgets the answer at once (:func:`forget_address`); one from another process counts
    here within TTL."""
    from regiotafel.core.middleware import client_ip

    address, now = client_ip(request), _clock()
    at = _allowed.get(address)
    if at is not None and now - at < TTL:
        return
    check(request)  # raises when the address is locked
    if len(_allowed) > ENTRIES:
        _allowed.clear()
    _allowed[address] = now


def forget_address(request) -> None:
    from regiotafel.core.middleware import client_ip

    _allowed.pop(client_ip(request), None)


def touched(key_hash: str, last_used_at) -> None:
    """The token's last use was written: remember it, so the next request does not write it."""
    with _lock:
        held = _entries.get(key_hash)
        if held is not None:
            held.token.last_used_at = last_used_at


def _load(key_hash: str, now: float) -> _Resolved | None:
    from regiotafel.core.models import ApiToken, Membership

    token = (
        ApiToken.objects.select_related("user", "organisation")
        .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    memberships = tuple(
        Membership.objects.filter(user_id=token.user_id)
        .select_related("organisation", "organisation__region")
        .order_by("pk")
    )
    return _Resolved(token=token, memberships=memberships, at=now)


def connect_signals() -> None:
    """Changes made in this process take effect at once (others: within TTL)."""
    from django.db.models.signals import post_delete, post_save

    from regiotafel.core.models import ApiToken, Membership, Organisation, User

    for model in (ApiToken, User, Membership, Organisation):
        post_save.connect(_changed, sender=model, dispatch_uid=f"token-cache-{model.__name__}")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"token-cache-d{model.__name__}")
