"""People change their own password; the rules and their messages are Dutch."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from regiotafel.core.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration

NEW = "Zeven-Bedden-Aan-De-Rijn"


def change(client, old, new1, new2=None):
    return client.post(
        "/account/wachtwoord/",
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_a_user_changes_their_own_password_and_stays_logged_in(cast, client):
    client.force_login(cast.planner)
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert response["Location"] == "/account/wachtwoord/gewijzigd/"
    cast.planner.refresh_from_db()
    assert cast.planner.check_password(NEW)
    assert client.get("/account/").status_code == 200


def test_the_old_password_must_be_given(cast, client):
    client.force_login(cast.planner)
    response = change(client, "niet-het-oude", NEW)
    assert response.status_code == 200
    assert "Uw oude wachtwoord is niet juist ingevoerd" in response.content.decode()
    cast.planner.refresh_from_db()
    assert cast.planner.check_password(PASSWORD)


def test_guessing_the_old_password_is_throttled_like_a_login(cast, client, settings):
    settings.AXES_ENABLED = True
    client.force_login(cast.planner)
    answers = [
        change(client, f"geraden-{n}", NEW).status_code for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = change(client, PASSWORD, NEW)
    assert locked.status_code == 429 and "Retry-After" in locked
    cast.planner.refresh_from_db()
    assert cast.planner.check_password(PASSWORD)
    failures = AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, object_id=str(cast.planner.pk)
    )
    assert failures.count() == settings.AXES_FAILURE_LIMIT


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("kort-1", "Dit wachtwoord is te kort: het moet minstens 12 tekens bevatten."),
        ("123456789012345", "Dit wachtwoord bevat alleen cijfers."),
        ("password1234", "Dit wachtwoord is te algemeen."),
        ("planner12345", "Het wachtwoord lijkt te veel op de gebruikersnaam."),
    ],
)
def test_a_weak_new_password_is_refused_with_a_dutch_reason(cast, client, new, message):
    client.force_login(cast.planner)
    response = change(client, PASSWORD, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    cast.planner.refresh_from_db()
    assert cast.planner.check_password(PASSWORD)


def test_the_page_explains_the_rules_in_dutch(cast, client):
    client.force_login(cast.planner)
    text = client.get("/account/wachtwoord/").content.decode()
    assert "Uw wachtwoord moet minstens 12 tekens lang zijn." in text
    assert "Oud wachtwoord" in text


def test_the_length_rule_speaks_dutch_everywhere(cast):
    with pytest.raises(ValidationError) as caught:
        validate_password("kort")
    assert caught.value.messages == [
        "Dit wachtwoord is te kort: het moet minstens 12 tekens bevatten."
    ]


def test_the_password_page_needs_a_login(db, client):
    response = client.get("/account/wachtwoord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")
