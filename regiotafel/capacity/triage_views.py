"""Pages of the registration point's triage: the queue and the triage form of a case.

Thin, like views.py: every check is in the services (capacity/triage.py, cases.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from regiotafel import errors
from regiotafel.capacity import cases, triage
from regiotafel.capacity.forms import bed_types_for
from regiotafel.capacity.models import TriageOutcome, Urgency
from regiotafel.core import audit, permissions
from regiotafel.core.acting import acting_organisation


class TriageForm(forms.Form):
    """One field per question of the region's instrument, then the triagist's decision."""

    uitkomst = forms.ChoiceField(
        label=_lazy("Uitkomst"), choices=TriageOutcome.choices, widget=forms.RadioSelect
    )
    beddentype = forms.ChoiceField(label=_lazy("Beddentype"), required=False)
    urgentie = forms.ChoiceField(label=_lazy("Urgentie"), required=False)
    advies = forms.CharField(
        label=_lazy("Advies aan de verwijzer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_lazy("Verplicht bij de uitkomst advies; de verwijzer ziet het bij de casus."),
    )

    def __init__(self, *args, questions=(), case=None, suggestion=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"vraag_{question.pk}"] = forms.ChoiceField(
                label=question.text,
                help_text=question.help_text,
                choices=[(o.value, o.label) for o in triage.options_of(question)],
                widget=forms.RadioSelect,
            )
        region = case.municipality.region if case else None
        suggested_type = suggestion.bed_type if suggestion else ""
        suggested_urgency = suggestion.urgency if suggestion else ""
        self.fields["beddentype"].choices = [
            ("", _lazy("zoals voorgesteld")),
            *((t.code, t.name) for t in bed_types_for(region)),
        ]
        self.fields["urgentie"].choices = [("", _lazy("zoals voorgesteld")), *Urgency.choices]
        self.fields["beddentype"].help_text = suggested_type
        self.fields["urgentie"].help_text = suggested_urgency

    def question_fields(self):
        return [self[f"vraag_{q.pk}"] for q in self.questions]

    def decision_fields(self):
        return [self[name] for name in ("uitkomst", "beddentype", "urgentie", "advies")]


def case_context(request, case, *, can_act: bool) -> dict:
    """What the case page's triage block (capacity/_triage.html) shows."""
    owner = case.owner or case.referrer_organisation
    return {
        "owner": owner,
        "assessments": list(case.assessments.select_related("by", "organisation")),
        "can_triage": case.closed_at is None
        and case.state in triage.TRIAGE_STATES
        and case.handled_by_id is not None
        and permissions.can(request.user, "casus.trieren", case),
        "requires_triage": case.bed_type.requires_triage,
        "can_act": can_act,
        "can_claim_type": triage.may_claim(request.user, case.bed_type),
        "earlier": triage.earlier_cases(request.user, case),
    }


@login_required
def triage_queue(request):
    """The registration point's queue: open cases handed to it, most urgent and oldest first."""
    permissions.check(request.user, "casus.trieren")
    queue = cases.annotate_norms(cases.triage_queue(user=request.user))
    audit.record_reads(queue, detail={"pagina": "triagewachtrij"})
    return render(
        request,
        "capacity/triage_queue.html",
        {
            "queue": queue,
            "can_register": bool(triage.registration_points_of(request.user).exists()),
        },
    )


@login_required
def triage_form(request, reference: str):
    case = cases.load_case(user=request.user, reference=reference, action="casus.trieren")
    questions = triage.questions_for(case)
    answers = {
        key.removeprefix("vraag_"): value
        for key, value in (request.POST or request.GET).items()
        if key.startswith("vraag_")
    }
    suggestion = triage.suggest(
        questions, answers, default_bed_type=case.bed_type.code, default_urgency=case.urgency
    )
    initial = {f"vraag_{key}": value for key, value in answers.items()}
    form = TriageForm(
        request.POST or None, initial=initial, questions=questions, case=case, suggestion=suggestion
    )
    if request.method == "POST":
        form.is_valid()  # fills cleaned_data; the service decides what is complete
        try:
            triage.assess(
                user=request.user,
                organisation=acting_organisation(request),
                case=case,
                answers=answers,
                outcome=request.POST.get("uitkomst", ""),
                advice=request.POST.get("advies", ""),
                bed_type=request.POST.get("beddentype", ""),
                urgency=request.POST.get("urgentie", ""),
            )
        except errors.InvalidInput as exc:
            form.errors.clear()
            for problem in exc.errors:
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
            messages.error(request, exc.detail)
        except (errors.Conflict, errors.PermissionDenied) as exc:
            messages.error(request, exc.detail)
            return redirect("capacity:case", reference=reference)
        else:
            messages.success(
                request, _("Triage van casus %(ref)s vastgelegd.") % {"ref": case.reference}
            )
            return redirect("capacity:case", reference=reference)
    return render(
        request,
        "capacity/triage_form.html",
        {
            "case": case,
            "form": form,
            "suggestion": suggestion,
            "suggested_type": triage._region_bed_type(case, suggestion.bed_type),
            "suggested_urgency": Urgency(suggestion.urgency).label if suggestion.urgency else "",
            "has_questions": bool(questions),
        },
    )
