from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    name = "regiotafel.capacity"
    label = "capacity"
    verbose_name = _("Capaciteitscoördinatie")

    def ready(self) -> None:
        from regiotafel.capacity import demo, home, policies  # noqa: F401 - they register
        from regiotafel.core import demo as core_demo

        core_demo.extend(demo.seed)
