"""Seeing cases is logged once per request, naming every case shown; claims and transitions
made with bulk updates are logged in their own transaction."""

import pytest
from django.urls import reverse

from regiotafel.capacity import claims
from regiotafel.capacity.models import Bed
from regiotafel.core import audit, services
from regiotafel.core.models import AuditEvent

pytestmark = pytest.mark.integration


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {services.issue_token(user=user)}"}


def reads_by(user):
    return list(AuditEvent.objects.filter(action="read", actor=user))


def test_the_case_list_api_logs_one_read_naming_every_case_returned(ward, new_case, client):
    made = [new_case(), new_case(), new_case()]
    headers = bearer(ward.referrer)
    items = client.get("/api/v1/casussen", **headers).json()["items"]
    assert len(items) == 3
    [event] = reads_by(ward.referrer)
    assert sorted(event.detail["betrokkenen"]) == sorted(f"casus {c.reference}" for c in made)
    assert event.object_type == "capacity.case" and event.channel == "api"


def test_the_case_list_page_logs_one_read_for_the_page(ward, new_case, client):
    made = [new_case(), new_case()]
    client.force_login(ward.referrer)
    client.get(reverse("capacity:cases"))
    [event] = reads_by(ward.referrer)
    assert set(event.detail["betrokkenen"]) == {f"casus {c.reference}" for c in made}
    assert event.detail["pagina"] == "casussen"


def test_opening_one_case_logs_that_case(ward, new_case, client):
    case = new_case()
    client.get(f"/api/v1/casussen/{case.reference}", **bearer(ward.referrer))
    [event] = reads_by(ward.referrer)
    assert (event.object_id, event.data_subject) == (str(case.pk), f"casus {case.reference}")


def test_a_claim_its_bed_and_its_case_are_logged_when_confirmed(ward, new_case):
    case = new_case()
    bed = Bed.objects.filter(location=ward.leiden).first()
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=case)
    claims.confirm(user=ward.planner, claim_id=claim.pk)
    updates = AuditEvent.objects.filter(action="update")
    assert updates.filter(object_type="capacity.claim", object_id=str(claim.pk)).exists()
    assert updates.filter(object_type="capacity.bed", object_id=str(bed.pk)).count() == 2
    assert updates.filter(object_type="capacity.case", data_subject=f"casus {case.reference}")
    assert audit.verify().broken is None


def test_an_expired_hold_is_logged_as_a_system_change(ward):
    from datetime import timedelta

    from django.utils import timezone

    bed = Bed.objects.filter(location=ward.leiden).first()
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk)
    assert claims.release_expired(now=timezone.now() + timedelta(days=1)) == 1
    expired = AuditEvent.objects.get(
        action="update", object_type="capacity.claim", object_id=str(claim.pk), actor=None
    )
    assert "state" in expired.detail["velden"] and expired.channel == "system"
