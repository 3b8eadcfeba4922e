from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from regiotafel.core.models import (
    ApiToken,
    AuditEvent,
    Membership,
    Municipality,
    Organisation,
    Region,
    Subregion,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class RegiotafelUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "agb_code", "region", "municipality", "active"]
    list_filter = ["type", "region"]
    search_fields = ["name", "agb_code"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Subregion)
class SubregionAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code", "region", "subregion", "inhabitants"]
    list_filter = ["region"]
    search_fields = ["name", "cbs_code"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "organisation", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched here, never changed."""

    list_display = [
        "occurred_at",
        "actor_name",
        "organisation_name",
        "action",
        "object_repr",
        "data_subject",
        "ip_address",
    ]
    list_filter = ["action", "channel"]
    search_fields = ["actor_name", "object_repr", "data_subject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
