from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "regiotafel.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio en voortgang")

    def ready(self) -> None:
        from regiotafel.core import demo as core_demo
        from regiotafel.portfolio import demo, home, policies  # noqa: F401 - they register

        core_demo.extend(demo.seed)
