from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "regiotafel.accounts"
    label = "accounts"
    verbose_name = _("Accounts: inloggen, wachtwoorden en tweestapsverificatie")

    def ready(self) -> None:
        from regiotafel.accounts import demo as accounts_demo
        from regiotafel.accounts import lockout  # noqa: F401 - its error class, for the codes
        from regiotafel.core import demo

        demo.login_extra(accounts_demo.second_factor_lines)
