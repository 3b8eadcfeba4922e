"""Pages of the shared waiting list. Thin: access and logging go through the services."""

from __future__ import annotations

import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regiotafel import errors
from regiotafel.core import audit, charts, permissions
from regiotafel.core.acting import acting_organisation, required_organisation
from regiotafel.core.models import Location, Organisation
from regiotafel.waitlist import (
    duplicates,
    exports,
    onward,
    placement,
    registrations,
    rejected,
    reports,
)
from regiotafel.waitlist.forms import ImportForm, ListFilterForm
from regiotafel.waitlist.models import (
    CandidateState,
    CareProfile,
    Client,
    DuplicateCandidate,
    Merge,
    OfferState,
    OnwardState,
    PlacementOffer,
    Registration,
    RegistrationState,
    WaitingStatus,
)
from regiotafel.waitlist.visibility import visible_registrations


def _sees_identities(user) -> bool:
    return permissions.can(user, "wachtlijst.client.bekijken")


@login_required
def waiting_list(request):
    if not _sees_identities(request.user):
        return redirect("waitlist:figures")
    form = ListFilterForm(request.GET or None)
    found = visible_registrations(request.user).filter(state=RegistrationState.OPEN)
    if form.is_valid() and form.cleaned_data.get("wachtstatus"):
        found = found.filter(status=form.cleaned_data["wachtstatus"])
    if form.is_valid() and form.cleaned_data.get("zoek"):
        term = form.cleaned_data["zoek"]
        found = found.filter(Q(client__surname__icontains=term) | Q(external_id__iexact=term))
    found = (
        found.select_related("client", "provider", "municipality")
        .annotate(
            files=Count(
                "client__registrations",
                filter=Q(client__registrations__state=RegistrationState.OPEN),
            )
        )
        .order_by("status", "indication_date", "pk")
    )
    page = Paginator(found, 50).get_page(request.GET.get("pagina"))
    audit.record_reads([r.client for r in page], detail={"pagina": "wachtlijst"})
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request, "waitlist/list.html", {"page": page, "form": form, "query": query.urlencode()}
    )


@login_required
def client_detail(request, client_id: int):
    client = permissions.get_for(
        request.user, "wachtlijst.client.bekijken", Client, hide=True, pk=client_id
    )
    files = (
        client.registrations.select_related("provider", "municipality", "client")
        .prefetch_related("preferences__location", "status_changes")
        .order_by("state", "pk")
    )
    may_assign = permissions.can(request.user, "wachtlijst.dossierhouder_toewijzen", client)
    return render(
        request,
        "waitlist/client.html",
        {
            "client": client,
            "registrations": files,
            "merged": client.merged_clients.all(),
            "may_assign": may_assign and not client.merged_into_id,
            "waiting_providers": [f.provider for f in files if f.state == RegistrationState.OPEN],
            "onward": [
                (o, o.days_left(), -o.days_left())
                for o in onward.visible_onward(request.user).filter(registration__client=client)
            ],
        },
    )


@login_required
@require_POST
def assign_dossierhouder(request, client_id: int):
    wanted = request.POST.get("organisatie", "")
    try:
        placement.assign_dossierhouder(
            user=request.user,
            client_id=client_id,
            provider_id=int(wanted) if wanted.isascii() and wanted.isdigit() else 0,
        )
        messages.success(request, _("Dossierhouder vastgelegd; de aanbieder is op de hoogte."))
    except (errors.Conflict, errors.InvalidInput) as exc:
        messages.error(request, exc.detail)
    return redirect("waitlist:client", client_id=client_id)


@login_required
def onward_list(request):
    """Doorplaatsing vanuit crisisbedden: for the care office and the admitting providers."""
    permissions.check(request.user, "doorplaatsing.bekijken")
    shown = request.GET.get("stand", "open")
    found = onward.visible_onward(request.user)
    if shown == "open":
        found = found.filter(state=OnwardState.OPEN)
    found = list(found.order_by("state", "deadline", "pk")[:200])
    linked = [o.registration.client for o in found if o.registration_id]
    audit.record_reads([*found, *linked], detail={"pagina": "doorplaatsing"})
    today = timezone.localdate()
    rows = [(o, o.days_left(today), -o.days_left(today)) for o in found]
    return render(
        request,
        "waitlist/onward.html",
        {
            "rows": rows,
            "shown": shown,
            "now": timezone.now(),
            "profiles": CareProfile.choices,
            "may_update": permissions.can(request.user, "doorplaatsing.bijwerken"),
        },
    )


@login_required
@require_POST
def onward_action(request, onward_id: int, action: str):
    try:
        if action == "inschrijven":
            onward.complete_registration(
                user=request.user, onward_id=onward_id, data=request.POST.dict()
            )
            messages.success(request, _("Gekoppeld aan de wachtlijst met status Urgent plaatsen."))
        elif action == "afsluiten":
            onward.close(
                user=request.user, onward_id=onward_id, reason=request.POST.get("reden", "")
            )
            messages.success(request, _("Doorplaatsing afgesloten."))
        else:
            permissions.get_for(
                request.user,
                "doorplaatsing.bijwerken",
                onward.visible_onward(request.user),
                hide=True,
                pk=onward_id,
            )
    except errors.InvalidInput as exc:
        details = "; ".join(f"{e.field}: {e.message}" for e in (exc.errors or []))
        messages.error(request, f"{exc.detail} {details}".strip())
    except errors.Conflict as exc:
        messages.error(request, exc.detail)
    return redirect("waitlist:onward")


def _import_providers(user) -> list[Organisation]:
    """The providers whose list this user may import: their own, or the region's (care office)."""
    found = permissions.visible(user, "wachtlijst.beheren", Organisation).filter(type="vvt")
    return list(found.order_by("name"))


@login_required
def import_page(request):
    providers = _import_providers(request.user)
    if not providers:
        raise errors.PermissionDenied(_("U beheert geen wachtlijst van een aanbieder."))
    form = ImportForm(request.POST or None, request.FILES or None, providers=providers)
    report = kept = None
    rejected.purge_expired()
    if request.method == "POST" and form.is_valid():
        provider = next(p for p in providers if str(p.pk) == form.cleaned_data["aanbieder"])
        upload = form.cleaned_data["bestand"]
        try:
            report = registrations.import_registrations(
                user=request.user,
                provider=provider,
                source=upload,  # streamed by core.tabular, never read whole
                name=upload.name,
                valid_only=form.cleaned_data["alleen_geldige"],
            )
        except errors.InvalidInput as exc:
            return render(
                request, "waitlist/import.html", {"form": form, "failure": exc}, status=422
            )
        kept = rejected.keep(
            user=request.user,
            organisation=required_organisation(request),
            provider=provider,
            rows=report.rejected,
        )
    return render(request, "waitlist/import.html", {"form": form, "report": report, "kept": kept})


@login_required
def rejected_rows(request, report_id: int):
    body = rejected.download(
        user=request.user, organisation=acting_organisation(request), report_id=report_id
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="afgekeurde-rijen.csv"'
    return response


def template_csv(request):
    response = HttpResponse(registrations.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="wachtlijst-sjabloon.csv"'
    return response


@login_required
def duplicate_list(request):
    if not permissions.can(request.user, "wachtlijst.ontdubbelen"):
        raise errors.PermissionDenied(_("U beoordeelt geen dubbele inschrijvingen."))
    candidates = list(
        permissions.visible(request.user, "wachtlijst.ontdubbelen", DuplicateCandidate)
        .filter(state=CandidateState.OPEN)
        .select_related("client_a", "client_b")
        .prefetch_related(
            Prefetch(
                "client_a__registrations",
                queryset=Registration.objects.select_related("provider").order_by("pk"),
            ),
            Prefetch(
                "client_b__registrations",
                queryset=Registration.objects.select_related("provider").order_by("pk"),
            ),
        )[:50]
    )
    merges = list(
        permissions.visible(request.user, "wachtlijst.ontdubbelen", Merge)
        .filter(undone_at__isnull=True)
        .select_related("survivor", "merged", "by")[:50]
    )
    audit.record_reads(
        [c for pair in candidates for c in (pair.client_a, pair.client_b)],
        detail={"pagina": "dubbelen"},
    )
    return render(
        request,
        "waitlist/duplicates.html",
        {"pairs": [(c, _side_by_side(c)) for c in candidates], "merges": merges},
    )


def _same(a: str, b: str) -> bool | None:
    """Equal (True), different (False) or not known on one side (None)."""
    return None if not a or not b else a == b


def _side_by_side(candidate: DuplicateCandidate) -> list[dict]:
    """The rows of the review table: each field of both clients and whether it matches.
    The BSN is never shown; only whether both keys are equal."""
    from regiotafel.waitlist import identity

    a, b = candidate.client_a, candidate.client_b

    def initials(c):
        return "".join(ch for ch in c.initials.upper() if ch.isalpha())

    return [
        {
            "label": _("Aanbieders en cliëntnummers"),
            "a": [(r.provider.name, r.external_id) for r in a.registrations.all()],
            "b": [(r.provider.name, r.external_id) for r in b.registrations.all()],
            "same": None,
            "files": True,
        },
        {
            "label": _("Achternaam"),
            "a": a.surname,
            "b": b.surname,
            "same": _same(identity.surname_key(a.surname), identity.surname_key(b.surname)),
        },
        {
            "label": _("Voorletters"),
            "a": a.initials,
            "b": b.initials,
            "same": _same(initials(a), initials(b)),
        },
        {
            "label": _("Geboortedatum"),
            "a": a.birth_date.strftime("%d-%m-%Y"),
            "b": b.birth_date.strftime("%d-%m-%Y"),
            "same": a.birth_date == b.birth_date,
        },
        {
            "label": _("Postcode"),
            "a": a.postcode,
            "b": b.postcode,
            "same": _same(identity.postcode_key(a.postcode), identity.postcode_key(b.postcode)),
        },
        {
            "label": _("BSN"),
            "a": _("bekend") if a.bsn_hash else _("onbekend"),
            "b": _("bekend") if b.bsn_hash else _("onbekend"),
            "same": _same(a.bsn_hash or "", b.bsn_hash or ""),
        },
    ]


@login_required
@require_POST
def duplicate_action(request, candidate_id: int, action: str):
    try:
        if action == "samenvoegen":
            keep = request.POST.get("behoud")
            duplicates.merge(
                user=request.user,
                candidate_id=candidate_id,
                keep=int(keep) if keep and keep.isascii() and keep.isdigit() else None,
            )
            messages.success(request, _("Samengevoegd. U kunt dit hieronder ongedaan maken."))
        elif action == "afwijzen":
            duplicates.reject(
                user=request.user,
                candidate_id=candidate_id,
                note=request.POST.get("toelichting", ""),
            )
            messages.success(request, _("Vastgelegd: dit zijn twee verschillende personen."))
    except errors.Conflict as exc:
        messages.error(request, exc.detail)
    return redirect("waitlist:duplicates")


@login_required
@require_POST
def merge_undo(request, merge_id: int):
    try:
        duplicates.undo(user=request.user, merge_id=merge_id)
        messages.success(request, _("Samenvoeging ongedaan gemaakt."))
    except errors.Conflict as exc:
        messages.error(request, exc.detail)
    return redirect("waitlist:duplicates")


@login_required
def placement_page(request):
    organisation = required_organisation(request)
    permissions.check(request.user, "wachtlijst.plaatsen", organisation)
    locations = Location.objects.filter(organisation=organisation).order_by("name")
    wanted = request.GET.get("locatie", "")
    chosen = wanted.isascii() and wanted.isdigit() and locations.filter(pk=wanted).first()
    chosen = chosen or locations.first()  # a missing, unknown or non-numeric id: the first
    line = placement.next_in_line(location=chosen) if chosen else []
    audit.record_reads([item.registration.client for item in line], detail={"pagina": "plaatsing"})
    offers = PlacementOffer.objects.filter(
        location__organisation=organisation, state=OfferState.OPEN
    ).select_related("registration__client", "location")
    return render(
        request,
        "waitlist/placement.html",
        {"locations": locations, "chosen": chosen, "line": line, "offers": offers},
    )


@login_required
@require_POST
def placement_action(request, action: str):
    try:
        if action == "aanbieden":
            placement.offer(
                user=request.user,
                registration_id=int(request.POST["inschrijving"]),
                location_id=int(request.POST["locatie"]),
            )
            messages.success(request, _("Aanbod vastgelegd."))
        elif action == "accepteren":
            placement.accept(user=request.user, offer_id=int(request.POST["aanbod"]))
            messages.success(
                request, _("Geplaatst; de inschrijvingen bij andere aanbieders zijn gesloten.")
            )
        elif action == "weigeren":
            placement.decline(
                user=request.user,
                offer_id=int(request.POST["aanbod"]),
                reason=request.POST.get("reden", ""),
            )
            messages.success(request, _("Weigering vastgelegd."))
    except (errors.Conflict, errors.InvalidInput) as exc:
        messages.error(request, exc.detail)
    except (KeyError, ValueError):  # a missing or non-numeric id: a hand-made request
        messages.error(request, _("Het formulier is onvolledig; kies opnieuw."))
    return redirect("waitlist:placement")


def _figures_for(request):
    organisation = required_organisation(request)
    region = organisation.region
    permissions.check(request.user, "wachtlijst.cijfers", region)
    provider = (
        organisation
        if organisation.type == "vvt" and request.GET.get("niveau") == "organisatie"
        else None
    )
    data = reports.figures(region=region, provider=provider)
    suppressed = not _sees_identities(request.user)
    shown = reports.suppressed(data) if suppressed else dict(data.__dict__)
    labels = dict(WaitingStatus.choices)
    shown["by_status"] = {str(labels.get(k, k)): v for k, v in shown["by_status"].items()}
    return region, provider, data, shown, suppressed


@login_required
def figures_page(request):
    region, provider, raw, shown, suppressed = _figures_for(request)
    status_labels = dict(WaitingStatus.choices)
    by_status = go.Figure(
        go.Bar(
            x=[str(status_labels.get(k, k)) for k in raw.by_status], y=list(raw.by_status.values())
        )
    )
    by_status.update_layout(title=_("Wachtenden per wachtstatus"), yaxis_title=_("aantal"))
    flow = go.Figure(
        [
            go.Scatter(x=list(raw.inflow), y=list(raw.inflow.values()), name=_("instroom")),
            go.Scatter(x=list(raw.outflow), y=list(raw.outflow.values()), name=_("uitstroom")),
        ]
    )
    flow.update_layout(title=_("Instroom en uitstroom per maand"), yaxis_title=_("inschrijvingen"))
    return render(
        request,
        "waitlist/figures.html",
        {
            "region": region,
            "provider": provider,
            "f": shown,
            "status_labels": status_labels,
            "charts": [] if suppressed else [charts.fragment(by_status), charts.fragment(flow)],
            "suppressed": suppressed,
            "is_provider": acting_organisation(request).type == "vvt",
        },
    )


@login_required
def figures_export(request, fmt: str):
    region, provider, _raw, shown, _suppressed = _figures_for(request)
    audit.record("export", region, detail={"soort": "wachtlijstcijfers", "formaat": fmt})
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(shown),
            content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    else:
        response = HttpResponse(exports.to_csv(shown), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wachtlijstcijfers.{fmt}"'
    return response
