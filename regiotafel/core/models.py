"""Organisations, people, roles, regions and municipalities, API tokens and the audit log.

Every model that other capabilities hang data on exposes ``owner_organisation_id`` and
``owner_region_id``: the permission helper (``core.permissions``) decides "own organisation"
and "own region" from those two, whatever the model.
"""

from __future__ import annotations

import hashlib
import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CBS_CODE = RegexValidator(r"^GM\d{4}$", _("Een CBS-gemeentecode is GM gevolgd door vier cijfers."))
AGB_CODE = RegexValidator(r"^\d{8}$", _("Een AGB-code bestaat uit acht cijfers."))


class Role(models.TextChoices):
    VERWIJZER = "verwijzer", _("Verwijzer")
    TRIAGIST = "triagist", _("Triagist")
    CAPACITEITSBEHEERDER = "capaciteitsbeheerder", _("Capaciteitsbeheerder")
    REGIO_ANALIST = "regio_analist", _("Regio-analist")
    BEHEERDER = "beheerder", _("Beheerder")


class OrganisationType(models.TextChoices):
    VVT = "vvt", _("VVT-aanbieder")
    ZIEKENHUIS = "ziekenhuis", _("Ziekenhuis")
    HUISARTSENPRAKTIJK = "huisartsenpraktijk", _("Huisartsenpraktijk")
    HUISARTSENPOST = "huisartsenpost", _("Huisartsenpost")
    ZORGKANTOOR = "zorgkantoor", _("Zorgkantoor")
    GEMEENTE = "gemeente", _("Gemeente")
    AANMELDPUNT = "aanmeldpunt", _("Regionaal aanmeldpunt")


class TargetGroup(models.TextChoices):
    """Who a bed or a place is for; the same words on the bed board and the waiting list."""

    SOMATISCH = "somatisch", _("somatisch")
    PG = "pg", _("psychogeriatrisch")


class Gender(models.TextChoices):
    VROUW = "v", _("vrouw")
    MAN = "m", _("man")
    ANDERS = "x", _("anders")
    ONBEKEND = "o", _("onbekend")


# Care providers are registered in the AGB register (Vektis); offices and councils are not.
AGB_TYPES = frozenset(
    {
        OrganisationType.VVT,
        OrganisationType.ZIEKENHUIS,
        OrganisationType.HUISARTSENPRAKTIJK,
        OrganisationType.HUISARTSENPOST,
    }
)


class Region(models.Model):
    """A care-office region (zorgkantoorregio) or one of its published subdivisions."""

    name = models.CharField(_("naam"), max_length=120, unique=True)
    slug = models.SlugField(_("korte naam"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("zorgkantoorregio")
        verbose_name_plural = _("zorgkantoorregio's")

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organisation_id(self) -> None:
        return None

    @property
    def owner_region_id(self) -> int:
        return self.pk


class Subregion(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="subregions", verbose_name=_("regio")
    )
    name = models.CharField(_("naam"), max_length=120)

    class Meta:
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_subregion_per_region")
        ]
        verbose_name = _("subregio")
        verbose_name_plural = _("subregio's")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    cbs_code = models.CharField(_("CBS-code"), max_length=6, unique=True, validators=[CBS_CODE])
    name = models.CharField(_("naam"), max_length=120)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("regio")
    )
    subregion = models.ForeignKey(
        Subregion,
        on_delete=models.PROTECT,
        related_name="municipalities",
        null=True,
        blank=True,
        verbose_name=_("subregio"),
    )
    inhabitants = models.PositiveIntegerField(_("inwoners"), null=True, blank=True)
    inhabitants_year = models.PositiveSmallIntegerField(
        _("peiljaar inwoners"), null=True, blank=True
    )
    # Approximate centre of the main town, only for sorting by distance (not a boundary).
    latitude = models.FloatField(_("breedtegraad"), null=True, blank=True)
    longitude = models.FloatField(_("lengtegraad"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self) -> str:
        return f"{self.name} ({self.cbs_code})"

    def clean(self) -> None:
        if self.subregion_id and self.subregion.region_id != self.region_id:
            raise ValidationError({"subregion": _("De subregio hoort bij een andere regio.")})

    @property
    def owner_organisation_id(self) -> None:
        return None

    @property
    def owner_region_id(self) -> int:
        return self.region_id


class Organisation(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    type = models.CharField(_("soort"), max_length=32, choices=OrganisationType.choices)
    agb_code = models.CharField(
        _("AGB-code"), max_length=8, null=True, blank=True, unique=True, validators=[AGB_CODE]
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("regio")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("gemeente"),
    )
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_organisation_name")
        ]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.agb_code and self.type not in AGB_TYPES:
            raise ValidationError(
                {
                    "agb_code": _("Een %(type)s heeft geen AGB-code.")
                    % {"type": self.get_type_display()}
                }
            )
        if self.municipality_id and self.municipality.region_id != self.region_id:
            raise ValidationError({"municipality": _("De gemeente ligt in een andere regio.")})

    @property
    def owner_organisation_id(self) -> int:
        return self.pk

    @property
    def owner_region_id(self) -> int:
        return self.region_id


class Location(models.Model):
    """A site of an organisation: a nursing home, an ELV ward, a hospital location. Capacity
    hangs beds on it; the shared waiting list uses it for clients' preferences."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name=_("organisatie"),
    )
    name = models.CharField(_("naam"), max_length=200)
    street = models.CharField(_("adres"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name=_("gemeente"),
    )
    phone = models.CharField(_("telefoon"), max_length=20, blank=True)
    confirmed_at = models.DateTimeField(_("beschikbaarheid bevestigd op"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bevestigd door"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def owner_region_id(self) -> int:
        return self.municipality.region_id


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships."""

    organisations = models.ManyToManyField(
        Organisation, through="Membership", related_name="members", blank=True
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def audit_data_subject(self) -> str:
        return f"medewerker {self.username}"

    @property
    def owner_organisation_ids(self) -> set[int]:
        """A person can work for several organisations; each of them "owns" the account."""
        return set(self.memberships.values_list("organisation_id", flat=True))

    @property
    def owner_region_id(self) -> None:
        return None


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("gebruiker")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisatie"),
    )
    role = models.CharField(_("rol"), max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} bij {self.organisation}"

    @property
    def owner_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def owner_region_id(self) -> int:
        return self.organisation.region_id


TOKEN_PREFIX = "rt_"  # noqa: S105 - a marker, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a machine client. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("naam"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("begin van het token"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("aangemaakt"), default=timezone.now)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def owner_organisation_id(self) -> int | None:
        return self.organisation_id

    @property
    def owner_region_id(self) -> int | None:
        return self.organisation.region_id if self.organisation_id else None


class Installation(models.Model):
    """One row that says what this database is; a demo database carries demo accounts."""

    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("installatie")
        verbose_name_plural = _("installatie")

    def __str__(self) -> str:
        return str(_("demodatabase") if self.is_demo else _("database"))


class AuditAction(models.TextChoices):
    CREATE = "create", _("aangemaakt")
    READ = "read", _("ingezien")
    UPDATE = "update", _("gewijzigd")
    DELETE = "delete", _("verwijderd")
    EXPORT = "export", _("geëxporteerd")
    LOGIN = "login", _("ingelogd")
    LOGOUT = "logout", _("uitgelogd")
    LOGIN_FAILED = "login_failed", _("inloggen mislukt")


class AuditChannel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    CLI = "cli", _("opdrachtregel")
    SYSTEM = "system", _("systeem")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly()

    def delete(self):
        raise AuditLogIsAppendOnly()


class AuditLogIsAppendOnly(Exception):
    def __init__(self) -> None:
        super().__init__(str(_("Het auditlog kan niet worden gewijzigd of verwijderd.")))


class AuditEvent(models.Model):
    """One logged event, after NEN 7513: who, for which organisation, when, what, on what,
    on whose personal data, from where. Append-only: the application cannot update or delete
    a row, and database triggers refuse it too (migration 0002)."""

    occurred_at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gebruiker"),
    )
    actor_name = models.CharField(_("gebruikersnaam"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    organisation_name = models.CharField(_("naam organisatie"), max_length=200, blank=True)
    action = models.CharField(_("actie"), max_length=20, choices=AuditAction.choices)
    channel = models.CharField(_("kanaal"), max_length=10, choices=AuditChannel.choices)
    object_type = models.CharField(_("soort object"), max_length=100, blank=True)
    object_id = models.CharField(_("object-id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    data_subject = models.CharField(
        _("betrokkene"),
        max_length=200,
        blank=True,
        help_text=_("Wiens persoonsgegevens het betreft (een verwijzing, nooit een BSN)."),
    )
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    # The request (X-Request-ID) the event belongs to: joins it to the request log line.
    request_id = models.CharField(_("verzoek-id"), max_length=64, blank=True, default="")
    # The hash chain (core.audit): the position in the log, the hash of the event before,
    # and the SHA-256 over this event's facts and that previous hash.
    sequence = models.BigIntegerField(_("volgnummer"), unique=True)
    previous_hash = models.CharField(_("vorige hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-occurred_at"], name="audit_org_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")

    def __str__(self) -> str:
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly()
        if self.sequence is None:  # numbered and chained by the audit module
            from regiotafel.core import audit

            audit._write([self])
            return
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly()

    @property
    def owner_organisation_id(self) -> int | None:
        return self.organisation_id

    @property
    def owner_region_id(self) -> None:
        return None

    @property
    def object_type_label(self) -> str:
        """The Dutch name of the kind of object ("Cliënt", not "waitlist.client")."""
        from regiotafel.core.audit import object_type_label

        return object_type_label(self.object_type)

    @property
    def subjects(self) -> list[str]:
        """Every data subject the event names (a list read names many)."""
        named = (self.detail or {}).get("betrokkenen") or []
        return [str(s) for s in named] or ([self.data_subject] if self.data_subject else [])


def slug_for(name: str) -> str:
    """A stable slug for region names such as "Arnhem (subregio Food Valley)"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")
