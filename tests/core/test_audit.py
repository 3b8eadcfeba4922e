"""The audit log records every change and every read of personal data, and cannot be altered."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from regiotafel.core import audit, services
from regiotafel.core.models import AuditEvent, AuditLogIsAppendOnly, Organisation
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration


def latest(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).order_by("-pk").first()


def test_a_change_made_through_the_application_is_logged_with_who_and_for_whom(cast):
    with audit.acting_as(cast.admin, organisation=cast.own, channel="web"):
        cast.own.name = "Rijnhof Ouderenzorg en Thuiszorg"
        cast.own.save()
    event = latest(action="update", object_type="core.organisation")
    assert event.actor == cast.admin
    assert event.actor_name == "beheerder"
    assert event.organisation == cast.own
    assert event.object_id == str(cast.own.pk)
    assert event.object_repr == "Rijnhof Ouderenzorg en Thuiszorg"
    assert event.channel == "web"


def test_creating_and_deleting_are_logged_too(cast):
    extra = Organisation.objects.create(name="Tijdelijk", type="gemeente", region=cast.region)
    pk = extra.pk
    extra.delete()
    assert latest(action="create", object_id=str(pk), object_type="core.organisation")
    assert latest(action="delete", object_id=str(pk), object_type="core.organisation")


def test_a_page_request_records_the_address_and_the_acting_organisation(cast, client):
    client.force_login(cast.admin)
    client.get(reverse("auditlog"), REMOTE_ADDR="10.1.2.3")
    event = latest(action="read", data_subject="auditlog")
    assert (event.actor, event.organisation, event.ip_address) == (cast.admin, cast.own, "10.1.2.3")


def test_login_logout_and_failed_logins_are_logged(cast, client):
    client.post(reverse("login"), {"username": "beheerder", "password": "fout-wachtwoord"})
    failed = latest(action="login_failed")
    assert failed.detail == {"gebruikersnaam": "beheerder"}
    assert "fout-wachtwoord" not in str(failed.detail)
    client.post(reverse("login"), {"username": "beheerder", "password": PASSWORD})
    assert latest(action="login").actor == cast.admin
    client.post(reverse("logout"))
    assert latest(action="logout").actor == cast.admin


def test_the_application_cannot_update_or_delete_an_audit_event(cast):
    event = audit.record("read", cast.own, data_subject="cliënt 1")
    event.data_subject = "iemand anders"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(data_subject="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE core_auditevent SET data_subject = 'x'", "DELETE FROM core_auditevent"],
)
def test_the_database_itself_refuses_to_update_or_delete_audit_rows(cast, statement):
    audit.record("read", cast.own, data_subject="cliënt 1")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(data_subject="cliënt 1").exists()


def test_the_admin_site_offers_no_way_to_change_the_log(cast, admin_client):
    event = audit.record("read", cast.own)
    assert (
        admin_client.get(reverse("admin:core_auditevent_change", args=[event.pk])).status_code
        == 200
    )
    response = admin_client.post(
        reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_only_the_organisations_admin_sees_its_audit_log_page(cast, client):
    for user, status in [(cast.admin, 200), (cast.referrer, 403), (cast.analyst, 403)]:
        client.force_login(user)
        assert client.get(reverse("auditlog")).status_code == status


def test_the_audit_page_shows_only_events_of_the_own_organisation(cast, client):
    audit.record("read", cast.own, organisation=cast.own, data_subject="cliënt van Rijnhof")
    audit.record("read", cast.far, organisation=cast.far, data_subject="cliënt van Spaarne")
    client.force_login(cast.admin)
    page = client.get(reverse("auditlog")).content.decode()
    assert "cliënt van Rijnhof" in page
    assert "cliënt van Spaarne" not in page


def test_the_audit_log_can_be_filtered_and_exported_and_the_export_is_logged(cast, client):
    audit.record("read", cast.own, organisation=cast.own, data_subject="cliënt A")
    audit.record("update", cast.own, organisation=cast.own, data_subject="cliënt B")
    client.force_login(cast.admin)
    response = client.get(reverse("auditlog-export"), {"actie": "update"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.splitlines()[0].startswith("tijdstip;gebruiker;organisatie;actie")
    assert "cliënt B" in body and "cliënt A" not in body
    export = latest(action="export")
    assert export.actor == cast.admin and export.detail["regels"] >= 1


def test_the_export_refuses_someone_who_is_not_the_admin(cast):
    from regiotafel import errors

    with pytest.raises(errors.PermissionDenied):
        services.export_audit_csv(
            user=cast.planner, organisation=cast.own, filters=services.AuditFilter()
        )


def test_a_long_audit_log_is_paged_keeping_the_filter(cast, client):
    for n in range(60):
        audit.record("read", cast.own, organisation=cast.own, data_subject=f"cliënt {n}")
    client.force_login(cast.admin)
    page = client.get(reverse("auditlog"), {"actie": "read"}).content.decode()
    assert "Pagina 1 van 2" in page
    assert "?actie=read&amp;pagina=2" in page
