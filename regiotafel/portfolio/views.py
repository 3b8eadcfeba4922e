"""Pages of the portfolio. Thin: access through core.permissions, the work in services."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import charts, permissions, regional
from regiotafel.core.acting import acting_organisation
from regiotafel.core.models import Region
from regiotafel.portfolio import editing, exports, imports, renderers, services
from regiotafel.portfolio.forms import (
    AgendaItemForm,
    ImportForm,
    MeasurementForm,
    ProjectFilterForm,
    ReportForm,
    ThemeForm,
)
from regiotafel.portfolio.models import AgendaItem, AgendaKind, Kpi, Project, Status, Theme
from regiotafel.portfolio.report import month_label
from regiotafel.portfolio.templatetags.portfolio_nl import maat


def _own_region(request) -> Region | None:
    organisation = acting_organisation(request)
    return organisation.region if organisation else None


def _region_for(request) -> Region:
    """The region a page is about: ?regio=<slug> if the user may view it, else their own."""
    wanted = request.GET.get("regio")
    region = Region.objects.filter(slug=wanted).first() if wanted else _own_region(request)
    if region is None:
        raise errors.PermissionDenied(
            _("U werkt niet namens een organisatie."), code="geen-organisatie"
        )
    permissions.check(request.user, "portfolio.bekijken", region)
    return region


def _latest_date(region=None) -> date:
    found = services.reference_dates(region)
    return found[0] if found else date.today()


def _context(request, **extra) -> dict:
    region = _own_region(request)
    return {
        "own_region": region,
        "may_manage": region is not None
        and permissions.can(request.user, "portfolio.beheren", region),
        **extra,
    }


@login_required
def project_list(request):
    form, found, at = _filtered_projects(request)
    page = Paginator(found.order_by("code"), 50).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    labels = dict(Status.choices)
    for project in page:
        project.state_label = labels.get(project.state_status, "—")
    return render(
        request,
        "portfolio/list.html",
        _context(request, form=form, page=page, at=at, query=query.urlencode()),
    )


@login_required
def project_export(request, fmt: str):
    """The filtered list in the import's own format, to edit and read in again."""
    _form, found, at = _filtered_projects(request)
    response = HttpResponse(
        exports.render(exports.rows(found, at=at), fmt), content_type=exports.FORMATS[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(at, fmt)}"'
    return response


def _filtered_projects(request):
    permissions.check(request.user, "portfolio.bekijken")
    form = ProjectFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    at = data.get("peildatum") or _latest_date()
    found = services.with_state(services.visible_projects(request.user), at)
    if data.get("zoek"):
        found = found.filter(Q(name__icontains=data["zoek"]) | Q(code__iexact=data["zoek"]))
    for field, lookup in (("thema", "theme"), ("concessiehouder", "funder")):
        if data.get(field):
            found = found.filter(**{lookup: data[field]})
    if data.get("status"):
        found = found.filter(state_status=data["status"])
    if data.get("reikwijdte") == "regio":
        found = found.filter(region=_own_region(request))
    elif data.get("reikwijdte") == "landelijk":
        found = found.filter(region__isnull=True)
    return form, found, at


@login_required
def project_detail(request, project_id: int):
    project = permissions.get_for(
        request.user,
        "portfolio.bekijken",
        Project.objects.select_related("region", "theme", "funder", "lead_organisation"),
        pk=project_id,
    )
    may_link = project.region_id is not None and permissions.can(
        request.user, "portfolio.beheren", project
    )
    if request.method == "POST":
        editing.link_project(
            user=request.user,
            project=project,
            agenda_item_ids=[
                int(v) for v in request.POST.getlist("punten") if v.isascii() and v.isdigit()
            ],
            kpi_ids=[int(v) for v in request.POST.getlist("kpis") if v.isascii() and v.isdigit()],
        )
        messages.success(request, _("Koppelingen opgeslagen."))
        return redirect("portfolio:project", project_id=project.pk)
    linked = set(project.agenda_items.values_list("pk", flat=True))
    linked_kpis = set(project.kpis.values_list("pk", flat=True))
    return render(
        request,
        "portfolio/project.html",
        _context(
            request,
            project=project,
            assessments=project.assessments.all(),
            agenda_items=project.agenda_items.all(),
            kpis=project.kpis.all(),
            may_link=may_link,
            choices=(
                [(i, i.pk in linked) for i in AgendaItem.objects.filter(region=project.region)]
                if may_link
                else []
            ),
            kpi_choices=(
                [(k, k.pk in linked_kpis) for k in Kpi.objects.filter(region=project.region)]
                if may_link
                else []
            ),
        ),
    )


@login_required
def import_page(request):
    region = _own_region(request)
    if region is None:
        raise errors.PermissionDenied(
            _("U werkt niet namens een organisatie."), code="geen-organisatie"
        )
    permissions.check(request.user, "portfolio.beheren", region)
    if request.method == "POST" and "naam" in request.POST:
        return _add_theme(request, region)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = failure = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bestand"]
        options = {
            "source": upload,  # streamed by core.tabular, never read whole
            "name": upload.name,
            "reference_date": form.cleaned_data.get("peildatum"),
        }
        try:
            if form.cleaned_data["soort"] == "projecten":
                allowed = services.manageable_regions(request.user)
                result = imports.import_projects(region=region, allowed_regions=allowed, **options)
            else:
                allowed = _phase_regions(request.user)
                result = imports.import_phases(allowed_regions=allowed, **options)
        except errors.InvalidInput as exc:
            failure = exc
    status = 422 if failure else 200
    return render(
        request,
        "portfolio/import.html",
        _context(
            request,
            form=form,
            result=result,
            failure=failure,
            kind=form.cleaned_data.get("soort") if form.is_bound and form.is_valid() else None,
            region=region,
            theme_form=ThemeForm(),
            themes=Theme.objects.filter(Q(region__isnull=True) | Q(region=region)),
        ),
        status=status,
    )


def _add_theme(request, region):
    form = ThemeForm(request.POST)
    if form.is_valid():
        try:
            editing.add_theme(user=request.user, region=region, name=form.cleaned_data["naam"])
            messages.success(request, _("Thema toegevoegd."))
        except (errors.Conflict, errors.InvalidInput) as exc:
            messages.error(request, exc.detail)
    return redirect("portfolio:import")


def _phase_regions(user) -> set[int] | None:
    if user.is_superuser:
        return None
    regions = permissions.visible(user, "regiofasen.vastleggen", Region)
    return set(regions.values_list("pk", flat=True))


def _report_from(request):
    form = ReportForm(request.GET or {"peildatum": _latest_date()})
    if not form.is_valid():
        raise errors.InvalidInput(
            _("Kies een geldige peildatum (JJJJ-MM-DD)."),
            code="ongeldige-datum",
            errors=[errors.FieldError(field=f, message=str(m[0])) for f, m in form.errors.items()],
        )
    data = form.cleaned_data
    region = None
    if data.get("reikwijdte") == "regio":
        region = _own_region(request)
        permissions.check(request.user, "portfolio.bekijken", region)
    else:
        permissions.check(request.user, "portfolio.bekijken")
    return form, services.build_report(
        at=data["peildatum"],
        compare=data.get("vergelijk"),
        region=region,
        theme=data.get("thema") or None,
    )


@login_required
def report_page(request):
    form, report = _report_from(request)
    query = request.GET.urlencode() or f"peildatum={report.reference_date.isoformat()}"
    return render(
        request,
        "portfolio/report.html",
        _context(
            request,
            form=form,
            report=report,
            query=query,
            charts=_report_charts(report),
            dates=services.reference_dates(),
            formats=sorted(renderers.RENDERERS),
        ),
    )


@login_required
def report_download(request, fmt: str):
    _form, report = _report_from(request)
    chosen = renderers.get(fmt)
    response = HttpResponse(chosen.render(report), content_type=chosen.content_type)
    response["Content-Disposition"] = f'attachment; filename="{renderers.filename(report, fmt)}"'
    return response


def _bar(table, title: str, stacked_columns: bool = False):
    figure = go.Figure()
    if stacked_columns:
        for index, column in enumerate(table.columns[:-1]):
            figure.add_bar(
                name=column,
                x=[label for label, _c in table.rows],
                y=[c[index] for _l, c in table.rows],
            )
        figure.update_layout(barmode="stack")
    else:
        count_columns = [c for c in table.columns if c != _("Verschil")]
        for index, column in enumerate(count_columns):
            figure.add_bar(
                name=column,
                x=[label for label, _c in table.rows],
                y=[c[index] for _l, c in table.rows],
            )
    counts = [v for _l, cells in table.rows for v in cells if isinstance(v, int)]
    figure.update_layout(title=title, height=420, yaxis=_count_axis(counts, _("aantal projecten")))
    return charts.fragment(figure)


def _count_axis(counts: list[int], title: str) -> dict:
    """An axis of whole projects: no 0,5 ticks when the counts are small."""
    axis = {"title": title, "tickformat": "d"}
    if max((abs(c) for c in counts), default=0) <= 10:
        axis["dtick"] = 1
    return axis


def _change_chart(report) -> str:
    """The change between the two reference dates, per status, impact and scalability."""
    figure = go.Figure()
    changes = []
    for key, name in (
        ("tabel-6", _("Status")),
        ("tabel-8", _("Impact")),
        ("tabel-11", _("Opschaalbaarheid")),
    ):
        rows = report.table(key).rows
        changes += [c[-1] for _l, c in rows]
        figure.add_bar(name=name, x=[label for label, _c in rows], y=[c[-1] for _l, c in rows])
    figure.update_layout(
        title=_("Verandering van %(a)s tot %(b)s")
        % {
            "a": date_format(report.compare_date, "j F Y"),
            "b": date_format(report.reference_date, "j F Y"),
        },
        height=460,
        yaxis=_count_axis(changes, _("verschil in aantal projecten")),
    )
    return charts.fragment(figure)


def _report_charts(report) -> list[str]:
    found = [
        _bar(report.table("tabel-4"), _("Projecten per thema en concessiehouder"), True),
        _bar(report.table("tabel-6"), _("Projectstatus")),
        _bar(report.table("tabel-5"), _("Betrokken zorgorganisaties per project")),
        _bar(report.table("tabel-8"), _("Impact")),
        _bar(report.table("tabel-10"), _("Deelbare resultaten")),
        _bar(report.table("tabel-11"), _("Opschaalbaarheid")),
        *(_phase_chart(report.table(key)) for key in ("tabel-1", "tabel-2", "tabel-3")),
    ]
    if report.compare_date:
        found.insert(0, _change_chart(report))
    return found


def _phase_chart(table) -> str:
    """Tables 1-3 over time: the regions per phase at every date, stacked."""
    figure = go.Figure()
    for label, cells in table.rows:
        figure.add_bar(name=label, x=table.columns, y=cells)
    figure.update_layout(
        title=table.title,
        height=380,
        barmode="stack",
        xaxis={"type": "category"},
        yaxis={"title": _("aantal regio's"), "tickformat": "d"},
    )
    return charts.fragment(figure)


@login_required
def vision_page(request):
    region = _region_for(request)
    may_edit = permissions.can(request.user, "portfolio.beheren", region)
    form = AgendaItemForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            editing.add_agenda_item(
                user=request.user,
                region=region,
                kind=data["soort"],
                group=data["groep"],
                parent=data["onderdeel_van"],
                title=data["omschrijving"],
                priority=data["prioriteit"],
            )
            messages.success(request, _("Punt toegevoegd."))
            return redirect(f"{reverse('portfolio:vision')}?regio={region.slug}")
        except (errors.Conflict, errors.InvalidInput) as exc:
            messages.error(request, str(exc))
    found = services.coverage(region=region)
    return render(
        request,
        "portfolio/vision.html",
        _context(
            request,
            region=region,
            vision=found.get(AgendaKind.VISIE_ELEMENT, []),
            agenda=[
                (label, found.get(kind, []))
                for kind, label in AgendaKind.choices
                if kind != AgendaKind.VISIE_ELEMENT and found.get(kind)
            ],
            uncovered=services.uncovered(region=region),
            may_edit=may_edit,
            form=form,
        ),
    )


def _kpi_chart(status) -> str:
    kpi = status.kpi
    figure = go.Figure()
    figure.add_scatter(
        x=[m.date for m in status.measurements],
        y=[float(m.value) for m in status.measurements],
        mode="lines+markers",
        name=_("Meting"),
    )
    if kpi.target is not None:
        figure.add_hline(
            y=float(kpi.target),
            line_dash="dash",
            annotation_text=_("streefwaarde %(v)s in %(y)s")
            % {"v": maat(kpi.target), "y": kpi.target_year or "—"},
        )
    figure.update_layout(title=f"{kpi.name} ({kpi.unit})", height=340, showlegend=False)
    # Numeric dates: plotly's month names are English without its locale bundle.
    figure.update_xaxes(tickformat="%d-%m-%Y", hoverformat="%d-%m-%Y")
    return charts.fragment(figure)


@login_required
def kpi_page(request):
    region = _region_for(request)
    if request.method == "POST":
        form = MeasurementForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            kpi = permissions.get_for(request.user, "portfolio.beheren", Kpi, pk=data["kpi"])
            editing.record_measurement(
                user=request.user,
                kpi=kpi,
                when=data["datum"],
                value=data["waarde"],
                source=data["bron"],
            )
            messages.success(request, _("Meting opgeslagen."))
        else:
            messages.error(request, _("De meting is niet opgeslagen: vul datum en waarde in."))
        return redirect(f"{reverse('portfolio:kpis')}?regio={region.slug}")
    statuses = services.kpi_statuses(region=region)
    return render(
        request,
        "portfolio/kpis.html",
        _context(
            request,
            region=region,
            kpis=[(s, _kpi_chart(s)) for s in statuses],
            may_edit=permissions.can(request.user, "portfolio.beheren", region),
        ),
    )


@login_required
def dashboard(request, slug: str):
    region = permissions.get_for(request.user, "portfolio.bekijken", Region, slug=slug)
    summary = services.dashboard(region=region)
    figure = go.Figure()
    dimensions = [
        ("agreements", _("Afspraken / convenanten")),
        ("dynamics", _("Samenwerkingsdynamiek")),
        ("vision", _("Stip op de horizon")),
    ]
    for attribute, label in dimensions:
        figure.add_scatter(
            x=[month_label(p.date) for p in summary["phases"]],
            y=[getattr(p, attribute) for p in summary["phases"]],
            mode="lines+markers",
            name=label,
        )
    figure.update_layout(
        title=_("Fasescores in de tijd"),
        height=320,
        xaxis={"type": "category"},
        yaxis={"dtick": 1, "range": [0.5, 5.5], "title": _("fase")},
    )
    status_chart = go.Figure(
        go.Bar(
            x=[label for label, _n in summary["by_status"]], y=[n for _l, n in summary["by_status"]]
        )
    )
    status_chart.update_layout(
        title=_("Projecten per status"),
        height=320,
        yaxis=_count_axis([n for _l, n in summary["by_status"]], _("aantal projecten")),
    )
    return render(
        request,
        "portfolio/dashboard.html",
        _context(
            request,
            **summary,
            phase_chart=charts.fragment(figure) if summary["phases"] else None,
            status_chart=charts.fragment(status_chart),
            sections=regional.sections_for(request.user, region),
        ),
    )
