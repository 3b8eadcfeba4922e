from django import forms
from django.utils.translation import gettext_lazy as _


class SelectionForm(forms.Form):
    """Region, scenario and product of the gap-analysis page (a GET form; htmx swaps the
    panel on change, a button submits it without JavaScript)."""

    regio = forms.ChoiceField(label=_("Regio"))
    scenario = forms.ChoiceField(label=_("Scenario"))
    product = forms.ChoiceField(label=_("Product"))

    def __init__(self, *args, regions=(), scenarios=(), products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regio"].choices = list(regions)
        self.fields["scenario"].choices = list(scenarios)
        self.fields["product"].choices = list(products)


class ParameterUploadForm(forms.Form):
    bestand = forms.FileField(label=_("Parameterbestand (YAML of JSON)"))
