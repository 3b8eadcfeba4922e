from django import forms
from django.utils.translation import gettext_lazy as _

from regiotafel.core.models import AuditAction, Role


class AuditFilterForm(forms.Form):
    vanaf = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tot = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actie = forms.ChoiceField(
        label=_("Actie"), required=False, choices=[("", _("alle acties")), *AuditAction.choices]
    )
    gebruiker = forms.CharField(label=_("Gebruiker"), required=False, max_length=150)
    betrokkene = forms.CharField(
        label=_("Cliënt, casus of kenmerk"),
        required=False,
        max_length=200,
        help_text=_("Bijvoorbeeld cliënt 12, een casuskenmerk of een klantnummer."),
    )


class GrantRoleForm(forms.Form):
    """Another role for one of the organisation's own people (see services.grant_role)."""

    gebruikersnaam = forms.CharField(label=_("Gebruikersnaam"), max_length=150)
    rol = forms.ChoiceField(label=_("Rol"), choices=Role.choices)


class RevokeRoleForm(forms.Form):
    intrekken = forms.IntegerField(min_value=1, max_value=2**63 - 1)
