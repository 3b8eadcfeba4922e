"""Notification resources of the API: the user's own notifications, the badge, preferences.

Only ever the signed-in user's own notifications (a token acts for its user); another
person's notification id answers 404 ``melding-niet-gevonden``.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponseNotModified, JsonResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from regiotafel.core.limits import Pagination
from regiotafel.notifications import events, inbox, notify, views

router = Router(tags=["meldingen"])


class MeldingOut(Schema):
    id: int
    soort: str = Field(alias="event")
    soort_label: str
    tekst: str = Field(alias="text")
    url: str
    onderwerp_type: str = Field(alias="subject_type")
    onderwerp_id: str = Field(alias="subject_id")
    organisatie_id: int | None = Field(alias="organisation_id")
    gemaakt_op: datetime = Field(alias="created_at")
    gelezen_op: datetime | None = Field(alias="read_at")
    gemaild_op: datetime | None = Field(alias="emailed_at")

    @staticmethod
    def resolve_soort_label(notification) -> str:
        kind = events.REGISTRY.get(notification.event)
        return str(kind.label) if kind else notification.event


class NieuwsteOut(Schema):
    id: int
    tekst: str
    url: str


class TellerOut(Schema):
    ongelezen: int
    nieuwste: NieuwsteOut | None


class GelezenOut(Schema):
    gelezen: int


class VoorkeurOut(Schema):
    soort: str
    label: str
    uitleg: str
    email: bool
    in_app: bool = True


class VoorkeurIn(Schema):
    soort: str = Field(max_length=64)
    email: bool


class VoorkeurenIn(Schema):
    voorkeuren: list[VoorkeurIn] = Field(max_length=200)


def _preferences_out(preferences) -> list[dict]:
    return [
        {"soort": p.slug, "label": str(p.kind.label), "uitleg": str(p.kind.help), "email": p.email}
        for p in preferences
    ]


@router.get("/meldingen", response=list[MeldingOut], summary="Mijn meldingen, nieuwste eerst")
@paginate(Pagination)
def notification_list(request):
    return inbox.of(request.user)


@router.get(
    "/meldingen/ongelezen",
    response={200: TellerOut, 304: None},
    summary="Aantal ongelezen meldingen (met ETag: 304 zolang niets veranderde)",
)
def unread(request):
    version = notify.version(request.user.pk)
    etag = f'"m{version}"'
    tags = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in tags:
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(views.badge_payload(request.user, version))
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@router.post("/meldingen/gelezen", response=GelezenOut, summary="Alle meldingen gelezen")
def mark_all_read(request):
    return {"gelezen": inbox.mark_all_read(request.user)}


@router.post("/meldingen/{melding_id}/gelezen", response=MeldingOut, summary="Eén melding gelezen")
def mark_read(request, melding_id: int):
    return inbox.mark_read(request.user, melding_id)


@router.get(
    "/meldingen/voorkeuren",
    response=list[VoorkeurOut],
    summary="Mijn voorkeuren: per soort melding ook per e-mail of niet",
)
def preference_list(request):
    return _preferences_out(inbox.preferences(request.user))


@router.put(
    "/meldingen/voorkeuren",
    response=list[VoorkeurOut],
    summary="Voorkeuren wijzigen (genoemde soorten; andere blijven zoals ze zijn)",
)
def preference_update(request, body: VoorkeurenIn):
    chosen = {item.soort: item.email for item in body.voorkeuren}
    return _preferences_out(inbox.set_preferences(request.user, chosen))
