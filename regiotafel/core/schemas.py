"""Public API schemas of the foundation: what goes over the wire, separate from the tables.

Fields carry Dutch names and read the model attributes through aliases, so endpoints can
return querysets and pagination stays lazy.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class RegionOut(Schema):
    id: int
    naam: str = Field(alias="name")
    slug: str


class MunicipalityOut(Schema):
    cbs_code: str
    naam: str = Field(alias="name")
    regio: str = Field(alias="region.name")
    subregio: str | None = Field(None, alias="subregion.name")
    inwoners: int | None = Field(None, alias="inhabitants")
    peiljaar_inwoners: int | None = Field(None, alias="inhabitants_year")


class OrganisationOut(Schema):
    id: int
    naam: str = Field(alias="name")
    soort: str = Field(alias="type")
    agb_code: str | None = None
    regio: str = Field(alias="region.name")
    gemeente: str | None = Field(None, alias="municipality.name")
    actief: bool = Field(alias="active")


class MembershipOut(Schema):
    organisatie_id: int = Field(alias="organisation_id")
    organisatie: str = Field(alias="organisation.name")
    rol: str = Field(alias="role")


class MeOut(Schema):
    gebruikersnaam: str
    naam: str
    handelt_namens: OrganisationOut | None
    lidmaatschappen: list[MembershipOut]


class AuditEventOut(Schema):
    id: int
    tijdstip: datetime = Field(alias="occurred_at")
    gebruiker: str = Field(alias="actor_name")
    organisatie: str = Field(alias="organisation_name")
    actie: str = Field(alias="action")
    kanaal: str = Field(alias="channel")
    objecttype: str = Field(alias="object_type")
    object_id: str
    object: str = Field(alias="object_repr")
    betrokkene: str = Field(alias="data_subject")
    ip_adres: str | None = Field(None, alias="ip_address")
