"""The bed board: availability counted from bed states, fresh or stale, near or far."""

from datetime import timedelta

import pytest
from django.utils import timezone

from regiotafel.capacity import availability, beds, claims
from regiotafel.capacity.availability import BoardFilter
from regiotafel.capacity.models import BedStatus, CapacitySettings, Location

pytestmark = pytest.mark.integration


@pytest.mark.unit
def test_distance_between_leiden_and_katwijk_is_about_seven_kilometres():
    assert 6 < availability.distance_km((52.16, 4.49), (52.20, 4.41)) < 8


def row_for(rows, location, bed_type_code):
    return next(r for r in rows if r.location == location and r.bed_type_code == bed_type_code)


def test_free_beds_are_counted_from_bed_states_per_location_type_and_group(ward):
    rows = availability.board(BoardFilter())
    leiden = row_for(rows, "Rijnhof Leiden", "elv-hoog")
    assert (leiden.free, leiden.total, leiden.target_group) == (3, 3, "somatisch")
    beds.set_status(
        user=ward.planner,
        bed_id=ward.beds(ward.leiden, ward.elv_hoog).first().pk,
        status=BedStatus.BEZET,
    )
    leiden = row_for(availability.board(BoardFilter()), "Rijnhof Leiden", "elv-hoog")
    assert (leiden.free, leiden.occupied) == (2, 1)


def test_a_reserved_bed_is_not_free_until_its_deadline_passes(ward):
    now = timezone.now()
    claim = claims.reserve(
        user=ward.triagist,
        organisation=ward.rap,
        bed_id=ward.beds(ward.leiden, ward.palliatief).get().pk,
        now=now,
    )
    assert not [
        r for r in availability.board(BoardFilter(), now=now) if r.bed_type_code == "elv-palliatief"
    ]
    after = availability.board(BoardFilter(), now=claim.expires_at + timedelta(seconds=1))
    assert row_for(after, "Rijnhof Leiden", "elv-palliatief").free == 1


def test_filters_by_type_target_group_and_municipality(ward):
    assert {
        r.bed_type_code for r in availability.board(BoardFilter(bed_type="elv-palliatief"))
    } == {"elv-palliatief"}
    assert availability.board(BoardFilter(target_group="pg")) == []
    assert {r.location for r in availability.board(BoardFilter(municipality="GM0537"))} == {
        "Duinrand Katwijk"
    }


def test_it_sorts_by_distance_from_the_chosen_municipality(ward):
    from_katwijk = availability.board(BoardFilter(bed_type="elv-hoog", near="GM0537"))
    assert [r.location for r in from_katwijk] == ["Duinrand Katwijk", "Rijnhof Leiden"]
    assert from_katwijk[0].distance_km == 0
    from_nieuwkoop = availability.board(BoardFilter(bed_type="elv-hoog", near="GM0569"))
    assert [r.location for r in from_nieuwkoop] == ["Rijnhof Leiden", "Duinrand Katwijk"]


def test_a_location_not_confirmed_within_the_regions_interval_is_stale(ward):
    CapacitySettings.objects.create(region=ward.provider.region, stale_after_minutes=60)
    now = timezone.now()
    beds.confirm_availability(user=ward.planner, location_id=ward.leiden.pk, now=now)
    Location.objects.filter(pk=ward.katwijk.pk).update(confirmed_at=now - timedelta(minutes=61))
    rows = availability.board(BoardFilter(), now=now + timedelta(minutes=5))
    leiden = row_for(rows, "Rijnhof Leiden", "elv-hoog")
    assert not leiden.stale and leiden.confirmed_by == str(ward.planner)
    assert row_for(rows, "Duinrand Katwijk", "elv-hoog").stale


def test_a_planner_updates_only_beds_of_their_own_organisation(ward):
    from regiotafel import errors

    other_bed = ward.beds(ward.katwijk).first()
    with pytest.raises(errors.PermissionDenied):
        beds.set_status(user=ward.planner, bed_id=other_bed.pk, status=BedStatus.GESLOTEN)


def test_reserved_is_not_a_status_set_by_hand(ward):
    from regiotafel import errors

    with pytest.raises(errors.InvalidInput, check=lambda e: e.code == "status-niet-handmatig"):
        beds.set_status(
            user=ward.planner,
            bed_id=ward.beds(ward.leiden).first().pk,
            status=BedStatus.GERESERVEERD,
        )


def test_a_planner_cannot_overrule_a_running_claim_by_hand(ward):
    from regiotafel import errors

    bed = ward.beds(ward.leiden).first()
    claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk)
    with pytest.raises(errors.Conflict, check=lambda e: e.code == "bed-gereserveerd"):
        beds.set_status(user=ward.planner, bed_id=bed.pk, status=BedStatus.GESLOTEN)
