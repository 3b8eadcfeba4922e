"""Portfolio resources of the API: the JSON twins of the project list and the report pages,
from the same service calls."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.core.acting import acting_organisation
from regiotafel.core.limits import Pagination
from regiotafel.portfolio import services

router = Router(tags=["portfolio"])


class ProjectOut(Schema):
    id: int
    projectnummer: str = Field(alias="code")
    naam: str = Field(alias="name")
    regio: str | None = Field(None, alias="region.name")
    thema: str = Field(alias="theme.name")
    concessiehouder: str = Field(alias="funder.name")
    startperiode: str = Field(alias="start_period")
    status: str | None = Field(None, alias="state_status")
    impact: str | None = Field(None, alias="state_impact")
    beoordeeld_op: date | None = Field(None, alias="state_date")


class ProjectQuery(Schema):
    peildatum: date | None = None
    thema: str | None = None
    concessiehouder: str | None = None
    status: str | None = None


class ReportQuery(Schema):
    peildatum: date
    vergelijk: date | None = None
    alleen_eigen_regio: bool = False
    thema: str | None = None  # table 12's theme; default Technologie, as published


@router.get(
    "/portfolio/projecten",
    response=list[ProjectOut],
    summary="Projecten van mijn regio en het landelijke register, met de status op een peildatum",
)
@paginate(Pagination)
def project_list(request, filters: Query[ProjectQuery]):
    permissions.check(request.user, "portfolio.bekijken")
    at = filters.peildatum or date.today()
    found = services.with_state(services.visible_projects(request.user), at)
    if filters.thema:
        found = found.filter(theme__name__iexact=filters.thema)
    if filters.concessiehouder:
        found = found.filter(funder__name__iexact=filters.concessiehouder)
    if filters.status:
        found = found.filter(state_status=filters.status)
    return found.order_by("code")


@router.get(
    "/portfolio/rapport",
    response=dict,
    summary="De tabellen van de voortgangsrapportage op een peildatum (en de verandering)",
)
def report(request, query: Query[ReportQuery]):
    region = None
    if query.alleen_eigen_regio:
        organisation = acting_organisation(request)
        if organisation is None:
            raise errors.PermissionDenied(
                _("U werkt niet namens een organisatie."), code="geen-organisatie"
            )
        region = organisation.region
    permissions.check(request.user, "portfolio.bekijken", region)
    return services.build_report(
        at=query.peildatum, compare=query.vergelijk, region=region, theme=query.thema
    ).as_dict()


def _number(value):
    return float(value) if value is not None else None


@router.get(
    "/portfolio/regios/{region_slug}/dashboard",
    response=dict,
    summary="Het regiodashboard: projecten per status en thema, KPI's tegen streefwaarde, "
    "fasen in de tijd en visie-elementen zonder lopend project",
)
def dashboard(request, region_slug: str):
    from regiotafel.core.models import Region

    region = permissions.get_for(request.user, "portfolio.bekijken", Region, slug=region_slug)
    found = services.dashboard(region=region)
    return {
        "regio": region.name,
        "peildatum": found["at"].isoformat(),
        "projecten": found["project_count"],
        "per_status": dict(found["by_status"]),
        "per_thema": dict(found["by_theme"]),
        "kpis": [
            {
                "naam": s.kpi.name,
                "eenheid": s.kpi.unit,
                "richting": s.kpi.direction,
                "nulmeting": _number(s.kpi.baseline),
                "streefwaarde": _number(s.kpi.target),
                "streefjaar": s.kpi.target_year,
                "metingen": [
                    {"datum": m.date.isoformat(), "waarde": float(m.value), "demo": m.is_demo}
                    for m in s.measurements
                ],
                "op_koers": s.on_target,
                "projecten": sorted(p.code for p in s.kpi.projects.all()),
            }
            for s in found["kpis"]
        ],
        "fasen": [
            {
                "peildatum": p.date.isoformat(),
                "afspraken_convenanten": p.agreements,
                "samenwerkingsdynamiek": p.dynamics,
                "stip_op_de_horizon": p.vision,
            }
            for p in found["phases"]
        ],
        "visie_zonder_lopend_project": [i.title for i in found["uncovered"]],
    }
