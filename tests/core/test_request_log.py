"""One JSON log line per request, and a request id that joins it to the audit events."""

from __future__ import annotations

import csv
import io
import json
import logging
import subprocess
import sys
from ipaddress import ip_network

import pytest
from django.urls import reverse

from regiotafel.core import audit
from regiotafel.core.acting import SESSION_KEY
from regiotafel.core.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration

PROXY = "10.0.0.2"


@pytest.fixture
def request_lines(caplog):
    """The JSON lines of the regiotafel.request logger (it does not propagate to the root)."""
    logger = logging.getLogger("regiotafel.request")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="regiotafel.request")
    yield lambda: [
        json.loads(r.getMessage()) for r in caplog.records if r.name == "regiotafel.request"
    ]
    logger.removeHandler(caplog.handler)


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = (ip_network("10.0.0.0/24"),)


def test_every_request_gets_one_json_line_with_its_id(client, db, request_lines):
    response = client.get(reverse("login"), REMOTE_ADDR="192.0.2.8")
    [line] = request_lines()
    assert set(line) == {
        "time",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
        "organisation_id",
        "remote_addr",
    }
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/inloggen/", 200)
    assert line["remote_addr"] == "192.0.2.8"
    assert line["duration_ms"] >= 0
    assert line["user_id"] is None and line["organisation_id"] is None


def test_the_line_names_the_user_and_acting_organisation_by_id(cast, client, request_lines):
    client.force_login(cast.admin)
    session = client.session
    session[SESSION_KEY] = cast.own.pk
    session.save()
    client.get(reverse("auditlog"))
    line = request_lines()[-1]
    assert (line["user_id"], line["organisation_id"]) == (cast.admin.pk, cast.own.pk)
    assert cast.admin.username not in json.dumps(line)


def test_the_line_leaves_out_the_query_string_that_may_hold_a_name(cast, client, request_lines):
    client.force_login(cast.admin)
    client.get(reverse("auditlog"), {"betrokkene": "Jansen", "actie": "read"})
    line = request_lines()[-1]
    assert line["path"] == "/beheer/auditlog/"
    assert "Jansen" not in json.dumps(line)


def test_a_refused_and_a_missing_page_are_logged_too(client, db, request_lines):
    client.get("/bestaat-niet/")
    client.post("/gezond")
    statuses = [(line["path"], line["status"]) for line in request_lines()]
    assert statuses == [("/bestaat-niet/", 404), ("/gezond", 405)]


def test_every_request_id_is_new_and_a_client_cannot_choose_it(client, db):
    first = client.get(reverse("login"), HTTP_X_REQUEST_ID="gekozen-door-de-client-1234")
    second = client.get(reverse("login"))
    assert first["X-Request-ID"] != "gekozen-door-de-client-1234"
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert len(first["X-Request-ID"]) == 32


def test_a_trusted_proxy_passes_its_request_id_on(client, db, behind_a_proxy):
    response = client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"


@pytest.mark.parametrize("value", ["kort", "x" * 65, "a b c d e f g h", "id;DROP TABLE", "é" * 10])
def test_a_request_id_that_is_not_plain_is_replaced_even_from_a_trusted_proxy(
    client, db, behind_a_proxy, value
):
    response = client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=value)
    assert response["X-Request-ID"] != value
    assert len(response["X-Request-ID"]) == 32


def test_the_audit_events_of_a_request_carry_its_id(cast, client):
    response = client.post(reverse("login"), {"username": "beheerder", "password": PASSWORD})
    login = AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("sequence")
    assert login.request_id == response["X-Request-ID"]
    client.logout()
    failed = client.post(reverse("login"), {"username": "beheerder", "password": "fout-fout"})
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("sequence")
    assert event.request_id == failed["X-Request-ID"] != login.request_id


def test_the_read_event_of_a_page_carries_the_request_id(cast, client):
    client.force_login(cast.admin)
    response = client.get(reverse("auditlog"))
    read = AuditEvent.objects.filter(action=AuditAction.READ).latest("sequence")
    assert read.request_id == response["X-Request-ID"]


def test_events_outside_a_request_have_no_request_id(cast):
    event = audit.record(AuditAction.UPDATE, cast.own)
    assert event.request_id == ""


def test_the_request_id_is_part_of_the_hash_only_when_set(cast):
    event = audit.record(AuditAction.UPDATE, cast.own)
    assert b"request_id" not in audit.canonical(event)  # events from before 0005 verify
    hashed = audit.event_hash(event)
    event.request_id = "f" * 32
    assert b"request_id" in audit.canonical(event)
    assert audit.event_hash(event) != hashed  # a changed request id breaks the chain


def test_the_chain_with_request_ids_verifies(cast, client):
    client.post(reverse("login"), {"username": "beheerder", "password": PASSWORD})
    client.get(reverse("auditlog"))
    assert AuditEvent.objects.exclude(request_id="").exists()
    result = audit.verify()
    assert result.broken is None and result.checked == AuditEvent.objects.count()


def test_the_audit_export_shows_the_request_id(cast, client):
    client.force_login(cast.admin)
    session = client.session
    session[SESSION_KEY] = cast.own.pk
    session.save()
    first = client.get(reverse("auditlog"))
    body = client.get(reverse("auditlog-export")).content.decode()
    rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert "verzoek_id" in rows[0]
    assert first["X-Request-ID"] in {row["verzoek_id"] for row in rows}


WRITERS = """
import json, logging, os
from regiotafel.core.logs import LineHandler
log = logging.getLogger("lines")
log.addHandler(LineHandler())
log.setLevel(logging.INFO)
for _ in range(3):
    os.fork()  # eight processes share one standard output, like gunicorn's workers
for n in range(200):
    log.info(json.dumps({"pid": os.getpid(), "n": n, "path": "/wachtlijst/" + "x" * 150}))
try:
    while True:
        os.wait()
except ChildProcessError:
    pass
"""


@pytest.mark.parametrize("target", ["file", "pipe"])
def test_lines_of_processes_that_share_standard_output_never_mix(tmp_path, target):
    out = tmp_path / "stdout.log"
    if target == "file":
        with open(out, "w") as handle:  # like a shell's "> file": one shared offset
            subprocess.run([sys.executable, "-c", WRITERS], stdout=handle, check=True)
        text = out.read_text()
    else:
        text = subprocess.run(
            [sys.executable, "-c", WRITERS], capture_output=True, text=True, check=True
        ).stdout
    lines = text.splitlines()
    parsed = [json.loads(line) for line in lines]  # every line whole
    assert len({(p["pid"], p["n"]) for p in parsed}) == len(parsed) == 8 * 200
