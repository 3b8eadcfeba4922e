"""The scheduler: each due slot runs once across workers, intervals come from settings, and
the built-in jobs do their sweep (expired claims released with their audit events, stale
locations warned, old rows purged)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from regiotafel.capacity import claims
from regiotafel.capacity.models import ClaimState
from regiotafel.core.models import AuditEvent
from regiotafel.ops import scheduler, stale
from regiotafel.ops.models import ScheduledJob, StaleWarning
from tests.capacity.conftest import new_case, ward  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration

ALL_JOBS = [
    "afgewezen-regels-opruimen",
    "doorplaatsing-termijnen",  # waitlist onward placement
    "inlogpogingen-opruimen",
    "plannen-herstellen",
    "reserveringen-vrijgeven",
    "reserveringen-waarschuwen",  # notifications/periodic.py
    "sessies-opruimen",
    "taken-opruimen",
    "verouderde-beschikbaarheid",
]


def test_a_due_slot_is_won_by_exactly_one_of_two_workers(db):
    job = scheduler.REGISTRY.get("reserveringen-vrijgeven") or scheduler.enabled()[0]
    now = timezone.now()
    ScheduledJob.objects.create(name=job.name, next_run_at=now)
    assert [scheduler.claim(job, now=now), scheduler.claim(job, now=now)] == [True, False]
    row = ScheduledJob.objects.get(name=job.name)
    assert row.next_run_at == now + timedelta(seconds=job.interval)
    assert not scheduler.claim(job, now=now + timedelta(seconds=job.interval - 1))
    assert scheduler.claim(job, now=now + timedelta(seconds=job.interval))


def test_every_job_runs_at_first_and_then_only_when_its_interval_has_passed(db):
    now = timezone.now()
    assert sorted(scheduler.run_due(worker_id="a", now=now)) == ALL_JOBS
    assert scheduler.run_due(worker_id="b", now=now + timedelta(seconds=30)) == []
    assert sorted(scheduler.run_due(worker_id="b", now=now + timedelta(seconds=61))) == [
        "reserveringen-vrijgeven",
        "reserveringen-waarschuwen",
    ]
    runs = {row["name"]: row for row in scheduler.last_runs()}
    assert runs["reserveringen-vrijgeven"]["last_status"] == "ok"
    assert scheduler.last_run_at() == now + timedelta(seconds=61)


def test_an_interval_of_zero_switches_a_job_off(db, settings):
    settings.SCHEDULE_STALE_WARNINGS_SECONDS = 0
    assert "verouderde-beschikbaarheid" not in scheduler.run_due(now=timezone.now())


def test_a_failing_job_is_recorded_and_the_others_still_run(db, monkeypatch):
    def broken():
        raise RuntimeError("kapot")

    job = scheduler.REGISTRY["sessies-opruimen"]
    monkeypatch.setitem(
        scheduler.REGISTRY, job.name, scheduler.Periodic(job.name, broken, job.setting)
    )
    ran = scheduler.run_due(now=timezone.now())
    assert len(ran) == len(ALL_JOBS)
    row = ScheduledJob.objects.get(name="sessies-opruimen")
    assert row.last_status == "fout" and "kapot" in row.last_result


def test_the_scheduler_releases_an_expired_claim_with_no_request_touching_it(ward, new_case):  # noqa: F811
    bed = ward.beds(ward.leiden, ward.elv_hoog).order_by("label").first()
    claim = claims.reserve(user=ward.referrer, organisation=ward.gp, bed_id=bed.pk, case=new_case())
    scheduler.run_due(now=claim.expires_at - timedelta(seconds=1))
    claim.refresh_from_db()
    assert claim.state == ClaimState.ACTIEF
    ScheduledJob.objects.update(next_run_at=claim.expires_at)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: claim.expires_at)
        scheduler.run_due(now=claim.expires_at)
    claim.refresh_from_db()
    assert claim.state == ClaimState.VERLOPEN
    assert AuditEvent.objects.filter(
        object_type="capacity.claim", object_id=str(claim.pk), channel="system"
    ).exists()


def test_a_stale_location_gets_one_warning_until_its_availability_is_confirmed(ward):  # noqa: F811
    now = timezone.now()
    ward.leiden.confirmed_at = now - timedelta(days=2)
    ward.leiden.save()
    ward.katwijk.confirmed_at = now
    ward.katwijk.save()
    assert stale.sweep(now=now) == (1, 0)
    assert stale.sweep(now=now) == (0, 0)
    warning = StaleWarning.objects.get()
    assert warning.location == ward.leiden and warning.organisation == ward.leiden.organisation
    assert list(stale.open_for(ward.leiden.organisation_id)) == [warning]
    ward.leiden.confirmed_at = now
    ward.leiden.save()
    assert stale.sweep(now=now) == (0, 1)
    assert not stale.open_for(ward.leiden.organisation_id).exists()
    assert AuditEvent.objects.filter(object_type="ops.stalewarning").count() == 2


def test_the_providers_planner_sees_the_stale_warning_on_the_home_page(ward, client):  # noqa: F811
    ward.leiden.confirmed_at = timezone.now() - timedelta(days=2)
    ward.leiden.save()
    ward.katwijk.confirmed_at = timezone.now()  # the other provider's, confirmed just now
    ward.katwijk.save()
    stale.sweep()
    client.force_login(ward.planner)
    page = client.get("/").content.decode()
    assert 'data-waarschuwing="verouderd"' in page and ward.leiden.name in page
    client.force_login(ward.other_planner)
    assert 'data-waarschuwing="verouderd"' not in client.get("/").content.decode()
