"""Back office for the portfolio's lists and records (themes, funders, projects, vision, KPIs)."""

from django.contrib import admin

from regiotafel.portfolio.models import (
    AgendaItem,
    Assessment,
    Funder,
    Kpi,
    KpiMeasurement,
    PhaseCount,
    Project,
    RegionPhase,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "position"]
    list_filter = ["region"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "theme", "funder", "start_period"]
    list_filter = ["region", "theme", "funder"]
    search_fields = ["code", "name"]
    filter_horizontal = ["agenda_items"]
    inlines = [AssessmentInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "kind", "group", "parent", "priority"]
    list_filter = ["region", "kind", "group"]


class MeasurementInline(admin.TabularInline):
    model = KpiMeasurement
    extra = 0


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "unit", "direction", "target", "target_year"]
    list_filter = ["region"]
    filter_horizontal = ["projects"]
    inlines = [MeasurementInline]


@admin.register(RegionPhase)
class RegionPhaseAdmin(admin.ModelAdmin):
    list_display = ["region", "date", "agreements", "dynamics", "vision"]
    list_filter = ["date"]


@admin.register(PhaseCount)
class PhaseCountAdmin(admin.ModelAdmin):
    list_display = ["date", "dimension", "phase", "count"]
