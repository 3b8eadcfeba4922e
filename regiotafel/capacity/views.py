"""Pages of the capacity capability. Thin: each view checks access through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regiotafel import errors
from regiotafel.capacity import availability, beds, cases, claims
from regiotafel.capacity.forms import (
    BedStatusForm,
    BoardFilterForm,
    CaseForm,
    DeclineForm,
    TransitionForm,
)
from regiotafel.capacity.models import Bed, Claim, ClaimState, Location
from regiotafel.core import audit, permissions
from regiotafel.core.acting import acting_organisation, required_organisation


def _board_context(request) -> dict:
    permissions.check(request.user, "beschikbaarheid.bekijken")
    region = required_organisation(request).region
    form = BoardFilterForm(request.GET or None, region=region)
    data = form.cleaned_data if form.is_valid() else {}
    filters = availability.BoardFilter(
        region_id=region.pk,
        bed_type=data.get("beddentype") or "",
        target_group=data.get("doelgroep") or "",
        subregion_id=data["subregio"].pk if data.get("subregio") else None,
        municipality=data.get("gemeente") or "",
        near=data.get("vanaf_gemeente") or "",
    )
    can_claim = permissions.can(request.user, "bed.reserveren")
    return {
        "form": form,
        "rows": availability.board(filters),
        "region": region,
        "now": timezone.now(),
        "can_claim": can_claim,
        "casus": data.get("casus") or "",
    }


@login_required
def board(request):
    template = "capacity/_board_rows.html" if request.htmx else "capacity/board.html"
    return render(request, template, _board_context(request))


@login_required
@require_POST
def reserve(request, location_id: int):
    organisation = required_organisation(request)
    reference = request.POST.get("casus", "")
    case = cases.load_case(user=request.user, reference=reference) if reference else None
    try:
        claim = claims.reserve_at_location(
            user=request.user,
            organisation=organisation,
            location_id=location_id,
            bed_type_code=request.POST.get("beddentype", ""),
            target_group=request.POST.get("doelgroep", ""),
            case=case,
        )
    except errors.Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("capacity:board")
    deadline = timezone.localtime(claim.expires_at).strftime("%H:%M")
    messages.success(
        request,
        _(
            "Bed %(bed)s is voor u gereserveerd tot %(time)s. Bel de "
            "locatie (%(phone)s) om de opname af te stemmen."
        )
        % {"bed": claim.bed, "time": deadline, "phone": claim.bed.location.phone},
    )
    return (
        redirect("capacity:case", reference=case.reference) if case else redirect("capacity:claims")
    )


@login_required
def case_list(request):
    permissions.check(request.user, "casus.bekijken")
    visible = cases.visible_cases(request.user).select_related(
        "bed_type", "municipality", "referrer_organisation"
    )
    queue = list(cases.triage_queue(user=request.user))
    shown = list(visible.order_by("-registered_at")[:200])
    audit.record_reads([*shown, *queue], detail={"pagina": "casussen"})
    return render(
        request,
        "capacity/case_list.html",
        {
            "cases": shown,
            "queue": queue,
            "can_register": permissions.can(request.user, "casus.aanmelden"),
        },
    )


@login_required
def case_new(request):
    organisation = required_organisation(request)
    permissions.check(request.user, "casus.aanmelden", organisation)
    form = CaseForm(request.POST or None, region=organisation.region)
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.register_case(
                user=request.user, organisation=organisation, data=form.cleaned_data
            )
        except errors.InvalidInput as exc:
            for problem in exc.errors:
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
        else:
            messages.success(request, _("Casus %(ref)s is aangemeld.") % {"ref": case.reference})
            return redirect("capacity:case", reference=case.reference)
    return render(request, "capacity/case_new.html", {"form": form})


@login_required
def case_detail(request, reference: str):
    case = cases.load_case(user=request.user, reference=reference)
    choices = [
        (s, cases.CaseState(s).label)
        for s in sorted(cases.MANUAL_TRANSITIONS.get(case.state, set()))
    ]
    return render(
        request,
        "capacity/case_detail.html",
        {
            "case": case,
            "transitions": case.transitions.select_related("by", "organisation"),
            "claims": case.claims.select_related("bed__location", "organisation"),
            "form": TransitionForm(choices=choices) if choices else None,
            "can_act": permissions.can(request.user, "casus.behandelen", case),
            "can_claim": permissions.can(request.user, "bed.reserveren"),
            "target_hours": cases.target_hours(case),
            "within_target": cases.within_target(case),
        },
    )


@login_required
@require_POST
def case_transition(request, reference: str):
    case = cases.load_case(user=request.user, reference=reference, action="casus.behandelen")
    try:
        cases.transition(
            user=request.user,
            organisation=acting_organisation(request),
            case=case,
            to=request.POST.get("naar", ""),
            reason=request.POST.get("reden", ""),
        )
    except (errors.Conflict, errors.InvalidInput) as exc:
        messages.error(request, exc.detail)
    return redirect("capacity:case", reference=reference)


@login_required
@require_POST
def case_hand_over(request, reference: str):
    case = cases.load_case(user=request.user, reference=reference, action="casus.behandelen")
    try:
        case = cases.hand_over(user=request.user, case=case)
        messages.success(request, _("Casus overgedragen aan %(org)s.") % {"org": case.handled_by})
    except (errors.Conflict, errors.InvalidInput) as exc:
        messages.error(request, exc.detail)
    return redirect("capacity:case", reference=reference)


@login_required
def claim_list(request):
    """The claims of my organisation (referrer, triagist) and on my beds (planner)."""
    required_organisation(request)
    if not (
        permissions.can(request.user, "reservering.intrekken")
        or permissions.can(request.user, "reservering.beslissen")
    ):
        permissions.check(request.user, "reservering.intrekken")
    mine = permissions.visible(request.user, "reservering.intrekken", Claim)
    my_beds = permissions.visible(request.user, "reservering.beslissen", Bed)
    on_my_beds = Claim.objects.filter(bed__in=my_beds)
    related = ("bed__location", "bed__bed_type", "case", "organisation")
    mine = list(mine.select_related(*related)[:100])
    on_my_beds = list(on_my_beds.filter(state=ClaimState.ACTIEF).select_related(*related))
    audit.record_reads(
        [c.case for c in [*mine, *on_my_beds] if c.case_id], detail={"pagina": "reserveringen"}
    )
    return render(
        request,
        "capacity/claim_list.html",
        {
            "mine": mine,
            "on_my_beds": on_my_beds,
            "decline_form": DeclineForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def claim_action(request, claim_id: int, action: str):
    try:
        if action == "bevestig":
            claims.confirm(user=request.user, claim_id=claim_id)
            messages.success(request, _("Opname bevestigd."))
        elif action == "weiger":
            claims.decline(
                user=request.user, claim_id=claim_id, reason=request.POST.get("reden", "")
            )
            messages.success(request, _("Reservering geweigerd; het bed is weer vrij."))
        elif action == "trek-in":
            claims.withdraw(user=request.user, claim_id=claim_id)
            messages.success(request, _("Reservering ingetrokken; het bed is weer vrij."))
        elif action == "verleng":
            claim = claims.extend(user=request.user, claim_id=claim_id)
            until = timezone.localtime(claim.expires_at).strftime("%H:%M")
            messages.success(request, _("Reservering verlengd tot %(time)s.") % {"time": until})
        elif action == "koppel":
            case = cases.load_case(user=request.user, reference=request.POST.get("casus", ""))
            claims.link_case(user=request.user, claim_id=claim_id, case=case)
            messages.success(request, _("Casus gekoppeld aan de reservering."))
    except (errors.Conflict, errors.InvalidInput) as exc:
        messages.error(request, exc.detail)
    back = request.POST.get("terug", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("capacity:claims")  # never another site, nor a view name (NoReverseMatch)


@login_required
def bed_list(request):
    organisation = required_organisation(request)
    permissions.check(request.user, "bedden.bijwerken", organisation)
    locations = (
        Location.objects.filter(organisation=organisation)
        .prefetch_related("beds__bed_type")
        .select_related("municipality", "confirmed_by")
    )
    return render(
        request,
        "capacity/bed_list.html",
        {
            "locations": locations,
            "status_form": BedStatusForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def bed_status(request, bed_id: int):
    try:
        bed = beds.set_status(
            user=request.user, bed_id=bed_id, status=request.POST.get("status", "")
        )
    except (errors.Conflict, errors.InvalidInput) as exc:
        if request.htmx:
            return render(request, "capacity/_message.html", {"error": exc.detail}, status=409)
        messages.error(request, exc.detail)
        return redirect("capacity:beds")
    if request.htmx:
        return render(
            request,
            "capacity/_message.html",
            {
                "ok": _("%(bed)s: %(status)s")
                % {"bed": bed.label, "status": bed.get_status_display()}
            },
        )
    return redirect("capacity:beds")


@login_required
@require_POST
def location_confirm(request, location_id: int):
    location = beds.confirm_availability(user=request.user, location_id=location_id)
    messages.success(request, _("Beschikbaarheid van %(loc)s bevestigd.") % {"loc": location})
    return redirect("capacity:beds")


REPORT_PERIODS = {"1": 1, "7": 7, "30": 30}


def _report_data(request):
    from datetime import timedelta

    from regiotafel.capacity import figures

    organisation = required_organisation(request)
    permissions.check(request.user, "capaciteit.rapportage", organisation.region)
    days = REPORT_PERIODS.get(request.GET.get("dagen", "7"), 7)
    end = timezone.now()
    start = end - timedelta(days=days)
    step = timedelta(hours=1 if days <= 7 else 6)
    summary = figures.summary(region=organisation.region, start=start, end=end)
    series = figures.occupancy_series(region=organisation.region, start=start, end=end, step=step)
    return organisation.region, days, summary, series


@login_required
def report(request):
    from regiotafel.capacity import figures
    from regiotafel.core import charts

    region, days, summary, series = _report_data(request)
    return render(
        request,
        "capacity/report.html",
        {
            "region": region,
            "days": days,
            "summary": summary,
            "rows": figures.summary_rows(summary),
            "periods": REPORT_PERIODS,
            "charts": [
                charts.fragment(figures.occupancy_figure(series)),
                charts.fragment(figures.claims_figure(summary)),
            ],
        },
    )


@login_required
def report_export(request, fmt: str):
    from django.http import HttpResponse

    from regiotafel.capacity import figures
    from regiotafel.core import audit

    region, days, summary, series = _report_data(request)
    audit.record("export", region, detail={"soort": "capaciteitsrapportage", "formaat": fmt})
    if fmt == "xlsx":
        body = figures.to_xlsx(summary_=summary, series=series)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = figures.to_csv(summary_=summary, series=series), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="capaciteit-{days}d.{fmt}"'
    return response
