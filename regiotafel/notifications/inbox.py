"""A user's own notifications: list, badge, mark read, preferences. Pages and API call these.

A user only ever reaches their own notifications: every query starts from ``recipient=user``,
so another person's notification id answers "not found" (404), like an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit
from regiotafel.notifications import events, notify
from regiotafel.notifications.models import Notification, NotificationPreference


def of(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def own(user, notification_id: int) -> Notification:
    found = of(user).filter(pk=notification_id).first()
    if found is None:
        raise errors.NotFound(_("Melding niet gevonden."), code="melding-niet-gevonden")
    return found


@dataclass(frozen=True)
class Badge:
    version: int
    unread: int
    latest_id: int  # the newest unread notification (0: none)

    @property
    def etag(self) -> str:
        return f'"m{self.version}"'


def badge(user, *, version: int | None = None) -> Badge:
    """The header badge: one indexed aggregate over the user's unread notifications."""
    version = notify.version(user.pk) if version is None else version
    figures = Notification.objects.filter(recipient=user, read_at__isnull=True).aggregate(
        unread=Count("id"), latest=Max("id")
    )
    return Badge(version, figures["unread"], figures["latest"] or 0)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(user, notification_id: int, *, now=None) -> Notification:
    notification = own(user, notification_id)
    if notification.read_at is None:
        now = now or timezone.now()
        audit.update(
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True), read_at=now
        )
        notification.read_at = now
        notify.changed([user.pk])
    return notification


@transaction.atomic
def mark_all_read(user, *, now=None) -> int:
    changed = audit.update(
        Notification.objects.filter(recipient=user, read_at__isnull=True),
        read_at=now or timezone.now(),
    )
    if changed:
        notify.changed([user.pk])
    return changed


@dataclass(frozen=True)
class Preference:
    kind: events.EventKind
    email: bool

    @property
    def slug(self) -> str:
        return self.kind.slug


def preferences(user) -> list[Preference]:
    """Every registered event kind with the user's e-mail choice (or its default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("event", "email"))
    return [Preference(kind, chosen.get(kind.slug, kind.email)) for kind in events.all_kinds()]


@transaction.atomic
def set_preferences(user, email: dict[str, bool]) -> list[Preference]:
    """Store e-mail on/off per event kind (kinds not named keep their setting)."""
    unknown = sorted(slug for slug in email if slug not in events.REGISTRY)
    if unknown:
        raise errors.InvalidInput(
            _("Onbekende soort melding: %(slugs)s.") % {"slugs": ", ".join(unknown)},
            code="onbekende-meldingsoort",
            errors=[errors.FieldError("soort", _("Onbekend: %s") % slug) for slug in unknown],
        )
    existing = {p.event: p for p in NotificationPreference.objects.filter(user=user)}
    for slug, wanted in email.items():
        wanted = bool(wanted)
        found = existing.get(slug)
        if found is None:
            if wanted != events.get(slug).email:
                NotificationPreference.objects.create(user=user, event=slug, email=wanted)
        elif found.email != wanted:
            found.email = wanted
            found.save(update_fields=["email"])
    return preferences(user)
