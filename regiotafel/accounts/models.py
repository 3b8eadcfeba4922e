"""Per-region account security: whether people there must use a second factor (TOTP)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from regiotafel.core.models import Region


class SecondFactor(models.TextChoices):
    """Who in a region must confirm a login with a code from an authenticator app."""

    OFF = "uit", _("niemand verplicht")
    ADMINISTRATORS = "beheerders", _("beheerders")
    PERSONAL_DATA = "persoonsgegevens", _("beheerders en rollen die persoonsgegevens zien")


class RegionSecurity(models.Model):
    """The security switch of one region; a region without a row uses the strictest level."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="security", verbose_name=_("regio")
    )
    second_factor = models.CharField(
        _("tweestapsverificatie verplicht voor"),
        max_length=20,
        choices=SecondFactor.choices,
        default=SecondFactor.PERSONAL_DATA,
    )

    class Meta:
        verbose_name = _("beveiliging van een regio")
        verbose_name_plural = _("beveiliging van regio's")

    def __str__(self) -> str:
        return f"{self.region}: {self.get_second_factor_display()}"

    @property
    def owner_organisation_id(self) -> None:
        return None

    @property
    def owner_region_id(self) -> int:
        return self.region_id
