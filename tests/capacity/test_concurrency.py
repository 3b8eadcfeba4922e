"""Two people can never hold the same bed: many concurrent claims, exactly one wins.

This needs real concurrent transactions, so it runs on PostgreSQL (CI runs the suite on both
databases); on SQLite, which serialises writers, it is skipped.
"""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from regiotafel.capacity.models import Bed, Claim
from regiotafel.core import services

pytestmark = pytest.mark.integration

CLAIMANTS = 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_concurrent_claims_on_one_bed_give_one_201_and_the_rest_409(request):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (set DATABASE_URL)")
    ward = request.getfixturevalue("ward")
    bed = Bed.objects.filter(location=ward.leiden).first()
    token_holders = [ward.referrer, ward.triagist] * (CLAIMANTS // 2)
    tokens = [services.issue_token(user=user) for user in token_holders]
    barrier = threading.Barrier(CLAIMANTS)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def claim(token: str) -> None:
        client = Client()
        barrier.wait()
        response = client.post(
            f"/api/v1/bedden/{bed.pk}/reserveringen",
            "{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        with lock:
            statuses.append(response.status_code)
            bodies.append(json.loads(response.content))
        connection.close()

    threads = [threading.Thread(target=claim, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201] + [409] * (CLAIMANTS - 1)
    refusals = [b for b, s in zip(bodies, statuses, strict=True) if s == 409]
    assert all(body["code"] == "bed-bezet" for body in refusals)
    assert Claim.objects.filter(bed=bed, state="actief").count() == 1
    bed.refresh_from_db()
    assert bed.status == "gereserveerd"
