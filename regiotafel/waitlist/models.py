"""The shared regional waiting list for nursing-home placement (seed 003, Zuidoost-Brabant).

A **client** is one person, recognised across providers by a keyed hash of the BSN (the BSN
itself is never stored) or, without a BSN, proposed as a probable duplicate for a person to
review. A **registration** is one provider's file on that client with the national waiting
status, care profile and ordered preferences. One provider per client is the *dossierhouder*
(file holder), assigned by the care office; the other providers are "ook ingeschreven".

An **onward placement** (seed 003, Zuidoost-Brabant) tracks a client admitted to a Wlz crisis
bed until a lasting place is found, against the region's deadline (fourteen days by default).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiotafel.core.models import (  # noqa: F401 - TargetGroup is re-exported
    Location,
    Municipality,
    Organisation,
    TargetGroup,
    User,
)


class CareProfile(models.TextChoices):
    VV4 = "VV4", _("VV4 beschut wonen met intensieve begeleiding en uitgebreide verzorging")
    VV5 = "VV5", _("VV5 beschermd wonen met intensieve dementiezorg")
    VV6 = "VV6", _("VV6 beschermd wonen met intensieve verzorging en verpleging")
    VV7 = "VV7", _("VV7 beschermd wonen met zeer intensieve zorg, nadruk op begeleiding")
    VV8 = "VV8", _("VV8 beschermd wonen met zeer intensieve zorg, nadruk op verzorging")
    VV9B = "VV9b", _("VV9b herstelgerichte behandeling met verpleging en verzorging")
    VV10 = "VV10", _("VV10 beschermd verblijf met intensieve palliatief-terminale zorg")


class WaitingStatus(models.TextChoices):
    """The national Wlz waiting statuses, most pressing first."""

    URGENT = "urgent", _("Urgent plaatsen")
    ACTIEF = "actief", _("Actief plaatsen")
    VOORKEUR = "voorkeur", _("Wacht op voorkeur")
    VOORZORG = "voorzorg", _("Wacht uit voorzorg")


STATUS_RANK = {status: rank for rank, status in enumerate(WaitingStatus)}


class RegistrationState(models.TextChoices):
    OPEN = "open", _("wachtend")
    GEPLAATST = "geplaatst", _("geplaatst")
    ELDERS_GEPLAATST = "elders_geplaatst", _("elders geplaatst")
    VERVALLEN = "vervallen", _("vervallen")


class Client(models.Model):
    """One person on the list. Identity fields serve recognition and are shown only to those
    who may see them (see ``waitlist.visibility``)."""

    bsn_hash = models.CharField(
        _("BSN-sleutel"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    surname = models.CharField(_("achternaam"), max_length=100)
    initials = models.CharField(_("voorletters"), max_length=20, blank=True)
    birth_date = models.DateField(_("geboortedatum"))
    gender = models.CharField(_("geslacht"), max_length=1, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_clients",
        verbose_name=_("samengevoegd met"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The one provider that keeps the client's file (seed 003), chosen by the care office.
    dossierhouder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dossierhouder"),
    )
    dossierhouder_since = models.DateTimeField(_("dossierhouder sinds"), null=True, blank=True)
    # Blocking keys of the duplicate finder (waitlist.identity), computed from the identity
    # fields whenever the client is saved (bulk writers call ``set_keys`` themselves): the
    # surname without prefixes and accents, and surname start + postcode area ('berg|2334').
    name_key = models.CharField(max_length=100, blank=True, editable=False)
    name_block = models.CharField(max_length=9, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["birth_date"], name="client_birth_date"),
            models.Index(fields=["name_block"], name="client_name_block"),
        ]
        verbose_name = _("cliënt")
        verbose_name_plural = _("cliënten")

    def __str__(self) -> str:
        return f"{_('cliënt')} {self.pk}"

    def set_keys(self) -> None:
        """Called before every save (``_client_keys``); a save with ``update_fields`` that
        names surname or postcode must name ``name_key`` and ``name_block`` too."""
        from regiotafel.waitlist import identity

        self.name_key = identity.surname_key(self.surname)[:100]
        self.name_block = identity.name_block(self.surname, self.postcode)

    def audit_data_subject(self) -> str:
        return f"cliënt {self.pk}"

    @property
    def owner_organisation_ids(self) -> set[int]:
        """Providers holding a file on the client, or whose location the client prefers."""
        holders = set(self.registrations.values_list("provider_id", flat=True))
        preferred = Preference.objects.filter(
            registration__client=self, registration__state=RegistrationState.OPEN
        ).values_list("location__organisation_id", flat=True)
        return holders | set(preferred)

    @property
    def owner_region_id(self) -> int | None:
        first = self.registrations.select_related("municipality").first()
        return first.municipality.region_id if first else None


@receiver(pre_save, sender=Client)
def _client_keys(sender, instance: Client, raw=False, update_fields=None, **kwargs) -> None:
    # A signal rather than an overridden save(): tests/audit_guard.py tells the application's
    # writes from a test's own by the frames on the stack.
    if not raw and (update_fields is None or {"surname", "postcode"} & set(update_fields)):
        instance.set_keys()


class Registration(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="registrations")
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="waitlist_registrations",
        verbose_name=_("aanbieder"),
    )
    external_id = models.CharField(_("cliëntnummer aanbieder"), max_length=40)
    care_profile = models.CharField(_("zorgprofiel"), max_length=5, choices=CareProfile.choices)
    target_group = models.CharField(_("doelgroep"), max_length=10, choices=TargetGroup.choices)
    status = models.CharField(_("wachtstatus"), max_length=10, choices=WaitingStatus.choices)
    status_date = models.DateField(_("statusdatum"))
    status_reason = models.CharField(_("reden status"), max_length=200, blank=True)
    indication_date = models.DateField(_("ingangsdatum indicatie"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("woongemeente")
    )
    state = models.CharField(
        _("stand"), max_length=20, choices=RegistrationState.choices, default=RegistrationState.OPEN
    )
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"], name="one_registration_per_provider_number"
            )
        ]
        indexes = [models.Index(fields=["state", "status"], name="registration_queue")]
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")

    def __str__(self) -> str:
        return f"{self.provider} {self.external_id}"

    def audit_data_subject(self) -> str:
        return f"cliënt {self.client_id}"

    @property
    def is_dossierhouder(self) -> bool:
        """Is this provider the client's file holder? (Others are "ook ingeschreven".)"""
        return self.client.dossierhouder_id == self.provider_id

    @property
    def role_label(self) -> str:
        if self.client.dossierhouder_id is None:
            return str(_("ingeschreven (nog geen dossierhouder)"))
        return str(_("dossierhouder") if self.is_dossierhouder else _("ook ingeschreven"))

    @property
    def owner_organisation_ids(self) -> set[int]:
        return {self.provider_id}

    @property
    def owner_region_id(self) -> int:
        return self.municipality.region_id


class Preference(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="preferences"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("volgorde"))

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "rank"], name="one_preference_per_rank"
            ),
            models.UniqueConstraint(
                fields=["registration", "location"], name="one_rank_per_location"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.location}"


class StatusChange(models.Model):
    """The history of a registration's waiting status (and its closing)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    status_date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration}: {self.from_status or '—'} → {self.to_status}"

    def audit_data_subject(self) -> str:
        return f"cliënt {self.registration.client_id}"


class CandidateState(models.TextChoices):
    OPEN = "open", _("te beoordelen")
    MERGED = "samengevoegd", _("samengevoegd")
    REJECTED = "afgewezen", _("geen dubbele")


class DuplicateCandidate(models.Model):
    """Two clients that are probably one person, for a person to review."""

    client_a = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    client_b = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("overeenkomst"))
    reasons = models.JSONField(_("redenen"), default=list)
    state = models.CharField(
        max_length=15, choices=CandidateState.choices, default=CandidateState.OPEN
    )
    found_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["client_a", "client_b"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=Q(client_a__lt=models.F("client_b")), name="candidate_pair_ordered"
            ),
        ]
        verbose_name = _("mogelijke dubbele inschrijving")
        verbose_name_plural = _("mogelijke dubbele inschrijvingen")

    def __str__(self) -> str:
        return f"{self.client_a_id} ~ {self.client_b_id} ({self.score:.2f})"

    def audit_data_subject(self) -> str:
        return f"cliënt {self.client_a_id}, cliënt {self.client_b_id}"

    @property
    def owner_organisation_ids(self) -> set[int]:
        return self.client_a.owner_organisation_ids | self.client_b.owner_organisation_ids

    @property
    def owner_region_id(self) -> int | None:
        return self.client_a.owner_region_id


class Merge(models.Model):
    """A merge a person made; kept whole so it can be undone."""

    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(
        DuplicateCandidate, on_delete=models.PROTECT, null=True, blank=True, related_name="merges"
    )
    moved_registrations = models.JSONField(default=list)
    moved_bsn_hash = models.BooleanField(default=False)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"

    def audit_data_subject(self) -> str:
        return f"cliënt {self.survivor_id}, cliënt {self.merged_id}"

    @property
    def owner_organisation_ids(self) -> set[int]:
        return self.survivor.owner_organisation_ids

    @property
    def owner_region_id(self) -> int | None:
        return self.survivor.owner_region_id


class OfferState(models.TextChoices):
    OPEN = "open", _("aangeboden")
    ACCEPTED = "geaccepteerd", _("geaccepteerd")
    DECLINED = "geweigerd", _("geweigerd")


class PlacementOffer(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="offers")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    offered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=15, choices=OfferState.choices, default=OfferState.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reden"), max_length=200, blank=True)

    class Meta:
        ordering = ["-offered_at"]
        verbose_name = _("plaatsingsaanbod")
        verbose_name_plural = _("plaatsingsaanbiedingen")

    def __str__(self) -> str:
        return f"{self.location}: {self.registration}"

    def audit_data_subject(self) -> str:
        return f"cliënt {self.registration.client_id}"

    @property
    def owner_organisation_id(self) -> int:
        return self.location.organisation_id

    @property
    def owner_region_id(self) -> int:
        return self.location.municipality.region_id


class RejectedImport(models.Model):
    """The rejected rows of one import, kept briefly so the uploader can download them.

    Only what the uploader needs to correct *their own file* is kept: the row number, the
    provider's client number and, per problem, the column and the reason. Never the BSN,
    name, initials, birth date or postcode (see ``waitlist.rejected``).
    """

    uploader = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("namens")
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("aanbieder")
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    rows = models.JSONField(default=list)

    class Meta:
        verbose_name = _("afgekeurde import")
        verbose_name_plural = _("afgekeurde imports")

    def __str__(self) -> str:
        return f"{_('afgekeurde import')} {self.pk}"

    @property
    def owner_organisation_id(self) -> int:
        return self.provider_id


class WaitlistSettings(models.Model):
    """What a region agreed for its waiting list: the onward-placement deadline from a Wlz
    crisis bed (seed 003: fourteen days) and when to warn before it passes."""

    region = models.OneToOneField(
        "core.Region", on_delete=models.CASCADE, related_name="waitlist_settings"
    )
    onward_days = models.PositiveIntegerField(
        _("doorplaatsing vanuit crisisbed binnen (dagen)"), default=14
    )
    onward_warn_days = models.PositiveIntegerField(
        _("waarschuwen (dagen) voor de termijn verstrijkt"), default=3
    )

    class Meta:
        verbose_name = _("wachtlijstinstellingen")
        verbose_name_plural = _("wachtlijstinstellingen")

    def __str__(self) -> str:
        return str(self.region)


class OnwardState(models.TextChoices):
    OPEN = "open", _("doorplaatsing gezocht")
    PLACED = "doorgeplaatst", _("doorgeplaatst")
    ENDED = "beeindigd", _("beëindigd")


class OnwardPlacement(models.Model):
    """A client on a Wlz crisis bed, to be moved on to a lasting place before the deadline.

    Made when a case is placed on a Wlz crisis bed (``waitlist.onward.on_admission``). The
    waiting-list registration is linked at once when the case matches one client, otherwise
    the admitting provider completes it; the deadline runs from the admission either way.
    """

    case = models.OneToOneField(
        "capacity.Case", on_delete=models.PROTECT, related_name="onward_placement"
    )
    bed = models.ForeignKey(
        "capacity.Bed", on_delete=models.PROTECT, related_name="+", verbose_name=_("crisisbed")
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opnemende aanbieder"),
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onward_placements",
        verbose_name=_("inschrijving"),
    )
    admitted_at = models.DateTimeField(_("opgenomen op"))
    deadline = models.DateTimeField(_("doorplaatsen voor"), db_index=True)
    state = models.CharField(
        _("stand"), max_length=15, choices=OnwardState.choices, default=OnwardState.OPEN
    )
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    close_reason = models.CharField(_("reden"), max_length=200, blank=True)
    warned_at = models.DateTimeField(_("gewaarschuwd op"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("termijn verstreken gemeld op"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["state", "deadline"], name="onward_open_deadline")]
        verbose_name = _("doorplaatsing vanuit crisisbed")
        verbose_name_plural = _("doorplaatsingen vanuit crisisbedden")

    def __str__(self) -> str:
        return f"{_('doorplaatsing')} {self.case.reference}"

    def audit_data_subject(self) -> str:
        return f"casus {self.case.reference}"

    def days_left(self, today=None) -> int:
        """Whole days until the deadline (negative: overdue by that many days)."""
        today = today or timezone.localdate()
        return (timezone.localdate(self.deadline) - today).days

    def is_overdue(self, now=None) -> bool:
        return self.state == OnwardState.OPEN and self.deadline <= (now or timezone.now())

    @property
    def owner_organisation_id(self) -> int:
        return self.provider_id

    @property
    def owner_region_id(self) -> int:
        return self.bed.location.municipality.region_id
