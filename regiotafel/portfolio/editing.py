"""Changes analysts and administrators make to their region's portfolio from the pages:
link a project to vision/agenda points and KPIs, add a vision point, a theme, a KPI, a
measurement. Each checks ``portfolio.beheren`` on the region and runs in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.core.models import Region
from regiotafel.portfolio.models import (
    AgendaItem,
    AgendaKind,
    Kpi,
    KpiMeasurement,
    Project,
    Theme,
    VisionGroup,
)


@transaction.atomic
def link_project(*, user, project: Project, agenda_item_ids: list[int], kpi_ids: list[int]):
    """Set the vision/agenda points and KPIs a project serves (only its own region's)."""
    permissions.check(user, "portfolio.beheren", project)
    items = list(AgendaItem.objects.filter(pk__in=agenda_item_ids, region=project.region_id))
    kpis = list(Kpi.objects.filter(pk__in=kpi_ids, region=project.region_id))
    if len(items) != len(set(agenda_item_ids)) or len(kpis) != len(set(kpi_ids)):
        raise errors.InvalidInput(
            _("Koppel alleen punten en KPI's van de eigen regio."), code="andere-regio"
        )
    project.agenda_items.set(items)
    project.kpis.set(kpis)


@transaction.atomic
def add_agenda_item(
    *,
    user,
    region: Region,
    kind: str,
    title: str,
    group: str = "",
    parent: AgendaItem | None = None,
    priority: bool = False,
) -> AgendaItem:
    permissions.check(user, "portfolio.beheren", region)
    title = title.strip()
    problems = []
    if not title:
        problems.append(errors.FieldError(field="omschrijving", message=_("verplicht")))
    if kind not in AgendaKind.values:
        problems.append(errors.FieldError(field="soort", message=_("onbekende soort")))
    if kind == AgendaKind.VISIE_ELEMENT and group not in VisionGroup.values:
        problems.append(
            errors.FieldError(field="groep", message=_("kies een groep voor een visie-element"))
        )
    if parent is not None and (parent.region_id != region.pk or parent.kind != kind):
        problems.append(
            errors.FieldError(field="onderdeel_van", message=_("hoort bij iets anders"))
        )
    if problems:
        raise errors.InvalidInput(_("Het punt is niet toegevoegd."), errors=problems)
    position = AgendaItem.objects.filter(region=region, kind=kind).count() + 1
    try:
        with transaction.atomic():
            return AgendaItem.objects.create(
                region=region,
                kind=kind,
                group=group if kind == AgendaKind.VISIE_ELEMENT else "",
                parent=parent,
                title=title,
                priority=priority,
                position=position,
            )
    except IntegrityError:
        raise errors.Conflict(
            _("Dit punt bestaat al: %(t)s.") % {"t": title}, code="punt-bestaat-al"
        ) from None


@transaction.atomic
def add_theme(*, user, region: Region, name: str) -> Theme:
    """A region extends the theme list; national themes keep their names."""
    permissions.check(user, "portfolio.beheren", region)
    name = name.strip()
    if not name:
        raise errors.InvalidInput(
            _("Het thema is niet toegevoegd."),
            code="naam-verplicht",
            errors=[errors.FieldError(field="naam", message=_("verplicht"))],
        )
    taken = Theme.objects.filter(name__iexact=name, region__isnull=True).exists()
    if taken or Theme.objects.filter(name__iexact=name, region=region).exists():
        raise errors.Conflict(
            _("Thema %(name)s bestaat al.") % {"name": name}, code="thema-bestaat-al"
        )
    return Theme.objects.create(name=name, region=region, position=200)


@transaction.atomic
def record_measurement(
    *, user, kpi: Kpi, when: date, value: Decimal, source: str = ""
) -> KpiMeasurement:
    """Add or correct the KPI's value on a date."""
    permissions.check(user, "portfolio.beheren", kpi)
    measurement, _created = KpiMeasurement.objects.update_or_create(
        kpi=kpi, date=when, defaults={"value": value, "source": source.strip(), "is_demo": False}
    )
    return measurement
