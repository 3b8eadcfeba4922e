from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectionConfig(AppConfig):
    name = "regiotafel.projection"
    label = "projection"
    verbose_name = _("Zorgkloof")

    def ready(self) -> None:
        from regiotafel.core import demo as core_demo
        from regiotafel.core import regional
        from regiotafel.projection import demo, policies, summary  # noqa: F401 - they register themselves

        core_demo.extend(demo.seed)
        regional.register(
            regional.Section(
                "zorgkloof",
                "projection/_region_section.html",
                summary.region_section,
                order=20,
            )
        )
