from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "regiotafel.core"
    label = "core"
    verbose_name = _("Basis: organisaties, regio's en auditlog")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from regiotafel.core import audit, security, token_cache

        audit.connect_signals()
        token_cache.connect_signals()  # API tokens: a revocation here counts at once
        connection_created.connect(security.protect_sqlite_file, dispatch_uid="sqlite-0600")
