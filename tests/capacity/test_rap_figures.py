"""The registration point's management information (seed 004) on a small constructed data set
whose answers are known: cases per outcome, time to placement against the norm per urgency,
claims per outcome, crisis beds past the onward-placement deadline, and the RAP's share."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from regiotafel.capacity import figures
from regiotafel.capacity.models import Bed, Case, Claim, ClaimState
from regiotafel.core.models import Municipality
from regiotafel.waitlist.models import OnwardPlacement, OnwardState
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration

NUMBERS = count(1)


@pytest.fixture
def world(ward, cast):
    now = timezone.now()
    start, end = now - timedelta(days=7), now
    leiden = ward.leiden.municipality
    haarlem = Municipality.objects.get(cbs_code="GM0392")

    def case(*, hours=None, outcome="", urgency="spoed", town=leiden, at=None, **extra):
        registered = at or now - timedelta(days=2)
        return Case.objects.create(
            reference=f"2026-T{next(NUMBERS):05d}",
            referrer_organisation=ward.gp,
            created_by=ward.referrer,
            initials="T.",
            birth_year=1940,
            gender="v",
            municipality=town,
            care_need="Test",
            urgency=urgency,
            bed_type=ward.elv_hoog,
            target_group="somatisch",
            registered_at=registered,
            placed_at=registered + timedelta(hours=hours) if hours is not None else None,
            outcome=outcome,
            **extra,
        )

    cases = [
        case(hours=2, outcome="regio"),  # spoed, within every norm
        case(hours=30, outcome="regio"),  # spoed, outside every norm
        case(hours=10, outcome="bovenregionaal", urgency="vandaag", handled_by=ward.rap),
        case(outcome="advies", handled_by=ward.rap, phoned_in=True),
        case(outcome="geen_bed"),
        case(),  # still running
    ]
    case(outcome="regio", at=now - timedelta(days=30))  # before the period
    case(outcome="regio", town=haarlem)  # another region
    bed = Bed.objects.filter(location=ward.leiden).first()
    for state, n in [
        (ClaimState.BEVESTIGD, 2),
        (ClaimState.GEWEIGERD, 1),
        (ClaimState.VERLOPEN, 1),
        (ClaimState.INGETROKKEN, 1),
    ]:
        for _ in range(n):
            Claim.objects.create(
                bed=bed,
                organisation=ward.gp,
                claimed_by=ward.referrer,
                expires_at=now,
                state=state,
                created_at=now - timedelta(days=1),
            )
    Claim.objects.create(  # before the period
        bed=bed,
        organisation=ward.gp,
        claimed_by=ward.referrer,
        expires_at=now,
        state=ClaimState.BEVESTIGD,
        created_at=now - timedelta(days=20),
    )
    for c, deadline, state in [
        (cases[0], now - timedelta(days=2, hours=1), OnwardState.OPEN),  # overdue
        (cases[1], now + timedelta(days=3), OnwardState.OPEN),  # not yet
        (cases[2], now - timedelta(days=5), OnwardState.PLACED),  # moved on in time
    ]:
        OnwardPlacement.objects.create(
            case=c,
            bed=bed,
            provider=ward.provider,
            admitted_at=deadline - timedelta(days=14),
            deadline=deadline,
            state=state,
        )
    return cast.region, start, end, cases


def test_cases_per_outcome(world):
    region, start, end, _cases = world
    r = figures.rap_figures(region=region, start=start, end=end)
    assert r.cases == 6
    assert r.by_outcome == {
        "regio": 2,
        "bovenregionaal": 1,
        "advies": 1,
        "geen_bed": 1,
        "geannuleerd": 0,
        "open": 1,
    }


def test_time_to_placement_against_the_norm_per_urgency(world):
    region, start, end, _cases = world
    norms = {n.urgency: n for n in figures.rap_figures(region=region, start=start, end=end).norms}
    assert (norms["spoed"].placed, norms["spoed"].within_norm) == (2, 1)
    assert norms["spoed"].within_pct == 50.0
    assert norms["spoed"].median_hours == 16.0
    assert (norms["vandaag"].placed, norms["vandaag"].within_norm) == (1, 1)
    assert norms["vandaag"].median_hours == 10.0
    assert norms["planbaar"].placed == 0 and norms["planbaar"].within_pct is None


def test_claims_per_outcome(world):
    region, start, end, _cases = world
    r = figures.rap_figures(region=region, start=start, end=end)
    assert r.claims_by_outcome == {
        "bevestigd": 2,
        "geweigerd": 1,
        "verlopen": 1,
        "ingetrokken": 1,
        "actief": 0,
    }


def test_crisis_beds_past_the_onward_deadline(world):
    region, start, end, cases = world
    r = figures.rap_figures(region=region, start=start, end=end)
    assert r.onward_overdue == [(cases[0].reference, "Rijnhof Leiden", 2)]


def test_share_of_referrals_handled_by_the_rap(world):
    region, start, end, _cases = world
    r = figures.rap_figures(region=region, start=start, end=end)
    assert r.handled_by_rap == 2
    assert r.rap_share_pct == 33.3


def test_the_report_page_and_its_exports_show_them(client, world, ward):
    client.login(username=ward.analyst.username, password=PASSWORD)
    page = client.get(reverse("capacity:report")).content.decode()
    assert "Regionaal aanmeldpunt (RAP)" in page
    assert "Casussen per uitkomst" in page
    assert "33,3" in page or "33.3" in page
    assert "<script>" not in page  # charts are JSON blocks drawn by charts.js
    body = client.get(reverse("capacity:report-export", args=["csv"])).content.decode()
    assert "RAP: aandeel verwijzingen via het RAP (%)" in body
    assert "crisisbed over de termijn" in body
    xlsx = client.get(reverse("capacity:report-export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
