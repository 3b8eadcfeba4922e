"""The database queue with leases: one worker per job, a dead worker's job taken up again
after its lease, outcomes stored only by the job's current worker, and the figures /gezond
reads."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from regiotafel.ops import queue, worker
from regiotafel.ops.models import TaskLease, WorkerBeat
from tests.ops import slow_tasks

pytestmark = pytest.mark.integration

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.TASK_LEASE_SECONDS = 30
    settings.TASK_MAX_ATTEMPTS = 2


def test_two_workers_never_take_the_same_job(db):
    first, second = slow_tasks.quick.enqueue(1), slow_tasks.quick.enqueue(2)
    a = queue.claim_next(worker_id="a", queues=["*"])
    b = queue.claim_next(worker_id="b", queues=["*"])
    assert {str(a.pk), str(b.pk)} == {first.id, second.id}
    assert queue.claim_next(worker_id="c", queues=["*"]) is None
    assert TaskLease.objects.get(task=a).worker_id == "a"


def test_a_job_whose_worker_died_is_taken_up_again_after_its_lease_and_finished_once(db):
    result = slow_tasks.quick.enqueue(21)
    dead = queue.claim_next(worker_id="dead", queues=["*"])
    now = timezone.now()
    assert queue.recover_expired(now=now) == {"ready": 0, "failed": 0}  # the lease still holds
    later = now + timedelta(seconds=31)
    assert queue.recover_expired(now=later) == {"ready": 1, "failed": 0}
    alive = queue.claim_next(worker_id="alive", queues=["*"], now=later)
    assert alive.pk == dead.pk and TaskLease.objects.get(task=alive).attempts == 2
    assert not queue.finish(job_id=dead.pk, worker_id="dead", return_value=0)  # too late
    assert queue.finish(job_id=alive.pk, worker_id="alive", return_value=42)
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == TaskResultStatus.SUCCESSFUL and stored.return_value == 42
    assert stored.worker_ids == ["dead", "alive"]


def test_a_job_that_loses_its_worker_too_often_fails_with_a_reason(db):
    result = slow_tasks.quick.enqueue(1)
    now = timezone.now()
    for attempt in range(2):
        queue.claim_next(worker_id=f"w{attempt}", queues=["*"], now=now)
        now += timedelta(seconds=31)
        queue.recover_expired(now=now)
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == TaskResultStatus.FAILED
    assert stored.exception_class_path == queue.LEASE_EXPIRED


def test_a_renewed_lease_keeps_a_long_job_with_its_worker(db):
    slow_tasks.quick.enqueue(1)
    job = queue.claim_next(worker_id="slow", queues=["*"])
    later = timezone.now() + timedelta(seconds=25)
    assert queue.renew(worker_id="slow", job_ids=[job.pk], now=later) == 1
    assert queue.recover_expired(now=later + timedelta(seconds=20)) == {"ready": 0, "failed": 0}


def test_a_burst_worker_runs_what_is_queued_and_stores_failures(db):
    good, bad = slow_tasks.quick.enqueue(4), slow_tasks.broken.enqueue()
    stats = worker.run(burst=True, run_scheduler=False, interval=0)
    assert (stats.done, stats.failed) == (1, 1)
    assert DBTaskResult.objects.get(pk=good.id).return_value == 8
    failed = DBTaskResult.objects.get(pk=bad.id)
    assert failed.status == TaskResultStatus.FAILED and "kapot" in failed.traceback
    assert WorkerBeat.objects.get().stopped_at is not None


def test_queue_lag_counts_jobs_per_state_and_the_oldest_wait(db):
    slow_tasks.quick.enqueue(1)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=90))
    slow_tasks.quick.enqueue(2)
    queue.claim_next(worker_id="w", queues=["*"])
    lag = queue.queue_lag()
    assert lag["counts"]["READY"] == 1 and lag["counts"]["RUNNING"] == 1
    assert 0 <= lag["lag_seconds"] < 90  # the oldest (90 s) was taken; the other just came


def test_live_jobs_of_a_task_are_the_ready_and_running_ones(db):
    slow_tasks.quick.enqueue(7)
    slow_tasks.broken.enqueue()
    assert queue.live_job_args("tests.ops.slow_tasks.quick") == [{"args": [7], "kwargs": {}}]
    job = queue.claim_next(worker_id="w", queues=["*"])
    assert queue.live_job_args(job.task_path) == [job.args_kwargs]  # running counts too
    queue.finish(job_id=job.pk, worker_id="w", return_value=0)
    assert queue.live_job_args(job.task_path) == []


def test_only_workers_that_beat_within_the_lease_are_alive(db):
    now = timezone.now()
    for name, seen, stopped in [
        ("fresh", now, None),
        ("silent", now - timedelta(seconds=31), None),
        ("stopped", now, now),
    ]:
        WorkerBeat.objects.create(
            worker_id=name,
            hostname="h",
            pid=1,
            queues="*",
            started_at=now,
            seen_at=seen,
            stopped_at=stopped,
        )
    assert [w["worker_id"] for w in queue.workers_alive(now=now)] == ["fresh"]


def test_old_finished_jobs_are_pruned_and_recent_ones_kept(db):
    old, recent = slow_tasks.quick.enqueue(1), slow_tasks.quick.enqueue(2)
    worker.run(burst=True, run_scheduler=False, interval=0)
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=timezone.now() - timedelta(days=15))
    assert queue.prune(older_than_days=14) >= 1
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [
        DBTaskResult.objects.get(pk=recent.id).pk
    ]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="concurrent claims with SKIP LOCKED need PostgreSQL (set DATABASE_URL)",
)  # decided before the database is set up: a transactional test on SQLite would flush it
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_workers_claiming_at_once_each_get_a_different_job(settings):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    ids = {slow_tasks.quick.enqueue(n).id for n in range(12)}

    def take(name: str) -> list[str]:
        taken = []
        try:
            while (job := queue.claim_next(worker_id=name, queues=["*"])) is not None:
                taken.append(str(job.pk))
        finally:
            connections.close_all()
        return taken

    with ThreadPoolExecutor(4) as pool:
        per_worker = list(pool.map(take, ["a", "b", "c", "d"]))
    everything = [job for taken in per_worker for job in taken]
    assert sorted(everything) == sorted(ids)  # every job once, none twice
