"""The audit log is a hash chain that proves it is unbroken, and the application cannot write
an audited record without an event in the same transaction."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from regiotafel.core import audit
from regiotafel.core.models import AuditEvent, Organisation, OrganisationType, Region
from tests import audit_guard

pytestmark = pytest.mark.integration


def without_append_only_triggers():
    """What an attacker with the owner's rights would do first (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser's way round the triggers
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")


def some_events(cast, n=5) -> list[AuditEvent]:
    return [audit.record("read", cast.own, data_subject=f"cliënt {i}") for i in range(n)]


def test_every_event_carries_the_hash_of_the_one_before(cast):
    some_events(cast)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].previous_hash == audit.GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.previous_hash == before.hash
        assert after.hash == audit.event_hash(after) != before.hash


def test_the_check_command_says_the_log_is_unbroken(cast, capsys):
    some_events(cast)
    call_command("audit", "controleer")
    out = capsys.readouterr().out
    assert "Auditlog ongebroken" in out
    assert f"{AuditEvent.objects.count()} regel(s)" in out


def test_a_changed_event_breaks_the_chain_at_that_event(cast):
    events = some_events(cast)
    without_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET data_subject = 'iemand anders' WHERE id = %s",
            [events[2].pk],
        )
    result = audit.verify()
    assert result.broken.sequence == events[2].sequence
    assert "inhoud gewijzigd" in result.broken.reason
    with pytest.raises(CommandError, match=f"gebroken bij regel {events[2].sequence}") as caught:
        call_command("audit", "controleer")
    assert caught.value.returncode == 1


def test_a_removed_event_breaks_the_chain_after_the_gap(cast):
    events = some_events(cast)
    without_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    broken = audit.verify().broken
    assert broken.sequence == events[2].sequence and "ontbrekende regel" in broken.reason


def test_an_event_rewritten_with_a_fresh_hash_still_breaks_the_link_to_the_next(cast):
    events = some_events(cast)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.data_subject = "iemand anders"
    forged_hash = audit.event_hash(forged)
    without_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET data_subject = %s, hash = %s WHERE id = %s",
            ["iemand anders", forged_hash, events[1].pk],
        )
    broken = audit.verify().broken
    assert broken.sequence == events[2].sequence and "vorige" in broken.reason


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_transactions_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (set DATABASE_URL)")
    region = Region.objects.create(name="Gelijktijdig", slug="gelijktijdig")
    org = Organisation.objects.create(name="Gelijktijdig", type=OrganisationType.VVT, region=region)
    writers, per_writer = 8, 5
    barrier = threading.Barrier(writers)
    failures = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit.record("read", org, data_subject=f"schrijver {n}, regel {i}")
                    audit.record("read", org, data_subject=f"schrijver {n}, regel {i}b")
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    result = audit.verify()
    assert result.broken is None
    assert result.checked == AuditEvent.objects.count() >= writers * per_writer * 2


# ---------------------------------------------------------------- every write has its event


APP_CODE = audit_guard.PACKAGE + "pretend_service.py"  # code the guard counts as the app's


def run_as_application(source: str, **names) -> None:
    code = compile(source, APP_CODE, "exec")  # as if it were a module of the application
    exec(code, {"transaction": transaction, **names})  # noqa: S102 - our own test source


@pytest.fixture
def guard(cast, _every_change_is_audited):
    """The guard conftest installs for every database test; these tests read and clear it."""
    yield _every_change_is_audited
    _every_change_is_audited.transactions.clear()


def test_the_guard_fails_a_bulk_update_without_an_event(cast, guard):
    run_as_application(
        "with transaction.atomic():\n    Organisation.objects.filter(pk=pk).update(name='X')",
        Organisation=Organisation,
        pk=cast.own.pk,
    )
    [problem] = guard.problems()
    assert problem.startswith("core.organisation: UPDATE core_organisation at pretend_service.py")


def test_the_guard_fails_an_event_written_in_a_later_transaction(cast, guard):
    run_as_application(
        "Organisation.objects.filter(pk=org.pk).update(name='X')\n"
        "with transaction.atomic():\n    audit.record('update', org)",
        Organisation=Organisation,
        org=cast.own,
        audit=audit,
    )
    assert len(guard.problems()) == 1


def test_the_guard_accepts_the_same_update_through_audit_update(cast, guard):
    run_as_application(
        "with transaction.atomic():\n"
        "    audit.update(Organisation.objects.filter(pk=pk), name='X')",
        Organisation=Organisation,
        pk=cast.own.pk,
        audit=audit,
    )
    assert guard.problems() == []


def test_audit_update_logs_each_changed_row_and_keeps_a_conditional_update_conditional(cast):
    changed = audit.update(
        Organisation.objects.filter(pk__in=[cast.own.pk, cast.neighbour.pk]), active=False
    )
    assert changed == 2
    events = AuditEvent.objects.filter(action="update", object_type="core.organisation")
    assert {e.object_id for e in events} == {str(cast.own.pk), str(cast.neighbour.pk)}
    assert all(e.detail == {"velden": ["active"]} for e in events)
    before = AuditEvent.objects.count()
    assert audit.update(Organisation.objects.filter(pk=cast.own.pk, active=True), name="Y") == 0
    assert AuditEvent.objects.count() == before


# ---------------------------------------------------------------- the page and failed logins


def test_a_failed_login_is_logged_for_every_organisation_of_the_account(cast, client):
    from regiotafel.core.models import Membership, Role

    Membership.objects.create(user=cast.admin, organisation=cast.far, role=Role.BEHEERDER)
    client.post(reverse("login"), {"username": "beheerder", "password": "fout-wachtwoord-123"})
    failed = AuditEvent.objects.filter(action="login_failed")
    assert {e.organisation for e in failed} == {cast.own, cast.far}
    assert all(e.detail == {"gebruikersnaam": "beheerder"} for e in failed)
    assert not any("fout-wachtwoord" in str(e.detail) + e.object_repr for e in failed)
    client.force_login(cast.admin)
    page = client.get(reverse("auditlog")).content.decode()
    assert "inloggen mislukt" in page


def test_a_failed_login_for_an_unknown_name_belongs_to_no_organisation(cast, client):
    client.post(reverse("login"), {"username": "niemand", "password": "fout-wachtwoord-123"})
    [failed] = AuditEvent.objects.filter(action="login_failed")
    assert failed.organisation is None and failed.detail == {"gebruikersnaam": "niemand"}


def test_the_audit_page_shows_dutch_names_not_model_labels(cast, client):
    audit.record("update", cast.own, organisation=cast.own, data_subject="cliënt 7")
    client.force_login(cast.admin)
    page = client.get(reverse("auditlog")).content.decode()
    assert "Organisatie: Rijnhof Ouderenzorg" in page
    assert "core.organisation" not in page
    assert "gewijzigd" in page


def test_the_audit_log_is_searched_by_client_number_also_inside_a_list_read(cast, client):
    with audit.acting_as(cast.admin, organisation=cast.own, channel="web"):
        audit.record_reads([cast.own, cast.neighbour])  # no data subjects: a plain list
        audit.record(
            "read",
            cast.own,
            data_subject="cliënt 3, cliënt 4, … (+2)",
            detail={"betrokkenen": ["cliënt 3", "cliënt 4", "cliënt 12", "cliënt 1"]},
        )
        audit.record("read", cast.own, data_subject="cliënt 13")
        audit.record("read", cast.own, data_subject="casus C-2026-0042")
    client.force_login(cast.admin)

    def found(term):
        page = client.get(reverse("auditlog"), {"betrokkene": term}).content.decode()
        return page.split("<tbody>")[1]

    assert "cliënt 3, cliënt 4" in found("cliënt 12")
    assert "cliënt 3, cliënt 4" in found("cliënt 1")
    assert "cliënt 13" not in found("cliënt 1")
    assert "C-2026-0042" in found("C-2026-0042")
    assert "Geen regels gevonden" in found("cliënt 99")


def test_the_csv_export_has_dutch_labels_and_the_chain(cast, client):
    audit.record("update", cast.own, organisation=cast.own, data_subject="cliënt 7")
    client.force_login(cast.admin)
    body = client.get(reverse("auditlog-export")).content.decode()
    header, first = body.splitlines()[:2]
    assert header.endswith(";volgnummer;hash")
    assert ";gewijzigd;" in first and ";Organisatie;" in first


@pytest.mark.parametrize("term", ["x" * 100_000, "ë" * 200, "(" * 200])
def test_a_search_term_is_bounded_as_on_the_page_and_never_a_server_error(cast, client, term):
    client.force_login(cast.admin)
    url = f"/api/v1/organisaties/{cast.own.pk}/auditregels"
    response = client.get(url, {"betrokkene": term})
    if len(term) > 200:  # PostgreSQL found a longer pattern "too complex": a server error
        assert response.status_code == 422
        assert response.json()["code"] == "ongeldige-invoer"
    else:
        assert response.status_code == 200
    assert client.get(reverse("auditlog"), {"betrokkene": term}).status_code == 200


def test_the_staff_page_logs_one_read_naming_every_person_shown(cast, client):
    client.force_login(cast.admin)
    client.get(reverse("members"))
    [event] = AuditEvent.objects.filter(action="read", actor=cast.admin).exclude(
        data_subject="auditlog"
    )
    assert "medewerker verwijzer" in event.detail["betrokkenen"]
    assert len(event.detail["betrokkenen"]) == 5  # the five people of Rijnhof
    assert event.object_repr == "5 gebruikers"


def test_a_long_list_is_summarised_within_the_field_and_counts_the_rest():
    subjects = [f"cliënt {n}" for n in range(100)]
    summary = audit.summarise(subjects)
    assert len(summary) <= 200 and summary.startswith("cliënt 0, cliënt 1, ")
    shown = summary.split(", … ")[0].count("cliënt")
    assert summary.endswith(f"(+{100 - shown})")
    assert audit.summarise(["cliënt 1", "cliënt 2"]) == "cliënt 1, cliënt 2"
