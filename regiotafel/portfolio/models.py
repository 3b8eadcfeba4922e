"""Projects on the regional tables, their dated assessments, region phases, the vision or
agenda they serve and the KPIs they claim to move.

The classifications are those of the national progress report (seed 003). Their labels are
the official wording, so an import can match a file's text against them and a report prints
them exactly as published. Themes and funders are tables, not choices: a region adds a theme.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regiotafel.core.models import Organisation, Region


class Status(models.TextChoices):
    # Order of seed 003, table 6.
    AFGEROND_NIET_SUCCESVOL = "afgerond_niet_succesvol", _("Afgerond en niet succesvol verlopen")
    AFGEROND_SUCCESVOL = "afgerond_succesvol", _("Afgerond en succesvol verlopen")
    LOPEND = "lopend", _("Lopend")
    NOG_NIET_GESTART = "nog_niet_gestart", _("Nog niet gestart")
    GESTOPT = "gestopt", _("Vroegtijdig gestopt of helemaal niet gestart")


class Impact(models.TextChoices):
    """Scale × meaning, as the support team judges it (seed 003, table 8)."""

    KLEIN_BEPERKT = "klein_beperkt", _("Op kleine schaal met beperkte betekenis")
    KLEIN_VEEL = "klein_veel", _("Op kleine schaal met veel betekenis")
    GEMIDDELD_BEPERKT = "gemiddeld_beperkt", _("Op gemiddelde schaal met beperkte betekenis")
    GEMIDDELD_VEEL = "gemiddeld_veel", _("Op gemiddelde schaal met veel betekenis")
    GROOT_BEPERKT = "groot_beperkt", _("Op grote schaal met beperkte betekenis")
    GROOT_GROOT = "groot_groot", _("Op grote schaal met grote betekenis")
    ONBEKEND = "onbekend", _("Nog onbekend")


IMPACT_SCALE = {  # value -> (scale, meaning); the published wording names both
    Impact.KLEIN_BEPERKT: ("klein", "beperkt"),
    Impact.KLEIN_VEEL: ("klein", "groot"),
    Impact.GEMIDDELD_BEPERKT: ("gemiddeld", "beperkt"),
    Impact.GEMIDDELD_VEEL: ("gemiddeld", "groot"),
    Impact.GROOT_BEPERKT: ("groot", "beperkt"),
    Impact.GROOT_GROOT: ("groot", "groot"),
    Impact.ONBEKEND: (None, None),
}


class Shareable(models.TextChoices):
    GEEN = "geen", _("Nee, geen resultaten te delen")
    BINNENKORT = "binnenkort", _("Nee, werk in uitvoering, wel in de nabije toekomst")
    JA = "ja", _("Ja, vanwege meerdere redenen")
    ONBEKEND = "onbekend", _("Nog onbekend")


class Scalability(models.TextChoices):
    NIET_ZINVOL = "niet_zinvol", _("Niet zinvol om op te schalen")
    NOG_NIET = "nog_niet", _("Nee, is nog niet zinvol")
    REGIO = "regio", _("Ja, alleen in deze regio")
    ENKELE = "enkele", _("Ja naar enkele andere regio's")
    LANDELIJK = "landelijk", _("Ja, landelijk opschaalbaar")


class OrganisationsBand(models.TextChoices):
    """How many care organisations take part: a band, as the register records it."""

    B1_3 = "1-3", _("1 tot 3")
    B4_6 = "4-6", _("4 tot 6")
    B7_9 = "7-9", _("7 tot 9")
    B10 = "10+", _("Meer dan 10")
    ONBEKEND = "onbekend", _("Onbekend")


class Agreements(models.IntegerChoices):
    """Phase dimension 1: agreements / covenants (seed 003, table 1)."""

    VOORBEREIDING = 1, _("Fase 1: Voorbereidingsfase")
    INVENTARISATIE = 2, _("Fase 2: Inventarisatiefase")
    PLAN = 3, _("Fase 3: Plan van aanpak")
    IMPLEMENTATIE = 4, _("Fase 4: Implementatiefase")


class Dynamics(models.IntegerChoices):
    """Phase dimension 2: collaboration dynamics (seed 003, table 2)."""

    AUTONOOM = 1, _("Fase 1: Autonome organisaties")
    ONTWIKKELPLANNEN = 2, _("Fase 2: Samenwerking vanwege ontwikkelplannen")
    INTRINSIEK = 3, _("Fase 3: Intrinsieke motivatie")
    VISIE = 4, _("Fase 4: Samenwerking vanuit visie")


class Vision(models.IntegerChoices):
    """Phase dimension 3: regional vision, "stip op de horizon" (seed 003, table 3)."""

    GEEN = 1, _("Fase 1: Nog geen afspraak over")
    AFSPRAAK = 2, _("Fase 2: Alleen als afspraak / actie vastgelegd")
    VOORBEREIDING = 3, _("Fase 3: Voorbereidingen getroffen")
    DIALOOG = 4, _("Fase 4: Dialoogsessie")
    STRATEGISCH = 5, _("Fase 5: Strategische keuzes")


# dimension key (the column name of the shared files) -> choices
PHASE_DIMENSIONS = {
    "afspraken_convenanten": Agreements,
    "samenwerkingsdynamiek": Dynamics,
    "stip_op_de_horizon": Vision,
}


class Theme(models.Model):
    """A main theme (hoofdrubriek). National themes have no region; a region may add its own."""

    name = models.CharField(_("naam"), max_length=120)
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portfolio_themes",
        verbose_name=_("regio"),
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(region__isnull=True), name="unique_national_theme"
            ),
            models.UniqueConstraint(fields=["region", "name"], name="unique_regional_theme"),
        ]
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")

    def __str__(self) -> str:
        return self.name

    @property
    def owner_region_id(self):
        return self.region_id


class Funder(models.Model):
    """The care office's concession holder (concessiehouder) that funds a project."""

    name = models.CharField(_("naam"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("concessiehouder")
        verbose_name_plural = _("concessiehouders")

    def __str__(self) -> str:
        return self.name


class AgendaKind(models.TextChoices):
    VISIE_ELEMENT = "visie_element", _("Visie-element")
    DOEL = "doel", _("Doel")
    ACTIELIJN = "actielijn", _("Actielijn")
    PROGRAMMALIJN = "programmalijn", _("Programmalijn")


class VisionGroup(models.TextChoices):
    """The five groups of a vision map (seed 001)."""

    CLIENTEN = "clienten", _("Cliënten")
    MEDEWERKERS = "medewerkers", _("Medewerkers")
    SAMENWERKING = "samenwerking", _("Samenwerking")
    ORGANISATIE = "organisatie", _("Organisatie")
    CULTUUR = "cultuur", _("Cultuur")


class AgendaItem(models.Model):
    """A point of a region's vision or agenda that projects serve.

    Vision elements come in two levels (a heading with its points, seed 001); goals, action
    lines and programme lines are flat lists (seeds 004 and 000).
    """

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("regio")
    )
    kind = models.CharField(_("soort"), max_length=20, choices=AgendaKind.choices)
    group = models.CharField(_("groep"), max_length=20, choices=VisionGroup.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("onderdeel van"),
    )
    title = models.CharField(_("omschrijving"), max_length=300)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    priority = models.BooleanField(_("regionale prioriteit"), default=False)

    class Meta:
        ordering = ["region", "kind", "group", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "title"], name="unique_agenda_item_per_region"
            )
        ]
        verbose_name = _("visie- of agendapunt")
        verbose_name_plural = _("visie- en agendapunten")

    def __str__(self) -> str:
        return self.title

    @property
    def owner_region_id(self) -> int:
        return self.region_id


class Project(models.Model):
    code = models.CharField(_("projectnummer"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=300)
    # The national register is anonymised by region; a region's own projects carry it.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portfolio_projects",
        verbose_name=_("regio"),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="projects", verbose_name=_("thema")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="projects", verbose_name=_("concessiehouder")
    )
    # As registered: one year ("2020") or a span ("2018-2019"); first and last year kept apart.
    start_period = models.CharField(_("startperiode"), max_length=9)
    start_year = models.PositiveSmallIntegerField(_("eerste startjaar"))
    start_year_last = models.PositiveSmallIntegerField(_("laatste startjaar"))
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_projects",
        verbose_name=_("penvoerder"),
    )
    budget = models.DecimalField(
        _("budget (euro)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    agenda_items = models.ManyToManyField(
        AgendaItem, blank=True, related_name="projects", verbose_name=_("dient visie/agenda")
    )
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projecten")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def owner_organisation_id(self):
        return self.lead_organisation_id

    @property
    def owner_region_id(self):
        return self.region_id


class Assessment(models.Model):
    """The state of a project as judged on a reference date (peildatum); valid until the next."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("project")
    )
    valid_from = models.DateField(_("peildatum"))
    status = models.CharField(_("status"), max_length=30, choices=Status.choices)
    impact = models.CharField(_("impact"), max_length=20, choices=Impact.choices)
    shareable = models.CharField(_("resultaten deelbaar"), max_length=20, choices=Shareable.choices)
    scalability = models.CharField(
        _("opschaalbaarheid"), max_length=20, choices=Scalability.choices
    )
    organisations = models.CharField(
        _("betrokken organisaties"), max_length=10, choices=OrganisationsBand.choices
    )

    class Meta:
        ordering = ["project", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "valid_from"], name="one_assessment_per_project_and_date"
            )
        ]
        verbose_name = _("beoordeling")
        verbose_name_plural = _("beoordelingen")

    def __str__(self) -> str:
        return f"{self.project.code} @ {self.valid_from}"

    @property
    def impact_scale(self):
        return IMPACT_SCALE[Impact(self.impact)][0]

    @property
    def impact_meaning(self):
        return IMPACT_SCALE[Impact(self.impact)][1]


class RegionPhase(models.Model):
    """Where a region stands on the three phase dimensions on a reference date."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="phases", verbose_name=_("regio")
    )
    date = models.DateField(_("peildatum"))
    agreements = models.PositiveSmallIntegerField(
        _("afspraken / convenanten"), choices=Agreements.choices
    )
    dynamics = models.PositiveSmallIntegerField(
        _("samenwerkingsdynamiek"), choices=Dynamics.choices
    )
    vision = models.PositiveSmallIntegerField(_("stip op de horizon"), choices=Vision.choices)

    class Meta:
        ordering = ["region", "date"]
        constraints = [
            models.UniqueConstraint(fields=["region", "date"], name="one_phase_per_region_and_date")
        ]
        verbose_name = _("regiofase")
        verbose_name_plural = _("regiofasen")

    def __str__(self) -> str:
        return f"{self.region} @ {self.date}"

    @property
    def owner_region_id(self) -> int:
        return self.region_id


class PhaseCount(models.Model):
    """A published national count of regions per phase, for dates without per-region scores."""

    date = models.DateField(_("peildatum"))
    dimension = models.CharField(
        _("dimensie"), max_length=30, choices=[(k, k) for k in PHASE_DIMENSIONS]
    )
    phase = models.PositiveSmallIntegerField(_("fase"))
    count = models.PositiveSmallIntegerField(_("aantal regio's"))

    class Meta:
        ordering = ["dimension", "phase", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "dimension", "phase"], name="one_count_per_date_dimension_phase"
            )
        ]
        verbose_name = _("gepubliceerd aantal per fase")
        verbose_name_plural = _("gepubliceerde aantallen per fase")

    def __str__(self) -> str:
        return f"{self.dimension} fase {self.phase} @ {self.date}: {self.count}"


class KpiDirection(models.TextChoices):
    LAGER = "lager", _("lager is beter")
    HOGER = "hoger", _("hoger is beter")
    NAAR_DOEL = "naar_doel", _("naar de streefwaarde")


class KpiLevel(models.TextChoices):
    """Seed 004 monitors at three levels."""

    PROCES = "proces", _("Proces")
    OUTPUT = "output", _("Uitvoering en output")
    OUTCOME = "outcome", _("Outcome")


class Kpi(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("regio")
    )
    name = models.CharField(_("naam"), max_length=200)
    unit = models.CharField(_("eenheid"), max_length=60)
    direction = models.CharField(_("richting"), max_length=12, choices=KpiDirection.choices)
    level = models.CharField(
        _("niveau"), max_length=10, choices=KpiLevel.choices, default=KpiLevel.OUTCOME
    )
    baseline = models.DecimalField(
        _("nulmeting"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("jaar nulmeting"), null=True, blank=True)
    target = models.DecimalField(
        _("streefwaarde"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("streefjaar"), null=True, blank=True)
    description = models.TextField(_("toelichting"), blank=True)
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("hoort bij"),
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="kpis", verbose_name=_("bijdragende projecten")
    )

    class Meta:
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_kpi_per_region")
        ]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPI's")

    def __str__(self) -> str:
        return self.name

    @property
    def owner_region_id(self) -> int:
        return self.region_id


class KpiMeasurement(models.Model):
    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("KPI")
    )
    date = models.DateField(_("datum"))
    value = models.DecimalField(_("waarde"), max_digits=14, decimal_places=3)
    source = models.CharField(_("bron"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demowaarde (verzonnen)"), default=False)

    class Meta:
        ordering = ["kpi", "date"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "date"], name="one_measurement_per_kpi_and_date")
        ]
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")

    def __str__(self) -> str:
        return f"{self.kpi} @ {self.date}: {self.value}"

    @property
    def owner_region_id(self) -> int:
        return self.kpi.region_id
