"""The domain operations of plan analysis: frameworks, uploads, codings and results.

Plain functions with keyword-only arguments, one transaction each; pages, the API and the
demo call these. Reading and scoring a document is H4's analysis core
(``ingest``/``scoring``/``evaluation``); background processing is in ``jobs``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import audit, permissions, tabular
from regiotafel.core.models import Region, User
from regiotafel.plans.models import (
    Category,
    Coding,
    Framework,
    Indicator,
    Passage,
    PassageJudgement,
    Plan,
    PlanStatus,
    Proposal,
    Verdict,
)

DEFAULT_FRAMEWORK = "Beweging naar de voorkant"
FRAMEWORK_COLUMNS = ["id", "categorie", "indicator", "toetsvraag"]
OPTIONAL_COLUMNS = ["synoniemen", "voorbeelden"]  # several values separated by "|"
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


# --- frameworks ------------------------------------------------------------------------------


@transaction.atomic
def ensure_default_framework() -> Framework:
    """The 30 indicators of 'de beweging naar de voorkant', loaded once (idempotent)."""
    from regiotafel.plans import framework as core_framework

    found, created = Framework.objects.get_or_create(
        name=DEFAULT_FRAMEWORK,
        defaults={"description": _("30 indicatoren in 8 categorieën (landelijke studie)")},
    )
    if created or not found.indicators.exists():
        _fill_framework(found, [_spec_row(spec) for spec in core_framework.default_framework()])
    return found


def _spec_row(spec) -> dict:
    return {
        "code": spec.id,
        "category": spec.category,
        "name": spec.name,
        "question": spec.question,
        "synonyms": list(spec.synonyms),
        "examples": list(spec.examples),
        "thresholds": {},
    }


def _fill_framework(framework: Framework, rows: list[dict]) -> None:
    categories: dict[str, Category] = {}
    for order, row in enumerate(rows):
        name = row["category"]
        if name not in categories:
            categories[name] = Category.objects.create(
                framework=framework, name=name, order=len(categories)
            )
        Indicator.objects.create(
            framework=framework,
            category=categories[name],
            order=order,
            **{k: row[k] for k in ("code", "name", "question", "synonyms", "examples")},
            thresholds=row.get("thresholds", {}),
        )


def import_framework(*, user: User, name: str, source: bytes | Path, file_name: str) -> Framework:
    """A new framework from a CSV/XLSX with the columns of indicators.csv; all rows or none.
    The file is read and checked before the transaction; only the writes are inside it."""
    permissions.check(user, "raamwerk.beheren")
    name = (name or "").strip()
    if not name:
        raise errors.InvalidInput(
            _("Geef het toetsingskader een naam."),
            code="naam-verplicht",
            errors=[errors.FieldError(field="naam", message=_("verplicht"))],
        )
    table = tabular.read_table(source, name=file_name)
    tabular.require_columns(table, FRAMEWORK_COLUMNS)
    tabular.refuse_long_cells(
        table, {"categorie": (Category, "name"), "indicator": (Indicator, "name")}
    )
    rows = _parse_framework_rows(table)
    with transaction.atomic():
        if Framework.objects.filter(name__iexact=name).exists():
            raise errors.Conflict(
                _("Er is al een toetsingskader met de naam %(n)s.") % {"n": name},
                code="kader-bestaat-al",
            )
        framework = Framework.objects.create(name=name)
        _fill_framework(framework, rows)
    return framework


def _parse_framework_rows(table: tabular.Table) -> list[dict]:
    problems: list[errors.FieldError] = []
    rows, seen = [], {}
    for number, values in table.rows:
        code = values["id"]
        for column in FRAMEWORK_COLUMNS:
            if not values[column]:
                problems.append(errors.FieldError(column, _("verplicht"), number))
        if code and not CODE_PATTERN.match(code):
            problems.append(
                errors.FieldError(
                    "id",
                    _("'%(v)s' is geen geldige code (letters, cijfers, - . _; hoogstens 40).")
                    % {"v": code},
                    number,
                )
            )
        elif code in seen:
            problems.append(
                errors.FieldError(
                    "id",
                    _("%(v)s staat ook al in rij %(r)s.") % {"v": code, "r": seen[code]},
                    number,
                )
            )
        seen.setdefault(code, number)
        rows.append(
            {
                "code": code,
                "category": values["categorie"][:200],
                "name": values["indicator"][:200],
                "question": values["toetsvraag"],
                "synonyms": split_terms(values.get("synoniemen", "")),
                "examples": split_terms(values.get("voorbeelden", "")),
            }
        )
    if not rows:
        problems.append(errors.FieldError("id", _("het bestand bevat geen indicatoren")))
    if problems:
        raise errors.InvalidInput(
            _("Bestand %(name)s is niet ingelezen: er is niets opgeslagen.") % {"name": table.name},
            code="bestand-bevat-fouten",
            errors=problems,
        )
    return rows


def split_terms(text: str) -> list[str]:
    """'valpreventie | vallen voorkomen' or one term per line -> a clean list without doubles."""
    found = []
    for term in re.split(r"[|\n]", text or ""):
        term = " ".join(term.split())
        if term and term.lower() not in {t.lower() for t in found}:
            found.append(term)
    return found


@transaction.atomic
def update_vocabulary(
    *, user: User, indicator: Indicator, synonyms: list[str], examples: list[str]
) -> Indicator:
    """Replace an indicator's synonyms and example phrases (used by the next scan)."""
    permissions.check(user, "raamwerk.beheren", indicator)
    indicator.synonyms = split_terms("\n".join(synonyms))
    indicator.examples = split_terms("\n".join(examples))
    indicator.save(update_fields=["synonyms", "examples"])
    return indicator


def specs_for(framework: Framework, scorer: str) -> list:
    """The framework's indicators as the analysis core's IndicatorSpec, with the scorer's
    calibrated threshold where one was set."""
    from regiotafel.plans.framework import IndicatorSpec

    return [
        IndicatorSpec(
            id=i.code,
            category=i.category.name,
            name=i.name,
            question=i.question,
            synonyms=tuple(i.synonyms),
            examples=tuple(i.examples),
            threshold=i.thresholds.get(scorer),
        )
        for i in framework.indicators.select_related("category")
    ]


# --- plans ------------------------------------------------------------------------------------


def upload_plan(
    *,
    user: User | None,
    region: Region,
    framework: Framework,
    title: str,
    source: bytes,
    file_name: str,
    scorer: str | None = None,
    version: str = "",
    plan_date=None,
    is_demo: bool = False,
) -> Plan:
    """Store an uploaded plan as 'wachtend'; it is read and scored after the commit.

    What can be refused at once is refused before anything is stored (InvalidInput), and
    before the transaction: only the insert and the enqueue are inside it."""
    from regiotafel.plans import ingest, jobs, scoring

    if user is not None:
        permissions.check(user, "plannen.beheren", region)
    scorer = scorer or scoring.DEFAULT_SCORER
    if scorer not in scoring.SCORERS:
        raise errors.InvalidInput(
            _("Onbekende scorer: %(s)s.") % {"s": scorer}, code="onbekende-scorer"
        )
    if not source:
        raise errors.InvalidInput(
            _("Bestand %(name)s is leeg.") % {"name": file_name}, code="bestand-leeg"
        )
    # Refused here, nothing stored: an unsupported type, an encrypted or broken PDF, and for
    # a small file (read in full now) also an empty one or one that is not a plan.
    kind = ingest.check_upload(source, name=file_name, read_fully=len(source) <= jobs.INLINE_BYTES)
    with transaction.atomic():
        plan = Plan.objects.create(
            region=region,
            framework=framework,
            title=(title or "").strip() or Path(file_name).stem,
            version=version,
            plan_date=plan_date,
            file_name=Path(file_name).name,
            kind=kind,
            source=source,
            scorer=scorer,
            uploaded_by=user,
            is_demo=is_demo,
        )
        jobs.start(plan.pk)  # enqueued with this transaction (or processed after it, if small)
    return plan


def visible_plans(user: User):
    """The plans of the regions where the user may see plans (superusers: all)."""
    plans = Plan.objects.select_related("region", "framework").defer("source")
    return permissions.visible(user, "plannen.bekijken", plans)


def _own_regions(user: User, action: str) -> set[int]:
    return set(permissions.visible(user, action, Region).values_list("pk", flat=True))


def regions_for_upload(user: User) -> list[Region]:
    ids = _own_regions(user, "plannen.beheren")
    return (
        list(Region.objects.filter(pk__in=ids))
        if not user.is_superuser
        else list(Region.objects.all())
    )


@transaction.atomic
def rescore(*, user: User, plan: Plan, scorer: str) -> Plan:
    """Score a processed plan's stored passages again, with another scorer or after new
    vocabulary or thresholds; in the background like an upload. Its proposals then come from
    that scorer; judgements, codings and other scorers' proposals stay."""
    from regiotafel.plans import jobs, scoring

    permissions.check(user, "plannen.beheren", plan)
    if scorer not in scoring.SCORERS:
        raise errors.InvalidInput(
            _("Onbekende scorer: %(s)s.") % {"s": scorer}, code="onbekende-scorer"
        )
    if plan.status != PlanStatus.KLAAR:
        raise errors.Conflict(
            _("Dit plan wordt nog verwerkt of kon niet worden gelezen."), code="plan-niet-klaar"
        )
    audit.update(Plan.objects.filter(pk=plan.pk), status=PlanStatus.WACHTEND, progress=0, error="")
    jobs.start(plan.pk, scorer)
    plan.refresh_from_db()
    return plan


@transaction.atomic
def delete_plan(*, user: User, plan: Plan) -> None:
    """Remove a plan with its passages, proposals, judgements and codings (a wrong upload)."""
    permissions.check(user, "plannen.beheren", plan)
    if plan.status == PlanStatus.BEZIG:
        raise errors.Conflict(
            _("Dit plan wordt nu verwerkt; verwijder het als dat klaar is."),
            code="plan-in-verwerking",
        )
    plan.delete()


def document_of(plan: Plan):
    """The analysis core's Document rebuilt from the stored passages (no re-reading)."""
    from regiotafel.plans.ingest import Document
    from regiotafel.plans.ingest import Passage as CorePassage

    passages = [
        CorePassage(index=p.index, page=p.page, line=p.line, text=p.text)
        for p in plan.passages.order_by("index")
    ]
    return Document(
        name=plan.file_name,
        kind=plan.kind,
        pages=plan.pages,
        passages=passages,
        scanned_pages=list(plan.scanned_pages),
        warnings=list(plan.warnings),
    )


# --- coding -----------------------------------------------------------------------------------


@dataclass
class IndicatorReview:
    """Everything the coding page shows for one plan and indicator."""

    plan: Plan
    indicator: Indicator
    proposal: Proposal | None
    ranked: list[dict]  # {"passage", "score", "rank", "before", "after", "judgement"}
    coding: Coding | None
    others: list[Coding] = field(default_factory=list)
    matches: list[Passage] = field(default_factory=list)  # found by the analyst's own search


SEARCH_LIMIT = 20


def search_passages(plan: Plan, term: str, *, exclude=()) -> list[Passage]:
    """Passages containing every word of the term, so an analyst can add evidence the scan
    did not propose (which is what makes the measured recall honest)."""
    words = (term or "").split()[:8]
    if not words:
        return []
    found = plan.passages.exclude(pk__in=[p.pk for p in exclude])
    for word in words:
        found = found.filter(text__icontains=word)
    return list(found.order_by("index")[:SEARCH_LIMIT])


def review(
    *, user: User, plan: Plan, indicator: Indicator, scorer: str | None = None, search: str = ""
):
    permissions.check(user, "plannen.bekijken", plan)
    proposal = (
        plan.proposals.filter(indicator=indicator, scorer=scorer or plan.scorer)
        .prefetch_related("ranked__passage")
        .first()
    )
    ranked_rows = list(proposal.ranked.all()) if proposal else []
    wanted = {r.passage.index + d for r in ranked_rows for d in (-1, 1)}
    context = {p.index: p for p in plan.passages.filter(index__in=wanted)}
    mine = {
        j.passage_id: j
        for j in PassageJudgement.objects.filter(plan=plan, indicator=indicator, analyst=user)
    }
    ranked = [
        {
            "passage": r.passage,
            "score": r.score,
            "rank": r.rank,
            "before": context.get(r.passage.index - 1),
            "after": context.get(r.passage.index + 1),
            "judgement": mine.get(r.passage_id),
        }
        for r in ranked_rows
    ]
    codings = list(
        plan.codings.filter(indicator=indicator)
        .select_related("analyst")
        .prefetch_related("evidence")
    )
    coding = next((c for c in codings if c.analyst_id == user.pk), None)
    others = [c for c in codings if c.analyst_id != user.pk]
    matches = search_passages(plan, search, exclude=[r["passage"] for r in ranked])
    return IndicatorReview(plan, indicator, proposal, ranked, coding, others, matches)


@transaction.atomic
def judge_passage(
    *, user: User, plan: Plan, indicator: Indicator, passage_id: int, accepted: bool, note=""
) -> PassageJudgement:
    permissions.check(user, "plannen.coderen", plan)
    passage = _passage_of(plan, passage_id)
    judgement, _created = PassageJudgement.objects.update_or_create(
        indicator=indicator,
        passage=passage,
        analyst=user,
        defaults={
            "plan": plan,
            "accepted": accepted,
            "note": (note or "").strip(),
            "updated_at": timezone.now(),
        },
    )
    return judgement


def _passage_of(plan: Plan, passage_id: int) -> Passage:
    try:
        return plan.passages.get(pk=passage_id)
    except Passage.DoesNotExist:
        raise errors.NotFound(
            _("Deze passage hoort niet bij dit plan."), code="passage-niet-gevonden"
        ) from None


@transaction.atomic
def code_indicator(
    *,
    user: User,
    plan: Plan,
    indicator: Indicator,
    verdict: str,
    note: str = "",
    evidence: list[int] = (),
    is_demo: bool = False,
) -> Coding:
    """Record (or change) this analyst's verdict on one indicator, with evidence passages."""
    permissions.check(user, "plannen.coderen", plan)
    if indicator.framework_id != plan.framework_id:
        raise errors.InvalidInput(
            _("Deze indicator hoort niet bij het kader van dit plan."),
            code="indicator-hoort-niet-bij-kader",
        )
    if verdict not in Verdict.values:
        raise errors.InvalidInput(
            _("Kies gedekt, deels of niet gedekt."),
            code="ongeldig-oordeel",
            errors=[errors.FieldError("oordeel", _("ongeldige waarde"))],
        )
    passages = [_passage_of(plan, pk) for pk in dict.fromkeys(evidence)]
    if verdict != Verdict.NIET_GEDEKT and not passages:
        raise errors.InvalidInput(
            _("Kies ten minste één passage als onderbouwing, of kies 'niet gedekt'."),
            code="onderbouwing-verplicht",
            errors=[errors.FieldError("onderbouwing", _("verplicht bij gedekt of deels"))],
        )
    coding, _created = Coding.objects.update_or_create(
        plan=plan,
        indicator=indicator,
        analyst=user,
        defaults={
            "verdict": verdict,
            "note": (note or "").strip(),
            "is_demo": is_demo,
            "updated_at": timezone.now(),
        },
    )
    coding.evidence.set(passages)
    return coding


@dataclass(frozen=True)
class Agreement:
    first: User
    second: User
    indicators: int  # coded by both
    same: int
    kappa: float | None  # None when fewer than two shared indicators


def agreement(*, plan: Plan) -> list[Agreement]:
    """Cohen's kappa between every pair of analysts who coded this plan."""
    from regiotafel.plans.evaluation import cohen_kappa

    by_analyst: dict[User, dict[int, str]] = defaultdict(dict)
    for coding in plan.codings.select_related("analyst"):
        by_analyst[coding.analyst][coding.indicator_id] = coding.verdict
    people = sorted(by_analyst, key=lambda u: u.pk)
    found = []
    for i, first in enumerate(people):
        for second in people[i + 1 :]:
            shared = sorted(set(by_analyst[first]) & set(by_analyst[second]))
            a = [by_analyst[first][k] for k in shared]
            b = [by_analyst[second][k] for k in shared]
            kappa = cohen_kappa(a, b) if len(shared) >= 2 else None
            same = sum(x == y for x, y in zip(a, b, strict=True))
            found.append(Agreement(first, second, len(shared), same, kappa))
    return found


# --- calibration ------------------------------------------------------------------------------


def calibrate(*, user: User, framework: Framework, scorer: str) -> dict[str, float]:
    """Per indicator, the scorer's passage threshold that best separates the passages
    analysts accepted (or chose as evidence) from those they rejected; stored on the
    indicator and used by the next scan or rescore. Indicators with too few labels keep
    their threshold. Returns the thresholds that changed. The plans are scored before the
    transaction; only the changed thresholds are written inside it."""
    from regiotafel.plans import evaluation, scoring
    from regiotafel.plans.results import _passage_labels

    permissions.check(user, "raamwerk.beheren")
    if scorer not in scoring.SCORERS:
        raise errors.InvalidInput(
            _("Onbekende scorer: %(s)s.") % {"s": scorer}, code="onbekende-scorer"
        )
    indicators = {i.code: i for i in framework.indicators.all()}
    code_of = {i.pk: code for code, i in indicators.items()}
    specs = specs_for(framework, scorer)
    current = {spec.id: scoring.threshold_for(scorer, spec) for spec in specs}
    scored = []
    for plan in Plan.objects.filter(framework=framework, status=PlanStatus.KLAAR):
        labels = _passage_labels([plan], code_of)
        if labels:
            scored += _scored_labels(plan, specs, scoring.get_scorer(scorer), labels)
    found = evaluation.calibrate_thresholds(scored, default=current)
    changed = {code: cut for code, cut in found.items() if cut != current[code]}
    with transaction.atomic():
        for code, cut in changed.items():
            indicator = Indicator.objects.select_for_update().get(pk=indicators[code].pk)
            indicator.thresholds = {**indicator.thresholds, scorer: cut}
            indicator.save(update_fields=["thresholds"])
    return changed


def _scored_labels(plan: Plan, specs: list, scorer, labels: dict) -> list[tuple[str, float, bool]]:
    """(indicator, the scorer's score of the labelled passage, relevant), for every label:
    the plan is scored with every passage ranked, so unproposed evidence has a score too."""
    document = document_of(plan)
    index_of = dict(plan.passages.values_list("pk", "index"))
    results = scorer.score(document, specs, top_k=len(document.passages))
    score_of = {(r.indicator_id, sp.passage.index): sp.score for r in results for sp in r.passages}
    return [
        (code, score_of[(code, index_of[passage_id])], relevant)
        for (code, passage_id), relevant in labels.items()
        if (code, index_of.get(passage_id)) in score_of
    ]
