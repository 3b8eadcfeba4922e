"""Schemathesis against /api/v1/openapi.json, for every role of the cast and for nobody.

Each operation gets a few generated requests per identity, valid ones and deliberately invalid
ones (derandomised, so every run sends the same ones). Two checks: no answer is a server
error, and every status an operation answers is declared in the OpenAPI document. The cast
has a location with beds and a hold, so generated ids sometimes hit real objects.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from regiotafel.capacity import claims
from regiotafel.capacity.models import Bed, BedType, Location, TargetGroup
from regiotafel.core import services
from regiotafel.core.models import Municipality, Organisation, OrganisationType, Role
from regiotafel.wsgi import application
from tests.conftest import make_user

pytestmark = pytest.mark.integration

EXAMPLES = 8  # per operation and identity, valid and invalid requests mixed
ROLES = ["referrer", "triagist", "planner", "analyst", "admin", "anonymous"]
CHECKS = [not_a_server_error, status_code_conformance]


@pytest.fixture
def keep_connection():
    """Django closes the connection after a WSGI request; the test's transaction needs it.
    (Django's own test client does the same.)"""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def beds(cast):
    """Some capacity data to find: beds of the own organisation, a hold, a case."""
    leiden = Municipality.objects.get(cbs_code="GM0546")
    location = Location.objects.create(organisation=cast.own, name="Rijnhof", municipality=leiden)
    bed_type = BedType.objects.get(code="elv-hoog", region=None)
    for label in ("A1", "A2", "A3"):
        Bed.objects.create(
            location=location, bed_type=bed_type, target_group=TargetGroup.SOMATISCH, label=label
        )
    gp = Organisation.objects.create(
        name="Huisartsenpost", region=cast.region, type=OrganisationType.HUISARTSENPOST
    )
    referrer = make_user("huisarts", (gp, Role.VERWIJZER))
    claims.reserve(user=referrer, organisation=gp, bed_id=Bed.objects.first().pk)
    return location


def headers_for(cast, role: str) -> dict:
    if role == "anonymous":
        return {}
    return {"Authorization": f"Bearer {services.issue_token(user=getattr(cast, role))}"}


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_gives_a_server_error_or_an_undeclared_status(
    cast, beds, keep_connection, role
):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = headers_for(cast, role)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # the whole API, not an empty document

    for operation in operations:
        strategy = operation.as_strategy() | operation.as_strategy(GenerationMode.NEGATIVE)

        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report, do not search
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (AssertionError, hypothesis.errors.HypothesisException, Exception) as exc:
            failures.append(f"{operation.label}: {str(exc).splitlines()[0:6]}")

    assert failures == []
