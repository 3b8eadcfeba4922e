"""Capacity resources of the API: availability, beds, claims (reserveringen) and cases."""

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from regiotafel import errors
from regiotafel.capacity import availability, beds, board_cache, cases, claims, fhir
from regiotafel.capacity.models import Claim
from regiotafel.capacity.schemas import (
    AvailabilityOut,
    BedOut,
    BedStatusIn,
    CaseIn,
    CaseListOut,
    CaseOut,
    ClaimIn,
    ClaimOut,
    DeclineIn,
    LinkIn,
    TransitionIn,
)
from regiotafel.core import permissions
from regiotafel.core.acting import acting_organisation, required_organisation
from regiotafel.core.audit_api import LoggedPagination

router = Router(tags=["capaciteit"])


class AvailabilityQuery(Schema):
    regio: str = ""
    beddentype: str = ""
    doelgroep: str = ""
    gemeente: str = ""
    subregio: int | None = None
    vanaf_gemeente: str = ""
    alleen_vrij: bool = True


@router.get(
    "/beschikbaarheid",
    response=list[AvailabilityOut],
    summary="Vrije bedden nu, per locatie, beddentype en doelgroep",
)
def availability_list(request, query: Query[AvailabilityQuery]):
    """The board as JSON, from :mod:`board_cache`: the same bytes while nothing changed, with
    an ETag; ``If-None-Match`` with it answers ``304`` without a body. The answer is the same
    for every user who may see it (no personal data, nothing per organisation)."""
    permissions.check(request.user, "beschikbaarheid.bekijken")
    filters = board_filter(
        query.regio,
        query.beddentype,
        query.doelgroep,
        query.gemeente,
        query.subregio,
        query.vanaf_gemeente,
        query.alleen_vrij,
    )
    entry = board_cache.entry(filters)
    headers = {"ETag": entry.etag}  # no-store stays (core.security): clients keep the ETag
    if board_cache.not_modified(request, entry.etag):
        return HttpResponseNotModified(headers=headers)
    return HttpResponse(entry.body, content_type="application/json", headers=headers)


def board_filter(region_slug, bed_type, target_group, municipality, subregion, near, only_free):
    from regiotafel.core.models import Region

    region_id = None
    if region_slug:
        region_id = board_cache.region_id_for(
            region_slug,
            lambda: Region.objects.filter(slug=region_slug).values_list("pk", flat=True).first(),
        )
        if region_id is None:
            raise errors.NotFound(
                _("Regio '%(name)s' bestaat niet.") % {"name": region_slug},
                code="regio-niet-gevonden",
            )
    return availability.BoardFilter(
        region_id=region_id,
        bed_type=bed_type,
        target_group=target_group,
        municipality=municipality,
        subregion_id=subregion,
        near=near,
        only_free=only_free,
    )


@router.patch("/bedden/{bed_id}", response=BedOut, summary="Status van een bed wijzigen")
def bed_update(request, bed_id: int, payload: BedStatusIn):
    return beds.set_status(
        user=request.user, bed_id=bed_id, status=payload.status, reason=payload.reden
    )


@router.post(
    "/locaties/{locatie_id}/bevestigingen",
    response={201: dict},
    summary="Bevestigen dat de beschikbaarheid van een locatie klopt",
)
def location_confirm(request, locatie_id: int):
    location = beds.confirm_availability(user=request.user, location_id=locatie_id)
    return Status(
        201, {"locatie_id": location.pk, "bevestigd_op": location.confirmed_at.isoformat()}
    )


@router.post(
    "/bedden/{bed_id}/reserveringen",
    response={201: ClaimOut},
    summary="Een bed reserveren (409 als het niet meer vrij is)",
)
def claim_create(request, bed_id: int, payload: ClaimIn):
    case = cases.load_case(user=request.user, reference=payload.casus) if payload.casus else None
    claim = claims.reserve(
        user=request.user, organisation=required_organisation(request), bed_id=bed_id, case=case
    )
    return Status(201, claim)


@router.get("/reserveringen/{reservering_id}", response=ClaimOut, summary="Eén reservering")
def claim_detail(request, reservering_id: int):
    claim = Claim.objects.select_related("case", "bed__location").filter(pk=reservering_id).first()
    if claim is None:
        raise errors.NotFound(_("Reservering niet gevonden."), code="reservering-niet-gevonden")
    if not (
        permissions.can(request.user, "reservering.intrekken", claim)
        or permissions.can(request.user, "reservering.beslissen", claim.bed)
    ):
        raise errors.PermissionDenied(_("U heeft geen toegang tot deze reservering."))
    return claim


@router.post(
    "/reserveringen/{reservering_id}/koppelingen",
    response=ClaimOut,
    summary="Een casus koppelen aan een hold",
)
def claim_link(request, reservering_id: int, payload: LinkIn):
    case = cases.load_case(user=request.user, reference=payload.casus)
    return claims.link_case(user=request.user, claim_id=reservering_id, case=case)


@router.post(
    "/reserveringen/{reservering_id}/verlengingen",
    response=ClaimOut,
    summary="Een reservering zonder casus verlengen (zo vaak als de regio toestaat)",
)
def claim_extend(request, reservering_id: int):
    return claims.extend(user=request.user, claim_id=reservering_id)


@router.post(
    "/reserveringen/{reservering_id}/bevestigingen",
    response=ClaimOut,
    summary="De opname bevestigen (aanbieder)",
)
def claim_confirm(request, reservering_id: int):
    return claims.confirm(user=request.user, claim_id=reservering_id)


@router.post(
    "/reserveringen/{reservering_id}/weigeringen",
    response=ClaimOut,
    summary="De opname weigeren met reden (aanbieder)",
)
def claim_decline(request, reservering_id: int, payload: DeclineIn):
    return claims.decline(user=request.user, claim_id=reservering_id, reason=payload.reden)


@router.delete(
    "/reserveringen/{reservering_id}",
    response=ClaimOut,
    summary="Een reservering intrekken (reserverende organisatie)",
)
def claim_withdraw(request, reservering_id: int):
    return claims.withdraw(user=request.user, claim_id=reservering_id)


@router.get("/casussen", response=list[CaseListOut], summary="Casussen die ik mag zien")
@paginate(LoggedPagination)  # the cases returned are logged as one read
def case_list(request):
    permissions.check(request.user, "casus.bekijken")
    return cases.visible_cases(request.user).select_related("bed_type").order_by("-registered_at")


@router.post("/casussen", response={201: CaseOut}, summary="Een casus aanmelden")
def case_create(request, payload: CaseIn):
    case = cases.register_case(
        user=request.user, organisation=required_organisation(request), data=payload.dict()
    )
    return Status(201, case)


@router.get("/casussen/{kenmerk}", response=CaseOut, summary="Eén casus (wordt gelogd)")
def case_detail(request, kenmerk: str):
    return cases.load_case(user=request.user, reference=kenmerk)


@router.post(
    "/casussen/{kenmerk}/overgangen", response=CaseOut, summary="De status van een casus wijzigen"
)
def case_transition(request, kenmerk: str, payload: TransitionIn):
    case = cases.load_case(user=request.user, reference=kenmerk, action="casus.behandelen")
    return cases.transition(
        user=request.user,
        organisation=acting_organisation(request),
        case=case,
        to=payload.naar,
        reason=payload.reden,
    )


@router.post(
    "/casussen/{kenmerk}/overdrachten",
    response=CaseOut,
    summary="De casus overdragen aan het regionaal aanmeldpunt",
)
def case_hand_over(request, kenmerk: str):
    case = cases.load_case(user=request.user, reference=kenmerk, action="casus.behandelen")
    return cases.hand_over(user=request.user, case=case)


class FhirQuery(Schema):
    regio: str = ""


def _fhir_base(request) -> str:
    """Absolute base for fullUrls, so references resolve within a bundle."""
    return request.build_absolute_uri("/api/v1/fhir")


def _fhir(body: dict):
    from django.http import JsonResponse

    return JsonResponse(
        body, content_type="application/fhir+json", json_dumps_params={"ensure_ascii": False}
    )


@router.get("/fhir/Location", summary="Bedstatus als FHIR R4 Bundle van Locations (per bed)")
def fhir_locations(request, query: Query[FhirQuery]):
    from django.utils import timezone

    from regiotafel.capacity.models import Bed

    permissions.check(request.user, "beschikbaarheid.bekijken")
    filters = board_filter(query.regio, "", "", "", None, "", False)
    beds = Bed.objects.all()
    if filters.region_id:
        beds = beds.filter(location__municipality__region_id=filters.region_id)
    return _fhir(
        fhir.bed_locations_bundle(beds=beds, now=timezone.now(), base_url=_fhir_base(request))
    )


@router.get("/fhir/MeasureReport", summary="Aantallen per beddentype als FHIR MeasureReport")
def fhir_measure_report(request, query: Query[FhirQuery]):
    from django.utils import timezone

    permissions.check(request.user, "beschikbaarheid.bekijken")
    filters = board_filter(query.regio, "", "", "", None, "", False)
    now = timezone.now()
    name = query.regio or _("alle regio's")
    return _fhir(
        fhir.measure_report(rows=availability.board(filters, now=now), region_name=name, now=now)
    )


@router.get("/casussen/{kenmerk}/fhir", summary="Een casus als FHIR ServiceRequest + Task")
def case_fhir(request, kenmerk: str):
    case = cases.load_case(user=request.user, reference=kenmerk)
    return _fhir(fhir.case_bundle(case=case, base_url=_fhir_base(request)))
