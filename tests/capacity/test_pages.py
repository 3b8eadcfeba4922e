"""Capacity pages: the board (and its live fragment), cases, claims and the planner's beds."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from regiotafel.capacity import claims
from regiotafel.capacity.models import Bed, Case, CaseState, ClaimState
from tests.capacity.conftest import CASE_DATA

pytestmark = pytest.mark.integration


def test_the_board_shows_free_beds_with_freshness_and_a_reserve_button(ward, client):
    client.force_login(ward.referrer)
    page = client.get(reverse("capacity:board")).content.decode()
    assert "Rijnhof Leiden" in page and "Duinrand Katwijk" in page
    assert "nooit bevestigd" in page and "verouderd" in page
    assert "Reserveer" in page


def test_the_htmx_request_gets_only_the_table_fragment(ward, client):
    client.force_login(ward.referrer)
    fragment = client.get(
        reverse("capacity:board"), {"beddentype": "elv-palliatief"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith("<table")
    assert "Rijnhof Leiden" in fragment and "Duinrand Katwijk" not in fragment


def test_the_board_page_filters_on_a_municipality(ward, client):
    client.force_login(ward.referrer)
    page = client.get(reverse("capacity:board"), {"gemeente": "GM0537"}).content.decode()
    assert "Duinrand Katwijk" in page and "Rijnhof Leiden" not in page


def test_reserving_from_the_board_for_a_case_links_the_claim_and_opens_the_case(
    ward, client, new_case
):
    case = new_case()
    client.force_login(ward.referrer)
    response = client.post(
        reverse("capacity:reserve", args=[ward.leiden.pk]),
        {"beddentype": "elv-hoog", "doelgroep": "somatisch", "casus": case.reference},
    )
    assert response["Location"] == reverse("capacity:case", args=[case.reference])
    case.refresh_from_db()
    assert case.state == CaseState.BED_GERESERVEERD


def test_a_referrer_registers_a_case_through_the_form(ward, client):
    client.force_login(ward.referrer)
    form = {k: v for k, v in CASE_DATA.items()}
    response = client.post(reverse("capacity:case-new"), form)
    case = Case.objects.get()
    assert response["Location"] == reverse("capacity:case", args=[case.reference])
    page = client.get(response["Location"]).content.decode()
    assert "Valpartij" in page and "aangemeld" in page


def test_the_case_form_shows_dutch_errors_and_saves_nothing(ward, client):
    client.force_login(ward.referrer)
    page = client.post(reverse("capacity:case-new"), {"initialen": ""}).content.decode()
    assert "Dit veld is verplicht." in page
    assert not Case.objects.exists()


def test_the_planner_confirms_an_admission_from_the_claims_page(ward, client, new_case):
    case = new_case()
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=Bed.objects.filter(location=ward.leiden).first().pk,
        case=case,
    )
    client.force_login(ward.planner)
    page = client.get(reverse("capacity:claims")).content.decode()
    assert case.reference in page and "Opname bevestigen" in page
    client.post(reverse("capacity:claim-action", args=[claim.pk, "bevestig"]))
    claim.refresh_from_db()
    assert claim.state == ClaimState.BEVESTIGD


@pytest.mark.parametrize("back", ["https://elders.example/", "//elders.example/", "x"])
def test_after_a_claim_action_the_page_never_sends_the_user_to_another_site(ward, client, back):
    claim = claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=Bed.objects.filter(location=ward.leiden).first().pk,
    )
    client.force_login(ward.referrer)
    response = client.post(
        reverse("capacity:claim-action", args=[claim.pk, "trek-in"]), {"terug": back}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("capacity:claims")
    claim.refresh_from_db()
    assert claim.state == ClaimState.INGETROKKEN
    same_site = client.post(
        reverse("capacity:claim-action", args=[claim.pk, "trek-in"]), {"terug": "/capaciteit/"}
    )
    assert same_site["Location"] == "/capaciteit/"


def test_a_decline_reason_longer_than_its_column_is_refused_on_the_page_and_changes_nothing(
    ward, client
):
    bed = Bed.objects.filter(location=ward.leiden).first()
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk)
    client.force_login(ward.planner)
    url = reverse("capacity:claim-action", args=[claim.pk, "weiger"])
    assert client.post(url, {"reden": "x" * 201}).status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.ACTIEF
    client.post(url, {"reden": "y" * 200})
    claim.refresh_from_db()
    assert claim.state == ClaimState.GEWEIGERD and claim.decline_reason == "y" * 200


def test_the_planner_changes_a_bed_status_inline_with_htmx(ward, client):
    bed = Bed.objects.filter(location=ward.leiden).first()
    client.force_login(ward.planner)
    response = client.post(
        reverse("capacity:bed-status", args=[bed.pk]),
        {"status": "gesloten"},
        HTTP_HX_REQUEST="true",
    )
    assert "Opgeslagen" in response.content.decode()
    bed.refresh_from_db()
    assert bed.status == "gesloten"


def test_a_referrer_cannot_open_the_planners_bed_page(ward, client):
    client.force_login(ward.referrer)
    assert client.get(reverse("capacity:beds")).status_code == 403


def test_the_release_command_reports_how_many_claims_it_released(ward, capsys):
    call_command("capaciteit", "vrijgeven")
    assert "0 verlopen reservering(en) vrijgegeven." in capsys.readouterr().out
