"""The audit log: who did what, when, for which organisation, to whose personal data.

Changes are logged by model signals for every model of a Regiotafel app, so a change is
logged whether it comes from a page, the API, the admin or a command. Reads of personal data
are logged by ``record_read`` (the access helper calls it for actions marked as personal
data). Who is acting comes from a context variable set by the middleware (web, API) or by
``acting_as`` (commands, jobs).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import post_delete, post_save

from regiotafel.core.models import AuditAction, AuditChannel, AuditEvent, Organisation, User

AUDITED_APP_PREFIX = "regiotafel."
# Saves that only move bookkeeping fields are not "changes" a person made.
QUIET_UPDATES = {
    "core.user": {"last_login"},
    "core.apitoken": {"last_used_at"},
}


@dataclass(frozen=True)
class AuditContext:
    channel: str = AuditChannel.SYSTEM
    request: Any = None  # the HttpRequest, read lazily: API auth sets the user later
    user: User | None = None
    organisation: Organisation | None = None
    ip_address: str | None = None

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
        AuditEvent.objects.bulk_create(_buffer.get(), batch_size=1000)
    finally:
        _buffer.reset(token)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    data_subject: str = "",
    detail: dict | None = None,
    actor: User | None = None,
    organisation: Organisation | None = None,
) -> AuditEvent:
    ctx = current()
    actor = actor or ctx.actor()
    organisation = organisation or ctx.acting_organisation()
    event = AuditEvent(
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
        detail=detail or {},
    )
    pending = _buffer.get()
    if pending is None:
        event.save()
    else:
        pending.append(event)
    return event


def record_read(
    obj: models.Model, *, data_subject: str, detail: dict | None = None, actor: User | None = None
) -> AuditEvent:
    """Log that someone saw a person's data. Call it wherever personal data is shown."""
    return record(AuditAction.READ, obj, data_subject=data_subject, detail=detail, actor=actor)


def record_reads(objects, *, detail: dict | None = None) -> int:
    """Log that a page or list showed these people's data: one event per object, one insert."""
    ctx = current()
    actor, organisation = ctx.actor(), ctx.acting_organisation()
    events = [
        AuditEvent(
            actor=actor,
            actor_name=actor.get_username() if actor else "",
            organisation=organisation,
            organisation_name=organisation.name if organisation else "",
            action=AuditAction.READ,
            channel=ctx.channel,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            data_subject=data_subject_of(obj)[:200],
            ip_address=ctx.ip_address,
            detail=detail or {},
        )
        for obj in objects
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


def data_subject_of(obj: models.Model) -> str:
    """Whose personal data an object holds: models name it with ``audit_data_subject``."""
    subject = getattr(obj, "audit_data_subject", None)
    return subject() if callable(subject) else ""


def _is_audited(sender: type[models.Model]) -> bool:
    return sender.__module__.startswith(AUDITED_APP_PREFIX) and sender is not AuditEvent


def _on_save(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not _is_audited(sender):
        return
    label = sender._meta.label_lower
    if update_fields and set(update_fields) <= QUIET_UPDATES.get(label, set()):
        return
    detail = {"velden": sorted(update_fields)} if update_fields else {}
    action = AuditAction.CREATE if created else AuditAction.UPDATE
    record(action, instance, data_subject=data_subject_of(instance), detail=detail)


def _on_delete(sender, instance, **kwargs) -> None:
    if _is_audited(sender):
        record(AuditAction.DELETE, instance, data_subject=data_subject_of(instance))


def _on_login(sender, request, user, **kwargs) -> None:
    record(AuditAction.LOGIN, user, actor=user)


def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(AuditAction.LOGOUT, user, actor=user)


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    record(
        AuditAction.LOGIN_FAILED,
        detail={"gebruikersnaam": str(credentials.get("username", ""))[:150]},
    )


def connect_signals() -> None:
    post_save.connect(_on_save, dispatch_uid="regiotafel-audit-save")
    post_delete.connect(_on_delete, dispatch_uid="regiotafel-audit-delete")
    user_logged_in.connect(_on_login, dispatch_uid="regiotafel-audit-login")
    user_logged_out.connect(_on_logout, dispatch_uid="regiotafel-audit-logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="regiotafel-audit-login-failed")
