"""Short-stay beds, their availability, claims that expire, and referral cases.

Availability is never typed in: it is counted from bed states. A bed that is *gereserveerd*
carries ``held_until`` (the deadline of its one active claim), so "free now" is
``niet_bezet`` or ``gereserveerd`` past its deadline — correct even before the periodic
release command has run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiotafel.core.models import (  # noqa: F401 - Gender and TargetGroup are re-exported
    Gender,
    Location,
    Municipality,
    Organisation,
    Region,
    TargetGroup,
)


class BedType(models.Model):
    """A kind of short-stay bed. Built-in types have no region; a region may add its own."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("naam"), max_length=100)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bed_types",
        verbose_name=_("regio"),
        help_text=_("Leeg: landelijk beddentype."),
    )
    default_claim_minutes = models.PositiveIntegerField(
        _("standaard reserveringstermijn (minuten)"), default=240
    )
    sort_order = models.PositiveSmallIntegerField(_("volgorde"), default=100)
    # Seed 004: a Wlz crisis admission goes through the registration point (RAP). Beds of
    # such a type are claimed only by a triagist of a registration point, for a case with a
    # recorded crisis assessment (capacity/triage.py).
    requires_triage = models.BooleanField(
        _("alleen via triage"),
        default=False,
        help_text=_(
            "Alleen een triagist van het aanmeldpunt reserveert zo'n bed, voor een casus met "
            "een vastgelegde crisisbeoordeling."
        ),
    )

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="unique_bed_type_per_region"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="unique_national_bed_type"
            ),
        ]
        verbose_name = _("beddentype")
        verbose_name_plural = _("beddentypen")

    def __str__(self) -> str:
        return self.name


class CapacitySettings(models.Model):
    """What a region agreed for its bed board."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="capacity_settings"
    )
    stale_after_minutes = models.PositiveIntegerField(
        _("beschikbaarheid verouderd na (minuten)"), default=12 * 60
    )
    hold_minutes = models.PositiveIntegerField(_("vasthouden zonder casus (minuten)"), default=30)
    placement_target_hours = models.PositiveIntegerField(_("plaatsingsnorm (uren)"), default=24)
    # Fair use of scarce beds: the region that owns the bed decides (see docs/capacity.md).
    max_holds_without_case_per_organisation = models.PositiveIntegerField(
        _("gelijktijdige reserveringen zonder casus per organisatie"),
        default=3,
        help_text=_("Hoeveel bedden één organisatie tegelijk mag vasthouden zonder casus."),
    )
    max_hold_extensions = models.PositiveIntegerField(
        _("keren verlengen per reservering zonder casus"),
        default=1,
        help_text=_("Hoe vaak een reservering zonder casus mag worden verlengd (0 = nooit)."),
    )

    class Meta:
        verbose_name = _("capaciteitsinstellingen")
        verbose_name_plural = _("capaciteitsinstellingen")

    def __str__(self) -> str:
        return str(self.region)

    @property
    def owner_organisation_id(self) -> None:
        return None

    @property
    def owner_region_id(self) -> int:
        return self.region_id


class ClaimDeadline(models.Model):
    """A region's own claim deadline for one bed type (overrides the type's default)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="claim_deadlines")
    bed_type = models.ForeignKey(BedType, on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveIntegerField(_("reserveringstermijn (minuten)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "bed_type"], name="unique_claim_deadline")
        ]
        verbose_name = _("reserveringstermijn")
        verbose_name_plural = _("reserveringstermijnen")

    def __str__(self) -> str:
        return f"{self.region}: {self.bed_type} {self.minutes} min"


class BedStatus(models.TextChoices):
    """HL7 v2 table 0116 (bed status) plus our own *gereserveerd*."""

    NIET_BEZET = "niet_bezet", _("niet bezet")
    BEZET = "bezet", _("bezet")
    GERESERVEERD = "gereserveerd", _("gereserveerd")
    GESLOTEN = "gesloten", _("gesloten")
    ONDERHOUD = "onderhoud", _("onderhoud")
    IN_ISOLATIE = "in_isolatie", _("in isolatie")


HL7_BED_STATUS = {
    BedStatus.GESLOTEN: "C",
    BedStatus.ONDERHOUD: "H",
    BedStatus.IN_ISOLATIE: "I",
    BedStatus.BEZET: "O",
    BedStatus.NIET_BEZET: "U",
}
# What a provider planner may set by hand; *gereserveerd* only comes from a claim.
MANUAL_STATUSES = frozenset(HL7_BED_STATUS)


class Bed(models.Model):
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="beds", verbose_name=_("locatie")
    )
    bed_type = models.ForeignKey(
        BedType, on_delete=models.PROTECT, related_name="beds", verbose_name=_("beddentype")
    )
    target_group = models.CharField(_("doelgroep"), max_length=10, choices=TargetGroup.choices)
    label = models.CharField(_("bed"), max_length=40)
    status = models.CharField(
        _("status"), max_length=16, choices=BedStatus.choices, default=BedStatus.NIET_BEZET
    )
    held_until = models.DateTimeField(_("gereserveerd tot"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status gewijzigd op"), default=timezone.now)

    class Meta:
        ordering = ["location__name", "label"]
        constraints = [
            models.UniqueConstraint(fields=["location", "label"], name="unique_bed_label"),
            models.CheckConstraint(
                condition=Q(status="gereserveerd", held_until__isnull=False)
                | (~Q(status="gereserveerd") & Q(held_until__isnull=True)),
                name="held_until_only_when_reserved",
            ),
        ]
        indexes = [models.Index(fields=["status", "bed_type", "target_group"], name="bed_board")]
        verbose_name = _("bed")
        verbose_name_plural = _("bedden")

    def __str__(self) -> str:
        return f"{self.location} — {self.label}"

    @property
    def owner_organisation_id(self) -> int:
        return self.location.organisation_id

    @property
    def owner_region_id(self) -> int:
        return self.location.municipality.region_id

    def is_free(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == BedStatus.NIET_BEZET or (
            self.status == BedStatus.GERESERVEERD
            and self.held_until is not None
            and self.held_until <= now
        )


class BedStatusChange(models.Model):
    """Every change of a bed's status, for occupancy over time."""

    bed = models.ForeignKey(Bed, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=BedStatus.choices)
    to_status = models.CharField(max_length=16, choices=BedStatus.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.bed}: {self.from_status} → {self.to_status}"


class Urgency(models.TextChoices):
    """How soon a place is needed. The stored value "vandaag" means "binnen 24 uur" (kept for
    existing cases and API clients); "zelfde_dag" is the same day."""

    SPOED = "spoed", _("spoed (binnen enkele uren)")
    ZELFDE_DAG = "zelfde_dag", _("zelfde dag")
    VANDAAG = "vandaag", _("binnen 24 uur")
    PLANBAAR = "planbaar", _("planbaar (binnen enkele dagen)")


# Placement norms when a region set none (hours from registration to placement).
DEFAULT_NORM_HOURS = {
    Urgency.SPOED: 4,
    Urgency.ZELFDE_DAG: 12,
    Urgency.VANDAAG: 24,
    Urgency.PLANBAAR: 72,
}


class PlacementNorm(models.Model):
    """A region's norm: hours from registration to placement per urgency (and bed type)."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="placement_norms", verbose_name=_("regio")
    )
    urgency = models.CharField(_("urgentie"), max_length=10, choices=Urgency.choices)
    bed_type = models.ForeignKey(
        BedType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beddentype"),
        help_text=_("Leeg: geldt voor elk beddentype zonder eigen norm."),
    )
    hours = models.PositiveIntegerField(_("norm (uren)"))

    class Meta:
        ordering = ["region", "urgency", "bed_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "urgency", "bed_type"], name="unique_norm_per_bed_type"
            ),
            models.UniqueConstraint(
                fields=["region", "urgency"],
                condition=Q(bed_type__isnull=True),
                name="unique_norm_per_urgency",
            ),
        ]
        verbose_name = _("plaatsingsnorm")
        verbose_name_plural = _("plaatsingsnormen")

    def __str__(self) -> str:
        kind = self.bed_type or _("elk beddentype")
        return f"{self.region}: {self.get_urgency_display()}, {kind}: {self.hours} uur"


class CaseState(models.TextChoices):
    AANGEMELD = "aangemeld", _("aangemeld")
    IN_TRIAGE = "in_triage", _("in triage")
    PLAATS_GEZOCHT = "plaats_gezocht", _("plaats gezocht")
    BED_GERESERVEERD = "bed_gereserveerd", _("bed gereserveerd")
    GEPLAATST = "geplaatst", _("geplaatst")
    AFGEWEZEN = "afgewezen", _("afgewezen")
    GEANNULEERD = "geannuleerd", _("geannuleerd")
    DOORVERWEZEN = "doorverwezen", _("doorverwezen")
    ADVIES = "advies", _("advies gegeven")


FINAL_STATES = frozenset(
    {
        CaseState.GEPLAATST,
        CaseState.AFGEWEZEN,
        CaseState.GEANNULEERD,
        CaseState.DOORVERWEZEN,
        CaseState.ADVIES,
    }
)


class CaseOutcome(models.TextChoices):
    """How a closed case ended (management information counts these; values are stable)."""

    REGIO = "regio", _("geplaatst in de regio")
    BOVENREGIONAAL = "bovenregionaal", _("bovenregionaal geplaatst")
    ADVIES = "advies", _("advies")
    GEEN_BED = "geen_bed", _("geen bed gevonden")
    GEANNULEERD = "geannuleerd", _("geannuleerd")


class Case(models.Model):
    """A referral: minimal personal data (never a BSN), a care need and where it stands.

    The referrer's organisation owns the case until it is handed to the registration point
    (``handled_by``); providers see it once a bed of theirs is claimed for it.
    """

    reference = models.CharField(_("kenmerk"), max_length=20, unique=True)
    referrer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referred_cases",
        verbose_name=_("verwijzende organisatie"),
    )
    handled_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("overgedragen aan"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("aangemeld door"),
    )
    initials = models.CharField(_("initialen"), max_length=10)
    birth_year = models.PositiveSmallIntegerField(_("geboortejaar"))
    gender = models.CharField(_("geslacht"), max_length=1, choices=Gender.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("woongemeente")
    )
    care_need = models.TextField(_("zorgvraag"))
    urgency = models.CharField(_("urgentie"), max_length=10, choices=Urgency.choices)
    bed_type = models.ForeignKey(
        BedType, on_delete=models.PROTECT, related_name="+", verbose_name=_("gewenst beddentype")
    )
    target_group = models.CharField(_("doelgroep"), max_length=10, choices=TargetGroup.choices)
    medical_summary = models.TextField(_("medische samenvatting"), blank=True)
    state = models.CharField(
        _("status"), max_length=20, choices=CaseState.choices, default=CaseState.AANGEMELD
    )
    registered_at = models.DateTimeField(_("aangemeld op"), default=timezone.now)
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    placed_at = models.DateTimeField(_("geplaatst op"), null=True, blank=True)
    placed_bed = models.ForeignKey(
        Bed,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geplaatst op bed"),
    )
    # Seed 004: the referrer stays owner "met uitzondering van een Wlz-crisisindicatie": the
    # case passes to the registration point on hand-over, back to the referrer (advice, ELV or
    # another route) or on to the admitting provider. Empty on old rows: the referrer.
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("eigenaar"),
    )
    phoned_in = models.BooleanField(_("telefonisch aangemeld door het aanmeldpunt"), default=False)
    outcome = models.CharField(
        _("uitkomst"), max_length=16, choices=CaseOutcome.choices, blank=True
    )

    class Meta:
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["state", "registered_at"], name="case_queue")]
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")

    def __str__(self) -> str:
        return self.reference

    def audit_data_subject(self) -> str:
        return f"casus {self.reference}"

    @property
    def owner_organisation_ids(self) -> set[int]:
        owners = {self.referrer_organisation_id}
        if self.handled_by_id:
            owners.add(self.handled_by_id)
        owners.update(self.claims.values_list("bed__location__organisation_id", flat=True))
        return owners

    @property
    def owner_region_id(self) -> int:
        return self.municipality.region_id

    def hours_to_placement(self, now=None) -> float:
        end = self.placed_at or self.closed_at or now or timezone.now()
        return (end - self.registered_at).total_seconds() / 3600

    @property
    def current_owner_id(self) -> int:
        return self.owner_id or self.referrer_organisation_id


class CaseTransition(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=CaseState.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("toelichting"), blank=True)
    # Set when this step moved the case to another owner (hand-over, return, admission).
    new_owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nieuwe eigenaar"),
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_state or '—'} → {self.to_state}"

    def audit_data_subject(self) -> str:
        return f"casus {self.case.reference}"


class ClaimState(models.TextChoices):
    ACTIEF = "actief", _("actief")
    BEVESTIGD = "bevestigd", _("opname bevestigd")
    GEWEIGERD = "geweigerd", _("geweigerd")
    VERLOPEN = "verlopen", _("verlopen")
    INGETROKKEN = "ingetrokken", _("ingetrokken")


class Claim(models.Model):
    """A hold on one bed until a deadline, for a case or (briefly) before the case exists.

    At most one active claim per bed: a partial unique index enforces it in the database.
    """

    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="claims")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("namens")
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("verloopt op"))
    state = models.CharField(max_length=12, choices=ClaimState.choices, default=ClaimState.ACTIEF)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(_("reden van weigering"), max_length=200, blank=True)
    extensions = models.PositiveIntegerField(_("keren verlengd"), default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bed"], condition=Q(state="actief"), name="one_active_claim_per_bed"
            )
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="claim_expiry")]
        verbose_name = _("reservering")
        verbose_name_plural = _("reserveringen")

    def __str__(self) -> str:
        return f"{self.bed} ({self.get_state_display()})"

    def audit_data_subject(self) -> str:
        return f"casus {self.case.reference}" if self.case_id else ""

    @property
    def owner_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def owner_region_id(self) -> int:
        return self.bed.location.municipality.region_id


# ---------------------------------------------------------------- the triage instrument


class AnswerKind(models.TextChoices):
    JA_NEE = "ja_nee", _("ja/nee")
    KEUZE = "keuze", _("keuze")


class TriageQuestion(models.Model):
    """One question of a region's triage instrument, kept in the admin site.

    A yes/no question's answer "ja" gives ``yes_points`` to ``yes_bed_type`` and suggests
    ``yes_urgency``; a choice question lists its options in ``options``: ``[{"label": …,
    "punten": 2, "beddentype": "wlz-crisis", "urgentie": "spoed"}, …]`` (every key but
    ``label`` optional). See :func:`regiotafel.capacity.triage.suggest`.
    """

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="triage_questions", verbose_name=_("regio")
    )
    bed_type = models.ForeignKey(
        BedType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beddentype"),
        help_text=_("Leeg: de vraag geldt voor elke casus."),
    )
    order = models.PositiveSmallIntegerField(_("volgorde"), default=100)
    text = models.CharField(_("vraag"), max_length=300)
    help_text = models.CharField(_("toelichting"), max_length=300, blank=True)
    kind = models.CharField(
        _("soort antwoord"), max_length=8, choices=AnswerKind.choices, default=AnswerKind.JA_NEE
    )
    yes_points = models.PositiveSmallIntegerField(_("punten bij ja"), default=0)
    yes_bed_type = models.ForeignKey(
        BedType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ja wijst op beddentype"),
    )
    yes_urgency = models.CharField(
        _("ja wijst op urgentie"), max_length=10, choices=Urgency.choices, blank=True
    )
    options = models.JSONField(
        _("keuzes"),
        default=list,
        blank=True,
        help_text=_(
            'Alleen bij een keuzevraag: [{"label": "…", "punten": 2, "beddentype": '
            '"wlz-crisis", "urgentie": "spoed"}, …].'
        ),
    )
    demo = models.BooleanField(
        _("voorbeeldvraag (demo)"),
        default=False,
        help_text=_("Een verzonnen vraag voor de demo, niet uit een regionaal document."),
    )
    active = models.BooleanField(_("in gebruik"), default=True)

    class Meta:
        ordering = ["region", "order", "pk"]
        verbose_name = _("triagevraag")
        verbose_name_plural = _("triagevragen")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == AnswerKind.KEUZE:
            from regiotafel.capacity.triage import option_problems

            problems = option_problems(self.options)
            if problems:
                raise ValidationError({"options": problems})


class TriageOutcome(models.TextChoices):
    CRISISOPNAME = "crisisopname", _("crisisopname geïndiceerd")
    ADVIES = "advies", _("advies (geen crisisopname)")
    ANDERE_ROUTE = "andere_route", _("ELV of andere route, terug naar de verwijzer")


class TriageAssessment(models.Model):
    """A triagist's assessment of a case: the answers, what they suggested, and the outcome."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # {"<question id>": {"vraag": text, "antwoord": value, "label": shown answer}}
    answers = models.JSONField(_("antwoorden"), default=dict)
    score = models.PositiveIntegerField(_("punten"), default=0)
    suggested_bed_type = models.ForeignKey(
        BedType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voorgesteld beddentype"),
    )
    suggested_urgency = models.CharField(
        _("voorgestelde urgentie"), max_length=10, choices=Urgency.choices, blank=True
    )
    outcome = models.CharField(_("uitkomst"), max_length=16, choices=TriageOutcome.choices)
    advice = models.TextField(_("advies aan de verwijzer"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("triagebeoordeling")
        verbose_name_plural = _("triagebeoordelingen")

    def __str__(self) -> str:
        return f"{self.case}: {self.get_outcome_display()}"

    def audit_data_subject(self) -> str:
        return f"casus {self.case.reference}"
