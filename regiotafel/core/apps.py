from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "regiotafel.core"
    label = "core"
    verbose_name = _("Basis: organisaties, regio's en auditlog")

    def ready(self) -> None:
        from regiotafel.core import audit

        audit.connect_signals()
