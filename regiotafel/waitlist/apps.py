from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WaitlistConfig(AppConfig):
    name = "regiotafel.waitlist"
    label = "waitlist"
    verbose_name = _("Gedeelde wachtlijst")

    def ready(self) -> None:
        from regiotafel.core import demo as core_demo
        from regiotafel.waitlist import demo, policies  # noqa: F401 - they register themselves

        core_demo.extend(demo.seed)
