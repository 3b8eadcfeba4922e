from django import forms
from django.utils.translation import gettext_lazy as _

from regiotafel.portfolio.models import (
    AgendaItem,
    AgendaKind,
    Funder,
    Status,
    Theme,
    VisionGroup,
)


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
    thema = forms.ChoiceField(label=_("Thema van tabel 12"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted(set(Theme.objects.values_list("name", flat=True)))
        self.fields["thema"].choices = [("", _("Technologie (zoals gepubliceerd)"))] + [
            (name, name) for name in names
        ]


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


class MeasurementForm(forms.Form):
    kpi = forms.IntegerField(widget=forms.HiddenInput)
    datum = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    waarde = forms.DecimalField(label=_("Waarde"), max_digits=14, decimal_places=3)
    bron = forms.CharField(label=_("Bron"), required=False, max_length=200)


class AgendaItemForm(forms.Form):
    soort = forms.ChoiceField(label=_("Soort"), choices=AgendaKind.choices)
    groep = forms.ChoiceField(
        label=_("Groep (visie-element)"),
        required=False,
        choices=[("", "—"), *VisionGroup.choices],
    )
    onderdeel_van = forms.ModelChoiceField(
        AgendaItem.objects.none(), label=_("Onderdeel van"), required=False, empty_label="—"
    )
    omschrijving = forms.CharField(label=_("Omschrijving"), max_length=300)
    prioriteit = forms.BooleanField(
        label=_("Gezamenlijke prioriteit"),
        required=False,
        widget=forms.CheckboxInput(attrs={"style": "width: auto"}),  # not the form's 100%
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["onderdeel_van"].queryset = AgendaItem.objects.filter(
            region=region, parent__isnull=True
        )


class ThemeForm(forms.Form):
    naam = forms.CharField(label=_("Nieuw thema voor de regio"), max_length=120)
