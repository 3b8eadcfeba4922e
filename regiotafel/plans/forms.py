from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from regiotafel.plans.models import Verdict

SCORER_LABELS = {
    "lexicaal": _("lexicaal (snel, standaard)"),
    "semantisch": _("semantisch (taalmodel, langzamer)"),
    "gecombineerd": _("gecombineerd (lexicaal en semantisch)"),
}


def scorer_choices():
    from regiotafel.plans import scoring

    return [(name, SCORER_LABELS.get(name, name)) for name in scoring.SCORERS]


class UploadForm(forms.Form):
    regio = forms.ChoiceField(label=_("Regio"))
    kader = forms.ChoiceField(label=_("Toetsingskader"))
    titel = forms.CharField(label=_("Titel"), max_length=300, required=False)
    versie = forms.CharField(
        label=_("Versie (bijvoorbeeld 2024 of concept)"), max_length=60, required=False
    )
    datum = forms.DateField(
        label=_("Datum van het plan"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    scorer = forms.ChoiceField(label=_("Scorer"))
    bestand = forms.FileField(label=_("Bestand (PDF, DOCX, TXT of HTML)"))

    def __init__(self, *args, regions=(), frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regio"].choices = [(r.pk, r.name) for r in regions]
        self.fields["kader"].choices = [(f.pk, f.name) for f in frameworks]
        self.fields["scorer"].choices = scorer_choices()


class CodingForm(forms.Form):
    oordeel = forms.ChoiceField(
        label=_("Oordeel"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    onderbouwing = forms.MultipleChoiceField(
        label=_("Passages als onderbouwing"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    toelichting = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, passages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["onderbouwing"].choices = [
            (p.pk, f"{p.citation}: {Truncator(p.text).words(12)}") for p in passages
        ]


class VocabularyForm(forms.Form):
    synoniemen = forms.CharField(
        label=_("Synoniemen (één per regel)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    voorbeelden = forms.CharField(
        label=_("Voorbeeldzinnen (één per regel)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class FrameworkImportForm(forms.Form):
    naam = forms.CharField(label=_("Naam van het nieuwe toetsingskader"), max_length=200)
    bestand = forms.FileField(label=_("Bestand (CSV of XLSX)"))


class CompareForm(forms.Form):
    a = forms.ChoiceField(label=_("Eerste versie"))
    b = forms.ChoiceField(label=_("Tweede versie"))

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, f"{p.region.name}: {p}") for p in plans]
        self.fields["a"].choices = self.fields["b"].choices = choices
