"""Reviewing probable duplicates: a person merges or rejects; a merge can be undone."""

import pytest

from regiotafel import errors
from regiotafel.core.models import AuditEvent
from regiotafel.waitlist import duplicates
from regiotafel.waitlist.models import Client, DuplicateCandidate, Merge, Registration
from tests.waitlist.conftest import BSN_ANNA, load, row

pytestmark = pytest.mark.integration


@pytest.fixture
def pair(homes):
    load(homes.own, row("K1", bsn=BSN_ANNA))
    load(homes.neighbour, row("X1", surname="Jasnen"))
    return DuplicateCandidate.objects.get()


def test_merging_moves_the_registrations_and_keeps_the_bsn_key(homes, pair):
    merge = duplicates.merge(
        user=homes.care_office_planner, candidate_id=pair.pk, keep=pair.client_b_id
    )
    survivor = Client.objects.get(pk=pair.client_b_id)
    assert Registration.objects.filter(client=survivor).count() == 2
    assert survivor.bsn_hash  # the key moved from the merged client
    assert Client.objects.get(pk=pair.client_a_id).merged_into == survivor
    assert AuditEvent.objects.filter(
        object_type="waitlist.merge", object_id=str(merge.pk), action="create"
    ).exists()


def test_a_merge_can_be_undone_exactly(homes, pair):
    before = dict(Registration.objects.values_list("external_id", "client_id"))
    hashes = dict(Client.objects.values_list("pk", "bsn_hash"))
    merge = duplicates.merge(
        user=homes.care_office_planner, candidate_id=pair.pk, keep=pair.client_b_id
    )
    duplicates.undo(user=homes.care_office_planner, merge_id=merge.pk)
    assert dict(Registration.objects.values_list("external_id", "client_id")) == before
    assert dict(Client.objects.values_list("pk", "bsn_hash")) == hashes
    pair.refresh_from_db()
    assert pair.state == "open"
    assert Merge.objects.get().undone_by == homes.care_office_planner


def test_rejecting_records_two_people_and_the_pair_is_not_proposed_again(homes, pair):
    duplicates.reject(user=homes.planner, candidate_id=pair.pk, note="tweeling")
    assert duplicates.refresh_candidates() == 0
    pair.refresh_from_db()
    assert (pair.state, pair.note) == ("afgewezen", "tweeling")


def test_a_provider_not_involved_cannot_merge(homes, pair, cast):
    from regiotafel.core.models import Role
    from tests.conftest import make_user

    stranger = make_user("planner-elders", (cast.far, Role.CAPACITEITSBEHEERDER))
    with pytest.raises(errors.PermissionDenied):
        duplicates.merge(user=stranger, candidate_id=pair.pk)


def test_a_reviewed_pair_cannot_be_reviewed_twice(homes, pair):
    duplicates.reject(user=homes.planner, candidate_id=pair.pk)
    with pytest.raises(errors.Conflict):
        duplicates.merge(user=homes.planner, candidate_id=pair.pk)


def test_a_survivor_number_in_superscript_digits_on_the_page_is_not_a_server_error(
    homes, pair, client
):
    client.force_login(homes.care_office_planner)
    response = client.post(
        f"/wachtlijst/dubbelen/{pair.pk}/samenvoegen/", {"behoud": "²"}, follow=False
    )
    assert response.status_code == 302
    assert Merge.objects.count() == 1
