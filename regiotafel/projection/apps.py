from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectionConfig(AppConfig):
    name = "regiotafel.projection"
    label = "projection"
    verbose_name = _("Zorgkloof")

    def ready(self) -> None:
        from regiotafel.projection import policies  # noqa: F401 - it registers itself
