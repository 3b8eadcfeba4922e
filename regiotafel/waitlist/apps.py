from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "regiotafel.waitlist"
    label = "waitlist"
    verbose_name = _("Gedeelde wachtlijst")

    def ready(self) -> None:
        from regiotafel.core import demo as core_demo
        from regiotafel.core import regional
        from regiotafel.waitlist import demo, policies, summary  # noqa: F401 - they register themselves

        core_demo.extend(demo.seed)
        regional.register(
            regional.Section(
                "wachtlijst", "waitlist/_region_section.html", summary.region_section, order=15
            )
        )
