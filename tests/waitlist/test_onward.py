"""Onward placement from a Wlz crisis bed (seed 003): the urgent registration, the region's
deadline, the warnings before and after it (once each), and the list page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from regiotafel import errors
from regiotafel.capacity import claims
from regiotafel.capacity.models import (
    Bed,
    BedStatus,
    BedType,
    Case,
    CaseState,
    Claim,
    ClaimState,
)
from regiotafel.notifications.models import Notification
from regiotafel.waitlist import onward
from regiotafel.waitlist.models import (
    OnwardPlacement,
    OnwardState,
    Registration,
    WaitingStatus,
    WaitlistSettings,
)
from tests.conftest import PASSWORD
from tests.waitlist.conftest import BSN_ANNA, load, row

pytestmark = pytest.mark.integration


@dataclass
class Crisis:
    bed: Bed
    elv_bed: Bed


@pytest.fixture
def crisis(homes) -> Crisis:
    wlz = BedType.objects.get(code="wlz-crisis", region=None)
    elv = BedType.objects.get(code="elv-hoog", region=None)
    return Crisis(
        bed=Bed.objects.create(
            location=homes.own_home, bed_type=wlz, target_group="pg", label="C1"
        ),
        elv_bed=Bed.objects.create(
            location=homes.own_home, bed_type=elv, target_group="pg", label="E1"
        ),
    )


def _case(homes, bed, *, initials="A.", year=1936, gender="v", ref="2026-ABC001") -> Case:
    return Case.objects.create(
        reference=ref,
        referrer_organisation=homes.neighbour,
        created_by=homes.other_planner,
        initials=initials,
        birth_year=year,
        gender=gender,
        municipality=homes.own_home.municipality,
        care_need="Ontregeld thuis, mantelzorg overbelast",
        urgency="spoed",
        bed_type=bed.bed_type,
        target_group="pg",
        state=CaseState.BED_GERESERVEERD,
    )


def _admit(homes, bed, case, *, now=None) -> Claim:
    """A claim on the bed for the case, confirmed by the provider: the case is placed."""
    now = now or timezone.now()
    Bed.objects.filter(pk=bed.pk).update(
        status=BedStatus.GERESERVEERD, held_until=now + timedelta(hours=1)
    )
    claim = Claim.objects.create(
        bed=bed,
        case=case,
        organisation=homes.neighbour,
        claimed_by=homes.other_planner,
        expires_at=now + timedelta(hours=1),
    )
    return claims.confirm(user=homes.planner, claim_id=claim.pk, now=now)


def _texts(user, event="doorplaatsing.termijn") -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, event=event).values_list("text", flat=True)
    )


def test_admission_to_a_crisis_bed_makes_the_matching_client_urgent_with_the_deadline(
    homes, crisis
):
    load(homes.neighbour, row("N1", initials="A.", status="actief"))
    case = _case(homes, crisis.bed)
    now = timezone.now()
    claim = _admit(homes, crisis.bed, case, now=now)
    assert claim.state == ClaimState.BEVESTIGD
    found = OnwardPlacement.objects.get(case=case)
    assert found.provider == homes.own and found.bed == crisis.bed
    assert found.deadline == now + timedelta(days=14)  # the default agreement
    registration = Registration.objects.get(external_id="N1")
    assert found.registration == registration
    assert registration.status == WaitingStatus.URGENT
    assert registration.status_changes.last().to_status == WaitingStatus.URGENT
    # the care office and the admitting provider are told the clock started
    assert Notification.objects.filter(
        recipient=homes.care_office_planner, event="doorplaatsing.gestart"
    ).exists()


def test_the_region_sets_the_deadline_and_an_elv_bed_starts_nothing(homes, crisis):
    WaitlistSettings.objects.create(region=homes.own.region, onward_days=10)
    now = timezone.now()
    _admit(homes, crisis.bed, _case(homes, crisis.bed), now=now)
    assert OnwardPlacement.objects.get().deadline == now + timedelta(days=10)
    _admit(homes, crisis.elv_bed, _case(homes, crisis.elv_bed, ref="2026-ELV001"), now=now)
    assert OnwardPlacement.objects.count() == 1


def test_an_ambiguous_or_missing_match_is_completed_by_the_admitting_provider(homes, crisis):
    # two waiting clients fit the case's initials, birth year and municipality: no guess
    load(homes.own, row("R1", surname="Aarts"), row("R2", surname="Bakker", born="1936-09-09"))
    case = _case(homes, crisis.bed)
    _admit(homes, crisis.bed, case)
    found = OnwardPlacement.objects.get(case=case)
    assert found.registration is None
    with pytest.raises(errors.InvalidInput):  # a new registration needs surname, date, profile
        onward.complete_registration(
            user=homes.planner, onward_id=found.pk, data={"klantnummer": "NEW-1"}
        )
    onward.complete_registration(user=homes.planner, onward_id=found.pk, data={"klantnummer": "R2"})
    found.refresh_from_db()
    assert found.registration.external_id == "R2"
    assert found.registration.status == WaitingStatus.URGENT


def test_a_new_registration_with_a_bsn_joins_the_client_of_another_provider(homes, crisis):
    load(homes.neighbour, row("N7", bsn=BSN_ANNA, initials="B.", status="voorkeur"))
    case = _case(homes, crisis.bed)  # initials A.: no automatic match
    _admit(homes, crisis.bed, case)
    found = OnwardPlacement.objects.get(case=case)
    onward.complete_registration(
        user=homes.planner,
        onward_id=found.pk,
        data={
            "klantnummer": "C-9",
            "bsn": BSN_ANNA,
            "achternaam": "Jansen",
            "geboortedatum": "1936-04-12",
            "zorgprofiel": "VV5",
        },
    )
    found.refresh_from_db()
    theirs = Registration.objects.get(external_id="N7")
    assert found.registration.provider == homes.own
    assert found.registration.client_id == theirs.client_id
    theirs.refresh_from_db()
    assert theirs.status == WaitingStatus.URGENT  # the client's national status, everywhere


def test_another_provider_cannot_complete_or_see_it(homes, crisis):
    case = _case(homes, crisis.bed)
    _admit(homes, crisis.bed, case)
    found = OnwardPlacement.objects.get(case=case)
    with pytest.raises(errors.NotFound):
        onward.complete_registration(
            user=homes.other_planner, onward_id=found.pk, data={"klantnummer": "X"}
        )
    assert not onward.visible_onward(homes.other_planner).exists()
    assert onward.visible_onward(homes.care_office_planner).get() == found


def test_warnings_go_once_before_and_once_after_the_deadline(homes, crisis):
    load(homes.own, row("R1", initials="A."))
    start = timezone.now()
    _admit(homes, crisis.bed, _case(homes, crisis.bed), now=start)
    # ten days in: nothing yet (warn three days before fourteen)
    assert onward.check_deadlines(now=start + timedelta(days=10)) == (0, 0)
    assert onward.check_deadlines(now=start + timedelta(days=11, hours=1)) == (1, 0)
    assert onward.check_deadlines(now=start + timedelta(days=12)) == (0, 0)  # once
    assert onward.check_deadlines(now=start + timedelta(days=14, minutes=1)) == (0, 1)
    assert onward.check_deadlines(now=start + timedelta(days=16)) == (0, 0)  # once
    for person in (homes.care_office_planner, homes.planner):
        texts = _texts(person)
        assert len(texts) == 2, person
        assert "verstrijkt bijna" in texts[0] or "verstrijkt bijna" in texts[1]
        assert any("verstreken" in t for t in texts)
        assert not any("Jansen" in t for t in texts)  # no names in messages
    assert _texts(homes.other_planner) == []


def test_a_deadline_passed_before_any_warning_gets_only_the_passed_message(homes, crisis):
    start = timezone.now()
    _admit(homes, crisis.bed, _case(homes, crisis.bed), now=start)
    assert onward.check_deadlines(now=start + timedelta(days=20)) == (0, 1)
    assert onward.check_deadlines(now=start + timedelta(days=21)) == (0, 0)


def test_accepting_a_lasting_place_ends_the_onward_placement(homes, crisis):
    from regiotafel.waitlist import placement

    load(homes.own, row("R1", initials="A."))
    _admit(homes, crisis.bed, _case(homes, crisis.bed))
    registration = Registration.objects.get(external_id="R1")
    offer = placement.offer(
        user=homes.planner, registration_id=registration.pk, location_id=homes.own_home.pk
    )
    placement.accept(user=homes.planner, offer_id=offer.pk)
    assert OnwardPlacement.objects.get().state == OnwardState.PLACED
    assert onward.check_deadlines(now=timezone.now() + timedelta(days=30)) == (0, 0)


def test_the_list_page_shows_days_left_and_overdue_to_the_care_office(client, homes, crisis):
    past = timezone.now() - timedelta(days=16)
    _admit(homes, crisis.bed, _case(homes, crisis.bed), now=past)
    other_bed = Bed.objects.create(
        location=homes.own_home, bed_type=crisis.bed.bed_type, target_group="pg", label="C2"
    )
    _admit(
        homes,
        other_bed,
        _case(homes, other_bed, ref="2026-ABC002", initials="Q."),
        now=timezone.now() - timedelta(days=12),
    )
    client.login(username=homes.care_office_planner.username, password=PASSWORD)
    page = client.get(reverse("waitlist:onward")).content.decode()
    assert "2026-ABC001" in page and "2026-ABC002" in page
    assert "2 dagen te laat" in page
    assert "nog 2 dagen" in page
    client.login(username=homes.other_planner.username, password=PASSWORD)
    assert "2026-ABC001" not in client.get(reverse("waitlist:onward")).content.decode()


def test_the_provider_closes_it_with_a_reason_on_the_page(client, homes, crisis):
    _admit(homes, crisis.bed, _case(homes, crisis.bed))
    found = OnwardPlacement.objects.get()
    client.login(username=homes.planner.username, password=PASSWORD)
    url = reverse("waitlist:onward-action", args=[found.pk, "afsluiten"])
    client.post(url, {"reden": ""})
    found.refresh_from_db()
    assert found.state == OnwardState.OPEN
    client.post(url, {"reden": "Terug naar huis met thuiszorg"})
    found.refresh_from_db()
    assert found.state == OnwardState.ENDED


def test_the_scheduled_job_runs_the_check(homes, crisis):
    from regiotafel.ops import periodic

    _admit(homes, crisis.bed, _case(homes, crisis.bed), now=timezone.now() - timedelta(days=15))
    assert periodic.onward_deadlines() == "0 gewaarschuwd, 1 verstreken"
    assert periodic.onward_deadlines() == "0 gewaarschuwd, 0 verstreken"


def test_an_analyst_does_not_see_the_list(client, homes):
    client.login(username=homes.analyst.username, password=PASSWORD)
    assert client.get(reverse("waitlist:onward")).status_code == 403


def test_the_dossierhouder_at_another_provider_gets_the_deadline_warnings_too(homes, crisis):
    # The events checklist of issue 13 (RAP review): the onward-deadline warning reaches the
    # care office, the admitting provider and the dossierhouder when that is someone else.
    from regiotafel.waitlist import placement

    load(homes.neighbour, row("N1", initials="A.", status="actief"))
    client = Registration.objects.get(external_id="N1").client
    placement.assign_dossierhouder(
        user=homes.care_office_planner, client_id=client.pk, provider_id=homes.neighbour.pk
    )
    start = timezone.now()
    _admit(homes, crisis.bed, _case(homes, crisis.bed), now=start)
    assert OnwardPlacement.objects.get().registration.client == client
    assert onward.check_deadlines(now=start + timedelta(days=11, hours=1)) == (1, 0)
    assert onward.check_deadlines(now=start + timedelta(days=14, minutes=1)) == (0, 1)
    for person in (homes.care_office_planner, homes.planner, homes.other_planner):
        texts = _texts(person)
        assert len(texts) == 2, person
        assert any("verstrijkt bijna" in t for t in texts)
        assert any("verstreken" in t for t in texts)
