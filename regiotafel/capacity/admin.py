"""Back office for a region's bed board settings. Cases and claims are deliberately not here:
they hold personal data and are read only through pages that log every read."""

from django.contrib import admin

from regiotafel.capacity.models import Bed, BedType, CapacitySettings, ClaimDeadline, Location


@admin.register(BedType)
class BedTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "default_claim_minutes", "sort_order"]
    list_filter = ["region"]


@admin.register(CapacitySettings)
class CapacitySettingsAdmin(admin.ModelAdmin):
    list_display = ["region", "stale_after_minutes", "hold_minutes", "placement_target_hours"]


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
