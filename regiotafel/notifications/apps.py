from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "regiotafel.notifications"
    label = "notifications"
    verbose_name = _("Meldingen")

    def ready(self) -> None:
        from regiotafel.notifications import events, periodic  # noqa: F401 - they register
