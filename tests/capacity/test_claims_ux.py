"""Claims in one step from a case, holds linked by choosing a case, refusals that say the real
reason (with a stable code) and return the user to where they were, filters kept."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from regiotafel import errors
from regiotafel.capacity import claims
from regiotafel.capacity.models import Bed, BedStatus, CapacitySettings, CaseState, Claim
from tests.capacity.test_api import post

pytestmark = pytest.mark.integration

BOARD = reverse("capacity:board")


def reserve_page(client, location, **fields):
    data = {"beddentype": "elv-hoog", "doelgroep": "somatisch", **fields}
    return client.post(reverse("capacity:reserve", args=[location.pk]), data)


def messages_of(client, url: str) -> str:
    return client.get(url).content.decode()


# --- the real reason, in the service and the API ---


def test_a_second_claim_for_a_case_names_the_claim_it_has_while_beds_are_free(ward, new_case):
    case = new_case()
    first = claims.reserve_at_location(
        user=ward.referrer,
        organisation=ward.gp,
        location_id=ward.leiden.pk,
        bed_type_code="elv-hoog",
        target_group="somatisch",
        case=case,
    )
    case.refresh_from_db()
    with pytest.raises(errors.Conflict) as refused:
        claims.reserve_at_location(
            user=ward.referrer,
            organisation=ward.gp,
            location_id=ward.katwijk.pk,  # two beds free here
            bed_type_code="elv-hoog",
            target_group="somatisch",
            case=case,
        )
    assert refused.value.code == "casus-heeft-reservering"
    assert str(first.pk) in refused.value.detail and "geen bed" not in refused.value.detail
    assert Claim.objects.filter(case=case).count() == 1


def test_the_api_twin_refuses_a_second_claim_for_a_case_with_the_same_code(ward, new_case, client):
    case = new_case()
    beds = list(Bed.objects.filter(location=ward.katwijk))
    url = "/api/v1/bedden/{}/reserveringen"
    assert (
        post(client, url.format(beds[0].pk), ward.referrer, {"casus": case.reference}).status_code
        == 201
    )
    second = post(client, url.format(beds[1].pk), ward.referrer, {"casus": case.reference})
    assert second.status_code == 409
    assert second.json()["code"] == "casus-heeft-reservering"


def test_a_bed_taken_a_moment_ago_is_bed_bezet_and_a_closed_bed_is_bed_niet_vrij(ward, client):
    taken, closed = Bed.objects.filter(location=ward.katwijk).order_by("label")
    claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=taken.pk)
    Bed.objects.filter(pk=closed.pk).update(status=BedStatus.GESLOTEN)
    url = "/api/v1/bedden/{}/reserveringen"
    assert post(client, url.format(taken.pk), ward.referrer).json()["code"] == "bed-bezet"
    assert post(client, url.format(closed.pk), ward.referrer).json()["code"] == "bed-niet-vrij"


# --- pages: the reason, its code, and back to where the user was ---


def test_a_refusal_on_the_board_returns_to_the_filtered_board_with_the_reason(ward, client):
    for bed in Bed.objects.filter(location=ward.katwijk):
        claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk)
    client.force_login(ward.referrer)
    back = f"{BOARD}?beddentype=elv-hoog&doelgroep=somatisch&vanaf_gemeente=GM0537"
    page = client.get(back).content.decode()
    assert f'name="terug" value="{back.replace("&", "&amp;")}"' in page  # the form carries it
    response = reserve_page(client, ward.katwijk, terug=back)
    assert response.status_code == 302 and response["Location"] == back
    shown = messages_of(client, back)
    assert "laatste vrije bed" in shown and "(bed-bezet)" in shown


def test_a_second_claim_from_a_case_page_links_to_the_claim_the_case_has(ward, new_case, client):
    case = new_case()
    client.force_login(ward.referrer)
    case_url = reverse("capacity:case", args=[case.reference])
    reserve_page(client, ward.leiden, casus=case.reference, terug=case_url)
    held = Claim.objects.get(case=case)
    response = reserve_page(client, ward.katwijk, casus=case.reference, terug=case_url)
    assert response["Location"] == case_url
    shown = messages_of(client, case_url)
    assert "(casus-heeft-reservering)" in shown
    assert f'href="{case_url}#reservering-{held.pk}"' in shown
    assert f'id="reservering-{held.pk}"' in shown


@pytest.mark.parametrize(
    "back",
    ["https://elders.example/", "//elders.example/pad", "/\\elders.example", "capacity:claims"],
)
def test_the_way_back_never_leaves_the_site(ward, client, back):
    for bed in Bed.objects.filter(location=ward.katwijk):
        claims.reserve(user=ward.triagist, organisation=ward.rap, bed_id=bed.pk)
    client.force_login(ward.referrer)
    response = reserve_page(client, ward.katwijk, terug=back)
    target = urlsplit(response["Location"])
    assert not target.netloc and target.path == BOARD
    assert parse_qs(target.query) == {"beddentype": ["elv-hoog"], "doelgroep": ["somatisch"]}


def test_the_hold_limit_is_said_as_such_on_the_page(ward, client):
    CapacitySettings.objects.create(
        region=ward.provider.region, max_holds_without_case_per_organisation=1
    )
    client.force_login(ward.referrer)
    reserve_page(client, ward.leiden)
    response = reserve_page(client, ward.katwijk, terug=f"{BOARD}?beddentype=elv-hoog")
    assert response["Location"] == f"{BOARD}?beddentype=elv-hoog"
    assert "(te-veel-reserveringen)" in messages_of(client, response["Location"])


# --- one step from the case ---


def test_the_case_page_offers_matching_free_beds_nearest_first_and_claims_in_one_post(
    ward, new_case, client
):
    case = new_case(gemeente="GM0537")  # Katwijk
    client.force_login(ward.referrer)
    case_url = reverse("capacity:case", args=[case.reference])
    page = client.get(case_url).content.decode()
    assert page.count("Reserveer voor deze casus</button>") == 2  # palliatief beds not offered
    assert page.index("Duinrand Katwijk") < page.index("Rijnhof Leiden")
    assert f'name="casus" value="{case.reference}"' in page
    response = reserve_page(client, ward.katwijk, casus=case.reference, terug=case_url)
    assert response["Location"] == case_url
    case.refresh_from_db()
    assert case.state == CaseState.BED_GERESERVEERD
    assert Claim.objects.get(case=case).bed.location == ward.katwijk
    page = client.get(case_url).content.decode()
    assert "Reserveer voor deze casus</button>" not in page
    assert "is voor deze casus gereserveerd tot" in page


def test_a_provider_planner_sees_no_offers_on_a_case(ward, new_case, client):
    case = new_case()
    claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=Bed.objects.filter(location=ward.leiden).first().pk,
        case=case,
    )
    client.force_login(ward.planner)
    page = client.get(reverse("capacity:case", args=[case.reference])).content.decode()
    assert "Reserveer voor deze casus" not in page


# --- a hold is linked by choosing a case ---


def test_after_a_hold_the_claims_page_offers_the_open_cases_of_the_organisation(
    ward, new_case, client
):
    mine, taken = new_case(), new_case()
    claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=Bed.objects.filter(location=ward.leiden).first().pk,
        case=taken,
    )
    from regiotafel.capacity import cases

    others = cases.register_case(
        user=ward.other_referrer,
        organisation=ward.other_referrer.memberships.first().organisation,
        data={
            "initialen": "X.",
            "geboortejaar": 1940,
            "geslacht": "m",
            "gemeente": "GM0546",
            "zorgvraag": "Elders.",
            "urgentie": "planbaar",
            "beddentype": "elv-hoog",
            "doelgroep": "somatisch",
        },
    )
    client.force_login(ward.referrer)
    response = reserve_page(client, ward.katwijk)  # a hold without a case
    hold = Claim.objects.get(case__isnull=True)
    assert response["Location"] == reverse("capacity:claims") + f"#reservering-{hold.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'<select id="casus-{hold.pk}" name="casus" required><option value="">' in page
    assert f'<option value="{mine.reference}">' in page
    assert f'<option value="{taken.reference}">' not in page  # already holds a bed
    assert others.reference not in page  # another organisation's case
    linked = client.post(
        reverse("capacity:claim-action", args=[hold.pk, "koppel"]), {"casus": mine.reference}
    )
    assert linked["Location"] == reverse("capacity:case", args=[mine.reference])
    hold.refresh_from_db()
    assert hold.case == mine


def test_linking_without_choosing_a_case_says_so(ward, client):
    client.force_login(ward.referrer)
    reserve_page(client, ward.katwijk)
    hold = Claim.objects.get()
    response = client.post(reverse("capacity:claim-action", args=[hold.pk, "koppel"]), {})
    assert "(casus-kiezen)" in messages_of(client, response["Location"])
    hold.refresh_from_db()
    assert hold.case is None


# --- no preselected status; destructive steps ask first ---


def test_the_status_form_preselects_nothing_and_asks_for_confirmation(ward, new_case, client):
    case = new_case()
    client.force_login(ward.referrer)
    page = client.get(reverse("capacity:case", args=[case.reference])).content.decode()
    assert (
        '<select name="naar" required id="id_naar">\n  <option value="" selected>— kies —</option>'
        in page
    )
    assert page.count(" selected>") == 1
    form = page[
        page.index('action="' + reverse("capacity:case-transition", args=[case.reference])) :
    ]
    assert form.split(">", 1)[0].count("data-confirm=") == 1


def test_decline_and_withdraw_ask_for_confirmation(ward, new_case, client):
    claims.reserve(
        user=ward.referrer,
        organisation=ward.gp,
        bed_id=Bed.objects.filter(location=ward.leiden).first().pk,
        case=new_case(),
    )
    client.force_login(ward.referrer)
    mine = client.get(reverse("capacity:claims")).content.decode()
    assert "'trek-in'" not in mine and mine.count("data-confirm=") == 1
    client.force_login(ward.planner)
    theirs = client.get(reverse("capacity:claims")).content.decode()
    weiger = theirs[theirs.index("/weiger/") :]
    assert weiger.split(">", 1)[0].count("data-confirm=") == 1


def test_a_triage_only_bed_refused_to_a_referrer_keeps_the_board_and_says_why(ward, client):
    from regiotafel.capacity.models import BedType
    from tests.capacity.conftest import add_beds

    add_beds(ward.leiden, BedType.objects.get(code="wlz-crisis", region=None), "somatisch", 1, "C")
    client.force_login(ward.referrer)
    back = f"{BOARD}?beddentype=wlz-crisis"
    response = reserve_page(client, ward.leiden, beddentype="wlz-crisis", terug=back)
    assert response.status_code == 302 and response["Location"] == back
    assert "(alleen-via-triage)" in messages_of(client, back)
    assert not Claim.objects.exists()


def test_a_hold_is_not_linked_to_a_case_that_already_holds_a_bed(ward, new_case, client):
    case = new_case()
    leiden = Bed.objects.filter(location=ward.leiden).order_by("label")
    claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=leiden[0].pk, case=case)
    hold = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=leiden[1].pk)
    linked = post(
        client,
        f"/api/v1/reserveringen/{hold.pk}/koppelingen",
        ward.referrer,
        {"casus": case.reference},
    )
    assert linked.status_code == 409
    assert linked.json()["code"] == "casus-heeft-reservering"


def test_after_a_decline_the_case_page_offers_the_declining_location_last_and_marked(
    ward, new_case, client
):
    # Found in the RAP review walk-through: the GP claimed again "in one step" from the case
    # and landed on the very bed the nearest provider had just declined for this client.
    case = new_case(gemeente="GM0537")  # Katwijk: Duinrand Katwijk is nearest
    client.force_login(ward.referrer)
    case_url = reverse("capacity:case", args=[case.reference])
    reserve_page(client, ward.katwijk, casus=case.reference, terug=case_url)
    claim = Claim.objects.get(case=case)
    claims.decline(user=ward.other_planner, claim_id=claim.pk, reason="Geen nachtdienst")
    page = client.get(case_url).content.decode()
    offers = page[page.index("Vrije bedden voor deze casus") :]
    assert offers.count("Reserveer voor deze casus</button>") == 2  # still offered, but
    assert offers.index("Rijnhof Leiden") < offers.index("Duinrand Katwijk")  # last,
    assert offers.count("weigerde deze casus") == 1  # and marked


def test_with_no_free_bed_the_registration_point_is_not_told_to_hand_over_to_itself(
    ward, new_case, client
):
    # Found in the RAP review walk-through: after triage the triagist read "Draag de casus
    # over aan het aanmeldpunt" on a case the registration point already had.
    from regiotafel.capacity import cases

    case = new_case(doelgroep="pg")  # no psychogeriatric ELV beds in the ward
    client.force_login(ward.referrer)
    page = client.get(reverse("capacity:case", args=[case.reference])).content.decode()
    assert "Draag de casus over aan het aanmeldpunt voor een bovenregionale" in page
    cases.hand_over(user=ward.referrer, case=case)
    case.refresh_from_db()
    cases.transition(
        user=ward.triagist, organisation=ward.rap, case=case, to=CaseState.PLAATS_GEZOCHT
    )
    client.force_login(ward.triagist)
    page = client.get(reverse("capacity:case", args=[case.reference])).content.decode()
    assert "Nu geen vrij bed van dit type in de regio" in page
    assert "Draag de casus over aan het aanmeldpunt" not in page
    assert "Zoek bovenregionaal of geef de verwijzer advies." in page
