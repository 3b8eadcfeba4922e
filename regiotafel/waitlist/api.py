"""Waiting-list resources of the API. Identities only for those who may see them; every
client read is logged; figures for analysts are suppressed below 5."""

from datetime import date

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from regiotafel.core import audit, permissions
from regiotafel.core.acting import required_organisation
from regiotafel.core.audit_api import LoggedPagination
from regiotafel.waitlist import reports
from regiotafel.waitlist.models import Client, RegistrationState
from regiotafel.waitlist.visibility import visible_registrations

router = Router(tags=["wachtlijst"])


class RegistrationOut(Schema):
    id: int
    client_id: int
    aanbieder: str = Field(alias="provider.name")
    dossierhouder: bool = Field(
        alias="is_dossierhouder",
        description="Is deze aanbieder de dossierhouder (door het zorgkantoor aangewezen)? "
        "Anders: ook ingeschreven.",
    )
    klantnummer: str = Field(alias="external_id")
    zorgprofiel: str = Field(alias="care_profile")
    doelgroep: str = Field(alias="target_group")
    wachtstatus: str = Field(alias="status")
    statusdatum: date = Field(alias="status_date")
    indicatiedatum: date = Field(alias="indication_date")
    stand: str = Field(alias="state")


class ClientOut(Schema):
    id: int
    achternaam: str = Field(alias="surname")
    voorletters: str = Field(alias="initials")
    geboortedatum: date = Field(alias="birth_date")
    postcode: str
    bsn_bekend: bool
    dossierhouder: str | None = None
    inschrijvingen: list[RegistrationOut]

    @staticmethod
    def resolve_bsn_bekend(client) -> bool:
        return bool(client.bsn_hash)

    @staticmethod
    def resolve_dossierhouder(client) -> str | None:
        return client.dossierhouder.name if client.dossierhouder_id else None

    @staticmethod
    def resolve_inschrijvingen(client) -> list:
        return list(client.registrations.select_related("provider", "client"))


@router.get(
    "/inschrijvingen",
    response=list[RegistrationOut],
    summary="Wachtende inschrijvingen van cliënten die ik mag zien",
)
@paginate(LoggedPagination)  # the clients returned are logged as one read
def registration_list(request):
    permissions.check(request.user, "wachtlijst.client.bekijken")
    return (
        visible_registrations(request.user)
        .filter(state=RegistrationState.OPEN)
        .select_related("provider", "client")
        .order_by("pk")
    )


@router.get(
    "/clienten/{client_id}",
    response=ClientOut,
    summary="Eén cliënt met alle inschrijvingen (wordt gelogd)",
)
def client_detail(request, client_id: int):
    return permissions.get_for(
        request.user, "wachtlijst.client.bekijken", Client, hide=True, pk=client_id
    )


@router.get(
    "/wachtlijstcijfers",
    response=dict,
    summary="Managementinformatie van de regio (kleine aantallen onderdrukt)",
)
def figures(request):
    organisation = required_organisation(request)
    permissions.check(request.user, "wachtlijst.cijfers", organisation.region)
    data = reports.figures(region=organisation.region)
    audit.record("export", organisation.region, detail={"soort": "wachtlijstcijfers"})
    if permissions.can(request.user, "wachtlijst.client.bekijken"):
        return data.__dict__
    return reports.suppressed(data)
