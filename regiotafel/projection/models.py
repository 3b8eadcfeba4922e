"""A region's parameter sets for the gap analysis: the YAML text as uploaded, versioned.

A new upload never overwrites the old one: it becomes the next version, so the audit log
(model signals) and the history show who changed what, and the projection of any version can
be recomputed. The current parameter set of a region is its highest version.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiotafel.core.models import Region


class ParameterSet(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="parameter_sets", verbose_name=_("regio")
    )
    name = models.CharField(_("naam"), max_length=200)
    version = models.PositiveIntegerField(_("versie"))
    text = models.TextField(_("parameters (YAML of JSON)"))
    filename = models.CharField(_("bestandsnaam"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    class Meta:
        ordering = ["region__name", "-version"]
        verbose_name = _("parameterset")
        verbose_name_plural = _("parametersets")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "version"], name="one_parameter_set_version_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def owner_organisation_id(self) -> None:
        return None

    @property
    def owner_region_id(self) -> int:
        return self.region_id

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
