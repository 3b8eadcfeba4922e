"""Claims: a bed is held until a deadline, confirmed or declined by the provider, or released."""

from datetime import timedelta

import pytest
from django.utils import timezone

from regiotafel import errors
from regiotafel.capacity import claims
from regiotafel.capacity.models import (
    BedStatus,
    BedStatusChange,
    CapacitySettings,
    CaseState,
    ClaimDeadline,
    ClaimState,
)
from regiotafel.core.models import AuditEvent

pytestmark = pytest.mark.integration


def first_bed(ward, location=None):
    return ward.beds(location or ward.leiden, ward.elv_hoog).order_by("label").first()


def test_claiming_a_free_bed_for_a_case_reserves_it_until_the_bed_types_deadline(ward, new_case):
    case = new_case()
    bed = first_bed(ward)
    now = timezone.now()
    claim = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=case, now=now
    )
    bed.refresh_from_db()
    case.refresh_from_db()
    assert claim.state == ClaimState.ACTIEF
    assert claim.expires_at == now + timedelta(minutes=ward.elv_hoog.default_claim_minutes)
    assert (bed.status, bed.held_until) == (BedStatus.GERESERVEERD, claim.expires_at)
    assert case.state == CaseState.BED_GERESERVEERD
    assert BedStatusChange.objects.filter(bed=bed, to_status="gereserveerd").exists()


def test_the_region_can_set_its_own_deadline_per_bed_type(ward, new_case):
    ClaimDeadline.objects.create(region=ward.provider.region, bed_type=ward.elv_hoog, minutes=45)
    now = timezone.now()
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=first_bed(ward).pk,
        case=new_case(),
        now=now,
    )
    assert claim.expires_at == now + timedelta(minutes=45)


def test_a_hold_without_a_case_lasts_the_regions_short_hold(ward):
    CapacitySettings.objects.create(region=ward.provider.region, hold_minutes=20)
    now = timezone.now()
    claim = claims.reserve(
        user=ward.triagist, organisation=ward.rap, bed_id=first_bed(ward).pk, now=now
    )
    assert claim.case is None
    assert claim.expires_at == now + timedelta(minutes=20)


def test_it_refuses_a_claim_on_a_bed_that_is_already_reserved(ward, new_case):
    bed = first_bed(ward)
    claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=new_case())
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "bed-bezet"):
        claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk)


def test_it_refuses_a_claim_on_an_occupied_bed_and_changes_nothing(ward, new_case):
    bed = first_bed(ward)
    bed.status = BedStatus.BEZET
    bed.save()
    case = new_case()
    with pytest.raises(errors.Conflict):
        claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=case)
    case.refresh_from_db()
    assert case.state == CaseState.AANGEMELD
    assert not bed.claims.exists()


def test_a_provider_planner_may_not_claim_beds(ward):
    with pytest.raises(errors.PermissionDenied):
        claims.reserve(user=ward.planner, organisation=ward.provider, bed_id=first_bed(ward).pk)


def test_a_hold_can_be_linked_to_the_case_registered_afterwards(ward, new_case):
    now = timezone.now()
    hold = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=first_bed(ward).pk, now=now
    )
    case = new_case()
    claim = claims.link_case(user=ward.referrer, claim_id=hold.pk, case=case, now=now)
    case.refresh_from_db()
    assert claim.case == case
    assert claim.expires_at == now + timedelta(minutes=ward.elv_hoog.default_claim_minutes)
    assert case.state == CaseState.BED_GERESERVEERD


def test_the_provider_confirms_the_admission_and_the_case_is_placed(ward, new_case):
    case = new_case()
    bed = first_bed(ward)
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=case)
    claims.confirm(user=ward.planner, claim_id=claim.pk)
    bed.refresh_from_db()
    case.refresh_from_db()
    claim.refresh_from_db()
    assert (bed.status, bed.held_until) == (BedStatus.BEZET, None)
    assert claim.state == ClaimState.BEVESTIGD and claim.decided_by == ward.planner
    assert case.state == CaseState.GEPLAATST and case.placed_bed == bed
    assert case.placed_at is not None


def test_another_provider_cannot_confirm_or_decline_my_bed(ward, new_case):
    claim = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=first_bed(ward).pk, case=new_case()
    )
    with pytest.raises(errors.PermissionDenied):
        claims.confirm(user=ward.other_planner, claim_id=claim.pk)
    with pytest.raises(errors.PermissionDenied):
        claims.decline(user=ward.other_planner, claim_id=claim.pk, reason="vol")


def test_confirming_an_expired_claim_is_refused_and_changes_nothing(ward, new_case):
    now = timezone.now()
    case = new_case()
    claim = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=first_bed(ward).pk, case=case, now=now
    )
    later = claim.expires_at + timedelta(seconds=1)
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "reservering-verlopen"):
        claims.confirm(user=ward.planner, claim_id=claim.pk, now=later)
    claim.refresh_from_db()
    case.refresh_from_db()
    assert claim.state == ClaimState.ACTIEF and case.state == CaseState.BED_GERESERVEERD


def test_a_hold_without_a_case_cannot_be_confirmed_as_an_admission(ward):
    hold = claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=first_bed(ward).pk)
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "reservering-zonder-casus"):
        claims.confirm(user=ward.planner, claim_id=hold.pk)


def test_declining_needs_a_reason_frees_the_bed_and_sends_the_case_back_to_searching(
    ward, new_case
):
    case = new_case()
    bed = first_bed(ward)
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=case)
    with pytest.raises(errors.InvalidInput):
        claims.decline(user=ward.planner, claim_id=claim.pk, reason="  ")
    claims.decline(user=ward.planner, claim_id=claim.pk, reason="Zorgzwaarte past niet")
    bed.refresh_from_db()
    case.refresh_from_db()
    claim.refresh_from_db()
    assert bed.status == BedStatus.NIET_BEZET
    assert (claim.state, claim.decline_reason) == (ClaimState.GEWEIGERD, "Zorgzwaarte past niet")
    assert case.state == CaseState.PLAATS_GEZOCHT


def test_the_claiming_organisation_can_withdraw_but_another_cannot(ward, new_case):
    claim = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=first_bed(ward).pk, case=new_case()
    )
    with pytest.raises(errors.PermissionDenied):
        claims.withdraw(user=ward.other_referrer, claim_id=claim.pk)
    claims.withdraw(user=ward.referrer, claim_id=claim.pk)
    claim.refresh_from_db()
    assert claim.state == ClaimState.INGETROKKEN
    assert claim.bed.status == BedStatus.NIET_BEZET


def test_the_periodic_release_frees_expired_claims_and_reopens_their_cases(ward, new_case):
    now = timezone.now()
    case = new_case()
    claim = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=first_bed(ward).pk, case=case, now=now
    )
    assert claims.release_expired(now=now) == 0
    assert claims.release_expired(now=claim.expires_at) == 1
    claim.refresh_from_db()
    case.refresh_from_db()
    assert claim.state == ClaimState.VERLOPEN
    assert claim.bed.status == BedStatus.NIET_BEZET and claim.bed.held_until is None
    assert case.state == CaseState.PLAATS_GEZOCHT
    assert claims.release_expired(now=claim.expires_at) == 0


def test_an_expired_claim_does_not_block_a_new_one_even_before_the_release_job(ward, new_case):
    now = timezone.now()
    bed = first_bed(ward)
    old = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=new_case(), now=now
    )
    later = old.expires_at + timedelta(minutes=1)
    new = claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk, now=later)
    old.refresh_from_db()
    assert old.state == ClaimState.VERLOPEN
    assert new.state == ClaimState.ACTIEF


def test_a_claim_for_a_case_is_in_the_audit_log_with_the_case_as_data_subject(ward, new_case):
    case = new_case()
    claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=first_bed(ward).pk, case=case)
    assert AuditEvent.objects.filter(
        object_type="capacity.claim", data_subject=f"casus {case.reference}"
    ).exists()
