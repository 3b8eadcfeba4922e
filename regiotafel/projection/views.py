"""Pages of the gap analysis. Thin: access, caching and the numbers come from the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.core.acting import acting_organisation, required_organisation
from regiotafel.projection import figures, report, services
from regiotafel.projection import jobs as projection_jobs
from regiotafel.projection.forms import ParameterUploadForm, SelectionForm
from regiotafel.projection.models import ParameterSet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _chosen_region(request, *, action: str = "zorgkloof.bekijken"):
    """The region asked for (?regio=slug), else the acting organisation's, checked."""
    slug = request.GET.get("regio") or request.POST.get("regio")
    if not slug and request.user.is_superuser and acting_organisation(request) is None:
        first = services.regions_for(request.user).first()
        slug = first.slug if first else None
    if slug:
        return services.region_by_slug(user=request.user, slug=slug, action=action)
    region = required_organisation(request).region
    permissions.check(request.user, action, region)
    return region


@login_required
@require_GET
def index(request):
    region = _chosen_region(request)
    context = {"region": region, "regions": services.regions_for(request.user)}
    context["can_manage"] = permissions.can(request.user, "zorgkloof.parameters.beheren", region)
    parameter_set = services.current_parameter_set(region)
    if parameter_set is None:
        return render(request, "projection/index.html", context)
    if not projection_jobs.ensure_ready(parameter_set):  # computed on a worker; poll (htmx)
        context["poll_url"] = f"{request.path}?{urlencode({**request.GET.dict(), 'wacht': 1})}"
        template = "projection/_computing.html" if request.htmx else "projection/index.html"
        return render(request, template, {**context, "computing": True})
    if request.htmx and request.GET.get("wacht"):
        return HttpResponse(headers={"HX-Refresh": "true"})  # ready: show the whole page
    view = _view_or_default(request, region)
    context.update(_panel_context(view))
    context["form"] = SelectionForm(
        initial={"regio": region.slug, "scenario": view.scenario, "product": view.product},
        scenarios=[(s, view.labels.scenario(s)) for s in view.projection.scenarios],
        products=[(p, view.labels.product(p)) for p in view.projection.products],
        regions=[(r.slug, r.name) for r in context["regions"]],
    )
    template = "projection/_panel.html" if request.htmx else "projection/index.html"
    return render(request, template, context)


def _view_or_default(request, region):
    """The chosen scenario and product; an unknown one (another region's) falls back to the
    first of this region's, so switching regions never ends on an error page."""
    try:
        return services.gap_view(
            user=request.user,
            region=region,
            scenario=request.GET.get("scenario"),
            product=request.GET.get("product"),
        )
    except errors.InvalidInput:
        return services.gap_view(user=request.user, region=region)


def _panel_context(view: services.GapView) -> dict:
    query = urlencode(
        {"regio": view.region.slug, "scenario": view.scenario, "product": view.product}
    )
    parts = view.projection.remember(("panel", view.scenario, view.product), lambda: _parts(view))
    return {"view": view, "query": query, "parameter_set": view.projection.parameter_set, **parts}


def _parts(view: services.GapView) -> dict:
    """What the panel shows that depends only on the projection, scenario and product (built
    once: the charts are the expensive part)."""
    return {
        "table": dict(zip(("years", "rows"), report.wide_rows(view.table), strict=True)),
        "indicators": _indicator_rows(view),
        "decomposition": _decomposition_rows(view),
        "uncertainty": _uncertainty_rows(view),
        "charts": _charts(view),
    }


def _charts(view: services.GapView) -> list[str]:
    found = view.projection
    common = {"product": view.product, "labels": view.labels}
    region_only = [found.region_code]
    built = [
        figures.demand_supply_figure(
            found.results, area=found.region_code, scenarios=[view.scenario], **common
        ),
        figures.shortage_figure(
            found.results, area=found.region_code, scenarios=found.scenarios, **common
        ),
    ]
    if view.municipalities:
        built.append(
            figures.small_multiples_figure(
                found.results,
                areas=[code for code, _name in view.municipalities if code not in region_only],
                scenario=view.scenario,
                **common,
            )
        )
    return [figures.chart_html(figure) for figure in built]


MAIN_INDICATORS = ("mantelzorgpotentieel", "grijze_druk", "dubbele_vergrijzing", "dementie")
# Column heads of the per-municipality table; the region table above gives the definitions.
SHORT_INDICATOR_LABELS = {
    "mantelzorgpotentieel": gettext_lazy("Mantelzorgpotentieel"),
    "grijze_druk": gettext_lazy("Grijze druk"),
    "dubbele_vergrijzing": gettext_lazy("Dubbele vergrijzing"),
    "dementie": gettext_lazy("Mensen met dementie"),
}


def _indicator_rows(view: services.GapView) -> dict | None:
    """The region's indicators over the key years, and the main ones per municipality in the
    last key year, with Dutch-formatted values."""
    frame = view.projection.indicators
    if frame is None or not len(frame):
        return None
    years = sorted({int(frame["jaar"].min()), *report.KEY_YEARS} & set(frame["jaar"]))
    region = frame[(frame["gemeente"] == view.projection.region_code) & frame["jaar"].isin(years)]
    grid = region.pivot_table(index="indicator", columns="jaar", values="waarde", aggfunc="first")
    order = list(view.labels.indicators)
    grid = grid.loc[sorted(grid.index, key=lambda k: order.index(k) if k in order else len(order))]
    region_rows = [
        {
            "indicator": view.labels.indicator(key),
            "values": [report.indicator_value(key, v) for v in values],
        }
        for key, values in zip(grid.index, grid[years].to_numpy(), strict=True)
    ]
    last = years[-1]
    main = [key for key in MAIN_INDICATORS if key in set(frame["indicator"])]
    local = frame[(frame["jaar"] == last) & frame["indicator"].isin(main)]
    local = local.pivot_table(index="gemeente", columns="indicator", values="waarde")
    municipal_rows = [
        {
            "naam": name,
            "values": [report.indicator_value(key, local.loc[code, key]) for key in main],
        }
        for code, name in view.municipalities
        if code in local.index
    ]
    return {
        "years": years,
        "region_rows": region_rows,
        "year": last,
        "columns": [SHORT_INDICATOR_LABELS[key] for key in main],
        "municipal_rows": municipal_rows,
    }


def _uncertainty_rows(view: services.GapView) -> list[dict]:
    """The region's shortage in the key years: the baseline and P10 / P50 / P90 of the draws."""
    if not view.has_band:
        return []
    series = view.series
    region = series[
        (series["gemeente"] == view.projection.region_code) & series["jaar"].isin(report.KEY_YEARS)
    ]
    return [
        {
            "jaar": int(row["jaar"]),
            "tekort": report.number(row["tekort"]),
            "p10": report.number(row["tekort_p10"]),
            "p50": report.number(row["tekort_p50"]),
            "p90": report.number(row["tekort_p90"]),
            "pct": _("%(p10)s tot %(p90)s")
            % {
                "p10": report.percent(row["tekort_pct_p10"]),
                "p90": report.percent(row["tekort_pct_p90"]),
            },
        }
        for row in region.sort_values("jaar").to_dict("records")
    ]


def _decomposition_rows(view: services.GapView) -> list[dict]:
    """For the region: how much of the change in shortage comes from which factor."""
    frame = view.projection.decomposition
    if frame is None:
        return []
    part = frame[
        (frame["gemeente"] == view.projection.region_code)
        & (frame["scenario"] == view.scenario)
        & (frame["product"] == view.product)
    ]
    rows = [
        {
            "factor": view.labels.factor(row["factor"]),
            "bijdrage": report.number(row["bijdrage"]),
            "van": row.get("van_jaar"),
            "tot": row.get("tot_jaar"),
        }
        for row in part.to_dict("records")
    ]
    if rows:
        rows.append(
            {
                "factor": _("Verandering in het tekort"),
                "bijdrage": report.number(part["bijdrage"].sum(skipna=False)),
                "total": True,
            }
        )
    return rows


@login_required
@require_GET
def export(request, fmt: str):
    region = _chosen_region(request)
    view = services.gap_view(
        user=request.user,
        region=region,
        scenario=request.GET.get("scenario"),
        product=request.GET.get("product"),
    )
    if fmt == "xlsx":
        response = HttpResponse(services.export_xlsx(view), content_type=XLSX)
    elif fmt == "html":
        response = HttpResponse(services.export_html(view), content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(services.export_csv(view), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{services.export_name(view, fmt)}"'
    return response


@login_required
def parameters(request):
    region = _chosen_region(request)
    form = ParameterUploadForm()
    failure = None
    if request.method == "POST":
        permissions.check(request.user, "zorgkloof.parameters.beheren", region)
        form = ParameterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["bestand"]
            try:
                saved = services.save_parameter_set(
                    user=request.user,
                    region=region,
                    text=services.decode_upload(upload.read(), filename=upload.name),
                    filename=upload.name,
                )
            except errors.InvalidInput as exc:
                failure = exc
            else:
                messages.success(
                    request,
                    _("Versie %(v)s van de parameters is opgeslagen.") % {"v": saved.version},
                )
                return redirect(f"{reverse('projection:index')}?regio={region.slug}")
    return render(
        request,
        "projection/parameters.html",
        {
            "region": region,
            "form": form,
            "failure": failure,
            "history": services.parameter_history(user=request.user, region=region),
            "can_manage": permissions.can(request.user, "zorgkloof.parameters.beheren", region),
        },
        status=422 if failure else 200,
    )


@login_required
@require_GET
def parameter_file(request, parameter_set_id: int):
    found = permissions.get_for(
        request.user, "zorgkloof.bekijken", ParameterSet, pk=parameter_set_id
    )
    response = HttpResponse(found.text, content_type="text/plain; charset=utf-8")
    name = f"parameters-{found.region.slug}-v{found.version}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
