"""Pages of the plan analysis. Thin: access checks and work go through the services."""

from __future__ import annotations

import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from regiotafel import errors
from regiotafel.core import charts, permissions
from regiotafel.core.models import Region
from regiotafel.plans import exports, results, services
from regiotafel.plans.forms import (
    CodingForm,
    CompareForm,
    FrameworkImportForm,
    UploadForm,
    VocabularyForm,
    scorer_choices,
)
from regiotafel.plans.models import Framework, Indicator, Plan, PlanStatus


def _plan(request, plan_id: int, action: str = "plannen.bekijken") -> Plan:
    return permissions.get_for(request.user, action, Plan.objects.defer("source"), pk=plan_id)


def _load_indicator(plan: Plan, indicator_id: int) -> Indicator:
    found = plan.framework.indicators.select_related("category").filter(pk=indicator_id).first()
    if found is None:
        raise errors.NotFound(_("Indicator niet gevonden."), code="indicator-niet-gevonden")
    return found


def _framework(request) -> Framework:
    wanted = request.GET.get("kader")
    found = (
        Framework.objects.filter(pk=wanted).first()
        if wanted and wanted.isascii() and wanted.isdigit()
        else None
    )
    return found or services.ensure_default_framework()


@login_required
def index(request):
    permissions.check(request.user, "plannen.bekijken")
    plans = (
        services.visible_plans(request.user)
        .annotate(coded=Count("codings__indicator", distinct=True))
        .order_by("region__name", "-created_at")
    )
    return render(
        request,
        "plans/index.html",
        {
            "plans": plans,
            "may_upload": bool(services.regions_for_upload(request.user)),
            "may_compare": permissions.can(request.user, "plannen.vergelijken"),
        },
    )


@login_required
def upload(request):
    regions = services.regions_for_upload(request.user)
    if not regions:
        raise errors.PermissionDenied(_("U mag geen regioplannen uploaden."))
    services.ensure_default_framework()
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        regions=regions,
        frameworks=Framework.objects.all(),
    )
    if request.method == "POST" and form.is_valid():
        data, file = form.cleaned_data, form.cleaned_data["bestand"]
        try:
            plan = services.upload_plan(
                user=request.user,
                region=next(r for r in regions if str(r.pk) == data["regio"]),
                framework=Framework.objects.get(pk=data["kader"]),
                title=data["titel"],
                version=data["versie"],
                plan_date=data["datum"],
                scorer=data["scorer"],
                source=file.read(),
                file_name=file.name,
            )
        except errors.InvalidInput as exc:
            return render(request, "plans/upload.html", {"form": form, "failure": exc}, status=422)
        return redirect("plans:plan", plan_id=plan.pk)
    return render(request, "plans/upload.html", {"form": form})


@login_required
def plan_detail(request, plan_id: int):
    plan = _plan(request, plan_id)
    rows = []
    if plan.status == PlanStatus.KLAAR:
        proposals = {p.indicator_id: p for p in plan.proposals.filter(scorer=plan.scorer)}
        codings = {}
        for coding in plan.codings.all():
            codings.setdefault(coding.indicator_id, []).append(coding)
        for ind in plan.framework.indicators.select_related("category"):
            mine = [c for c in codings.get(ind.pk, []) if c.analyst_id == request.user.pk]
            rows.append(
                {
                    "indicator": ind,
                    "proposal": proposals.get(ind.pk),
                    "mine": mine[0] if mine else None,
                    "codings": len(codings.get(ind.pk, [])),
                }
            )
    return render(
        request,
        "plans/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "agreements": services.agreement(plan=plan) if rows else [],
            "scorers": _scorers(),
            "may_manage": permissions.can(request.user, "plannen.beheren", plan),
        },
    )


def _scorers():
    return scorer_choices()


@login_required
def plan_progress(request, plan_id: int):
    plan = _plan(request, plan_id)
    response = render(request, "plans/_progress.html", {"plan": plan})
    if plan.is_done:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def delete(request, plan_id: int):
    plan = _plan(request, plan_id, "plannen.beheren")
    services.delete_plan(user=request.user, plan=plan)
    messages.success(request, _("Plan %(t)s is verwijderd.") % {"t": plan.title})
    return redirect("plans:index")


@login_required
@require_POST
def rescore(request, plan_id: int):
    plan = _plan(request, plan_id, "plannen.beheren")
    try:
        services.rescore(user=request.user, plan=plan, scorer=request.POST.get("scorer", ""))
        messages.success(request, _("Opnieuw scoren is gestart."))
    except (errors.Conflict, errors.InvalidInput) as exc:
        messages.error(request, exc.detail)
    return redirect("plans:plan", plan_id=plan.pk)


@login_required
def review(request, plan_id: int, indicator_id: int):
    plan = _plan(request, plan_id)
    indicator = _load_indicator(plan, indicator_id)
    search = request.GET.get("zoek", "").strip()[:200]
    found = services.review(user=request.user, plan=plan, indicator=indicator, search=search)
    return _render_review(request, found, search=search)


def _render_review(request, found, form=None, status=200, search=""):
    passages = [row["passage"] for row in found.ranked]
    if found.coding:
        passages += [p for p in found.coding.evidence.all() if p not in passages]
    passages += [p for p in found.matches if p not in passages]
    if form is None:
        accepted = [
            str(r["passage"].pk) for r in found.ranked if getattr(r["judgement"], "accepted", False)
        ]
        initial = (
            {
                "oordeel": found.coding.verdict,
                "toelichting": found.coding.note,
                "onderbouwing": [str(p.pk) for p in found.coding.evidence.all()],
            }
            if found.coding
            else {"onderbouwing": accepted}
        )
        form = CodingForm(initial=initial, passages=passages)
    indicators = list(found.plan.framework.indicators.values_list("pk", flat=True))
    position = indicators.index(found.indicator.pk)
    return render(
        request,
        "plans/review.html",
        {
            "r": found,
            "form": form,
            "search": search,
            "may_code": permissions.can(request.user, "plannen.coderen", found.plan),
            "previous": indicators[position - 1] if position > 0 else None,
            "next": indicators[position + 1] if position + 1 < len(indicators) else None,
        },
        status=status,
    )


@login_required
@require_POST
def judge(request, plan_id: int, indicator_id: int, passage_id: int):
    plan = _plan(request, plan_id, "plannen.coderen")
    indicator = _load_indicator(plan, indicator_id)
    choice = request.POST.get("beoordeling")
    if choice not in ("accepteren", "afwijzen"):
        raise errors.InvalidInput(_("Kies accepteren of afwijzen."), code="ongeldige-keuze")
    accepted = choice == "accepteren"
    services.judge_passage(
        user=request.user,
        plan=plan,
        indicator=indicator,
        passage_id=passage_id,
        accepted=accepted,
        note=request.POST.get("toelichting", ""),
    )
    messages.success(request, _("Passage geaccepteerd.") if accepted else _("Passage afgewezen."))
    return redirect(f"{_review_url(plan, indicator)}#passage-{passage_id}")


def _review_url(plan, indicator) -> str:
    return reverse("plans:review", kwargs={"plan_id": plan.pk, "indicator_id": indicator.pk})


@login_required
@require_POST
def code(request, plan_id: int, indicator_id: int):
    plan = _plan(request, plan_id, "plannen.coderen")
    indicator = _load_indicator(plan, indicator_id)
    found = services.review(user=request.user, plan=plan, indicator=indicator)
    passages = list(plan.passages.filter(pk__in=request.POST.getlist("onderbouwing")))
    passages += [r["passage"] for r in found.ranked if r["passage"] not in passages]
    form = CodingForm(request.POST, passages=passages)
    if not form.is_valid():
        return _render_review(request, found, form, status=422)
    data = form.cleaned_data
    try:
        services.code_indicator(
            user=request.user,
            plan=plan,
            indicator=indicator,
            verdict=data["oordeel"],
            note=data["toelichting"],
            evidence=[int(pk) for pk in data["onderbouwing"]],
        )
    except errors.InvalidInput as exc:
        form.add_error(None, exc.detail)
        return _render_review(request, found, form, status=422)
    messages.success(request, _("Oordeel vastgelegd."))
    return redirect(_review_url(plan, indicator))


# --- results ----------------------------------------------------------------------------------


def _matrix_for(request):
    permissions.check(request.user, "plannen.vergelijken")
    framework = _framework(request)
    return results.matrix(framework=framework)


@login_required
def matrix(request):
    m = _matrix_for(request)
    rollup = results.category_rollup(m)
    rows = [
        {"indicator": ind, "cells": [m.cell(region, ind) for region in m.regions]}
        for ind in m.indicators
    ]
    return render(
        request,
        "plans/matrix.html",
        {
            "m": m,
            "rows": rows,
            "rollup": rollup,
            "spots": results.white_spots(m),
            "frameworks": Framework.objects.all(),
            "chart": _rollup_chart(m, rollup) if m.regions else None,
        },
    )


def _rollup_chart(m, rollup) -> str:
    regions = [r.name for r in m.regions]
    categories = [c.name for c in m.categories]
    share = {(row["region"].name, row["category"].name): row["share"] for row in rollup}
    figure = go.Figure(
        go.Heatmap(
            z=[[round(100 * share[(r, c)]) for r in regions] for c in categories],
            x=regions,
            y=categories,
            colorscale="Blues",
            zmin=0,
            zmax=100,
            colorbar={"title": "%"},
        )
    )
    figure.update_layout(title=_("Dekking per categorie (gedekt telt 1, deels een half)"))
    return charts.fragment(figure)


@login_required
def matrix_export(request, fmt: str):
    m = _matrix_for(request)
    if fmt == "xlsx":
        response = HttpResponse(
            exports.matrix_xlsx(m),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.matrix_csv(m), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="regioplannen-matrix.{fmt}"'
    return response


@login_required
def compare(request):
    permissions.check(request.user, "plannen.bekijken")
    plans = [p for p in services.visible_plans(request.user) if p.status == PlanStatus.KLAAR]
    form = CompareForm(request.GET or None, plans=plans, initial=_two_versions(plans))
    rows, first, second, failure = None, None, None, None
    if form.is_valid():
        first = next(p for p in plans if str(p.pk) == form.cleaned_data["a"])
        second = next(p for p in plans if str(p.pk) == form.cleaned_data["b"])
        try:
            rows = results.compare(user=request.user, first=first, second=second)
        except errors.InvalidInput as exc:
            failure = exc.detail
    return render(
        request,
        "plans/compare.html",
        {"form": form, "rows": rows, "first": first, "second": second, "failure": failure},
        status=422 if failure else 200,
    )


@login_required
def evaluation(request):
    permissions.check(request.user, "plannen.vergelijken")
    framework = _framework(request)
    regions = Region.objects.filter(plans__framework=framework).distinct()
    wanted = request.GET.get("regio", "")
    region = regions.filter(pk=wanted).first() if wanted.isascii() and wanted.isdigit() else None
    report = results.evaluation_report(framework=framework, regions=[region] if region else None)
    return render(
        request,
        "plans/evaluation.html",
        {
            "framework": framework,
            "frameworks": Framework.objects.all(),
            "regions": regions,
            "region": region,
            "scorers": _scorers(),
            "may_calibrate": permissions.can(request.user, "raamwerk.beheren"),
            **report,
        },
    )


@login_required
@require_POST
def calibrate(request):
    wanted = request.POST.get("kader", "")
    framework = _load_framework(
        request, int(wanted) if wanted.isascii() and wanted.isdigit() else 0
    )
    scorer = request.POST.get("scorer", "")
    try:
        changed = services.calibrate(user=request.user, framework=framework, scorer=scorer)
    except errors.InvalidInput as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            ngettext(
                "Drempel van %(n)s indicator aangepast; scoor plannen opnieuw om hem te gebruiken.",
                "Drempels van %(n)s indicatoren aangepast; scoor plannen opnieuw om ze te "
                "gebruiken.",
                len(changed),
            )
            % {"n": len(changed)},
        )
    return redirect(f"{reverse('plans:evaluation')}?kader={framework.pk}")


def _two_versions(plans) -> dict:
    """Preselect the first region's two plans, the older one first."""
    for plan in plans:
        same = [p for p in plans if p.region_id == plan.region_id]
        if len(same) >= 2:
            older, newer = sorted(same[:2], key=lambda p: (p.plan_date is None, p.plan_date, p.pk))
            return {"a": older.pk, "b": newer.pk}
    return {}


# --- frameworks -------------------------------------------------------------------------------


@login_required
def frameworks(request):
    permissions.check(request.user, "plannen.bekijken")
    services.ensure_default_framework()
    may_manage = permissions.can(request.user, "raamwerk.beheren")
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    failure = None
    if request.method == "POST":
        permissions.check(request.user, "raamwerk.beheren")
        if form.is_valid():
            upload = form.cleaned_data["bestand"]
            try:
                created = services.import_framework(
                    user=request.user,
                    name=form.cleaned_data["naam"],
                    source=upload,  # streamed by core.tabular, never read whole
                    file_name=upload.name,
                )
                messages.success(request, _("Toetsingskader ingelezen."))
                return redirect("plans:framework", framework_id=created.pk)
            except (errors.InvalidInput, errors.Conflict) as exc:
                failure = exc
    return render(
        request,
        "plans/frameworks.html",
        {
            "frameworks": Framework.objects.all(),
            "form": form,
            "failure": failure,
            "may_manage": may_manage,
            "columns": services.FRAMEWORK_COLUMNS + services.OPTIONAL_COLUMNS,
        },
        status=422 if failure else 200,
    )


def _load_framework(request, framework_id: int) -> Framework:
    permissions.check(request.user, "plannen.bekijken")
    found = Framework.objects.filter(pk=framework_id).first()
    if found is None:
        raise errors.NotFound(_("Toetsingskader niet gevonden."), code="kader-niet-gevonden")
    return found


@login_required
def framework_detail(request, framework_id: int):
    framework = _load_framework(request, framework_id)
    return render(
        request,
        "plans/framework.html",
        {
            "framework": framework,
            "categories": framework.categories.prefetch_related("indicators"),
            "may_manage": permissions.can(request.user, "raamwerk.beheren"),
        },
    )


@login_required
def vocabulary(request, framework_id: int, indicator_id: int):
    framework = _load_framework(request, framework_id)
    indicator = framework.indicators.filter(pk=indicator_id).first()
    if indicator is None:
        raise errors.NotFound(_("Indicator niet gevonden."), code="indicator-niet-gevonden")
    permissions.check(request.user, "raamwerk.beheren", indicator)
    form = VocabularyForm(
        request.POST or None,
        initial={
            "synoniemen": "\n".join(indicator.synonyms),
            "voorbeelden": "\n".join(indicator.examples),
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_vocabulary(
            user=request.user,
            indicator=indicator,
            synonyms=form.cleaned_data["synoniemen"].splitlines(),
            examples=form.cleaned_data["voorbeelden"].splitlines(),
        )
        messages.success(
            request, _("Opgeslagen. Een nieuwe scan of opnieuw scoren gebruikt deze woorden.")
        )
        return redirect("plans:framework", framework_id=framework.pk)
    return render(
        request,
        "plans/vocabulary.html",
        {"framework": framework, "indicator": indicator, "form": form},
    )


@login_required
def codebook(request, framework_id: int):
    framework = _load_framework(request, framework_id)
    response = HttpResponse(exports.codebook_qdc(framework), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="codeboek-{framework.pk}.qdc"'
    return response
