"""Pages of the foundation: home per role, choosing an organisation, the audit log."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regiotafel import errors
from regiotafel.core import audit, permissions, services
from regiotafel.core.acting import (
    acting_organisation,
    choose_organisation,
    memberships_of,
    required_organisation,
)
from regiotafel.core.forms import AuditFilterForm, GrantRoleForm, RevokeRoleForm
from regiotafel.core.models import AuditAction, Role

# What each role sees first on its home page: a panel per role, built by one function each.
# A capability replaces a role's panel by registering a builder for the same role; a builder
# may name its own template with a "template" key.
HOME_PANELS: dict[str, callable] = {}


def home_panel(role: Role):
    def decorator(builder):
        HOME_PANELS[role] = builder
        return builder

    return decorator


@home_panel(Role.VERWIJZER)
def _referrer_panel(request, organisation) -> dict:
    return {"organisation": organisation}


@home_panel(Role.TRIAGIST)
def _triagist_panel(request, organisation) -> dict:
    return {"organisation": organisation}


@home_panel(Role.CAPACITEITSBEHEERDER)
def _planner_panel(request, organisation) -> dict:
    return {"organisation": organisation}


@home_panel(Role.REGIO_ANALIST)
def _analyst_panel(request, organisation) -> dict:
    region = organisation.region
    permissions.check(request.user, "regio.analyseren", region)
    return {"region": region, **services.region_overview(region=region)}


@home_panel(Role.BEHEERDER)
def _admin_panel(request, organisation) -> dict:
    members = organisation.memberships.select_related("user").order_by("user__username", "role")
    recent = services.read_audit_log(
        user=request.user, organisation=organisation, filters=services.AuditFilter()
    )[:8]
    audit.record_read(
        organisation,
        data_subject=_("medewerkers van %(org)s") % {"org": organisation},
        detail={"pagina": "start"},
    )
    return {"organisation": organisation, "members": members, "recent_events": recent}


@login_required
def home(request):
    organisation = acting_organisation(request)
    panels = []
    if organisation is not None:
        roles = {
            m.role for m in memberships_of(request.user) if m.organisation_id == organisation.pk
        }
        for role in Role:
            if role in roles:
                context = HOME_PANELS[role](request, organisation)
                template = context.pop("template", f"core/home/{role.value}.html")
                panels.append({"role": role, "template": template, **context})
    return render(request, "core/home.html", {"panels": panels, "organisation": organisation})


@login_required
@require_POST
def switch_organisation(request):
    try:
        wanted = int(request.POST.get("organisatie", ""))
    except ValueError:
        wanted = -1
    if choose_organisation(request, wanted) is None:
        raise errors.PermissionDenied(_("U werkt niet voor die organisatie."), code="geen-lid")
    return redirect("home")


def _audit_filters(request) -> tuple[AuditFilterForm, services.AuditFilter]:
    form = AuditFilterForm(request.GET or None)
    if not form.is_valid():
        return form, services.AuditFilter()
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    since = datetime.combine(data["vanaf"], time.min, tz) if data.get("vanaf") else None
    until = datetime.combine(data["tot"], time.max, tz) if data.get("tot") else None
    return form, services.AuditFilter(
        since=since,
        until=until,
        action=data.get("actie") or "",
        actor=data.get("gebruiker") or "",
        data_subject=data.get("betrokkene") or "",
    )


@login_required
def auditlog(request):
    organisation = required_organisation(request)
    form, filters = _audit_filters(request)
    events = services.read_audit_log(user=request.user, organisation=organisation, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "core/auditlog.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "actions": AuditAction.choices,
        },
    )


@login_required
def auditlog_export(request):
    organisation = required_organisation(request)
    _form, filters = _audit_filters(request)
    body = services.export_audit_csv(user=request.user, organisation=organisation, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="auditlog-{organisation.pk}-{stamp}.csv"'
    )
    return response


@login_required
def members(request):
    from regiotafel.core.models import Role

    organisation = required_organisation(request)
    permissions.check(request.user, "medewerkers.beheren", organisation)
    if request.method == "POST":
        _change_member(request, organisation)
        return redirect("members")
    listed = organisation.memberships.select_related("user").order_by("user__username", "role")
    audit.record_reads([m.user for m in listed], detail={"pagina": "medewerkers"})
    return render(
        request,
        "core/members.html",
        {"organisation": organisation, "members": listed, "roles": Role.choices},
    )


def _change_member(request, organisation) -> None:
    """Grant or revoke one role; every outcome is a message on the members page."""
    revoking = "intrekken" in request.POST
    form = (RevokeRoleForm if revoking else GrantRoleForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul een gebruikersnaam in en kies een rol."))
        return
    try:
        if revoking:
            services.revoke_role(user=request.user, membership_id=form.cleaned_data["intrekken"])
            messages.success(request, _("Rol ingetrokken."))
        else:
            services.grant_role(
                user=request.user,
                organisation=organisation,
                username=form.cleaned_data["gebruikersnaam"],
                role=form.cleaned_data["rol"],
            )
            messages.success(request, _("Rol toegekend."))
    except (errors.Conflict, errors.InvalidInput) as exc:
        messages.error(request, exc.detail)
