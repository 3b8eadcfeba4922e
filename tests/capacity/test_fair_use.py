"""Fair use of scarce beds: the region that owns a bed limits how many holds without a case one
organisation keeps at once, and how often a hold is extended. The limits hold under races."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from regiotafel import errors
from regiotafel.capacity import claims
from regiotafel.capacity.models import Bed, BedStatus, CapacitySettings, Claim, ClaimState
from regiotafel.core import services
from regiotafel.core.models import Membership, Organisation, OrganisationType, Role
from tests.conftest import make_user

pytestmark = pytest.mark.integration

JSON = "application/json"


def free_beds(ward):
    return list(
        Bed.objects.filter(location__in=[ward.leiden, ward.katwijk]).order_by("location", "label")
    )


def limit(ward, **values) -> CapacitySettings:
    return CapacitySettings.objects.create(region=ward.provider.region, **values)


def hold(ward, bed, *, user=None, organisation=None, now=None):
    return claims.reserve(
        user=user or ward.referrer,
        organisation=organisation or ward.gp,
        bed_id=bed.pk,
        now=now,
    )


def test_an_organisation_holds_at_most_the_regions_number_of_beds_without_a_case(ward):
    limit(ward, max_holds_without_case_per_organisation=2)
    first, second, third = free_beds(ward)[:3]
    hold(ward, first)
    hold(ward, second)
    with pytest.raises(errors.Conflict) as refused:
        hold(ward, third)
    assert refused.value.code == "te-veel-reserveringen"
    assert "hoogstens 2" in refused.value.detail  # the sentence names the limit
    third.refresh_from_db()
    assert third.status == BedStatus.NIET_BEZET
    assert not Claim.objects.filter(bed=third).exists()


def test_without_settings_the_region_allows_three_holds_and_one_extension(ward):
    beds = free_beds(ward)
    for bed in beds[:3]:
        hold(ward, bed)
    with pytest.raises(errors.Conflict) as refused:
        hold(ward, beds[3])
    assert refused.value.code == "te-veel-reserveringen"
    claim = Claim.objects.filter(organisation=ward.gp).first()
    claims.extend(user=ward.referrer, claim_id=claim.pk)
    with pytest.raises(errors.Conflict) as again:
        claims.extend(user=ward.referrer, claim_id=claim.pk)
    assert again.value.code == "verlengen-niet-toegestaan"


def test_the_api_refuses_a_hold_past_the_limit_with_a_409_and_its_code(ward, client):
    limit(ward, max_holds_without_case_per_organisation=1)
    first, second = free_beds(ward)[:2]
    client.force_login(ward.referrer)
    ok = client.post(f"/api/v1/bedden/{first.pk}/reserveringen", {}, "application/json")
    refused = client.post(f"/api/v1/bedden/{second.pk}/reserveringen", {}, "application/json")
    assert ok.status_code == 201
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "te-veel-reserveringen"
    assert body["type"] == "urn:regiotafel:probleem:te-veel-reserveringen"


def test_holds_of_other_organisations_and_expired_or_withdrawn_holds_do_not_count(ward):
    limit(ward, max_holds_without_case_per_organisation=1)
    beds = free_beds(ward)
    now = timezone.now()
    hold(ward, beds[0], user=ward.triagist, organisation=ward.rap, now=now)
    withdrawn = hold(ward, beds[1], now=now)
    claims.withdraw(user=ward.referrer, claim_id=withdrawn.pk, now=now)
    hold(ward, beds[2], now=now)  # expires in 30 minutes
    later = now + timedelta(hours=1)
    assert hold(ward, beds[3], now=later).state == ClaimState.ACTIEF


def test_a_hold_for_a_case_does_not_count_as_a_hold_without_one(ward, new_case):
    limit(ward, max_holds_without_case_per_organisation=1)
    beds = free_beds(ward)
    held = hold(ward, beds[0])
    claims.link_case(user=ward.referrer, claim_id=held.pk, case=new_case())
    assert hold(ward, beds[1]).state == ClaimState.ACTIEF


def test_the_region_that_owns_the_bed_decides_not_the_region_of_the_organisation(ward, cast):
    limit(ward, max_holds_without_case_per_organisation=1)
    CapacitySettings.objects.create(
        region=cast.other_region, max_holds_without_case_per_organisation=10
    )
    far_gp = Organisation.objects.create(
        name="Huisartsenpost Kennemerland",
        region=cast.other_region,
        type=OrganisationType.HUISARTSENPOST,
    )
    far_referrer = make_user("verre-huisarts", (far_gp, Role.VERWIJZER))
    first, second = free_beds(ward)[:2]
    hold(ward, first, user=far_referrer, organisation=far_gp)
    with pytest.raises(errors.Conflict) as refused:
        hold(ward, second, user=far_referrer, organisation=far_gp)
    assert refused.value.code == "te-veel-reserveringen"
    assert "Zuid-Holland Noord" in refused.value.detail


def test_a_hold_is_extended_by_the_hold_period_as_often_as_the_region_allows(ward):
    limit(ward, hold_minutes=20, max_hold_extensions=2)
    now = timezone.now()
    claim = hold(ward, free_beds(ward)[0], now=now)
    once = claims.extend(user=ward.referrer, claim_id=claim.pk, now=now)
    twice = claims.extend(user=ward.referrer, claim_id=claim.pk, now=now)
    assert once.expires_at == now + timedelta(minutes=40)
    assert (twice.expires_at, twice.extensions) == (now + timedelta(minutes=60), 2)
    twice.bed.refresh_from_db()
    assert twice.bed.held_until == twice.expires_at
    with pytest.raises(errors.Conflict) as refused:
        claims.extend(user=ward.referrer, claim_id=claim.pk, now=now)
    assert refused.value.code == "verlengen-niet-toegestaan"
    claim.refresh_from_db()
    assert claim.expires_at == now + timedelta(minutes=60)


def test_a_region_can_forbid_extending_and_an_expired_hold_cannot_be_extended(ward):
    limit(ward, max_hold_extensions=0)
    now = timezone.now()
    first, second = free_beds(ward)[:2]
    claim = hold(ward, first, now=now)
    with pytest.raises(errors.Conflict) as refused:
        claims.extend(user=ward.referrer, claim_id=claim.pk, now=now)
    assert refused.value.code == "verlengen-niet-toegestaan"
    CapacitySettings.objects.update(max_hold_extensions=5)
    expired = hold(ward, second, now=now)
    with pytest.raises(errors.Conflict) as late:
        claims.extend(user=ward.referrer, claim_id=expired.pk, now=now + timedelta(hours=2))
    assert late.value.code == "reservering-verlopen"


def test_a_claim_for_a_case_is_not_extended(ward, new_case):
    claim = claims.reserve(
        user=ward.referrer, organisation=ward.gp, bed_id=free_beds(ward)[0].pk, case=new_case()
    )
    with pytest.raises(errors.Conflict) as refused:
        claims.extend(user=ward.referrer, claim_id=claim.pk)
    assert refused.value.code == "reservering-heeft-casus"


def test_only_the_claiming_organisation_extends_its_hold(ward, client):
    claim = hold(ward, free_beds(ward)[0])
    client.force_login(ward.other_referrer)
    response = client.post(f"/api/v1/reserveringen/{claim.pk}/verlengingen", content_type=JSON)
    assert response.status_code == 403
    assert response.json()["code"] == "geen-toegang"
    claim.refresh_from_db()
    assert claim.extensions == 0


def test_the_api_and_the_page_extend_a_hold(ward, client):
    limit(ward, max_hold_extensions=2)
    claim = hold(ward, free_beds(ward)[0])
    client.force_login(ward.referrer)
    response = client.post(f"/api/v1/reserveringen/{claim.pk}/verlengingen", content_type=JSON)
    assert response.status_code == 200
    assert response.json()["keren_verlengd"] == 1
    page = client.get("/capaciteit/reserveringen/")
    assert f"/reserveringen/{claim.pk}/verleng/" in page.content.decode()
    client.post(f"/capaciteit/reserveringen/{claim.pk}/verleng/")
    claim.refresh_from_db()
    assert claim.extensions == 2


HOLDERS = 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_holds_of_one_organisation_never_pass_the_limit_together(request):
    """Each thread holds a different free bed at the same moment; only the limit may win."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (set DATABASE_URL)")
    ward = request.getfixturevalue("ward")
    CapacitySettings.objects.create(
        region=ward.provider.region, max_holds_without_case_per_organisation=2
    )
    colleague = make_user("tweede-huisarts")
    Membership.objects.create(user=colleague, organisation=ward.gp, role=Role.VERWIJZER)
    beds = list(Bed.objects.filter(location__in=[ward.leiden, ward.katwijk]))
    from regiotafel.capacity.models import TargetGroup

    while len(beds) < HOLDERS:
        beds.append(
            Bed.objects.create(
                location=ward.katwijk,
                bed_type=ward.elv_hoog,
                target_group=TargetGroup.SOMATISCH,
                label=f"X{len(beds)}",
            )
        )
    tokens = [services.issue_token(user=u) for u in [ward.referrer, colleague] * (HOLDERS // 2)]
    barrier = threading.Barrier(HOLDERS)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def take(token: str, bed_id: int) -> None:
        client = Client()
        barrier.wait()
        response = client.post(
            f"/api/v1/bedden/{bed_id}/reserveringen",
            "{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        with lock:
            results.append((response.status_code, json.loads(response.content)))
        connection.close()

    threads = [
        threading.Thread(target=take, args=(token, bed.pk))
        for token, bed in zip(tokens, beds, strict=False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 201] + [409] * (HOLDERS - 2)
    assert {body["code"] for status, body in results if status == 409} == {"te-veel-reserveringen"}
    assert Claim.objects.filter(organisation=ward.gp, state="actief").count() == 2
