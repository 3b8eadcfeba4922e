from django import forms
from django.utils.translation import gettext_lazy as _

from regiotafel.waitlist.models import WaitingStatus


class ImportForm(forms.Form):
    aanbieder = forms.ChoiceField(label=_("Aanbieder"))
    bestand = forms.FileField(label=_("Bestand (CSV of XLSX)"))
    alleen_geldige = forms.BooleanField(
        label=_("Lees de geldige rijen in en geef de afgekeurde rijen terug"), required=False
    )

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aanbieder"].choices = [(p.pk, p.name) for p in providers]


class ListFilterForm(forms.Form):
    wachtstatus = forms.ChoiceField(
        label=_("Wachtstatus"), required=False, choices=[("", _("alle")), *WaitingStatus.choices]
    )
    zoek = forms.CharField(label=_("Achternaam of cliëntnummer"), required=False, max_length=100)
