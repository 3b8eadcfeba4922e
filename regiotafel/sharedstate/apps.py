from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharedStateConfig(AppConfig):
    name = "regiotafel.sharedstate"
    label = "sharedstate"
    verbose_name = _("Gedeelde toestand")
