from django import forms
from django.utils.translation import gettext_lazy as _

from regiotafel.portfolio.models import Funder, Status, Theme


class ProjectFilterForm(forms.Form):
    zoek = forms.CharField(label=_("Zoek op naam of nummer"), required=False)
    thema = forms.ModelChoiceField(
        Theme.objects.all(), label=_("Thema"), required=False, empty_label=_("alle")
    )
    concessiehouder = forms.ModelChoiceField(
        Funder.objects.all(), label=_("Concessiehouder"), required=False, empty_label=_("alle")
    )
    status = forms.ChoiceField(
        label=_("Status op peildatum"), required=False, choices=[("", _("alle")), *Status.choices]
    )
    reikwijdte = forms.ChoiceField(
        label=_("Projecten"),
        required=False,
        choices=[
            ("", _("mijn regio en landelijk")),
            ("regio", _("alleen mijn regio")),
            ("landelijk", _("alleen landelijk register")),
        ],
    )
    peildatum = forms.DateField(
        label=_("Peildatum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReportForm(forms.Form):
    peildatum = forms.DateField(
        label=_("Peildatum"), widget=forms.DateInput(attrs={"type": "date"})
    )
    vergelijk = forms.DateField(
        label=_("Vergelijk met peildatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reikwijdte = forms.ChoiceField(
        label=_("Projecten"),
        required=False,
        choices=[("", _("alle projecten (landelijk)")), ("regio", _("alleen mijn regio"))],
    )


class ImportForm(forms.Form):
    soort = forms.ChoiceField(
        label=_("Wat leest u in?"),
        choices=[("projecten", _("Projecten")), ("fasen", _("Fasen per regio"))],
    )
    bestand = forms.FileField(label=_("Bestand (CSV of XLSX)"))
    peildatum = forms.DateField(
        label=_("Peildatum (leeg: uit de bestandsnaam, anders vandaag)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
