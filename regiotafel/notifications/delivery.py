"""E-mail delivery of notifications: a task on the queue, enqueued when the change commits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from regiotafel.core import audit
from regiotafel.core.models import AuditChannel
from regiotafel.notifications import events
from regiotafel.notifications.models import Notification

log = logging.getLogger(__name__)


def absolute(url: str) -> str:
    if not url:
        return settings.SITE_URL.rstrip("/") + "/meldingen/"
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def message(notification: Notification) -> tuple[str, str]:
    """The Dutch subject and body of a notification's e-mail (no personal data: the text
    holds references only, the link leads to the page behind the login)."""
    kind = events.REGISTRY.get(notification.event)
    label = str(kind.label) if kind else notification.event
    subject = _("[Regiotafel] %(label)s") % {"label": label}
    body = "\n".join(
        [
            notification.text,
            "",
            _("Bekijk het in Regiotafel (na inloggen): %(url)s")
            % {"url": absolute(notification.url)},
            "",
            _(
                "U krijgt dit bericht omdat u meldingen van deze soort per e-mail ontvangt. "
                "Wijzig dat onder Meldingen > Voorkeuren: %(url)s"
            )
            % {"url": absolute("/meldingen/voorkeuren/")},
        ]
    )
    return subject, body


@task()
def send_emails(notification_ids: list[int]) -> str:
    """Mail each notification not mailed yet to its recipient (if they still have an address)."""
    sent = 0
    with translation.override("nl"), audit.acting_as(None, channel=AuditChannel.SYSTEM):
        pending = Notification.objects.filter(
            pk__in=notification_ids, emailed_at__isnull=True
        ).select_related("recipient")
        for notification in pending:
            address = notification.recipient.email
            if not address:
                continue
            subject, body = message(notification)
            try:
                send_mail(subject, body, None, [address])
            except OSError:  # the mail server is away: leave it unmarked, log without address
                log.warning("notification %s: e-mail not sent", notification.pk, exc_info=True)
                continue
            with transaction.atomic():
                audit.update(
                    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True),
                    emailed_at=timezone.now(),
                )
            sent += 1
    return f"{sent} e-mail(s) verstuurd"
