"""The Meldingen page, preferences, the badge endpoint and the API twins: only one's own."""

from __future__ import annotations

import pytest
from django.test import Client

from regiotafel.core.models import Role
from regiotafel.notifications import events, notify
from regiotafel.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.integration

EVENT = events.CLAIM_NEW.slug


def tell(user, text="Nieuwe reservering 7 op bed L1 voor casus C-1.", **kwargs):
    [row] = notify.send(EVENT, subject=None, text=text, url="/capaciteit/", users=[user], **kwargs)
    return row


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def planner_browser(ward):
    return browser(ward.planner)


def test_the_list_shows_own_notifications_newest_first_and_the_header_badge(ward, planner_browser):
    tell(ward.planner, text="Eerste melding 1")
    tell(ward.planner, text="Tweede melding 2")
    tell(ward.referrer, text="Iemand anders 3")
    page = planner_browser.get("/meldingen/").content.decode()
    assert page.index("Tweede melding 2") < page.index("Eerste melding 1")
    assert "Iemand anders 3" not in page
    assert 'id="meldingen-link"' in page and "data-unread>2</span>" in page
    assert 'aria-live="polite"' in page and "notifications.js" in page


def test_marking_read_one_and_all(ward, planner_browser):
    first, second = tell(ward.planner), tell(ward.planner)
    response = planner_browser.post(f"/meldingen/{first.pk}/gelezen/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    planner_browser.post("/meldingen/gelezen/")
    second.refresh_from_db()
    assert second.read_at is not None
    page = planner_browser.get("/")
    assert b"data-unread-wrap hidden" in page.content


def test_another_users_notification_cannot_be_read_or_marked(ward, planner_browser):
    theirs = tell(ward.referrer)
    assert planner_browser.post(f"/meldingen/{theirs.pk}/gelezen/").status_code == 404
    response = planner_browser.post(
        f"/api/v1/meldingen/{theirs.pk}/gelezen", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "melding-niet-gevonden"
    listed = planner_browser.get("/api/v1/meldingen").json()
    assert listed["items"] == []
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_badge_answers_304_while_nothing_changed_without_a_query(
    ward, planner_browser, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = tell(ward.planner)
    first = planner_browser.get("/meldingen/teller.json")
    assert first.status_code == 200
    assert first.json() == {
        "ongelezen": 1,
        "nieuwste": {"id": note.pk, "tekst": note.text, "url": "/capaciteit/"},
    }
    etag = first["ETag"]
    again = planner_browser.get("/meldingen/teller.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        tell(ward.planner)
    changed = planner_browser.get("/meldingen/teller.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["ongelezen"] == 2
    assert changed["ETag"] != etag
    # the API twin shares the version
    api = planner_browser.get("/api/v1/meldingen/ongelezen", HTTP_IF_NONE_MATCH=changed["ETag"])
    assert api.status_code == 304


def test_a_304_costs_no_notification_query(ward, planner_browser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tell(ward.planner)
    etag = planner_browser.get("/meldingen/teller.json")["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert (
            planner_browser.get("/meldingen/teller.json", HTTP_IF_NONE_MATCH=etag).status_code
            == 304
        )
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]


def test_api_list_mark_read_and_all(ward, planner_browser):
    one, two = tell(ward.planner), tell(ward.planner)
    listed = planner_browser.get("/api/v1/meldingen").json()
    assert [item["id"] for item in listed["items"]] == [two.pk, one.pk]
    assert listed["items"][0]["soort"] == EVENT
    assert listed["items"][0]["soort_label"] == str(events.CLAIM_NEW.label)
    marked = planner_browser.post(
        f"/api/v1/meldingen/{one.pk}/gelezen", {}, content_type="application/json"
    ).json()
    assert marked["gelezen_op"] is not None
    everything = planner_browser.post(
        "/api/v1/meldingen/gelezen", {}, content_type="application/json"
    )
    assert everything.json() == {"gelezen": 1}
    assert planner_browser.get("/api/v1/meldingen/ongelezen").json()["ongelezen"] == 0


def test_preferences_page_and_api(ward, planner_browser):
    page = planner_browser.get("/meldingen/voorkeuren/").content.decode()
    for kind in events.all_kinds():
        assert f'name="email-{kind.slug}"' in page
    assert "geen e-mailadres" in page
    wanted = {f"email-{k.slug}": "on" for k in events.all_kinds() if k.slug != EVENT}
    planner_browser.post("/meldingen/voorkeuren/", wanted)
    assert NotificationPreference.objects.get(user=ward.planner, event=EVENT).email is False
    listed = planner_browser.get("/api/v1/meldingen/voorkeuren").json()
    assert {p["soort"]: p["email"] for p in listed}[EVENT] is False
    changed = planner_browser.put(
        "/api/v1/meldingen/voorkeuren",
        {"voorkeuren": [{"soort": EVENT, "email": True}]},
        content_type="application/json",
    )
    assert {p["soort"]: p["email"] for p in changed.json()}[EVENT] is True
    refused = planner_browser.put(
        "/api/v1/meldingen/voorkeuren",
        {"voorkeuren": [{"soort": "bestaat-niet", "email": True}]},
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.json()["code"] == "onbekende-meldingsoort"


def test_signed_out_visitors_get_nothing(ward):
    tell(ward.planner)
    anonymous = Client()
    assert anonymous.get("/meldingen/teller.json").status_code == 302
    assert anonymous.get("/api/v1/meldingen/ongelezen").status_code == 401
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_notifications_of_an_organisation_role(ward):
    rows = notify.send(
        EVENT,
        subject=None,
        text="x",
        organisations=[ward.gp, ward.rap],
        roles=[Role.VERWIJZER, Role.TRIAGIST],
    )
    assert {r.recipient for r in rows} == {ward.referrer, ward.triagist}
