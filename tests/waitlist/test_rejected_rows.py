"""Rejected import rows: kept briefly on the server, for the uploader only, logged, then gone."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from regiotafel.core.models import AuditEvent, Role
from regiotafel.waitlist import rejected
from regiotafel.waitlist.models import RejectedImport
from tests.conftest import make_user
from tests.waitlist.conftest import BSN_ANNA, as_csv, row

pytestmark = pytest.mark.integration

BAD_BSN = "123456789"  # fails the elfproef


def upload(client, user, provider, *rows):
    client.force_login(user)
    return client.post(
        reverse("waitlist:import"),
        {
            "aanbieder": str(provider.pk),
            "alleen_geldige": "on",
            "bestand": SimpleUploadedFile("lijst.csv", as_csv(*rows), content_type="text/csv"),
        },
    )


def a_file_with_two_bad_rows():
    return (
        row("K1", bsn=BSN_ANNA),
        row("K2", bsn=BAD_BSN, surname="Verschuur", born="31-02-1936"),
        row("K3", surname="Okkerse", postcode="99 XYZ", wachtstatus="misschien"),
    )


def test_the_rejected_rows_are_kept_on_the_server_and_not_in_the_session(client, homes):
    response = upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    assert response.status_code == 200
    kept = RejectedImport.objects.get()
    assert [entry["rij"] for entry in kept.rows] == [3, 4]
    assert kept.uploader == homes.planner and kept.provider == homes.own
    sessions = "".join(s.get_decoded().__repr__() for s in Session.objects.all())
    assert "K2" not in sessions and "Verschuur" not in sessions


def test_no_name_birth_date_postcode_or_bsn_is_kept_only_row_numbers_and_reasons(client, homes):
    upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    stored = repr(RejectedImport.objects.values().get())
    for personal in (BAD_BSN, "Verschuur", "Okkerse", "31-02-1936", "99 XYZ", "Jansen"):
        assert personal not in stored
    kept = RejectedImport.objects.get()
    assert {(e["rij"], p["kolom"]) for e in kept.rows for p in e["fouten"]} == {
        (3, "bsn"),
        (3, "geboortedatum"),
        (4, "postcode"),
        (4, "wachtstatus"),
    }
    assert [e["klantnummer"] for e in kept.rows] == ["K2", "K3"]


def test_a_row_whose_columns_shifted_keeps_no_bsn_or_birth_date_in_another_columns_reason(
    client, homes
):
    shifted = row("K9", woongemeente=BSN_ANNA, statusdatum="12-04-1936x", voorkeur_1="Verschuur")
    upload(client, homes.planner, homes.own, row("K1"), shifted)
    kept = RejectedImport.objects.get()
    assert {p["kolom"] for e in kept.rows for p in e["fouten"]} == {
        "woongemeente",
        "statusdatum",
        "voorkeur_1",
    }
    stored = repr(RejectedImport.objects.values().get())
    for personal in (BSN_ANNA, "12-04-1936", "Verschuur"):
        assert personal not in stored


def test_the_import_page_shows_the_rows_and_links_the_download(client, homes):
    response = upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    kept = RejectedImport.objects.get()
    page = response.content.decode()
    assert reverse("waitlist:rejected", args=[kept.pk]) in page
    assert "wachtstatus" in page and "Verschuur" not in page


def test_the_uploader_downloads_the_rows_and_the_download_is_logged(client, homes):
    upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    kept = RejectedImport.objects.get()
    response = client.get(reverse("waitlist:rejected", args=[kept.pk]))
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0] == "rij;klantnummer;kolom;fout"
    assert any(line.startswith("4;K3;wachtstatus;") for line in lines)
    event = AuditEvent.objects.filter(action="export").get()
    assert event.actor == homes.planner and event.organisation == homes.own
    assert event.object_id == str(homes.own.pk)
    assert event.detail["rijen"] == 2


@pytest.mark.parametrize("who", ["other_planner", "care_office_planner", "analyst"])
def test_nobody_else_can_download_them(client, homes, who):
    upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    kept = RejectedImport.objects.get()
    client.logout()
    client.force_login(getattr(homes, who))
    assert client.get(reverse("waitlist:rejected", args=[kept.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_uploader_acting_for_another_organisation_cannot_download_them(client, homes):
    both = make_user(
        "planner-beide",
        (homes.own, Role.CAPACITEITSBEHEERDER),
        (homes.neighbour, Role.CAPACITEITSBEHEERDER),
    )
    upload(client, both, homes.own, *a_file_with_two_bad_rows())
    kept = RejectedImport.objects.get()
    assert kept.organisation == homes.own
    client.post(reverse("switch-organisation"), {"organisatie": homes.neighbour.pk})
    assert client.get(reverse("waitlist:rejected", args=[kept.pk])).status_code == 404


def test_expired_rows_cannot_be_downloaded_and_go_at_the_next_visit_of_the_import_page(
    client, homes, settings
):
    settings.REJECTED_ROWS_MINUTES = 30
    upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    kept = RejectedImport.objects.get()
    RejectedImport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("waitlist:rejected", args=[kept.pk])).status_code == 404
    assert RejectedImport.objects.exists()  # a refusal changes nothing
    assert client.get(reverse("waitlist:import")).status_code == 200
    assert not RejectedImport.objects.exists()


def test_they_expire_after_the_configured_minutes(client, homes, settings):
    settings.REJECTED_ROWS_MINUTES = 5
    upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    kept = RejectedImport.objects.get()
    assert kept.expires_at - kept.created_at == timedelta(minutes=5)
    assert rejected.purge_expired(now=kept.created_at + timedelta(minutes=4)) == 0
    assert rejected.purge_expired(now=kept.created_at + timedelta(minutes=5)) == 1


def test_the_clean_up_command_deletes_expired_rows_only(client, homes, capsys):
    upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    upload(client, homes.other_planner, homes.neighbour, *a_file_with_two_bad_rows())
    RejectedImport.objects.filter(uploader=homes.planner).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("wachtlijst", "opruimen")
    assert "1 verlopen" in capsys.readouterr().out
    assert list(RejectedImport.objects.values_list("uploader__username", flat=True)) == [
        homes.other_planner.username
    ]


def test_a_new_import_replaces_the_earlier_rows_and_a_clean_file_leaves_none(client, homes):
    upload(client, homes.planner, homes.own, *a_file_with_two_bad_rows())
    upload(client, homes.planner, homes.own, row("K1"), row("K2", wachtstatus="nee"))
    assert [e["rij"] for e in RejectedImport.objects.get().rows] == [3]
    upload(client, homes.planner, homes.own, row("K1"))
    assert not RejectedImport.objects.exists()


def test_a_client_number_that_looks_like_a_formula_stays_text():
    body = rejected.as_csv(
        [{"rij": 2, "klantnummer": "=HYPERLINK(1)", "fouten": [{"kolom": "x", "fout": "y"}]}]
    )
    assert "2;'=HYPERLINK(1);x;y" in body
