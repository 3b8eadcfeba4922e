"""Back office for frameworks and plans: a framework's indicators (with calibrated thresholds
per scorer) can be corrected here; plans can be inspected and removed."""

from django.contrib import admin

from regiotafel.plans.models import Category, Coding, Framework, Indicator, Plan


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    inlines = [CategoryInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "framework"]
    list_filter = ["framework"]
    search_fields = ["code", "name", "question"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "region", "status", "scorer", "is_demo", "created_at"]
    list_filter = ["status", "region", "is_demo"]
    readonly_fields = ["status", "progress", "error", "pages", "processed_at"]
    exclude = ["source"]


@admin.register(Coding)
class CodingAdmin(admin.ModelAdmin):
    list_display = ["plan", "indicator", "analyst", "verdict", "is_demo", "updated_at"]
    list_filter = ["verdict", "is_demo"]
