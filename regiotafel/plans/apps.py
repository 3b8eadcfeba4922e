from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "regiotafel.plans"
    label = "plans"
    verbose_name = _("Regioplannen")

    def ready(self) -> None:
        from regiotafel.core import demo as core_demo
        from regiotafel.core import regional
        from regiotafel.plans import demo, policies, summary  # noqa: F401 - they register themselves

        core_demo.extend(demo.seed)
        regional.register(
            regional.Section(
                "plannen",
                "plans/_region_section.html",
                summary.region_section,
                order=30,
            )
        )
