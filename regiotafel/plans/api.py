"""Plan-analysis resources of the API: the JSON twins of the plan list, a plan's proposals
and the region x indicator matrix. Same services, same access rules as the pages."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.plans import results, services
from regiotafel.plans.models import Framework, Plan

router = Router(tags=["regioplannen"])


class PlanOut(Schema):
    id: int
    regio: str = Field(alias="region.name")
    titel: str = Field(alias="title")
    versie: str = Field(alias="version")
    datum: date | None = Field(alias="plan_date")
    bestand: str = Field(alias="file_name")
    soort: str = Field(alias="kind")
    paginas: int | None = Field(alias="pages")
    kader: str = Field(alias="framework.name")
    scorer: str
    status: str
    voortgang: int = Field(alias="progress")
    fout: str = Field(alias="error")


class PassageOut(Schema):
    pagina: int | None
    regel: int
    tekst: str
    score: float


class ProposalOut(Schema):
    id: str
    naam: str
    categorie: str
    score: float
    beslissing: str
    passages: list[PassageOut]


class PlanProposalsOut(Schema):
    plan: PlanOut
    indicatoren: list[ProposalOut]


class CellOut(Schema):
    regio: str
    indicator: str
    voorstel: str | None
    score: float | None
    bevestigd: str | None
    telt_als: str | None


class MatrixOut(Schema):
    kader: str
    plannen: int
    cellen: list[CellOut]


@router.get("/plannen", response=list[PlanOut], summary="Regioplannen van mijn regio")
def plan_list(request):
    permissions.check(request.user, "plannen.bekijken")
    return list(services.visible_plans(request.user).order_by("pk"))


@router.get(
    "/plannen/{plan_id}/voorstellen",
    response=PlanProposalsOut,
    summary="De voorstellen van de scan per indicator, met gerangschikte passages",
)
def plan_proposals(request, plan_id: int, scorer: str | None = None):
    plan = permissions.get_for(
        request.user, "plannen.bekijken", Plan.objects.defer("source"), pk=plan_id
    )
    proposals = (
        plan.proposals.filter(scorer=scorer or plan.scorer)
        .select_related("indicator__category")
        .prefetch_related("ranked__passage")
    )
    return {
        "plan": plan,
        "indicatoren": [
            {
                "id": p.indicator.code,
                "naam": p.indicator.name,
                "categorie": p.indicator.category.name,
                "score": p.score,
                "beslissing": p.decision,
                "passages": [
                    {
                        "pagina": r.passage.page,
                        "regel": r.passage.line,
                        "tekst": r.passage.text,
                        "score": r.score,
                    }
                    for r in p.ranked.all()
                ],
            }
            for p in proposals
        ],
    }


@router.get(
    "/plannen/matrix",
    response=MatrixOut,
    summary="Regio x indicator over alle verwerkte plannen: voorstel en bevestigd oordeel",
)
def plan_matrix(request, kader: int | None = None):
    permissions.check(request.user, "plannen.vergelijken")
    if kader is None:
        framework = services.ensure_default_framework()
    else:
        framework = Framework.objects.filter(pk=kader).first()
        if framework is None:
            raise errors.NotFound(_("Toetsingskader niet gevonden."), code="kader-niet-gevonden")
    m = results.matrix(framework=framework)
    return {
        "kader": framework.name,
        "plannen": len(m.plans),
        "cellen": [
            {
                "regio": region.name,
                "indicator": ind.code,
                "voorstel": cell.proposed,
                "score": cell.score,
                "bevestigd": cell.confirmed,
                "telt_als": cell.effective,
            }
            for region in m.regions
            for ind in m.indicators
            for cell in [m.cell(region, ind)]
        ],
    }
