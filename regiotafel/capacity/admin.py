"""Back office for a region's bed board settings. Cases and claims are deliberately not here:
they hold personal data and are read only through pages that log every read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from regiotafel.capacity.models import (
    Bed,
    BedType,
    CapacitySettings,
    ClaimDeadline,
    Location,
    PlacementNorm,
    TriageQuestion,
)


@admin.register(BedType)
class BedTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "region",
        "requires_triage",
        "default_claim_minutes",
        "sort_order",
    ]
    list_filter = ["region", "requires_triage"]


@admin.register(CapacitySettings)
class CapacitySettingsAdmin(admin.ModelAdmin):
    list_display = ["region", "stale_after_minutes", "hold_minutes"]


@admin.register(ClaimDeadline)
class ClaimDeadlineAdmin(admin.ModelAdmin):
    list_display = ["region", "bed_type", "minutes"]


class BedInline(admin.TabularInline):
    model = Bed
    extra = 0
    fields = ["label", "bed_type", "target_group", "status"]
    readonly_fields = ["status"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "municipality", "phone", "confirmed_at"]
    list_filter = ["organisation__region", "organisation"]
    search_fields = ["name", "organisation__name"]
    inlines = [BedInline]


@admin.register(PlacementNorm)
class PlacementNormAdmin(admin.ModelAdmin):
    """A region's placement norms; without one the defaults apply (docs/capacity.md)."""

    list_display = ["region", "urgency", "bed_type", "hours"]
    list_filter = ["region", "urgency"]


@admin.register(TriageQuestion)
class TriageQuestionAdmin(admin.ModelAdmin):
    """The region's triage instrument. Assessments are not here: they are personal data, read
    only on the case page (every read logged)."""

    list_display = ["text", "region", "bed_type", "kind", "order", "demo", "active"]
    list_filter = ["region", "bed_type", "kind", "active", "demo"]
    list_editable = ["order", "active"]
    search_fields = ["text"]
    fieldsets = [
        (None, {"fields": ["region", "bed_type", "order", "text", "help_text", "active", "demo"]}),
        (_("Ja/nee-vraag"), {"fields": ["kind", "yes_points", "yes_bed_type", "yes_urgency"]}),
        (_("Keuzevraag"), {"fields": ["options"]}),
    ]
