"""Referral cases: registration with minimal data, an enforced state machine, who sees what."""

import pytest

from regiotafel import errors
from regiotafel.capacity import cases, claims
from regiotafel.capacity.models import Case, CaseState
from regiotafel.core.models import AuditEvent
from tests.capacity.conftest import CASE_DATA

pytestmark = pytest.mark.integration


def test_a_referrer_registers_a_case_for_their_organisation(ward, new_case):
    case = new_case()
    assert case.referrer_organisation == ward.gp and case.created_by == ward.referrer
    assert case.state == CaseState.AANGEMELD
    assert (case.initials, case.birth_year, case.municipality.name) == ("J.A.", 1938, "Leiden")
    assert case.transitions.get().to_state == CaseState.AANGEMELD


def test_a_case_without_required_fields_is_refused_field_by_field_and_nothing_is_saved(ward):
    bad = {
        **CASE_DATA,
        "initialen": "",
        "geboortejaar": 1850,
        "gemeente": "GM9999",
        "beddentype": "ruimteschip",
        "urgentie": "gisteren",
    }
    with pytest.raises(errors.InvalidInput) as caught:
        cases.register_case(user=ward.referrer, organisation=ward.gp, data=bad)
    assert {e.field for e in caught.value.errors} == {
        "initialen",
        "geboortejaar",
        "gemeente",
        "beddentype",
        "urgentie",
    }
    assert not Case.objects.exists()


def test_only_referrers_register_cases(ward):
    with pytest.raises(errors.PermissionDenied):
        cases.register_case(user=ward.planner, organisation=ward.provider, data=CASE_DATA)


def test_allowed_transitions_are_recorded_with_who_when_and_why(ward, new_case):
    case = new_case()
    case = cases.transition(
        user=ward.referrer,
        organisation=ward.gp,
        case=case,
        to=CaseState.PLAATS_GEZOCHT,
        reason="zelf zoeken",
    )
    last = case.transitions.last()
    assert (last.from_state, last.to_state, last.by, last.reason) == (
        CaseState.AANGEMELD,
        CaseState.PLAATS_GEZOCHT,
        ward.referrer,
        "zelf zoeken",
    )


@pytest.mark.parametrize("target", [CaseState.GEPLAATST, CaseState.BED_GERESERVEERD])
def test_placing_or_reserving_by_hand_is_not_allowed(ward, new_case, target):
    case = new_case()
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "overgang-niet-toegestaan"):
        cases.transition(user=ward.referrer, organisation=ward.gp, case=case, to=target)
    case.refresh_from_db()
    assert case.state == CaseState.AANGEMELD


def test_a_closed_case_cannot_move_again(ward, new_case):
    case = cases.transition(
        user=ward.referrer,
        organisation=ward.gp,
        case=new_case(),
        to=CaseState.GEANNULEERD,
        reason="patiënt thuis gebleven",
    )
    with pytest.raises(errors.Conflict):
        cases.transition(
            user=ward.referrer, organisation=ward.gp, case=case, to=CaseState.IN_TRIAGE
        )


def test_rejecting_cancelling_or_referring_on_needs_a_reason(ward, new_case):
    with pytest.raises(errors.InvalidInput, check=lambda e: e.code == "toelichting-verplicht"):
        cases.transition(
            user=ward.referrer, organisation=ward.gp, case=new_case(), to=CaseState.DOORVERWEZEN
        )


def test_cancelling_a_case_releases_its_reserved_bed(ward, new_case):
    case = new_case()
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=ward.beds(ward.leiden).first().pk,
        case=case,
    )
    cases.transition(
        user=ward.referrer,
        organisation=ward.gp,
        case=case,
        to=CaseState.GEANNULEERD,
        reason="overleden",
    )
    claim.refresh_from_db()
    assert claim.state == "ingetrokken" and claim.bed.status == "niet_bezet"


def test_a_referrer_of_another_organisation_cannot_see_the_case(ward, new_case):
    case = new_case()
    with pytest.raises(errors.PermissionDenied):
        cases.load_case(user=ward.other_referrer, reference=case.reference)
    assert case not in cases.visible_cases(ward.other_referrer)


def test_the_registration_point_sees_a_case_only_after_it_is_handed_over(ward, new_case):
    case = new_case()
    assert case not in cases.visible_cases(ward.triagist)
    with pytest.raises(errors.PermissionDenied):
        cases.load_case(user=ward.triagist, reference=case.reference)
    cases.hand_over(user=ward.referrer, case=case)
    case.refresh_from_db()
    assert case.handled_by == ward.rap
    assert cases.load_case(user=ward.triagist, reference=case.reference) == case
    assert case in cases.visible_cases(ward.referrer)  # the referrer keeps seeing it


def test_a_provider_sees_a_case_only_once_one_of_its_beds_is_claimed_for_it(ward, new_case):
    case = new_case()
    assert case not in cases.visible_cases(ward.planner)
    claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=ward.beds(ward.leiden).first().pk,
        case=case,
    )
    assert case in cases.visible_cases(ward.planner)
    assert case not in cases.visible_cases(ward.other_planner)


def test_every_read_of_a_case_is_in_the_audit_log(ward, new_case):
    case = new_case()
    cases.load_case(user=ward.referrer, reference=case.reference)
    read = AuditEvent.objects.filter(action="read", data_subject=f"casus {case.reference}").get()
    assert read.actor == ward.referrer


def test_the_triage_queue_puts_the_most_urgent_and_then_the_oldest_first(ward, new_case):
    later = new_case(urgentie="planbaar")
    urgent = new_case(urgentie="spoed")
    today = new_case(urgentie="vandaag")
    for case in (later, urgent, today):
        cases.hand_over(user=ward.referrer, case=case)
    assert list(cases.triage_queue(user=ward.triagist)) == [urgent, today, later]


def test_time_to_placement_is_measured_from_registration(ward, new_case):
    from datetime import timedelta

    case = new_case()
    case.placed_at = case.registered_at + timedelta(hours=30)
    assert case.hours_to_placement() == 30
