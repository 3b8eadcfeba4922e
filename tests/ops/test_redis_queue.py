"""The Redis task queue (TASKS_BACKEND=redis): the same guarantees as the database queue.
One worker per job even when two claim at once, a dead worker's job taken up again after its
lease and finished once, outcomes stored only by a worker that still holds the lease, FAILED
after too many attempts, and real ``regiotafel worker`` processes on it.

Needs Redis on 127.0.0.1:6379 (skipped without it, except in CI where ``CI`` is set). Each
test uses its own key prefix in database 12 and deletes only its own keys."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from regiotafel.config import SettingsError
from regiotafel.ops import config, queue, worker
from regiotafel.ops.redis_backend import RedisBackend
from tests.ops import slow_tasks
from tests.ops.test_worker_process import (  # noqa: F401 - fixtures
    REGIOTAFEL,
    ROOT,
    data_dir,
    environment,
    lines,
    migrated,
    stop,
    wait_for,
)

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/12"


def _reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def prefix():
    if not _reachable():
        if os.environ.get("CI"):
            pytest.fail("Redis on 127.0.0.1:6379 is needed in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    name = f"test-taken-{get_random_string(12)}:"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{name}*"):
        client.delete(key)


@pytest.fixture
def broker(settings, prefix) -> RedisBackend:
    settings.TASKS = config.tasks("redis", REDIS_URL, prefix)
    settings.TASK_LEASE_SECONDS = 30
    settings.TASK_MAX_ATTEMPTS = 2
    backend = task_backends["default"]
    assert isinstance(backend, RedisBackend)
    return backend


def test_redis_is_one_setting_away_and_refused_in_dutch_without_its_address():
    chosen = config.tasks("redis", "redis://127.0.0.1:6379/3")
    assert chosen["default"]["BACKEND"] == "regiotafel.ops.redis_backend.RedisBackend"
    with pytest.raises(SettingsError) as refused:
        config.tasks("redis", "")
    assert "REDIS_URL" in str(refused.value) and "nodig" in str(refused.value)


def test_a_job_is_enqueued_claimed_and_finished_with_its_result_readable(broker):
    result = slow_tasks.quick.enqueue(21)
    assert result.status == TaskResultStatus.READY and result.enqueued_at is not None
    assert queue.queue_lag()["counts"]["READY"] == 1
    job = queue.claim_next(worker_id="a", queues=["*"])
    assert job.pk == result.id and job.task_path == "tests.ops.slow_tasks.quick"
    assert job.task_result.status == TaskResultStatus.RUNNING
    assert queue.claim_next(worker_id="b", queues=["*"]) is None
    assert queue.queue_lag()["counts"]["RUNNING"] == 1
    assert queue.finish(job_id=job.pk, worker_id="a", return_value=42)
    stored = slow_tasks.quick.get_result(result.id)
    assert stored.status == TaskResultStatus.SUCCESSFUL and stored.return_value == 42
    assert stored.worker_ids == ["a"] and stored.finished_at is not None
    assert queue.queue_lag()["counts"] == {
        "READY": 0,
        "RUNNING": 0,
        "SUCCESSFUL": 1,
        "FAILED": 0,
    }
    with pytest.raises(TaskResultDoesNotExist):
        broker.get_result("bestaat-niet")


def test_higher_priority_goes_first_and_a_deferred_job_waits_for_its_time(broker):
    from datetime import timedelta

    from django.utils import timezone

    later = slow_tasks.quick.using(run_after=timezone.now() + timedelta(seconds=1)).enqueue(1)
    normal = slow_tasks.quick.enqueue(2)
    urgent = slow_tasks.quick.using(priority=10).enqueue(3)
    taken = [queue.claim_next(worker_id="w", queues=["default"]).pk for _ in range(2)]
    assert taken == [urgent.id, normal.id]
    assert queue.claim_next(worker_id="w", queues=["default"]) is None
    time.sleep(1.1)
    assert queue.claim_next(worker_id="w", queues=["default"]).pk == later.id


def test_two_claimers_at_once_take_each_of_fifty_jobs_exactly_once(broker):
    ids = {slow_tasks.quick.enqueue(n).id for n in range(50)}
    taken: dict[str, list[str]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claimer(name: str) -> None:
        start.wait()
        while (job := queue.claim_next(worker_id=name, queues=["*"])) is not None:
            taken[name].append(job.pk)
            assert queue.finish(job_id=job.pk, worker_id=name, return_value=1)

    threads = [threading.Thread(target=claimer, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    everything = taken["a"] + taken["b"]
    assert sorted(everything) == sorted(ids)  # every job once, none twice
    assert taken["a"] and taken["b"]
    assert queue.queue_lag()["counts"]["SUCCESSFUL"] == 50


def test_a_job_whose_lease_ran_out_is_taken_up_again_and_finished_once(broker, settings):
    settings.TASK_LEASE_SECONDS = 1
    result = slow_tasks.quick.enqueue(21)
    dead = queue.claim_next(worker_id="dead", queues=["*"])
    assert queue.recover_expired() == {"ready": 0, "failed": 0}  # the lease still holds
    time.sleep(1.2)
    assert queue.recover_expired() == {"ready": 1, "failed": 0}
    alive = queue.claim_next(worker_id="alive", queues=["*"])
    assert alive.pk == dead.pk == result.id
    assert not queue.finish(job_id=dead.pk, worker_id="dead", return_value=0)  # too late
    assert queue.finish(job_id=alive.pk, worker_id="alive", return_value=42)
    assert not queue.finish(job_id=alive.pk, worker_id="alive", return_value=43)  # once
    stored = slow_tasks.quick.get_result(result.id)
    assert stored.return_value == 42 and stored.worker_ids == ["dead", "alive"]


def test_a_worker_whose_lease_ran_out_can_neither_store_nor_renew_but_a_renewed_lease_holds(
    broker, settings
):
    settings.TASK_LEASE_SECONDS = 1
    slow_tasks.quick.enqueue(1)
    slow_tasks.quick.enqueue(2)
    lost = queue.claim_next(worker_id="traag", queues=["*"])
    kept = queue.claim_next(worker_id="bij", queues=["*"])
    for _ in range(3):
        time.sleep(0.4)
        assert queue.renew(worker_id="bij", job_ids=[kept.pk]) == 1
    assert queue.renew(worker_id="traag", job_ids=[lost.pk]) == 0  # ran out, not recovered yet
    assert not queue.finish(job_id=lost.pk, worker_id="traag", return_value=1)
    assert queue.renew(worker_id="traag", job_ids=[kept.pk]) == 0  # not its job
    assert queue.finish(job_id=kept.pk, worker_id="bij", return_value=2)
    assert queue.recover_expired() == {"ready": 1, "failed": 0}


def test_a_job_that_loses_its_worker_too_often_fails_with_a_reason(broker, settings):
    settings.TASK_LEASE_SECONDS = 1
    result = slow_tasks.quick.enqueue(1)
    for expected in ({"ready": 1, "failed": 0}, {"ready": 0, "failed": 1}):
        assert queue.claim_next(worker_id="w", queues=["*"]).pk == result.id
        time.sleep(1.1)
        assert queue.recover_expired() == expected
    stored = slow_tasks.quick.get_result(result.id)
    assert stored.status == TaskResultStatus.FAILED
    assert stored.errors[0].exception_class_path == queue.LEASE_EXPIRED
    assert queue.claim_next(worker_id="w", queues=["*"]) is None


def test_the_worker_runs_redis_jobs_and_old_finished_jobs_are_pruned(broker, db):
    good, bad = slow_tasks.quick.enqueue(4), slow_tasks.broken.enqueue()
    stats = worker.run(burst=True, run_scheduler=False, interval=0)
    assert (stats.done, stats.failed) == (1, 1)
    assert slow_tasks.quick.get_result(good.id).return_value == 8
    failed = slow_tasks.broken.get_result(bad.id)
    assert failed.status == TaskResultStatus.FAILED and "kapot" in failed.errors[0].traceback
    assert queue.live_job_args("tests.ops.slow_tasks.quick") == []
    assert queue.prune(older_than_days=1) == 0
    assert queue.prune(older_than_days=-1) == 2  # a cutoff in the future: both are old
    with pytest.raises(TaskResultDoesNotExist):
        slow_tasks.quick.get_result(good.id)


def test_gezond_reads_the_redis_queue_and_fails_its_check_when_redis_is_gone(broker, db, settings):
    from regiotafel.ops import health

    slow_tasks.quick.enqueue(1)
    _healthy, body = health.report()
    assert body["checks"]["queue"]["ok"] and body["checks"]["queue"]["ready"] == 1
    settings.TASKS = config.tasks("redis", "redis://127.0.0.1:1/0", broker.prefix)
    _healthy, body = health.report()
    assert body["checks"]["queue"]["ok"] is False


def test_a_plan_left_waiting_without_a_job_is_enqueued_again_once(broker, cast):
    from datetime import timedelta

    from django.utils import timezone

    from regiotafel.plans import jobs, services
    from regiotafel.plans.models import Passage, Plan

    common = {
        "region": cast.region,
        "framework": services.ensure_default_framework(),
        "kind": "txt",
        "scorer": "lexicaal",
        "file_name": "visie.txt",
        "source": b"Visie op de zorg",
    }
    lost = Plan.objects.create(
        title="Verloren", created_at=timezone.now() - timedelta(minutes=6), **common
    )
    Plan.objects.create(title="Net geupload", **common)  # its job may still be on its way
    rescore = Plan.objects.create(
        title="Opnieuw scoren", created_at=timezone.now() - timedelta(days=2), **common
    )
    Passage.objects.create(plan=rescore, index=0, line=1, text="Visie")  # its scorer: in its job
    assert jobs.requeue_waiting() == [lost.pk]
    assert jobs.requeue_waiting() == []  # its job is in the queue now
    [job] = queue.live_job_args("regiotafel.plans.jobs.process_plan")
    assert job["args"] == [lost.pk]


# ---------------------------------------------------------------- real worker processes


def redis_environment(directory: Path, prefix: str) -> dict:
    env = environment(directory)
    env.update(TASKS_BACKEND="redis", REDIS_URL=REDIS_URL, TASKS_REDIS_PREFIX=prefix)
    return env


def start_redis_worker(directory: Path, prefix: str, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*REGIOTAFEL, "worker", "--interval", "0.2", "--worker-id", name, "--no-scheduler"],
        env=redis_environment(directory, prefix),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_killed_redis_workers_job_is_finished_once_by_another_worker(
    broker,
    prefix,
    data_dir,  # noqa: F811 - the fixture
    tmp_path,
):
    trace = tmp_path / "trace.txt"
    job = slow_tasks.slow_trace.enqueue(str(trace), 2)
    first = start_redis_worker(data_dir, prefix, "eerste")
    try:
        assert wait_for(lambda: lines(trace) == ["start"], 30), stop(first)
        first.send_signal(signal.SIGKILL)  # no clean-up: the lease stays until it runs out
        first.wait(10)
        assert broker.get_result(job.id).status == TaskResultStatus.RUNNING
        second = start_redis_worker(data_dir, prefix, "tweede")
        try:
            assert wait_for(lambda: "done" in lines(trace), 40), stop(second)
            assert wait_for(
                lambda: broker.get_result(job.id).status == TaskResultStatus.SUCCESSFUL, 10
            )
        finally:
            out = stop(second)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 0, out
    assert lines(trace) == ["start", "start", "done"]
    finished = broker.get_result(job.id)
    assert finished.worker_ids == ["eerste", "tweede"] and finished.return_value == "klaar"
