"""Crisis triage by the registration point (seed 004): who may claim a Wlz crisis bed, the
assessment, hand-over and return of ownership, advice, phoned-in cases, earlier cases, and
placement norms per urgency."""

import json
from datetime import timedelta

import pytest

from regiotafel import errors
from regiotafel.capacity import cases, claims, fhir, triage
from regiotafel.capacity.models import (
    AnswerKind,
    Bed,
    BedStatus,
    BedType,
    Case,
    CaseOutcome,
    CaseState,
    PlacementNorm,
    TargetGroup,
    TriageOutcome,
    TriageQuestion,
)
from regiotafel.core import services
from regiotafel.core.models import AuditEvent, Organisation, OrganisationType
from regiotafel.notifications.models import Notification
from tests.capacity.conftest import add_beds

pytestmark = pytest.mark.integration


@pytest.fixture
def crisis(ward):
    """Two Wlz crisis beds in Leiden, two questions of the region's instrument, and a crisis
    case of the GP post."""
    kind = BedType.objects.get(code="wlz-crisis", region=None)
    beds = add_beds(ward.leiden, kind, TargetGroup.SOMATISCH, 2, "C")
    region = ward.gp.region
    questions = [
        TriageQuestion.objects.create(
            region=region,
            order=1,
            text="Valt de mantelzorger weg?",
            yes_points=3,
            yes_bed_type=kind,
            yes_urgency="zelfde_dag",
        ),
        TriageQuestion.objects.create(
            region=region,
            bed_type=kind,
            order=2,
            text="Wlz-indicatie?",
            kind=AnswerKind.KEUZE,
            options=[
                {"label": "ja", "punten": 2, "beddentype": "wlz-crisis"},
                {"label": "nee", "punten": 0},
            ],
        ),
    ]
    return kind, beds, questions


@pytest.fixture
def crisis_case(ward, new_case, crisis):
    return new_case(beddentype="wlz-crisis")


def answers(questions, first="ja", second="0"):
    return {str(questions[0].pk): first, str(questions[1].pk): second}


def assess(ward, case, questions, outcome=TriageOutcome.CRISISOPNAME, **kwargs):
    return triage.assess(
        user=ward.triagist,
        organisation=ward.rap,
        case=case,
        answers=answers(questions),
        outcome=outcome,
        **kwargs,
    )


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {services.issue_token(user=user)}"}


def test_the_built_in_wlz_crisis_type_goes_only_through_triage(db):
    assert BedType.objects.get(code="wlz-crisis", region=None).requires_triage
    assert not BedType.objects.filter(region=None, requires_triage=True).exclude(code="wlz-crisis")


def test_a_referrer_cannot_claim_a_wlz_crisis_bed_in_the_service_api_or_page(
    ward, crisis, crisis_case, client
):
    _kind, (bed, _other), _q = crisis
    with pytest.raises(errors.PermissionDenied, check=lambda e: e.code == "alleen-via-triage"):
        claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=crisis_case)
    with pytest.raises(errors.PermissionDenied, check=lambda e: e.code == "alleen-via-triage"):
        claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk)  # a hold
    response = client.post(
        f"/api/v1/bedden/{bed.pk}/reserveringen",
        json.dumps({"casus": crisis_case.reference}),
        content_type="application/json",
        **bearer(ward.referrer),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "alleen-via-triage"
    client.force_login(ward.referrer)
    board = client.get("/capaciteit/?beddentype=wlz-crisis").content.decode()
    assert "Alleen via het aanmeldpunt" in board and ">Reserveer<" not in board
    page = client.get(f"/capaciteit/casussen/{crisis_case.reference}/").content.decode()
    assert "reserveert het aanmeldpunt na triage" in page
    client.post(
        f"/capaciteit/locaties/{ward.leiden.pk}/reserveer/",
        {"beddentype": "wlz-crisis", "doelgroep": "somatisch", "casus": crisis_case.reference},
    )
    bed.refresh_from_db()
    assert bed.status == BedStatus.NIET_BEZET
    crisis_case.refresh_from_db()
    assert crisis_case.state == CaseState.AANGEMELD


def test_an_elv_bed_stays_the_referrers_to_claim(ward, new_case, crisis):
    case = new_case()
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=ward.beds(ward.leiden, ward.elv_hoog)[0].pk,
        case=case,
    )
    assert claim.state == "actief"


def test_the_triagist_claims_only_after_a_recorded_crisis_assessment(ward, crisis, crisis_case):
    _kind, (bed, other), questions = crisis
    with pytest.raises(errors.PermissionDenied):  # not handed over: not the RAP's case
        claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk, case=crisis_case)
    cases.hand_over(user=ward.referrer, case=crisis_case)
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "crisisbeoordeling-ontbreekt"):
        claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk, case=crisis_case)
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "triage-casus-verplicht"):
        claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=other.pk)  # no holds
    assessment = assess(ward, crisis_case, questions)
    assert (assessment.suggested_bed_type.code, assessment.suggested_urgency) == (
        "wlz-crisis",
        "zelfde_dag",
    )
    assert assessment.score == 5
    assert assessment.answers[str(questions[0].pk)]["label"] == "ja"
    crisis_case.refresh_from_db()
    assert (crisis_case.state, crisis_case.urgency) == (CaseState.PLAATS_GEZOCHT, "zelfde_dag")
    claim = claims.reserve(
        user=ward.triagist, organisation=ward.rap, bed_id=bed.pk, case=crisis_case
    )
    claims.confirm(user=ward.planner, claim_id=claim.pk)
    crisis_case.refresh_from_db()
    assert crisis_case.state == CaseState.GEPLAATST
    assert crisis_case.owner == ward.provider  # on to the admitting provider
    assert crisis_case.outcome == CaseOutcome.REGIO
    owners = [t.new_owner for t in crisis_case.transitions.exclude(new_owner=None)]
    assert owners == [ward.rap, ward.provider]
    assert AuditEvent.objects.filter(object_type="capacity.triageassessment").exists()


def test_a_case_assessment_is_refused_when_incomplete_and_nothing_changes(ward, crisis_case):
    questions = triage.questions_for(crisis_case)
    cases.hand_over(user=ward.referrer, case=crisis_case)
    with pytest.raises(errors.InvalidInput, check=lambda e: e.code == "triage-onvolledig") as err:
        triage.assess(
            user=ward.triagist,
            organisation=ward.rap,
            case=crisis_case,
            answers={str(questions[0].pk): "ja"},
            outcome=TriageOutcome.ADVIES,
        )
    assert {e.field for e in err.value.errors} == {f"vraag_{questions[1].pk}", "advies"}
    assert not crisis_case.assessments.exists()
    with pytest.raises(errors.PermissionDenied):  # a referrer does not triage
        triage.assess(
            user=ward.referrer,
            organisation=ward.gp,
            case=crisis_case,
            answers={},
            outcome=TriageOutcome.CRISISOPNAME,
        )


def test_hand_over_passes_the_case_to_the_rap_and_another_route_gives_it_back(
    ward, crisis, crisis_case
):
    _kind, _beds, questions = crisis
    case = cases.hand_over(user=ward.referrer, case=crisis_case)
    assert (case.state, case.owner, case.handled_by) == (CaseState.IN_TRIAGE, ward.rap, ward.rap)
    told = Notification.objects.get(event="casus.overgedragen")
    assert told.recipient == ward.triagist and case.reference in told.text
    assert cases.manual_choices(case, ward.gp) == {CaseState.GEANNULEERD}  # the page's list
    assert CaseState.PLAATS_GEZOCHT in cases.manual_choices(case, ward.rap)
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "casus-bij-aanmeldpunt"):
        cases.transition(
            user=ward.referrer,
            organisation=ward.gp,
            case=case,
            to=CaseState.PLAATS_GEZOCHT,
        )
    assess(
        ward,
        case,
        questions,
        outcome=TriageOutcome.ANDERE_ROUTE,
        bed_type="elv-hoog",
        advice="Regel zelf een ELV-bed hoog complex.",
    )
    case.refresh_from_db()
    assert (case.state, case.owner, case.bed_type) == (
        CaseState.PLAATS_GEZOCHT,
        ward.gp,
        ward.elv_hoog,
    )
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=ward.beds(ward.leiden, ward.elv_hoog)[0].pk,
        case=case,
    )
    assert claim.case == case


def test_advice_closes_the_case_and_the_referrer_sees_and_is_told_of_it(
    ward, crisis, crisis_case, client
):
    _kind, _beds, questions = crisis
    cases.hand_over(user=ward.referrer, case=crisis_case)
    assess(
        ward, crisis_case, questions, outcome=TriageOutcome.ADVIES, advice="Vraag logeerzorg aan."
    )
    crisis_case.refresh_from_db()
    assert (crisis_case.state, crisis_case.outcome, crisis_case.owner) == (
        CaseState.ADVIES,
        CaseOutcome.ADVIES,
        ward.gp,
    )
    assert crisis_case.closed_at is not None
    told = Notification.objects.get(event="casus.advies")
    assert told.recipient == ward.referrer
    client.force_login(ward.referrer)
    page = client.get(f"/capaciteit/casussen/{crisis_case.reference}/").content.decode()
    assert "Vraag logeerzorg aan." in page and "advies gegeven" in page
    bundle = fhir.case_bundle(case=crisis_case)
    task = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Task")
    assert task["status"] == "completed"
    assert {"advies", "triage-uitkomst"} <= {o["type"]["coding"][0]["code"] for o in task["output"]}


def test_the_triage_form_page_records_the_assessment(ward, crisis, crisis_case, client):
    _kind, _beds, questions = crisis
    cases.hand_over(user=ward.referrer, case=crisis_case)
    client.force_login(ward.triagist)
    url = f"/capaciteit/casussen/{crisis_case.reference}/triage/"
    form = client.get(url, {f"vraag_{questions[0].pk}": "ja"})
    assert form.status_code == 200 and "Voorstel van het instrument" in form.content.decode()
    assert "Triage" in client.get("/capaciteit/triage/").content.decode()
    response = client.post(
        url,
        {
            f"vraag_{questions[0].pk}": "ja",
            f"vraag_{questions[1].pk}": "0",
            "uitkomst": "crisisopname",
        },
    )
    assert response.status_code == 302
    assert crisis_case.assessments.get().outcome == TriageOutcome.CRISISOPNAME
    client.force_login(ward.referrer)
    assert client.get(url).status_code == 403  # a referrer does not triage


def test_a_triagist_registers_a_phoned_in_case_for_a_referrer(ward, client):
    client.force_login(ward.triagist)
    assert "namens" in client.get("/capaciteit/casussen/nieuw/").content.decode()
    response = client.post(
        "/capaciteit/casussen/nieuw/",
        {
            "namens": ward.gp.pk,
            "initialen": "P.Q.",
            "geboortejaar": 1940,
            "geslacht": "m",
            "gemeente": "GM0546",
            "zorgvraag": "Telefonisch: acute situatie thuis.",
            "urgentie": "spoed",
            "beddentype": "wlz-crisis",
            "doelgroep": "somatisch",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(initials="P.Q.")
    assert (case.referrer_organisation, case.created_by, case.phoned_in) == (
        ward.gp,
        ward.triagist,
        True,
    )
    assert (case.handled_by, case.owner, case.state) == (ward.rap, ward.rap, CaseState.IN_TRIAGE)
    assert case in cases.visible_cases(ward.referrer)  # the GP post sees it as its own
    assert "telefonisch" in case.transitions.get().reason


def test_phoned_in_registration_is_only_for_rap_triagists_and_referrers_of_the_region(
    ward, new_case, cast
):
    from tests.capacity.conftest import CASE_DATA

    with pytest.raises(errors.PermissionDenied):
        cases.register_case(
            user=ward.referrer, organisation=ward.gp, data=CASE_DATA, on_behalf_of=ward.gp
        )
    with pytest.raises(errors.PermissionDenied):  # an organisation in another region
        cases.register_case(
            user=ward.triagist, organisation=ward.rap, data=CASE_DATA, on_behalf_of=cast.far
        )
    with pytest.raises(errors.InvalidInput, check=lambda e: e.code == "verwijzer-ongeldig"):
        cases.register_case(
            user=ward.triagist, organisation=ward.rap, data=CASE_DATA, on_behalf_of=ward.rap
        )


def test_earlier_cases_match_the_person_and_only_what_the_user_may_see(ward, new_case):
    from tests.capacity.conftest import CASE_DATA

    own_earlier = new_case()
    elsewhere = cases.register_case(
        user=ward.other_referrer,
        organisation=Organisation.objects.get(name="Huisartsenpraktijk Elders"),
        data=CASE_DATA,
    )
    new_case(initialen="J.B.")  # another person
    new_case(geboortejaar=1939)  # another person
    Case.objects.filter(pk__in=[own_earlier.pk, elsewhere.pk]).update(
        registered_at=own_earlier.registered_at - timedelta(days=30)
    )
    current = new_case(initialen="j. a.")
    found = triage.earlier_cases(ward.referrer, current)
    assert [(e.case, e.openable) for e in found] == [(own_earlier, True)]
    cases.hand_over(user=ward.referrer, case=current)
    by_rap = {e.case: e.openable for e in triage.earlier_cases(ward.triagist, current)}
    assert by_rap == {own_earlier: False, elsewhere: False}  # the region's, listed only
    read = AuditEvent.objects.filter(action="read", detail__pagina="eerdere casussen")
    assert read.exists()
    assert triage.earlier_cases(ward.planner, current) == []


@pytest.mark.parametrize(
    ("urgency", "hours"), [("spoed", 4), ("zelfde_dag", 12), ("vandaag", 24), ("planbaar", 72)]
)
def test_the_default_norm_follows_the_urgency(ward, new_case, urgency, hours):
    assert cases.target_hours(new_case(urgentie=urgency)) == hours


def test_a_regions_norm_per_urgency_and_bed_type_and_whether_it_was_met(ward, new_case, client):
    region = ward.gp.region
    PlacementNorm.objects.create(region=region, urgency="spoed", hours=6)
    PlacementNorm.objects.create(region=region, urgency="spoed", bed_type=ward.elv_hoog, hours=3)
    elv = new_case(urgentie="spoed")
    palliative = new_case(urgentie="spoed", beddentype="elv-palliatief")
    assert (cases.target_hours(elv), cases.target_hours(palliative)) == (3, 6)
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=ward.beds(ward.leiden, ward.elv_hoog)[0].pk,
        case=elv,
    )
    claims.confirm(user=ward.planner, claim_id=claim.pk)
    elv.refresh_from_db()
    assert cases.within_target(elv) is True
    Case.objects.filter(pk=elv.pk).update(registered_at=elv.placed_at - timedelta(hours=4))
    elv.refresh_from_db()
    assert cases.within_target(elv) is False
    client.force_login(ward.referrer)
    page = client.get("/capaciteit/casussen/").content.decode()
    assert "3 uur" in page and "niet gehaald" in page
    detail = client.get(f"/capaciteit/casussen/{palliative.reference}/").content.decode()
    assert "norm: 6 uur" in detail


def test_a_region_marks_its_own_bed_type_as_triage_only(ward, new_case):
    own = BedType.objects.create(
        code="crisis-ggz", name="Crisis GGZ-ouderen", region=ward.gp.region, requires_triage=True
    )
    bed = Bed.objects.create(location=ward.leiden, bed_type=own, target_group="pg", label="G1")
    case = new_case(beddentype="crisis-ggz")
    assert triage.triage_only_codes(ward.gp.region.pk) >= {"wlz-crisis", "crisis-ggz"}
    with pytest.raises(errors.PermissionDenied, check=lambda e: e.code == "alleen-via-triage"):
        claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=case)


def test_a_region_admin_form_refuses_broken_choice_options(ward):
    from django.core.exceptions import ValidationError

    question = TriageQuestion(
        region=ward.gp.region,
        text="Keuze",
        kind=AnswerKind.KEUZE,
        options=[{"label": "x", "beddentype": "ruimteschip", "urgentie": "gisteren"}],
    )
    with pytest.raises(ValidationError):
        question.clean()


def test_outcomes_of_closing_cases(ward, new_case):
    cancelled = cases.transition(
        user=ward.referrer, organisation=ward.gp, case=new_case(), to="geannuleerd", reason="x"
    )
    refused = cases.transition(
        user=ward.referrer, organisation=ward.gp, case=new_case(), to="afgewezen", reason="x"
    )
    referred = cases.transition(
        user=ward.referrer, organisation=ward.gp, case=new_case(), to="doorverwezen", reason="x"
    )
    assert [c.outcome for c in (cancelled, refused, referred)] == [
        CaseOutcome.GEANNULEERD,
        CaseOutcome.GEEN_BED,
        CaseOutcome.BOVENREGIONAAL,
    ]
    assert ward.rap.type == OrganisationType.AANMELDPUNT
