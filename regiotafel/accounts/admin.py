from django.contrib import admin

from regiotafel.accounts.models import RegionSecurity


@admin.register(RegionSecurity)
class RegionSecurityAdmin(admin.ModelAdmin):
    list_display = ["region", "second_factor"]
    list_filter = ["second_factor"]
    search_fields = ["region__name"]
