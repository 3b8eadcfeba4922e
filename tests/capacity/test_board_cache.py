"""The bed board from a cache that is never wrong (regiotafel/capacity/board_cache.py).

Every change is visible on the very next request (page and API), an unchanged board costs a
304 and no board query, a lapsing hold shows as free without any write, and a revoked token
stops working within a second. Runs on SQLite and PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from regiotafel.capacity import board_cache, claims
from regiotafel.capacity.models import Bed, BedStatus
from regiotafel.core import services, token_cache
from regiotafel.core.models import ApiToken, User
from regiotafel.sharedstate.models import BoardVersion

pytestmark = pytest.mark.integration

BOARD = "/api/v1/beschikbaarheid?beddentype=elv-hoog"
BOARD_TABLES = ("capacity_bed", "core_location", "sharedstate_boardversion")


@pytest.fixture
def token(ward):
    return {"HTTP_AUTHORIZATION": f"Bearer {services.issue_token(user=ward.referrer)}"}


@pytest.fixture
def clock(monkeypatch):
    """Monotonic time of the per-process caches, moved by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(board_cache, "_clock", lambda: now[0])
    monkeypatch.setattr(token_cache, "_clock", lambda: now[0])
    return now


def free(client, token, location="Rijnhof Leiden", path=BOARD):
    response = client.get(path, **token)
    assert response.status_code == 200, response.content
    return {r["locatie"]: r["vrij"] for r in response.json()}.get(location, 0), response["ETag"]


def board_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if any(t in q["sql"] for t in BOARD_TABLES)]


def test_a_bed_status_change_is_visible_on_the_next_request_with_a_new_etag(ward, client, token):
    before, etag = free(client, token)
    assert before == 3
    bed = ward.beds(ward.leiden, ward.elv_hoog).first()
    client.force_login(ward.planner)
    changed = client.patch(
        f"/api/v1/bedden/{bed.pk}",
        json.dumps({"status": BedStatus.BEZET}),
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    after, new_etag = free(client, token)
    assert after == 2 and new_etag != etag


def test_an_unchanged_board_answers_304_without_body_and_without_board_queries(
    ward, client, token, clock
):
    _, etag = free(client, token)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(BOARD, HTTP_IF_NONE_MATCH=etag, **token)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert board_queries(queries.captured_queries) == []  # no version, no board, no location
    # and a plain GET of an unchanged board is served from the cache too
    with CaptureQueriesContext(connection) as queries:
        assert free(client, token)[1] == etag
    # token, memberships, the address's lock and the version: all from the process's copies
    assert queries.captured_queries == []


def test_the_version_is_read_again_after_its_ttl_but_the_board_is_not(ward, client, token, clock):
    _, etag = free(client, token)
    clock[0] += board_cache.VERSION_TTL + 0.01
    with CaptureQueriesContext(connection) as queries:
        assert free(client, token)[1] == etag
    touched = board_queries(queries.captured_queries)
    assert len(touched) == 1 and "sharedstate_boardversion" in touched[0]


def test_claims_are_visible_at_once_and_the_claim_itself_decides_in_the_database(
    ward, client, token
):
    assert free(client, token)[0] == 3
    bed = ward.beds(ward.leiden, ward.elv_hoog).order_by("pk").first()
    made = client.post(
        f"/api/v1/bedden/{bed.pk}/reserveringen", "{}", content_type="application/json", **token
    )
    assert made.status_code == 201, made.content
    assert free(client, token)[0] == 2
    # the cached board is not asked: a second claim on the bed is refused by the database
    again = client.post(
        f"/api/v1/bedden/{bed.pk}/reserveringen", "{}", content_type="application/json", **token
    )
    assert again.status_code == 409
    withdrawn = client.delete(f"/api/v1/reserveringen/{made.json()['id']}", **token)
    assert withdrawn.status_code in (200, 204), withdrawn.content
    assert free(client, token)[0] == 3


def test_a_confirmed_admission_is_visible_at_once(ward, client, token, new_case):
    bed = ward.beds(ward.leiden, ward.elv_hoog).order_by("pk").first()
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=new_case())
    reserved, etag = free(client, token)
    assert reserved == 2
    claims.confirm(user=ward.planner, claim_id=claim.pk)
    assert Bed.objects.get(pk=bed.pk).status == BedStatus.BEZET
    confirmed, new_etag = free(client, token)
    assert confirmed == 2 and new_etag != etag  # same count, other version: a new ETag


def test_a_hold_that_lapses_shows_as_free_without_any_write(ward, client, token, monkeypatch):
    bed = ward.beds(ward.leiden, ward.elv_hoog).order_by("pk").first()
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk)
    assert free(client, token)[0] == 2
    entry = board_cache.entry(board_cache.availability.BoardFilter(bed_type="elv-hoog"))
    assert entry.valid_until <= claim.expires_at  # the cache keeps it no longer than the hold
    later = claim.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        assert free(client, token)[0] == 3  # nobody wrote anything
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [w for w in writes if "capacity_" in w]  # (the token's last use is written)


def test_a_location_confirmation_and_a_bulk_update_move_the_version(ward, client, token):
    _, etag = free(client, token)
    client.force_login(ward.planner)
    confirmed = client.post(
        f"/api/v1/locaties/{ward.leiden.pk}/bevestigingen", "{}", content_type="application/json"
    )
    assert confirmed.status_code == 201
    _, after_confirm = free(client, token)
    assert after_confirm != etag
    # a write no service makes (an import, the shell): the trigger still moves the version
    Bed.objects.filter(location=ward.katwijk).update(status=BedStatus.GESLOTEN)
    assert free(client, token, "Duinrand Katwijk")[0] == 0


def test_only_the_changed_region_gets_a_new_version(ward, cast):
    versions = dict(BoardVersion.objects.values_list("scope", "stamp"))
    Bed.objects.filter(location=ward.leiden).update(status=BedStatus.BEZET)
    now = dict(BoardVersion.objects.values_list("scope", "stamp"))
    assert now[cast.region.pk] != versions[cast.region.pk]
    assert now.get(cast.other_region.pk) == versions.get(cast.other_region.pk)


def test_a_renamed_organisation_moves_every_board(ward, client, token):
    _, etag = free(client, token)
    ward.provider.name = "Rijnhof Zorg"
    ward.provider.save()
    response = client.get(BOARD, HTTP_IF_NONE_MATCH=etag, **token)
    assert response.status_code == 200
    assert {r["organisatie"] for r in response.json()} >= {"Rijnhof Zorg"}


def test_the_page_and_its_fragment_send_an_etag_and_an_unchanged_fragment_is_a_304(ward, client):
    client.force_login(ward.referrer)
    url = reverse("capacity:board")
    page = client.get(url)
    etag = page["ETag"]
    assert f'data-etag="{etag.replace(chr(34), "&quot;")}"' in page.content.decode()
    same = client.get(url, {"fragment": "1"}, HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304 and same.content == b""
    Bed.objects.filter(location=ward.leiden, bed_type=ward.elv_hoog).update(status=BedStatus.BEZET)
    changed = client.get(url, {"fragment": "1"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    fragment = changed.content.decode()
    assert fragment.lstrip().startswith("<table") and "fragment=1" not in fragment


def test_the_page_etag_differs_by_what_the_rows_show_per_person(ward, client):
    url = reverse("capacity:board")
    client.force_login(ward.referrer)
    referrer = client.get(url, {"fragment": "1"})["ETag"]
    client.force_login(ward.analyst)  # may see the board, may not reserve
    analyst = client.get(url, {"fragment": "1"}, HTTP_IF_NONE_MATCH=referrer)
    assert analyst.status_code == 200 and analyst["ETag"] != referrer


def test_a_revoked_token_stops_working_within_a_second(ward, client, token, clock):
    assert free(client, token)[0] == 3
    # revoked by another process: this process learns it when its copy is a second old
    ApiToken.objects.filter(user=ward.referrer).update(revoked_at=timezone.now())
    assert client.get(BOARD, **token).status_code == 200
    clock[0] += token_cache.TTL
    assert client.get(BOARD, **token).status_code == 401


def test_a_removed_membership_or_a_deactivated_user_counts_within_a_second(
    ward, client, token, clock
):
    assert client.get(BOARD, **token).status_code == 200
    with connection.cursor() as cursor:  # as another process would: no signal reaches us
        cursor.execute("DELETE FROM core_membership WHERE user_id = %s", [ward.referrer.pk])
    assert client.get(BOARD, **token).status_code == 200  # within the second
    clock[0] += token_cache.TTL
    assert client.get(BOARD, **token).status_code == 403
    User.objects.filter(pk=ward.referrer.pk).update(is_active=False)
    clock[0] += token_cache.TTL
    assert client.get(BOARD, **token).status_code == 401


def test_a_revocation_in_this_process_counts_at_once(ward, client, token):
    assert client.get(BOARD, **token).status_code == 200
    for api_token in ApiToken.objects.filter(user=ward.referrer):
        api_token.revoked_at = timezone.now()
        api_token.save()
    assert client.get(BOARD, **token).status_code == 401


def test_token_lookups_are_cached_but_every_request_gets_its_own_user(ward, client, token):
    client.get(BOARD, **token)
    first = token_cache.resolve(next(iter(token_cache._entries)))
    second = token_cache.resolve(next(iter(token_cache._entries)))
    assert first.user is not second.user and first.user.pk == second.user.pk
    first.user._regiotafel_acting = "changed"
    assert not hasattr(second.user, "_regiotafel_acting")


def test_a_locked_address_is_refused_at_once_even_with_a_cached_token(
    ward, client, token, settings
):
    settings.AXES_ENABLED = True  # as in tests/accounts
    assert client.get(BOARD, **token).status_code == 200  # the token is in the process's copy
    for _ in range(5):
        bad = client.get(BOARD, HTTP_AUTHORIZATION="Bearer rt_fout", REMOTE_ADDR="192.0.2.7")
        assert bad.status_code == 401
    assert client.get(BOARD, REMOTE_ADDR="192.0.2.7", **token).status_code == 429
