"""Back office for a region's waiting-list agreements. Clients and registrations are
deliberately not here: they hold personal data and are read only through pages that log every
read."""

from django.contrib import admin

from regiotafel.waitlist.models import WaitlistSettings


@admin.register(WaitlistSettings)
class WaitlistSettingsAdmin(admin.ModelAdmin):
    list_display = ["region", "onward_days", "onward_warn_days"]
