"""The one way to tell people something: ``notify.send`` (docs/notifications.md).

Call it inside the transaction of the change it reports. It resolves the recipients, writes
one in-app :class:`Notification` per person at once (with its audit events, in the same
transaction), enqueues the e-mail for those who want it (on commit, as a task) and moves each
recipient's badge version on commit, so their open pages learn of it at the next poll.

    from regiotafel.notifications import notify

    notify.send(
        "reservering-geweigerd",
        subject=claim,
        text=_("Reservering %(id)s voor casus %(ref)s is geweigerd: %(reason)s") % {...},
        url=reverse("capacity:claims"),
        users=[claim.claimed_by],
        organisations=[claim.organisation],
        roles=[Role.VERWIJZER, Role.TRIAGIST],
        actor=user,
    )

The text is shown and mailed as it is: it must not contain a BSN, a name or a birth date —
use the case reference, the claim number or the client number.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from regiotafel.core import audit
from regiotafel.core.models import AuditAction, Membership, Organisation, Region, User
from regiotafel.notifications import events
from regiotafel.notifications.models import Notification, NotificationPreference

TEXT_LENGTH = Notification._meta.get_field("text").max_length
URL_LENGTH = Notification._meta.get_field("url").max_length
VERSION_SECONDS = 7 * 24 * 3600  # a badge version unused this long is forgotten (then re-seeded)


@dataclass(frozen=True)
class Recipient:
    user: User
    organisation: Organisation | None  # the organisation they are told as a member of


def _ids(items: Iterable) -> list[int]:
    return [item.pk if isinstance(item, models.Model) else int(item) for item in items if item]


def resolve(
    *,
    users: Iterable = (),
    organisations: Iterable = (),
    roles: Iterable[str] = (),
    region: Region | int | None = None,
    actor: User | None = None,
) -> list[Recipient]:
    """Who is told: the explicit ``users``, every active member of ``organisations`` having
    one of ``roles``, and with ``region`` every member having one of ``roles`` of an active
    organisation of that region. Without ``roles`` no one is added by membership (a single
    organisation then only names the organisation the explicit users are told for). Each
    person once; the ``actor`` (who made the change) is never told of their own action."""
    org_ids = _ids(organisations)
    roles = [str(role) for role in roles]
    found: dict[int, Recipient] = {}
    memberships = Membership.objects.none()
    if org_ids and roles:
        memberships = Membership.objects.filter(organisation_id__in=org_ids, role__in=roles)
    if region is not None and roles:
        region_id = region.pk if isinstance(region, models.Model) else int(region)
        memberships = memberships | Membership.objects.filter(
            organisation__region_id=region_id, organisation__active=True, role__in=roles
        )
    explicit_ids = _ids(users)
    for user in User.objects.filter(pk__in=explicit_ids, is_active=True).order_by("pk"):
        only_org = None
        if len(org_ids) == 1:
            only_org = Organisation.objects.filter(pk=org_ids[0]).first()
        found[user.pk] = Recipient(user, only_org)
    for membership in (
        memberships.filter(user__is_active=True)
        .select_related("user", "organisation")
        .order_by("organisation_id", "user_id")
    ):
        found.setdefault(membership.user_id, Recipient(membership.user, membership.organisation))
    if actor is not None:
        found.pop(actor.pk, None)
    return list(found.values())


def email_wanted(user_ids: Iterable[int], event: str) -> set[int]:
    """Of these users, those who get ``event`` by e-mail (their choice, else the default)."""
    user_ids = list(user_ids)
    default = events.get(event).email
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, event=event).values_list(
            "user_id", "email"
        )
    )
    return {uid for uid in user_ids if chosen.get(uid, default)}


def send(
    event: str,
    *,
    subject,
    text: str,
    url: str = "",
    users: Iterable = (),
    organisations: Iterable = (),
    roles: Iterable[str] = (),
    region: Region | int | None = None,
    actor: User | None = None,
) -> list[Notification]:
    """Tell the recipients of ``event`` (see :func:`resolve`); returns the notifications made.

    Must run inside the transaction of the change: the in-app rows and their audit events are
    written now, the e-mails are a task enqueued with the commit (nothing is sent when the
    change rolls back)."""
    events.get(event)  # an unknown kind is a programming error: fail loudly
    recipients = resolve(
        users=users, organisations=organisations, roles=roles, region=region, actor=actor
    )
    if not recipients:
        return []
    now = timezone.now()
    subject_type = subject._meta.label_lower if isinstance(subject, models.Model) else ""
    subject_id = str(subject.pk) if isinstance(subject, models.Model) else ""
    text = " ".join(str(text).split())[:TEXT_LENGTH]
    rows = [
        Notification(
            recipient=r.user,
            organisation=r.organisation,
            event=event,
            text=text,
            url=str(url)[:URL_LENGTH],
            subject_type=subject_type,
            subject_id=subject_id,
            created_at=now,
        )
        for r in recipients
    ]
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows)
        audit.record_many(AuditAction.CREATE, rows, detail={"soort": event})
        mail_to = email_wanted([r.user.pk for r in recipients if r.user.email], event)
        mail_ids = [row.pk for row in rows if row.recipient_id in mail_to]
        if mail_ids:
            from regiotafel.notifications import delivery
            from regiotafel.ops.queue import enqueue_on_commit

            enqueue_on_commit(delivery.send_emails, mail_ids)
        changed([r.user.pk for r in recipients])
    return rows


# ---------------------------------------------------------------- the badge version


def _version_key(user_id: int) -> str:
    return f"meldingen-versie:{user_id}"


def version(user_id: int) -> int:
    """The user's badge version: it changes (on commit) whenever a notification of theirs is
    made or read, so an unchanged version means an unchanged badge (HTTP 304, no query)."""
    key = _version_key(user_id)
    found = cache.get(key)
    if found is None:
        cache.add(key, secrets.randbelow(2**31), VERSION_SECONDS)  # random: a lost cache
        found = cache.get(key, 0)  # never repeats an old ETag
    return int(found)


def changed(user_ids: Iterable[int]) -> None:
    """Move these users' badge versions once the current transaction commits."""
    user_ids = sorted(set(user_ids))

    def bump() -> None:
        for user_id in user_ids:
            key = _version_key(user_id)
            with contextlib.suppress(ValueError):  # not cached: the next poll seeds a new one
                cache.incr(key)
                cache.touch(key, VERSION_SECONDS)  # incr may re-set it with the default timeout

    transaction.on_commit(bump)
