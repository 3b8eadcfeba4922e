"""The foundation's API resources. Thin: each endpoint checks access and calls a service."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from regiotafel.core import permissions, services
from regiotafel.core.acting import acting_organisation, all_memberships_of
from regiotafel.core.limits import Pagination
from regiotafel.core.models import AuditAction, Municipality, Organisation, Region
from regiotafel.core.schemas import (
    AuditEventOut,
    MeOut,
    MunicipalityOut,
    OrganisationOut,
    RegionOut,
)

router = Router(tags=["basis"])


@router.get("/mij", response=MeOut, summary="Wie ben ik en namens wie handel ik")
def me(request):
    acting = acting_organisation(request)
    return {
        "gebruikersnaam": request.user.get_username(),
        "naam": request.user.get_full_name(),
        "handelt_namens": acting,
        "lidmaatschappen": all_memberships_of(request.user),
    }


@router.get("/regios", response=list[RegionOut], summary="Zorgkantoorregio's")
@paginate(Pagination)
def regions(request):
    permissions.check(request.user, "regio.bekijken")
    return Region.objects.order_by("name")


@router.get("/regios/{slug}", response=RegionOut, summary="Eén zorgkantoorregio")
def region(request, slug: str):
    return permissions.get_for(request.user, "regio.bekijken", Region, slug=slug)


class MunicipalityFilter(Schema):
    regio: str | None = None


@router.get("/gemeenten", response=list[MunicipalityOut], summary="Gemeenten")
@paginate(Pagination)
def municipalities(request, filters: Query[MunicipalityFilter]):
    permissions.check(request.user, "regio.bekijken")
    found = Municipality.objects.select_related("region", "subregion").order_by("name")
    if filters.regio:
        found = found.filter(region__slug=filters.regio)
    return found


@router.get("/gemeenten/{cbs_code}", response=MunicipalityOut, summary="Eén gemeente")
def municipality(request, cbs_code: str):
    found = Municipality.objects.select_related("region", "subregion")
    return permissions.get_for(request.user, "regio.bekijken", found, cbs_code=cbs_code)


@router.get("/organisaties", response=list[OrganisationOut], summary="Organisaties")
@paginate(Pagination)
def organisations(request):
    permissions.check(request.user, "organisatie.bekijken")
    found = Organisation.objects.select_related("region", "municipality").order_by("name")
    return found


@router.get("/organisaties/{organisatie_id}", response=OrganisationOut, summary="Eén organisatie")
def organisation(request, organisatie_id: int):
    found = Organisation.objects.select_related("region", "municipality")
    return permissions.get_for(request.user, "organisatie.bekijken", found, pk=organisatie_id)


class AuditQuery(Schema):
    vanaf: datetime | None = None
    tot: datetime | None = None
    actie: AuditAction | None = None
    # The bounds of the page's filter form; a longer term made PostgreSQL's regular
    # expression "too complex" (a server error).
    gebruiker: str = Field("", max_length=150)
    betrokkene: str = Field("", max_length=200)


@router.get(
    "/organisaties/{organisatie_id}/auditregels",
    response=list[AuditEventOut],
    summary="Het auditlog van een organisatie (alleen voor de beheerder)",
)
@paginate(Pagination)
def audit_events(request, organisatie_id: int, query: Query[AuditQuery]):
    org = permissions.get_for(request.user, "auditlog.bekijken", Organisation, pk=organisatie_id)
    filters = services.AuditFilter(
        since=query.vanaf,
        until=query.tot,
        action=query.actie or "",
        actor=query.gebruiker,
        data_subject=query.betrokkene,
    )
    return services.read_audit_log(user=request.user, organisation=org, filters=filters)
