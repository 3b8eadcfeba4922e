"""Case events found missing in the RAP review walk-through (issue 13)."""

from __future__ import annotations

import pytest

from regiotafel.capacity import cases
from regiotafel.notifications.models import Notification

pytestmark = pytest.mark.integration


def test_a_phoned_in_case_tells_the_referrers_it_was_registered_for(
    mailed, django_capture_on_commit_callbacks, mailoutbox
):
    # The GP post saw a case appear in its list only by reloading; nobody told it.
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.register_case(
            user=mailed.triagist,
            organisation=mailed.rap,
            on_behalf_of=mailed.gp,
            data={
                "initialen": "P.Q.",
                "geboortejaar": 1940,
                "geslacht": "m",
                "gemeente": "GM0546",
                "zorgvraag": "Telefonisch: acute situatie thuis.",
                "urgentie": "spoed",
                "beddentype": "elv-hoog",
                "doelgroep": "somatisch",
            },
        )
    [told] = Notification.objects.filter(event="casus.telefonisch")
    assert told.recipient == mailed.referrer
    assert case.reference in told.text and "telefonisch namens uw organisatie" in told.text
    assert told.url == f"/capaciteit/casussen/{case.reference}/"
    assert "P.Q." not in told.text and "1940" not in told.text
    assert [m.to for m in mailoutbox] == [[mailed.referrer.email]]


def test_a_case_the_referrer_registers_itself_tells_no_one(mailed, new_case):
    new_case()
    assert not Notification.objects.filter(event="casus.telefonisch").exists()


def test_a_claim_time_on_another_day_carries_its_date():
    # RAP review: a claim made at 20:46 read "geldig tot 00:46", which is tomorrow.
    from datetime import timedelta

    from django.utils import timezone

    from regiotafel.notifications.claim_events import _time

    now = timezone.localtime()
    assert _time(now) == now.strftime("%H:%M")
    tomorrow = now + timedelta(days=1)
    assert _time(tomorrow) == tomorrow.strftime("%d-%m %H:%M")
