"""`regiotafel worker` as a command: a burst run does the queued jobs and the due periodic
jobs, `--status` shows the queue, the workers and the periodic jobs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from regiotafel.ops.models import ScheduledJob
from tests.ops import slow_tasks

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run(*args) -> str:
    out = io.StringIO()
    call_command("worker", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_burst_run_does_the_queued_jobs_and_the_periodic_jobs_due(db):
    result = slow_tasks.quick.enqueue(5)
    out = run("--eenmalig", "--interval", "0")
    assert "1 taken klaar, 0 mislukt" in out
    assert DBTaskResult.objects.get(pk=result.id).return_value == 10
    from regiotafel.ops import scheduler

    # every enabled periodic job (the built-in ones and those apps register)
    assert ScheduledJob.objects.filter(last_status="ok").count() == len(scheduler.enabled())


def test_a_burst_run_without_the_scheduler_leaves_the_periodic_jobs_alone(db):
    run("--burst", "--no-scheduler", "--interval", "0")
    assert not ScheduledJob.objects.exclude(last_run_at=None).exists()


def test_the_status_shows_the_waiting_jobs_and_the_last_periodic_runs(db):
    run("--eenmalig", "--interval", "0")
    slow_tasks.quick.enqueue(1)
    out = run("--status")
    assert "READY 1" in out and "Levende workers: 0" in out
    assert "reserveringen-vrijgeven: ok" in out
