from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    name = "regiotafel.capacity"
    label = "capacity"
    verbose_name = _("Capaciteitscoördinatie")

    def ready(self) -> None:
        from regiotafel.capacity import board_cache, demo, home, policies, summary  # noqa: F401
        from regiotafel.core import demo as core_demo
        from regiotafel.core import regional

        core_demo.extend(demo.seed)
        board_cache.connect_signals()  # the board version: write watcher, shared changes
        regional.register(
            regional.Section(
                "bedden", "capacity/_region_section.html", summary.region_section, order=10
            )
        )
