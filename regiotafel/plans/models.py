"""Regional plans read against an indicator framework, and the analysts' verdicts.

A **framework** ("Beweging naar de voorkant", or the Kwaliteitskader's eight themes) holds
**categories** and **indicators**, each with a test question, synonyms and example phrases and
a calibrated threshold per scorer. A **plan** is one uploaded document of a region; reading it
yields **passages** (with page and line, to cite), scoring yields one **proposal** per indicator
and scorer with its ranked passages. Analysts judge proposed passages (**passage judgements**)
and record a **coding** per plan and indicator: gedekt, deels or niet gedekt, with evidence.

Plans are public documents and codings are not personal data: no audit logging of reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiotafel.core.models import Region


class Verdict(models.TextChoices):
    """The same three words for a scorer's decision and an analyst's verdict."""

    GEDEKT = "gedekt", _("gedekt")
    DEELS = "deels", _("deels")
    NIET_GEDEKT = "niet gedekt", _("niet gedekt")


VERDICT_RANK = {Verdict.NIET_GEDEKT: 0, Verdict.DEELS: 1, Verdict.GEDEKT: 2}


class PlanStatus(models.TextChoices):
    WACHTEND = "wachtend", _("wachtend")
    BEZIG = "bezig", _("bezig")
    KLAAR = "klaar", _("klaar")
    MISLUKT = "mislukt", _("mislukt")


class Framework(models.Model):
    name = models.CharField(_("naam"), max_length=200, unique=True)
    description = models.TextField(_("omschrijving"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("toetsingskader")
        verbose_name_plural = _("toetsingskaders")

    def __str__(self) -> str:
        return self.name

    owner_organisation_id = None
    owner_region_id = None


class Category(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("naam"), max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="unique_category_name")
        ]
        verbose_name = _("categorie")
        verbose_name_plural = _("categorieën")

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("naam"), max_length=200)
    question = models.TextField(_("toetsvraag"))
    synonyms = models.JSONField(_("synoniemen"), default=list, blank=True)
    examples = models.JSONField(_("voorbeeldzinnen"), default=list, blank=True)
    # Calibrated cut-off per scorer name ("lexicaal": 7.5, ...); absent: the scorer's own default.
    thresholds = models.JSONField(_("drempels per scorer"), default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_indicator_code")
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    owner_organisation_id = None
    owner_region_id = None


class Plan(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="plans", verbose_name=_("regio")
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="plans", verbose_name=_("toetsingskader")
    )
    title = models.CharField(_("titel"), max_length=300)
    version = models.CharField(_("versie"), max_length=60, blank=True)
    plan_date = models.DateField(_("datum"), null=True, blank=True)
    file_name = models.CharField(_("bestandsnaam"), max_length=255)
    kind = models.CharField(_("soort bestand"), max_length=8, blank=True)
    source = models.BinaryField(_("bestand"), editable=False)
    pages = models.PositiveIntegerField(_("pagina's"), null=True, blank=True)
    scanned_pages = models.JSONField(_("pagina's zonder tekst"), default=list, blank=True)
    warnings = models.JSONField(_("waarschuwingen"), default=list, blank=True)
    scorer = models.CharField(_("scorer"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.WACHTEND
    )
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    error = models.TextField(_("foutmelding"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region__name", "-plan_date", "pk"]
        indexes = [models.Index(fields=["status"], name="plan_status")]
        verbose_name = _("regioplan")
        verbose_name_plural = _("regioplannen")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title

    owner_organisation_id = None

    @property
    def owner_region_id(self) -> int:
        return self.region_id

    @property
    def is_done(self) -> bool:
        return self.status in (PlanStatus.KLAAR, PlanStatus.MISLUKT)


class Passage(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="passages")
    index = models.PositiveIntegerField()
    page = models.PositiveIntegerField(null=True, blank=True)
    line = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["plan", "index"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "index"], name="unique_passage_index")
        ]
        verbose_name = _("passage")
        verbose_name_plural = _("passages")

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.index}"

    @property
    def citation(self) -> str:
        """'p. 23, r. 4' for a page, 'r. 120' for plain text without pages."""
        if self.page is not None:
            return _("p. %(page)s, r. %(line)s") % {"page": self.page, "line": self.line}
        return _("r. %(line)s") % {"line": self.line}


class Proposal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="proposals")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="proposals")
    scorer = models.CharField(_("scorer"), max_length=40)
    score = models.FloatField(_("score"))
    decision = models.CharField(_("voorstel"), max_length=12, choices=Verdict.choices)

    class Meta:
        ordering = ["plan", "indicator__order", "scorer"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "scorer"], name="unique_proposal_per_scorer"
            )
        ]
        verbose_name = _("voorstel")
        verbose_name_plural = _("voorstellen")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.decision} ({self.scorer})"


class ProposedPassage(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ranked")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()  # 1 = best
    score = models.FloatField()

    class Meta:
        ordering = ["proposal", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "rank"], name="unique_proposed_rank")
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.score:.2f}"


class Coding(models.Model):
    """One analyst's verdict on one indicator in one plan, with the passages as evidence."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="codings")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="codings")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_codings"
    )
    verdict = models.CharField(_("oordeel"), max_length=12, choices=Verdict.choices)
    note = models.TextField(_("toelichting"), blank=True)
    evidence = models.ManyToManyField(Passage, blank=True, related_name="codings")
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "indicator__order", "analyst_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "analyst"], name="one_coding_per_analyst"
            )
        ]
        verbose_name = _("codering")
        verbose_name_plural = _("coderingen")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.verdict}"

    @property
    def owner_region_id(self) -> int:
        return self.plan.region_id

    owner_organisation_id = None


class PassageJudgement(models.Model):
    """An analyst accepts or rejects one proposed passage as evidence for one indicator."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="judgements")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="judgements")
    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="judgements")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="passage_judgements"
    )
    accepted = models.BooleanField(_("geaccepteerd"))
    note = models.TextField(_("toelichting"), blank=True)
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "indicator", "passage__index"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "passage", "analyst"], name="one_judgement_per_analyst"
            )
        ]
        verbose_name = _("beoordeling van een passage")
        verbose_name_plural = _("beoordelingen van passages")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {'+' if self.accepted else '-'}{self.passage_id}"
