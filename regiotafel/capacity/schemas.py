"""Public API schemas of the capacity capability (Dutch field names)."""

from datetime import datetime

from ninja import Field, Schema


class AvailabilityOut(Schema):
    locatie_id: int
    locatie: str
    organisatie: str
    gemeente: str
    telefoon: str
    beddentype: str
    beddentype_code: str
    doelgroep: str
    vrij: int
    gereserveerd: int
    bezet: int
    totaal: int
    bevestigd_op: datetime | None
    bevestigd_door: str
    verouderd: bool
    afstand_km: float | None


def availability_out(row) -> dict:
    return {
        "locatie_id": row.location_id,
        "locatie": row.location,
        "organisatie": row.organisation,
        "gemeente": row.municipality,
        "telefoon": row.phone,
        "beddentype": row.bed_type,
        "beddentype_code": row.bed_type_code,
        "doelgroep": row.target_group,
        "vrij": row.free,
        "gereserveerd": row.reserved,
        "bezet": row.occupied,
        "totaal": row.total,
        "bevestigd_op": row.confirmed_at,
        "bevestigd_door": row.confirmed_by,
        "verouderd": row.stale,
        "afstand_km": row.distance_km,
    }


class ClaimIn(Schema):
    casus: str | None = Field(None, description="Kenmerk van de casus; leeg voor een korte hold.")


class ClaimOut(Schema):
    id: int
    bed_id: int
    casus: str | None = Field(None, alias="case.reference")
    status: str = Field(alias="state")
    verloopt_op: datetime = Field(alias="expires_at")
    reden_weigering: str = Field(alias="decline_reason")
    keren_verlengd: int = Field(0, alias="extensions")


class DeclineIn(Schema):
    reden: str = Field(max_length=200)  # Claim.decline_reason


class LinkIn(Schema):
    casus: str


class BedStatusIn(Schema):
    status: str
    reden: str = Field("", max_length=200)  # BedStatusChange.reason


class BedOut(Schema):
    id: int
    locatie_id: int = Field(alias="location_id")
    bed: str = Field(alias="label")
    beddentype: str = Field(alias="bed_type.code")
    doelgroep: str = Field(alias="target_group")
    status: str
    gereserveerd_tot: datetime | None = Field(None, alias="held_until")


class CaseIn(Schema):
    initialen: str = ""
    geboortejaar: int | None = None
    geslacht: str = ""
    gemeente: str = Field("", description="CBS-code van de woongemeente, bijv. GM0546")
    zorgvraag: str = ""
    urgentie: str = Field("", description="spoed, zelfde_dag, vandaag (binnen 24 uur) of planbaar")
    beddentype: str = Field("", description="code van het beddentype, bijv. elv-hoog")
    doelgroep: str = Field("", description="somatisch of pg")
    medische_samenvatting: str = ""


class TransitionIn(Schema):
    naar: str
    reden: str = ""


class TransitionOut(Schema):
    van: str = Field(alias="from_state")
    naar: str = Field(alias="to_state")
    tijdstip: datetime = Field(alias="at")
    door: str | None = Field(None, alias="by.username")
    toelichting: str = Field(alias="reason")


class CaseOut(Schema):
    kenmerk: str = Field(alias="reference")
    status: str = Field(alias="state")
    verwijzer: str = Field(alias="referrer_organisation.name")
    overgedragen_aan: str | None = Field(None, alias="handled_by.name")
    initialen: str = Field(alias="initials")
    geboortejaar: int = Field(alias="birth_year")
    geslacht: str = Field(alias="gender")
    gemeente: str = Field(alias="municipality.cbs_code")
    zorgvraag: str = Field(alias="care_need")
    urgentie: str = Field(alias="urgency")
    beddentype: str = Field(alias="bed_type.code")
    doelgroep: str = Field(alias="target_group")
    medische_samenvatting: str = Field(alias="medical_summary")
    aangemeld_op: datetime = Field(alias="registered_at")
    geplaatst_op: datetime | None = Field(None, alias="placed_at")
    eigenaar: str
    telefonisch_aangemeld: bool = Field(alias="phoned_in")
    uitkomst: str = Field(alias="outcome")
    uren_tot_plaatsing: float
    norm_uren: int
    binnen_norm: bool | None
    overgangen: list[TransitionOut]

    @staticmethod
    def resolve_uren_tot_plaatsing(case) -> float:
        return round(case.hours_to_placement(), 1)

    @staticmethod
    def resolve_eigenaar(case) -> str:
        return (case.owner or case.referrer_organisation).name

    @staticmethod
    def resolve_norm_uren(case) -> int:
        from regiotafel.capacity.cases import target_hours

        return target_hours(case)

    @staticmethod
    def resolve_binnen_norm(case) -> bool | None:
        from regiotafel.capacity.cases import within_target

        return within_target(case)

    @staticmethod
    def resolve_overgangen(case) -> list:
        return list(case.transitions.select_related("by"))


class CaseListOut(Schema):
    kenmerk: str = Field(alias="reference")
    status: str = Field(alias="state")
    urgentie: str = Field(alias="urgency")
    beddentype: str = Field(alias="bed_type.code")
    aangemeld_op: datetime = Field(alias="registered_at")
