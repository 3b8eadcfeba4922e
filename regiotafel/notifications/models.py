"""Notifications (in-app, optionally e-mailed) and each user's choice of channel per event kind.

A notification holds no personal data: its text names a case reference, a claim number or a
client number, never a name, BSN or birth date (docs/notifications.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("ontvanger"),
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
        help_text=_("De organisatie waarvoor de ontvanger de melding krijgt."),
    )
    event = models.CharField(_("soort"), max_length=64)
    text = models.CharField(_("tekst"), max_length=400)
    url = models.CharField(_("link"), max_length=300, blank=True)
    subject_type = models.CharField(_("soort object"), max_length=100, blank=True)
    subject_id = models.CharField(_("object-id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("gemaakt"), default=timezone.now)
    read_at = models.DateTimeField(_("gelezen"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("gemaild"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the unread count of the header badge: one range scan per poll
            models.Index(fields=["recipient", "read_at"], name="melding_ongelezen"),
            models.Index(fields=["recipient", "-created_at"], name="melding_lijst"),
        ]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")

    def __str__(self) -> str:
        return f"melding {self.pk}"

    def audit_data_subject(self) -> str:
        return f"medewerker {self.recipient.username}"

    @property
    def owner_organisation_id(self) -> int | None:
        return self.organisation_id


class NotificationPreference(models.Model):
    """E-mail on or off for one event kind; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("gebruiker"),
    )
    event = models.CharField(_("soort"), max_length=64)
    email = models.BooleanField(_("per e-mail"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="unique_melding_voorkeur")
        ]
        verbose_name = _("meldingsvoorkeur")
        verbose_name_plural = _("meldingsvoorkeuren")

    def __str__(self) -> str:
        return f"{self.user} — {self.event}"

    def audit_data_subject(self) -> str:
        return f"medewerker {self.user.username}"


class ExpiryWarning(models.Model):
    """A claim about to expire unanswered was warned about (once)."""

    claim = models.OneToOneField(
        "capacity.Claim",
        on_delete=models.CASCADE,
        related_name="expiry_warning",
        verbose_name=_("reservering"),
    )
    warned_at = models.DateTimeField(_("gewaarschuwd"), default=timezone.now)

    class Meta:
        verbose_name = _("waarschuwing verlopen reservering")
        verbose_name_plural = _("waarschuwingen verlopen reserveringen")

    def __str__(self) -> str:
        return f"waarschuwing reservering {self.claim_id}"
