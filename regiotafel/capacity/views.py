"""Pages of the capacity capability. Thin: each view checks access through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regiotafel import errors
from regiotafel.capacity import availability, beds, board_cache, cases, claims, triage, triage_views
from regiotafel.capacity.forms import (
    BedStatusForm,
    BoardFilterForm,
    CaseForm,
    DeclineForm,
    TransitionForm,
)
from regiotafel.capacity.models import Bed, Case, CaseState, Claim, ClaimState, Location
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
    entry = board_cache.entry(filters)
    return {
        "form": form,
        "rows": entry.rows,
        "board_entry": entry,
        "region": region,
        "now": timezone.now(),
        "can_claim": can_claim,
        # Wlz crisis (and a region's triage-only types): "Reserveer" only for RAP triagists.
        "triage_codes": triage.triage_only_codes(region.pk),
        "can_claim_triage": permissions.can(request.user, "crisisbed.reserveren"),
        "casus": data.get("casus") or "",
        "back": request.get_full_path(),  # a refused reservation returns here, filters kept
    }


# Case states from which a claim may be made (the claim moves the case to bed_gereserveerd).
CLAIMABLE_STATES = frozenset(
    state
    for state, targets in cases.CLAIM_TRANSITIONS.items()
    if CaseState.BED_GERESERVEERD in targets
)


def _local_back(request, fallback: str):
    """Redirect to the form's ``terug`` if it is a path on this site, else to the fallback."""
    back = request.POST.get("terug", "")
    if (
        back.startswith("/")
        and not back.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(back)
    return redirect(fallback)  # never another site, nor a view name (NoReverseMatch)


def _refusal(request, exc: errors.RegiotafelError, case: Case | None = None) -> None:
    """Show the service's Dutch reason with its stable code; link the claim a case holds."""
    link = ""
    if exc.code == "casus-heeft-reservering" and case is not None:
        held = claims.active_claim_of(case)
        if held is not None:
            url = reverse("capacity:case", args=[case.reference]) + f"#reservering-{held.pk}"
            link = format_html(' <a href="{}">{}</a>', url, _("Bekijk de reservering"))
    messages.error(
        request,
        format_html('{}{} <small class="code">({})</small>', exc.detail, link, exc.code),
        extra_tags=f"code-{exc.code}",
    )


def _open_cases_to_link(request):
    """Open cases of the acting organisation that may take a claim and hold none now."""
    now = timezone.now()
    holding = Claim.objects.filter(case=OuterRef("pk"), state=ClaimState.ACTIEF, expires_at__gt=now)
    return list(
        permissions.visible(request.user, "casus.behandelen", Case)
        .filter(state__in=CLAIMABLE_STATES)
        .exclude(Exists(holding))
        .select_related("bed_type", "municipality")
        .order_by("-registered_at")[:100]
    )


def _csrf_secret(request) -> str:
    """The CSRF secret the rows' reserve forms are signed with (set now if there is none)."""
    get_token(request)
    return request.META.get("CSRF_COOKIE", "")


@login_required
def board(request):
    """The board page; its rows alone for htmx (a filter change) and for board.js's poll
    (``?fragment=1``), which sends the rows' ETag: an unchanged board answers ``304``."""
    fragment = request.htmx or request.GET.get("fragment") == "1"
    context = _board_context(request)
    query = request.GET.copy()
    query.pop("fragment", None)
    context["back"] = request.path + (f"?{query.urlencode()}" if query else "")
    # The rows' HTML depends on more than the answer: the reserve buttons (rights), the case
    # and return path in their forms, the CSRF token, the language, and "… minutes ago"
    # (hence the minute). The answer itself is the same for every organisation.
    etag = board_cache.derived_etag(
        context["board_entry"].etag,
        request.user.pk,
        getattr(acting_organisation(request), "pk", None),
        context["can_claim"],
        context["casus"],
        context["back"],
        _csrf_secret(request),
        get_language(),
        int(context["now"].timestamp() // 60),
    )
    context["board_etag"] = etag
    if fragment and board_cache.not_modified(request, etag):
        return HttpResponseNotModified(headers={"ETag": etag})
    template = "capacity/_board_rows.html" if fragment else "capacity/board.html"
    response = render(request, template, context)
    response["ETag"] = etag
    return response


@login_required
@require_POST
def reserve(request, location_id: int):
    organisation = required_organisation(request)
    reference = request.POST.get("casus", "")
    case = cases.load_case(user=request.user, reference=reference) if reference else None
    bed_type, target_group = request.POST.get("beddentype", ""), request.POST.get("doelgroep", "")
    try:
        claim = claims.reserve_at_location(
            user=request.user,
            organisation=organisation,
            location_id=location_id,
            bed_type_code=bed_type,
            target_group=target_group,
            case=case,
        )
    except (errors.Conflict, errors.PermissionDenied) as exc:
        if isinstance(exc, errors.PermissionDenied) and exc.code == "geen-toegang":
            raise  # no right at all: the 403 page; a named refusal (triage) is a message
        _refusal(request, exc, case)
        query = {"beddentype": bed_type, "doelgroep": target_group, "casus": reference}
        fallback = (
            reverse("capacity:board") + "?" + urlencode({k: v for k, v in query.items() if v})
        )
        return _local_back(request, fallback)
    deadline = timezone.localtime(claim.expires_at).strftime("%H:%M")
    messages.success(
        request,
        _(
            "Bed %(bed)s is voor u gereserveerd tot %(time)s. Bel de "
            "locatie (%(phone)s) om de opname af te stemmen."
        )
        % {"bed": claim.bed, "time": deadline, "phone": claim.bed.location.phone},
    )
    if case:
        return redirect("capacity:case", reference=case.reference)
    messages.info(request, _("Koppel hieronder een casus aan deze reservering, of trek haar in."))
    return redirect(reverse("capacity:claims") + f"#reservering-{claim.pk}")


@login_required
def case_list(request):
    permissions.check(request.user, "casus.bekijken")
    visible = cases.visible_cases(request.user).select_related(
        "bed_type", "municipality", "referrer_organisation"
    )
    queue = cases.annotate_norms(cases.triage_queue(user=request.user))  # norm per case
    shown = cases.annotate_norms(visible.order_by("-registered_at")[:200])
    audit.record_reads([*shown, *queue], detail={"pagina": "casussen"})
    return render(
        request,
        "capacity/case_list.html",
        {
            "cases": shown,
            "queue": queue,
            "can_register": permissions.can(request.user, "casus.aanmelden")
            or permissions.can(request.user, "casus.telefonisch_aanmelden"),
        },
    )


@login_required
def case_new(request):
    organisation = required_organisation(request)
    # A triagist of the registration point registers a phoned-in case for a referrer.
    phoned_in = triage.registration_points_of(request.user).filter(pk=organisation.pk).exists()
    if phoned_in:
        permissions.check(request.user, "casus.telefonisch_aanmelden", organisation)
    else:
        permissions.check(request.user, "casus.aanmelden", organisation)
    referrers = triage.referrer_choices(organisation) if phoned_in else None
    form = CaseForm(request.POST or None, region=organisation.region, referrers=referrers)
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.register_case(
                user=request.user,
                organisation=organisation,
                data=form.cleaned_data,
                on_behalf_of=form.cleaned_data.get("namens"),
            )
        except (errors.InvalidInput, errors.PermissionDenied) as exc:
            for problem in exc.errors or [errors.FieldError("", exc.detail)]:
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
        else:
            messages.success(request, _("Casus %(ref)s is aangemeld.") % {"ref": case.reference})
            return redirect("capacity:case", reference=case.reference)
    return render(request, "capacity/case_new.html", {"form": form, "phoned_in": phoned_in})


OFFERS_SHOWN = 5  # matching free beds on a case page, nearest first; the board has all


@login_required
def case_detail(request, reference: str):
    case = cases.load_case(user=request.user, reference=reference)
    choices = [
        (s, cases.CaseState(s).label)
        for s in sorted(cases.manual_choices(case, acting_organisation(request)))
    ]
    can_act = permissions.can(request.user, "casus.behandelen", case)
    can_claim = triage.may_claim_for(request.user, case)  # crisis beds: RAP after triage
    active_claim = claims.active_claim_of(case) if case.closed_at is None else None
    offers = None
    declined_at: set[int] = set()
    if can_act and can_claim and case.state in CLAIMABLE_STATES and active_claim is None:
        # A location that declined this case comes last and is marked: claiming it again in
        # one step (it was first, nearest) only earns a second decline.
        declined_at = set(
            case.claims.filter(state=ClaimState.GEWEIGERD).values_list(
                "bed__location_id", flat=True
            )
        )
        rows = availability.board(
            availability.BoardFilter(
                region_id=case.municipality.region_id,
                bed_type=case.bed_type.code,
                target_group=case.target_group,
                near=case.municipality.cbs_code,
            )
        )
        offers = sorted(rows, key=lambda row: row.location_id in declined_at)[:OFFERS_SHOWN]
    return render(
        request,
        "capacity/case_detail.html",
        {
            "case": case,
            "offers": offers,
            "declined_at": declined_at,
            "active_claim": active_claim,
            "now": timezone.now(),
            "transitions": case.transitions.select_related("by", "organisation"),
            "claims": case.claims.select_related("bed__location", "organisation"),
            "form": TransitionForm(choices=choices) if choices else None,
            "can_act": can_act,
            "can_claim": can_claim,
            "target_hours": cases.target_hours(case),
            "within_target": cases.within_target(case),
            "triage": triage_views.case_context(request, case, can_act=can_act),
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
        _refusal(request, exc)
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
    linkable = (
        _open_cases_to_link(request)
        if any(c.state == ClaimState.ACTIEF and not c.case_id for c in mine)
        else []
    )
    audit.record_reads(
        [*(c.case for c in [*mine, *on_my_beds] if c.case_id), *linkable],
        detail={"pagina": "reserveringen"},
    )
    return render(
        request,
        "capacity/claim_list.html",
        {
            "mine": mine,
            "linkable": linkable,
            "can_register": permissions.can(request.user, "casus.aanmelden"),
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
            reference = request.POST.get("casus", "")
            if not reference:
                raise errors.InvalidInput(
                    _("Kies de casus die bij deze reservering hoort."),
                    code="casus-kiezen",
                    errors=[errors.FieldError("casus", _("Verplicht."))],
                )
            case = cases.load_case(user=request.user, reference=reference)
            claims.link_case(user=request.user, claim_id=claim_id, case=case)
            messages.success(
                request,
                _("Casus %(ref)s gekoppeld aan de reservering.") % {"ref": case.reference},
            )
            return redirect("capacity:case", reference=case.reference)
    except (errors.Conflict, errors.InvalidInput) as exc:
        _refusal(request, exc)
    return _local_back(request, reverse("capacity:claims"))


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
