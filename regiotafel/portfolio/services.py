"""The portfolio's domain operations: what a user may see, the state at a reference date,
the report, vision coverage, KPIs against target and a region's dashboard.

Pages, the API and the command call these; they hold no request or response logic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.core.models import Region
from regiotafel.portfolio import report
from regiotafel.portfolio.models import (
    AgendaItem,
    AgendaKind,
    Assessment,
    Funder,
    Kpi,
    KpiDirection,
    PhaseCount,
    Project,
    RegionPhase,
    Status,
    Theme,
)

RUNNING = Status.LOPEND


# ---------------------------------------------------------------- who sees what


def viewable_regions(user) -> set[int] | None:
    """Regions whose portfolio the user may view; None: all (superuser)."""
    if user.is_superuser:
        return None
    return set(permissions.visible(user, "portfolio.bekijken", Region).values_list("pk", flat=True))


def manageable_regions(user) -> set[int] | None:
    if user.is_superuser:
        return None
    return set(permissions.visible(user, "portfolio.beheren", Region).values_list("pk", flat=True))


def visible_projects(user):
    """Projects of the user's regions, and the national register (projects without a region)."""
    found = Project.objects.select_related("region", "theme", "funder", "lead_organisation")
    return permissions.visible(user, "portfolio.bekijken", found)


def with_state(projects, at: date):
    """Annotate each project with its assessment valid at a date (None before the first)."""
    latest = Assessment.objects.filter(project=OuterRef("pk"), valid_from__lte=at).order_by(
        "-valid_from"
    )
    return projects.annotate(
        state_status=Subquery(latest.values("status")[:1]),
        state_impact=Subquery(latest.values("impact")[:1]),
        state_date=Subquery(latest.values("valid_from")[:1]),
    )


# ---------------------------------------------------------------- the report


def snapshot(*, at: date, region: Region | None = None) -> report.Snapshot:
    """The state of every project (of a region, or all) as assessed on or before a date."""
    assessments = Assessment.objects.filter(valid_from__lte=at).order_by(
        "project_id", "-valid_from"
    )
    if region is not None:
        assessments = assessments.filter(project__region=region)
    rows = assessments.values_list(
        "project_id",
        "project__theme__name",
        "project__funder__name",
        "project__start_year",
        "project__start_year_last",
        "status",
        "impact",
        "shareable",
        "scalability",
        "organisations",
    )
    states, seen = [], set()
    for project_id, *values in rows.iterator(chunk_size=5000):
        if project_id not in seen:  # the newest assessment comes first
            seen.add(project_id)
            states.append(report.ProjectState(*values))
    return report.Snapshot(at, states)


def reference_dates(region: Region | None = None) -> list[date]:
    """The dates on which projects were assessed, newest first."""
    found = Assessment.objects.all()
    if region is not None:
        found = found.filter(project__region=region)
    return list(found.order_by("-valid_from").values_list("valid_from", flat=True).distinct())


def _phase_rows(at: date) -> tuple[list[report.PhaseRow], list[report.PhaseRow]]:
    rows = [
        report.PhaseRow(p.region.name, p.date, p.agreements, p.dynamics, p.vision)
        # in the order the files listed the regions (the published order of appendix 1)
        for p in RegionPhase.objects.filter(date__lte=at).select_related("region").order_by("pk")
    ]
    latest: dict[str, report.PhaseRow] = {}
    for row in sorted(rows, key=lambda r: r.date):
        latest[row.region] = row
    return rows, list(latest.values())


PROFILE_THEME = "Technologie"  # the theme of the published table 12


def build_report(
    *,
    at: date,
    compare: date | None = None,
    region: Region | None = None,
    theme: str | None = None,
) -> report.Report:
    """The report at a date (compared with another); table 12 profiles `theme` (default the
    published Technologie)."""
    themes = Theme.objects.filter(Q(region__isnull=True) | Q(region=region))
    names = [t.name for t in themes]
    if theme and theme not in names:
        raise errors.InvalidInput(
            _("Onbekend thema %(theme)s; kies uit: %(known)s.")
            % {"theme": theme, "known": "; ".join(names)},
            code="onbekend-thema",
        )
    published = {
        (c.date, c.dimension, c.phase): c.count for c in PhaseCount.objects.filter(date__lte=at)
    }
    phases_until, phases_latest = _phase_rows(at)
    return report.build(
        current=snapshot(at=at, region=region),
        previous=snapshot(at=compare, region=region) if compare else None,
        themes=names,
        funders=list(Funder.objects.values_list("name", flat=True)),
        phases_until=phases_until,
        phases_latest=phases_latest,
        published_phases=published,
        scope=region.name if region else _("alle projecten (landelijk)"),
        profile_theme=theme or PROFILE_THEME,
    )


# ---------------------------------------------------------------- vision coverage


@dataclass
class Coverage:
    item: AgendaItem
    running: list[Project]
    other: list[Project]

    @property
    def covered(self) -> bool:
        return bool(self.running)


def coverage(*, region: Region, at: date | None = None) -> dict[str, list[Coverage]]:
    """Per kind of agenda item, each item with its running and other projects."""
    at = at or date.today()
    projects = {
        p.pk: p for p in with_state(Project.objects.filter(agenda_items__region=region), at)
    }
    links = Project.agenda_items.through.objects.filter(agendaitem__region=region)
    per_item: dict[int, list[Project]] = {}
    for link in links:
        per_item.setdefault(link.agendaitem_id, []).append(projects[link.project_id])
    found: dict[str, list[Coverage]] = {}
    for item in AgendaItem.objects.filter(region=region).select_related("parent"):
        linked = sorted(per_item.get(item.pk, []), key=lambda p: p.code)
        found.setdefault(item.kind, []).append(
            Coverage(
                item,
                [p for p in linked if p.state_status == RUNNING],
                [p for p in linked if p.state_status != RUNNING],
            )
        )
    return found


def uncovered(*, region: Region, at: date | None = None) -> list[AgendaItem]:
    """Seed 001's question: which vision elements have no running project?"""
    items = coverage(region=region, at=at).get(AgendaKind.VISIE_ELEMENT, [])
    leaves = [c for c in items if c.item.parent_id is not None] or items
    return [c.item for c in leaves if not c.covered]


# ---------------------------------------------------------------- KPIs


@dataclass
class KpiStatus:
    kpi: Kpi
    measurements: list
    latest: object
    on_target: bool | None


def kpi_statuses(*, region: Region) -> list[KpiStatus]:
    found = []
    for kpi in Kpi.objects.filter(region=region).prefetch_related("measurements", "projects"):
        measurements = list(kpi.measurements.all())
        latest = measurements[-1] if measurements else None
        found.append(KpiStatus(kpi, measurements, latest, _on_target(kpi, latest)))
    return found


def _on_target(kpi: Kpi, latest) -> bool | None:
    if latest is None or kpi.target is None:
        return None
    if kpi.direction == KpiDirection.LAGER:
        return latest.value <= kpi.target
    if kpi.direction == KpiDirection.HOGER:
        return latest.value >= kpi.target
    return latest.value == kpi.target


# ---------------------------------------------------------------- a region's dashboard


def dashboard(*, region: Region, at: date | None = None) -> dict:
    at = at or date.today()
    projects = list(with_state(Project.objects.filter(region=region), at).select_related("theme"))
    by_status = Counter(p.state_status for p in projects if p.state_status)
    statuses = [(str(s.label), by_status[s.value]) for s in Status]
    by_theme = Counter(p.theme.name for p in projects)
    phases = list(RegionPhase.objects.filter(region=region).order_by("date"))
    return {
        "region": region,
        "at": at,
        "project_count": len(projects),
        "by_status": statuses,
        "by_theme": sorted(by_theme.items(), key=lambda kv: (-kv[1], kv[0])),
        "kpis": kpi_statuses(region=region),
        "phases": phases,
        "uncovered": uncovered(region=region, at=at),
    }
