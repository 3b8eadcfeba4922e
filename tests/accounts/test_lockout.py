"""Guessing passwords or API tokens is throttled per user name and address, across processes."""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from regiotafel.core.models import AuditAction, AuditEvent
from regiotafel.core.services import issue_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration

ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.20"


def log_in(client, username, password, address=ATTACKER):
    return client.post(
        "/inloggen/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address=ATTACKER):
    for _ in range(times):
        response = log_in(client, username, "niet-het-wachtwoord", address)
    return response


def test_the_right_password_is_refused_after_five_wrong_ones_from_the_same_address(cast, client):
    fail(client, "planner", 5)
    response = log_in(client, "planner", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_the_account(cast, client):
    fail(client, "planner", 4)
    response = log_in(client, "planner", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.planner.pk)


def test_a_colleague_on_another_address_still_logs_in_while_the_attacker_is_locked(cast, client):
    fail(client, "planner", 10)
    response = log_in(client, "planner", PASSWORD, address=COLLEAGUE)
    assert response.status_code == 302


def test_the_lock_page_is_dutch_says_when_to_retry_and_answers_429(cast, client):
    fail(client, "planner", 5)
    response = log_in(client, "planner", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Tijdelijk geblokkeerd" in text
    assert "Probeer het over 5 minuten opnieuw" in text
    assert 0 < int(response["Retry-After"]) <= 300


def _age_attempts(username, minutes):
    attempt = AccessAttempt.objects.get(username=username)
    attempt.attempt_time = timezone.now() - timedelta(minutes=minutes)
    attempt.save(update_fields=["attempt_time"])


def test_the_lock_ends_and_then_one_more_failure_locks_for_twice_as_long(cast, client):
    fail(client, "planner", 5)
    _age_attempts("planner", 6)
    first = fail(client, "planner", 1)
    assert first.status_code == 429
    assert 540 < int(first["Retry-After"]) <= 600
    _age_attempts("planner", 11)
    assert log_in(client, "planner", PASSWORD).status_code == 302


def test_the_lock_never_grows_past_an_hour(cast, client, settings):
    fail(client, "planner", 5)
    for _ in range(8):
        _age_attempts("planner", 61)
        response = fail(client, "planner", 1)
    assert int(response["Retry-After"]) <= 3600


def test_failures_during_a_lock_do_not_lengthen_it(cast, client):
    fail(client, "planner", 5)
    fail(client, "planner", 20)
    assert AccessAttempt.objects.get(username="planner").failures_since_start == 5


def test_a_successful_login_clears_the_count(cast, client):
    fail(client, "planner", 4)
    assert log_in(client, "planner", PASSWORD).status_code == 302
    client.logout()
    fail(client, "planner", 4)
    assert log_in(client, "planner", PASSWORD).status_code == 302


def test_failed_logins_still_reach_the_audit_log_during_a_lock(cast, client):
    fail(client, "planner", 7)
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 7


def _api(client, token, address=ATTACKER):
    return client.get("/api/v1/mij", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address)


def test_repeated_bad_tokens_from_one_address_get_a_429_problem(cast, client):
    for _ in range(5):
        assert _api(client, "rt_fout").status_code == 401
    response = _api(client, "rt_nogsteedsfout")
    assert response.status_code == 429
    body = json.loads(response.content)
    assert body["code"] == "te-veel-pogingen"
    assert 0 < int(response["Retry-After"]) <= 300
    assert response["Content-Type"] == "application/problem+json"


def test_a_locked_address_cannot_use_even_a_good_token_but_another_address_can(cast, client):
    good = issue_token(user=cast.planner)
    for _ in range(5):
        _api(client, "rt_fout")
    assert _api(client, good).status_code == 429
    assert _api(client, good, address=COLLEAGUE).status_code == 200


def test_bad_token_counts_stay_bounded_one_row_per_address(cast, client):
    for _ in range(12):
        _api(client, "rt_fout")
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 1


def test_the_count_lives_in_the_database_not_in_a_session_or_a_process(cast, client):
    from django.test import Client

    fail(Client(), "planner", 3)  # e.g. one gunicorn worker
    fail(Client(), "planner", 2)  # another worker, another cookie jar
    assert AccessAttempt.objects.get(username="planner").failures_since_start == 5
    assert log_in(client, "planner", PASSWORD).status_code == 429


def test_the_admin_site_login_is_throttled_the_same_way(cast, client):
    cast.outsider.is_staff = True
    cast.outsider.save()
    for _ in range(5):
        client.post(
            "/admin/login/",
            {"username": "buitenstaander", "password": "fout", "next": "/admin/"},
            REMOTE_ADDR=ATTACKER,
        )
    response = client.post(
        "/admin/login/",
        {"username": "buitenstaander", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR=ATTACKER,
    )
    assert response.status_code == 429


def test_a_name_that_does_not_exist_is_locked_just_like_a_real_one(cast, client):
    fail(client, "bestaat-niet", 5)
    assert log_in(client, "bestaat-niet", PASSWORD).status_code == 429


def test_a_bad_token_attempt_keeps_no_query_that_could_name_a_client(cast, client):
    client.get(
        "/api/v1/gemeenten?regio=Jansen",
        HTTP_AUTHORIZATION="Bearer rt_fout",
        REMOTE_ADDR=ATTACKER,
    )
    attempt = AccessAttempt.objects.get(ip_address=ATTACKER)
    assert "Jansen" not in attempt.get_data + attempt.post_data + attempt.path_info


def test_a_failed_login_keeps_no_next_address_or_form_values(cast, client):
    client.post(
        "/inloggen/?next=/wachtlijst/%3Fzoek%3DJansen",
        {"username": "planner", "password": "fout", "next": "/wachtlijst/?zoek=Jansen"},
        REMOTE_ADDR=ATTACKER,
    )
    attempt = AccessAttempt.objects.get(username="planner")
    assert "Jansen" not in attempt.get_data + attempt.post_data
