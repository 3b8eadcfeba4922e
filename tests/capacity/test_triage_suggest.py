"""The triage instrument's suggestion logic: pure, no database."""

import pytest

from regiotafel.capacity import triage
from regiotafel.capacity.models import AnswerKind, BedType, TriageQuestion

pytestmark = pytest.mark.unit

CRISIS = BedType(pk=1, code="wlz-crisis", name="Wlz crisis")
ELV = BedType(pk=2, code="elv-hoog", name="ELV hoog complex")


def yes_no(pk, points, bed_type=None, urgency=""):
    return TriageQuestion(
        pk=pk,
        text=f"vraag {pk}",
        kind=AnswerKind.JA_NEE,
        yes_points=points,
        yes_bed_type=bed_type,
        yes_urgency=urgency,
    )


def choice(pk, options):
    return TriageQuestion(pk=pk, text=f"keuze {pk}", kind=AnswerKind.KEUZE, options=options)


QUESTIONS = [
    yes_no(1, 3, CRISIS, "zelfde_dag"),
    yes_no(2, 3, ELV),
    yes_no(3, 2, CRISIS, "spoed"),
    choice(
        4,
        [
            {"label": "Wlz-indicatie", "punten": 2, "beddentype": "wlz-crisis"},
            {"label": "Geen", "punten": 0, "urgentie": "planbaar"},
        ],
    ),
]


def suggest(answers):
    return triage.suggest(
        QUESTIONS, answers, default_bed_type="elv-laag", default_urgency="vandaag"
    )


def test_no_points_keeps_the_cases_own_bed_type_and_urgency():
    result = suggest({"1": "nee", "2": "nee", "3": "nee"})
    assert (result.bed_type, result.urgency, result.score) == ("elv-laag", "vandaag", 0)
    assert result.reasons == []


def test_the_bed_type_with_the_most_points_is_suggested():
    result = suggest({"1": "ja", "2": "ja", "3": "ja"})
    assert result.points == {"wlz-crisis": 5, "elv-hoog": 3}
    assert (result.bed_type, result.score) == ("wlz-crisis", 8)


def test_the_most_urgent_named_urgency_wins():
    assert suggest({"1": "ja", "3": "ja"}).urgency == "spoed"
    assert suggest({"1": "ja"}).urgency == "zelfde_dag"
    assert suggest({"4": "1"}).urgency == "planbaar"


def test_a_tie_goes_to_the_earliest_question():
    result = suggest({"1": "ja", "2": "ja"})
    assert result.points == {"wlz-crisis": 3, "elv-hoog": 3}
    assert result.bed_type == "wlz-crisis"


def test_choice_options_add_points_and_unknown_answers_are_ignored():
    result = suggest({"2": "ja", "4": "0", "1": "misschien"})
    assert result.points == {"elv-hoog": 3, "wlz-crisis": 2}
    assert result.bed_type == "elv-hoog"
    assert result.reasons == ["vraag 2", "keuze 4"]


def test_initials_match_whatever_their_dots_spaces_or_case():
    assert triage.initials_key("j. a.") == triage.initials_key("J.A.") == "JA"
    assert triage.initials_key("J.A.B.") != triage.initials_key("J.A.")
