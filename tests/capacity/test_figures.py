"""Management information of the bed board, built from a day with known events."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from regiotafel.capacity import beds, cases, claims, figures
from regiotafel.capacity.models import Bed, Case, CaseState

pytestmark = pytest.mark.integration


@pytest.fixture
def day(ward, new_case):
    """Three claims: one confirmed, one declined, one expired; one case referred elsewhere."""
    start = timezone.now() - timedelta(hours=10)
    free = list(Bed.objects.filter(location=ward.leiden, bed_type=ward.elv_hoog).order_by("label"))
    placed, declined, expired, referred = (new_case() for _ in range(4))
    c1 = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=free[0].pk,
        case=placed,
        now=start + timedelta(hours=1),
    )
    claims.confirm(user=ward.planner, claim_id=c1.pk, now=start + timedelta(hours=2))
    c2 = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=free[1].pk,
        case=declined,
        now=start + timedelta(hours=3),
    )
    claims.decline(
        user=ward.planner,
        claim_id=c2.pk,
        reason="Zorgzwaarte past niet",
        now=start + timedelta(hours=3, minutes=30),
    )
    c3 = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=free[2].pk,
        case=expired,
        now=start + timedelta(hours=4),
    )
    claims.release_expired(now=c3.expires_at)
    cases.transition(
        user=ward.referrer,
        organisation=ward.gp,
        case=referred,
        to=CaseState.DOORVERWEZEN,
        reason="Geen bed; geplaatst in Haaglanden",
    )
    Case.objects.filter(pk=placed.pk).update(registered_at=start)
    return start, ward


def test_the_summary_counts_claims_by_outcome_declines_and_shortages(day):
    start, ward = day
    s = figures.summary(region=ward.provider.region, start=start, end=timezone.now())
    assert s.claims == 3
    assert s.claims_by_state == {"opname bevestigd": 1, "geweigerd": 1, "verlopen": 1}
    assert s.decline_reasons == [("Zorgzwaarte past niet", 1)]
    assert (s.cases_placed, s.placed_within_target, s.median_hours) == (1, 1, 2.0)
    assert [reason for _ref, reason in s.no_bed_in_region] == ["Geen bed; geplaatst in Haaglanden"]


def test_occupancy_over_time_follows_the_bed_history(day):
    start, ward = day
    series = figures.occupancy_series(
        region=ward.provider.region,
        start=start,
        end=start + timedelta(hours=3),
        step=timedelta(hours=1),
    )
    elv = [r for r in series if r["beddentype"] == "ELV hoog complex"]
    # 5 ELV hoog beds in the region; the confirmed admission made one occupied at +2 h
    assert [(r["bezet"], r["bedden"]) for r in elv] == [(0, 5), (0, 5), (1, 5), (1, 5)]
    assert elv[1]["gereserveerd"] == 1  # claimed at +1 h, confirmed at +2 h
    assert elv[2]["bezetting_pct"] == 20.0


def test_a_bed_closed_by_hand_is_in_the_history_too(ward):
    start = timezone.now()
    bed = Bed.objects.filter(location=ward.katwijk).first()
    beds.set_status(
        user=ward.other_planner, bed_id=bed.pk, status="bezet", now=start + timedelta(minutes=30)
    )
    series = figures.occupancy_series(
        region=ward.provider.region,
        start=start,
        end=start + timedelta(hours=1),
        step=timedelta(hours=1),
    )
    assert [r["bezet"] for r in series if r["beddentype"] == "ELV hoog complex"] == [0, 1]


def test_exports_are_dutch_csv_and_xlsx_with_their_sheets(day):
    start, ward = day
    s = figures.summary(region=ward.provider.region, start=start, end=timezone.now())
    series = figures.occupancy_series(region=ward.provider.region, start=start, end=timezone.now())
    text = figures.to_csv(summary_=s, series=series)
    assert text.splitlines()[0] == "omschrijving;waarde"
    assert "Zorgzwaarte past niet;1" in text
    book = load_workbook(io.BytesIO(figures.to_xlsx(summary_=s, series=series)))
    assert book.sheetnames == ["Samenvatting", "Weigeringen", "Bezetting", "RAP", "Doorplaatsing"]
    assert book["Weigeringen"]["A2"].value == "Zorgzwaarte past niet"


def test_the_report_page_is_for_the_region_and_not_for_a_referrer(day, client):
    _start, ward = day
    client.force_login(ward.analyst)
    page = client.get(reverse("capacity:report")).content.decode()
    assert "Bezetting per beddentype" in page and "Zorgzwaarte past niet" in page
    assert "cdn" not in page.lower()
    client.force_login(ward.referrer)
    assert client.get(reverse("capacity:report")).status_code == 403
