from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regiotafel.capacity.models import BedStatus, BedType, Gender, TargetGroup, Urgency
from regiotafel.core.models import Municipality, Subregion


def bed_types_for(region):
    """The national bed types plus the region's own."""
    return BedType.objects.filter(Q(region__isnull=True) | Q(region=region))


class BoardFilterForm(forms.Form):
    beddentype = forms.ChoiceField(label=_("Beddentype"), required=False)
    doelgroep = forms.ChoiceField(
        label=_("Doelgroep"),
        required=False,
        choices=[("", _("alle doelgroepen")), *TargetGroup.choices],
    )
    subregio = forms.ModelChoiceField(
        label=_("Subregio"),
        required=False,
        queryset=Subregion.objects.none(),
        empty_label=_("alle subregio's"),
    )
    gemeente = forms.ChoiceField(label=_("Gemeente"), required=False)
    vanaf_gemeente = forms.ChoiceField(label=_("Sorteer op afstand vanaf"), required=False)
    casus = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beddentype"].choices = [("", _("alle beddentypen"))] + [
            (t.code, t.name) for t in bed_types_for(region)
        ]
        if region is not None:
            self.fields["subregio"].queryset = region.subregions.all()
        municipalities = (
            Municipality.objects.filter(region=region) if region else Municipality.objects.all()
        )
        names = [(m.cbs_code, m.name) for m in municipalities.order_by("name")]
        self.fields["gemeente"].choices = [("", _("alle gemeenten")), *names]
        self.fields["vanaf_gemeente"].choices = [("", _("geen keuze")), *names]


class CaseForm(forms.Form):
    initialen = forms.CharField(label=_("Initialen"), max_length=10)
    geboortejaar = forms.IntegerField(label=_("Geboortejaar"))
    geslacht = forms.ChoiceField(label=_("Geslacht"), choices=Gender.choices)
    gemeente = forms.ChoiceField(label=_("Woongemeente"))
    zorgvraag = forms.CharField(label=_("Zorgvraag"), widget=forms.Textarea(attrs={"rows": 3}))
    urgentie = forms.ChoiceField(label=_("Urgentie"), choices=Urgency.choices)
    beddentype = forms.ChoiceField(label=_("Gewenst beddentype"))
    doelgroep = forms.ChoiceField(label=_("Doelgroep"), choices=TargetGroup.choices)
    medische_samenvatting = forms.CharField(
        label=_("Medische samenvatting"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, region=None, referrers=None, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = (
            Municipality.objects.filter(region=region) if region else Municipality.objects.all()
        )
        self.fields["gemeente"].choices = [(m.cbs_code, m.name) for m in municipalities]
        self.fields["beddentype"].choices = [(t.code, t.name) for t in bed_types_for(region)]
        if referrers is not None:  # a triagist registers a phoned-in case for a referrer
            self.fields["namens"] = forms.ModelChoiceField(
                label=_("Aangemeld namens (verwijzende organisatie)"),
                queryset=referrers,
                empty_label=_("— kies de verwijzer die belde —"),
            )
            self.order_fields(["namens"])


class TransitionForm(forms.Form):
    naar = forms.ChoiceField(label=_("Nieuwe status"))
    reden = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # No status is preselected: the first option is empty and the field is required.
        self.fields["naar"].choices = [("", _("— kies —")), *choices]


class BedStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label) for value, label in BedStatus.choices if value != BedStatus.GERESERVEERD
        ],
    )


class DeclineForm(forms.Form):
    reden = forms.CharField(label=_("Reden van weigering"), max_length=200)
