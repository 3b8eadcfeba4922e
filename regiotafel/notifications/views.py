"""Pages: "Meldingen" (own notifications), preferences, and the badge's small JSON endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from regiotafel import errors
from regiotafel.notifications import events, inbox
from regiotafel.notifications.models import Notification


@login_required
@require_GET
def notification_list(request):
    page = Paginator(inbox.of(request.user), 50).get_page(request.GET.get("pagina"))
    labels = {kind.slug: kind.label for kind in events.all_kinds()}
    for notification in page:
        notification.label = labels.get(notification.event, notification.event)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "query": "", "unread": inbox.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request, melding_id: int):
    inbox.mark_read(request.user, melding_id)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = inbox.mark_all_read(request.user)
    messages.success(request, _("%(n)s melding(en) als gelezen gemarkeerd.") % {"n": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    if request.method == "POST":
        wanted = {kind.slug: f"email-{kind.slug}" in request.POST for kind in events.all_kinds()}
        try:
            inbox.set_preferences(request.user, wanted)
        except errors.InvalidInput as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Uw voorkeuren zijn opgeslagen."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"preferences": inbox.preferences(request.user), "has_email": bool(request.user.email)},
    )


@login_required
@require_GET
def badge(request) -> HttpResponse:
    """The header badge's poll: 304 without a database query while nothing changed."""
    version = inbox.notify.version(request.user.pk)
    etag = f'"m{version}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(badge_payload(request.user, version))
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def badge_payload(user, version: int | None = None) -> dict:
    state = inbox.badge(user, version=version)
    latest = None
    if state.latest_id:
        found = Notification.objects.filter(pk=state.latest_id, recipient=user).first()
        if found is not None:
            latest = {"id": found.pk, "tekst": found.text, "url": found.url}
    return {"ongelezen": state.unread, "nieuwste": latest}
