"""The audit log: who did what, when, for which organisation, to whose personal data.

Changes: ``Model.save`` and ``Model.delete`` are logged by model signals for every model of a
Regiotafel app (page, API, admin or command alike), and many-to-many links by
``m2m_changed``. Writes that send no signals — ``QuerySet.update``, ``bulk_create``,
``bulk_update`` — record their events here, in the same transaction: use :func:`update`
instead of ``QuerySet.update``, and :func:`record_many` / :func:`record_bulk` after a bulk
write. A test (``tests/audit_guard.py``) fails when a service writes an audited table in a
transaction without an event for that model.

Reads of personal data: :func:`record_read` / :func:`record_reads`. Within a web or API
request (:func:`request_scope`, entered by the middleware) they are collected and written as
ONE event per request naming every data subject shown; outside a request each call writes one
event.

Tamper evidence: every event carries a ``sequence`` number, the ``previous_hash`` of the
event before it and its own ``hash`` (SHA-256 over a canonical serialisation, see
:func:`event_hash`). Events are numbered and chained under a lock held until the inserting
transaction commits (PostgreSQL: ``pg_advisory_xact_lock``; SQLite: its write lock), so two
transactions never chain onto the same event. :func:`verify` walks the chain
(``regiotafel audit controleer``).

Who is acting comes from a context variable set by the middleware (web, API) or by
``acting_as`` (commands, jobs).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connection, models, transaction
from django.db.models.expressions import Combinable
from django.db.models.signals import m2m_changed, post_delete, post_save

from regiotafel.core.models import AuditAction, AuditChannel, AuditEvent, Organisation, User

AUDITED_APP_PREFIX = "regiotafel."
# Saves that only move bookkeeping fields are not "changes" a person made.
QUIET_UPDATES = {
    "core.user": {"last_login"},
    "core.apitoken": {"last_used_at"},
    "plans.plan": {"progress"},  # the progress bar of a running job
}
GENESIS_HASH = "0" * 64  # the "previous hash" of the first event
CHAIN_LOCK_KEY = 7_513_000_001  # pg_advisory_xact_lock key of the chain (NEN 7513)
SUBJECT_SUMMARY_LENGTH = 200


@dataclass(frozen=True)
class AuditContext:
    channel: str = AuditChannel.SYSTEM
    request: Any = None  # the HttpRequest, read lazily: API auth sets the user later
    user: User | None = None
    organisation: Organisation | None = None
    ip_address: str | None = None
    request_id: str = ""  # the web request (X-Request-ID) or job this event belongs to

    def actor(self) -> User | None:
        user = getattr(self.request, "user", None) if self.request is not None else self.user
        return user if user is not None and user.is_authenticated else None

    def acting_organisation(self) -> Organisation | None:
        if self.request is not None:
            from regiotafel.core.acting import acting_organisation

            return acting_organisation(self.request)
        return self.organisation


_SYSTEM = AuditContext()
_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "regiotafel_audit_context", default=None
)


def current() -> AuditContext:
    return _current.get() or _SYSTEM


@contextmanager
def context(ctx: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def acting_as(
    user: User | None = None,
    *,
    organisation: Organisation | None = None,
    channel: str = AuditChannel.CLI,
):
    """Run a block (a command, a job) on behalf of a user or of the system."""
    return context(AuditContext(channel=channel, user=user, organisation=organisation))


# ---------------------------------------------------------------- the chain


def _canonical_time(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical_ip(value: str | None) -> str:
    if not value:
        return ""
    return AuditEvent._meta.get_field("ip_address").get_prep_value(value) or ""


def canonical(event: AuditEvent) -> bytes:
    """The bytes an event's hash is taken over: every logged fact plus the previous hash."""
    facts = {
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
        "occurred_at": _canonical_time(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "organisation_id": event.organisation_id,
        "organisation_name": event.organisation_name,
        "action": event.action,
        "channel": event.channel,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "data_subject": event.data_subject,
        "ip_address": _canonical_ip(event.ip_address),
        "detail": json.loads(json.dumps(event.detail or {})),
    }
    request_id = getattr(event, "request_id", "")  # migration 0004's model has no field
    if request_id:  # only when set: events from before the field hash as they did
        facts["request_id"] = request_id
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def _lock_chain() -> None:
    """Hold the chain until this transaction ends (SQLite: its IMMEDIATE write lock does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def lock_chain() -> None:
    """Take the chain lock now, inside a transaction, before any row lock. A service that
    locks rows (``select_for_update``) after it may already have written an event calls this
    first, so it never waits for a row while holding the chain (no deadlock)."""
    _lock_chain()


def _write(events: list[AuditEvent]) -> None:
    """Number, chain and insert events, in the caller's transaction (or a short one)."""
    if not events:
        return
    with transaction.atomic(savepoint=False):
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, previous = last or (0, GENESIS_HASH)
        for event in events:
            sequence += 1
            event.sequence, event.previous_hash = sequence, previous
            event.detail = json.loads(json.dumps(event.detail or {}))
            event.hash = previous = event_hash(event)
        AuditEvent.objects.bulk_create(events, batch_size=1000)


@dataclass
class Break:
    """Where the chain is broken: the event, and what is wrong with it."""

    sequence: int | None
    pk: int
    reason: str


@dataclass
class Verification:
    checked: int = 0
    broken: Break | None = None
    last_hash: str = GENESIS_HASH


def verify(*, chunk_size: int = 2000) -> Verification:
    """Walk the whole chain in order: numbers without gaps, each event pointing to the hash of
    the one before, each hash matching the event's facts. Stops at the first break."""
    from django.utils.translation import gettext as _

    result = Verification()
    expected = 1
    for event in AuditEvent.objects.order_by("sequence", "pk").iterator(chunk_size=chunk_size):
        reason = ""
        if event.sequence != expected:
            reason = _("volgnummer %(found)s, verwacht %(expected)s (ontbrekende regel)") % {
                "found": event.sequence,
                "expected": expected,
            }
        elif event.previous_hash != result.last_hash:
            reason = _("verwijst niet naar de vorige regel (vorige hash klopt niet)")
        elif event.hash != event_hash(event):
            reason = _("inhoud gewijzigd (hash klopt niet)")
        if reason:
            result.broken = Break(event.sequence, event.pk, reason)
            return result
        result.checked += 1
        result.last_hash = event.hash
        expected += 1
    return result


# ---------------------------------------------------------------- recording


_buffer: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "regiotafel_audit_buffer", default=None
)


@contextmanager
def batched() -> Iterator[None]:
    """Collect the events of a bulk operation and write them in one INSERT at the end.

    Use it inside the operation's transaction: if the block fails, neither the changes nor
    their events are written; if it succeeds, both are.
    """
    token = _buffer.set([])
    try:
        yield
        _write(_buffer.get())
    finally:
        _buffer.reset(token)


def _event(
    action: str,
    obj: models.Model | None,
    *,
    data_subject: str = "",
    detail: dict | None = None,
    actor: User | None = None,
    organisation: Organisation | None = None,
    ctx: AuditContext | None = None,
) -> AuditEvent:
    ctx = ctx or current()
    actor = actor or ctx.actor()
    organisation = organisation or ctx.acting_organisation()
    return AuditEvent(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        organisation=organisation,
        organisation_name=organisation.name if organisation else "",
        action=action,
        channel=ctx.channel,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data_subject=data_subject[:200],
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
        detail=detail or {},
    )


def _emit(events: list[AuditEvent]) -> None:
    pending = _buffer.get()
    if pending is None:
        _write(events)
    else:
        pending.extend(events)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    data_subject: str = "",
    detail: dict | None = None,
    actor: User | None = None,
    organisation: Organisation | None = None,
) -> AuditEvent:
    event = _event(
        action,
        obj,
        data_subject=data_subject,
        detail=detail,
        actor=actor,
        organisation=organisation,
    )
    _emit([event])
    return event


def record_many(action: str, objects: Iterable[models.Model], *, detail: dict | None = None) -> int:
    """One event per object (after ``bulk_create`` / ``bulk_update``), written in one INSERT."""
    ctx = current()
    actor, organisation = ctx.actor(), ctx.acting_organisation()
    events = [
        _event(
            action,
            obj,
            data_subject=data_subject_of(obj),
            detail=detail,
            actor=actor,
            organisation=organisation,
            ctx=ctx,
        )
        for obj in objects
    ]
    _emit(events)
    return len(events)


def record_bulk(
    action: str,
    model: type[models.Model],
    *,
    count: int,
    parent: models.Model,
    detail: dict | None = None,
) -> AuditEvent | None:
    """ONE event for many rows derived from one parent (a plan's passages): the model, how
    many, and of what. For rows a person reads or edits one by one, use :func:`record_many`."""
    if not count:
        return None
    meta = model._meta
    event = _event(
        action,
        None,
        data_subject=data_subject_of(parent),
        detail={
            "aantal": count,
            "bij": {"soort": parent._meta.label_lower, "id": parent.pk},
            **(detail or {}),
        },
    )
    event.object_type = meta.label_lower
    event.object_repr = f"{count} {meta.verbose_name_plural} — {parent}"[:200]
    _emit([event])
    return event


def update(queryset: models.QuerySet, *, detail: dict | None = None, **values) -> int:
    """``queryset.update(**values)`` with one event per row changed, in the same transaction.

    The rows are locked first (``SELECT … FOR UPDATE``), so a conditional update such as
    ``filter(pk=…, state=…)`` keeps its meaning under concurrency: a racing transaction waits,
    then finds nothing to change. Returns the number of rows changed, like ``update``.
    """
    model = queryset.model
    with transaction.atomic(savepoint=False):
        # The chain lock first, then the rows: every audit.update takes its locks in the same
        # order, so two of them cannot deadlock over a row and the chain.
        _lock_chain()
        large = [f.name for f in model._meta.concrete_fields if isinstance(f, models.BinaryField)]
        rows = list(queryset.select_for_update(of=("self",)).defer(*large))
        if not rows:
            return 0
        changed = model._default_manager.filter(pk__in=[row.pk for row in rows]).update(**values)
        for row in rows:
            for name, value in values.items():
                if not isinstance(value, Combinable):
                    setattr(row, name, value)
        record_many(AuditAction.UPDATE, rows, detail={"velden": sorted(values), **(detail or {})})
    return changed


# ---------------------------------------------------------------- reads


@dataclass
class _Reads:
    """The personal data one request showed: written as one event when the request ends."""

    seen: dict[tuple[str, str], tuple[models.Model, str]] = field(default_factory=dict)
    subjects: dict[str, None] = field(default_factory=dict)
    detail: dict = field(default_factory=dict)

    def add(self, obj: models.Model, subject: str, detail: dict | None) -> None:
        key = (obj._meta.label_lower, str(obj.pk))
        self.seen.setdefault(key, (obj, subject))
        if subject:
            self.subjects.setdefault(subject, None)
        for name, value in (detail or {}).items():
            self.detail.setdefault(name, value)


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar(
    "regiotafel_audit_reads", default=None
)


@contextmanager
def request_scope(ctx: AuditContext) -> Iterator[AuditContext]:
    """The audit context of one request; the reads it collects are written when it ends."""
    reads = _Reads()
    token = _reads.set(reads)
    try:
        with context(ctx):
            try:
                yield ctx
            finally:
                _write_reads(reads)
    finally:
        _reads.reset(token)


def _write_reads(reads: _Reads) -> None:
    if not reads.seen:
        return
    objects = [obj for obj, _subject in reads.seen.values()]
    _write([_read_event(objects, list(reads.subjects), reads.detail)])


def _read_event(objects: list[models.Model], subjects: list[str], detail: dict) -> AuditEvent:
    if len(objects) == 1:
        return _event(
            AuditAction.READ,
            objects[0],
            data_subject=subjects[0] if subjects else "",
            detail={**detail, "betrokkenen": subjects} if len(subjects) > 1 else detail,
        )
    event = _event(
        AuditAction.READ,
        None,
        data_subject=summarise(subjects),
        detail={**detail, "aantal": len(objects), "betrokkenen": subjects},
    )
    metas = {obj._meta for obj in objects}
    if len(metas) == 1:
        meta = metas.pop()
        event.object_type = meta.label_lower
        event.object_repr = f"{len(objects)} {meta.verbose_name_plural}"
    else:
        event.object_repr = f"{len(objects)} objecten"
    return event


def summarise(subjects: list[str], limit: int = SUBJECT_SUMMARY_LENGTH) -> str:
    """ "cliënt 1, cliënt 2, … (+40)": as many as fit, and how many more the detail names."""
    shown: list[str] = []
    for n, subject in enumerate(subjects):
        rest = len(subjects) - n - 1
        candidate = ", ".join([*shown, subject]) + (f", … (+{rest})" if rest else "")
        if len(candidate) > limit:
            more = len(subjects) - len(shown)
            return (", ".join(shown) + f", … (+{more})")[:limit]
        shown.append(subject)
    return ", ".join(shown)[:limit]


def record_read(
    obj: models.Model, *, data_subject: str, detail: dict | None = None, actor: User | None = None
) -> AuditEvent | None:
    """Log that someone saw a person's data. Call it wherever personal data is shown.

    Within a request the read joins the request's one read event (written at its end)."""
    reads = _reads.get()
    if reads is not None and (actor is None or actor == current().actor()):
        reads.add(obj, data_subject, detail)
        return None
    return record(AuditAction.READ, obj, data_subject=data_subject, detail=detail, actor=actor)


def record_reads(objects, *, detail: dict | None = None) -> int:
    """Log that a page or list showed these people's data: within a request they join the
    request's one read event; elsewhere one event for the whole list."""
    objects = list(objects)
    reads = _reads.get()
    if reads is not None:
        for obj in objects:
            reads.add(obj, data_subject_of(obj), detail)
        return len(objects)
    if objects:
        subjects = list(dict.fromkeys(s for s in map(data_subject_of, objects) if s))
        _emit([_read_event(objects, subjects, detail or {})])
    return len(objects)


def data_subject_of(obj: models.Model) -> str:
    """Whose personal data an object holds: models name it with ``audit_data_subject``."""
    subject = getattr(obj, "audit_data_subject", None)
    return subject() if callable(subject) else ""


# ---------------------------------------------------------------- reading the log


def object_type_label(label: str) -> str:
    """The Dutch name of a model label ("waitlist.client" -> "Cliënt"), for pages and exports."""
    if not label:
        return ""
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(model._meta.verbose_name).capitalize()


def search(events: models.QuerySet, term: str) -> models.QuerySet:
    """Events that name ``term`` — a client number ("cliënt 12"), a case reference, a user
    name — as data subject, object, object id or anywhere in their detail (the subjects of a
    list read). A term ending in a digit does not match a longer number ("cliënt 1" is not
    "cliënt 12")."""
    import re

    from django.db.models import Q, TextField
    from django.db.models.functions import Cast

    term = term.strip()
    if not term:
        return events
    pattern = re.escape(term)
    if term[-1].isdigit():
        pattern += "([^0-9]|$)"
    if term[0].isdigit():
        pattern = "(^|[^0-9])" + pattern
    escaped = re.escape(json.dumps(term)[1:-1])  # how SQLite stores "ë" inside JSON text
    if term[-1].isdigit():
        escaped += "([^0-9]|$)"
    events = events.annotate(_detail_text=Cast("detail", TextField()))
    return events.filter(
        Q(data_subject__iregex=pattern)
        | Q(object_repr__iregex=pattern)
        | Q(object_id=term)
        | Q(_detail_text__iregex=pattern)
        | Q(_detail_text__iregex=escaped)
    )


# ---------------------------------------------------------------- signals


# The task queue's and scheduler's own bookkeeping (leases, heartbeats, due slots) is not a
# change a person made; the jobs they run write their own events (docs/operations.md).
# Nor is the bed board's version (bumped by triggers with the bed or location change, which
# has its own event).
UNAUDITED_MODELS = frozenset(
    {"ops.workerbeat", "ops.tasklease", "ops.scheduledjob", "sharedstate.boardversion"}
)


def is_audited(model: type[models.Model]) -> bool:
    return (
        model.__module__.startswith(AUDITED_APP_PREFIX)
        and model is not AuditEvent
        and model._meta.label_lower not in UNAUDITED_MODELS
    )


_is_audited = is_audited


def _on_save(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not is_audited(sender):
        return
    label = sender._meta.label_lower
    if update_fields and set(update_fields) <= QUIET_UPDATES.get(label, set()):
        return
    detail = {"velden": sorted(update_fields)} if update_fields else {}
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    record(action, instance, data_subject=data_subject_of(instance), detail=detail)


def _on_delete(sender, instance, **kwargs) -> None:
    if is_audited(sender):
        record(AuditAction.DELETE, instance, data_subject=data_subject_of(instance))


def _on_m2m(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"} or not is_audited(type(instance)):
        return
    links = [
        f.name
        for f in type(instance)._meta.get_fields()
        if getattr(getattr(f, "remote_field", None), "through", None) is sender
    ]
    detail = {
        "velden": links,
        "koppeling": {"post_add": "toegevoegd", "post_remove": "verwijderd"}.get(
            action, "leeggemaakt"
        ),
        "ids": sorted(pk_set or []),
    }
    record(AuditAction.UPDATE, instance, data_subject=data_subject_of(instance), detail=detail)


def _on_login(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGIN, user, actor=user)


def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(AuditAction.LOGOUT, user, actor=user)


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A failed login names the user name tried (never the password). When that account
    exists, one event per organisation it belongs to, so each administrator sees it."""
    username = str(credentials.get("username", ""))[:150]
    detail = {"gebruikersnaam": username}
    account = User.objects.filter(username=username).first() if username else None
    organisations = []
    if account is not None:
        from regiotafel.core.models import Membership

        memberships = Membership.objects.filter(user=account).select_related("organisation")
        organisations = list({m.organisation_id: m.organisation for m in memberships}.values())
    if not organisations:
        record(AuditAction.LOGIN_FAILED, account, detail=detail)
        return
    ctx = current()
    _emit(
        [
            _event(
                AuditAction.LOGIN_FAILED,
                account,
                detail=detail,
                organisation=organisation,
                ctx=AuditContext(
                    channel=ctx.channel, ip_address=ctx.ip_address, request_id=ctx.request_id
                ),
            )
            for organisation in organisations
        ]
    )


def connect_signals() -> None:
    post_save.connect(_on_save, dispatch_uid="regiotafel-audit-save")
    post_delete.connect(_on_delete, dispatch_uid="regiotafel-audit-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="regiotafel-audit-m2m")
    user_logged_in.connect(_on_login, dispatch_uid="regiotafel-audit-login")
    user_logged_out.connect(_on_logout, dispatch_uid="regiotafel-audit-logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="regiotafel-audit-login-failed")
