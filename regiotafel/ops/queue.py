"""The database task queue with leases: claim, renew, finish, recover; and its figures.

django-tasks-db stores each job as a ``DBTaskResult`` row and claims the next one with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; an exclusive transaction on SQLite), so two
workers never take the same job. It has no lease: a worker killed mid-job leaves the row
RUNNING for ever. Here the claim also writes a :class:`TaskLease` in the same transaction; the
worker renews it while the job runs, and every worker puts RUNNING jobs whose lease ran out
back to READY in ONE conditional UPDATE (:func:`recover_expired`), or FAILED after
``TASK_MAX_ATTEMPTS``. Finishing is conditional too: a worker whose lease was taken over
stores nothing (:func:`finish`). Jobs are written to be idempotent (docs/operations.md).

With ``TASKS_BACKEND=redis`` every function here hands over to the Redis backend
(:mod:`regiotafel.ops.redis_backend`), which keeps the same leases in Redis; the worker and
/gezond call the same functions for either queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from regiotafel.ops.models import TaskLease, WorkerBeat

LEASE_EXPIRED = "regiotafel.ops.queue.LeaseExpired"


class LeaseExpired(Exception):
    """The job's worker stopped renewing its lease too often: it is not tried again."""


def lease_seconds() -> int:
    return settings.TASK_LEASE_SECONDS


def is_database_backend(alias: str = "default") -> bool:
    return isinstance(task_backends[alias], DatabaseBackend)


def redis_backend(alias: str = "default"):
    """The Redis backend under ``alias``, or None when it is another queue."""
    from regiotafel.ops.redis_backend import RedisBackend

    backend = task_backends[alias]
    return backend if isinstance(backend, RedisBackend) else None


def is_worker_backend(alias: str = "default") -> bool:
    """A queue ``regiotafel worker`` runs: the database queue or the Redis queue."""
    return is_database_backend(alias) or redis_backend(alias) is not None


def enqueue_on_commit(task, *args: Any, **kwargs: Any) -> None:
    """Enqueue a job with the caller's transaction: on the database queue the job row commits
    or rolls back with the caller's own rows (no job lost between commit and enqueue, none
    for a change that was undone); any other backend enqueues after the commit."""
    if is_database_backend(task.backend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def ready_jobs(*, queues: list[str], backend: str = "default"):
    jobs = DBTaskResult.objects.ready().filter(backend_name=backend)
    return jobs if "*" in queues else jobs.filter(queue_name__in=queues)


def claim_next(
    *, worker_id: str, queues: list[str], backend: str = "default", now: datetime | None = None
) -> DBTaskResult | None:
    """Take the next ready job (skipping rows another worker has locked) and lease it."""
    if (broker := redis_backend(backend)) is not None:
        return broker.claim(worker_id=worker_id, queues=queues, lease_seconds=lease_seconds())
    jobs = ready_jobs(queues=queues, backend=backend)
    with exclusive_transaction(jobs.db):
        job = jobs.get_locked()
        if job is None:
            return None
        job.claim(worker_id)
        expires = (now or timezone.now()) + timedelta(seconds=lease_seconds())
        renewed = TaskLease.objects.filter(task=job).update(
            worker_id=worker_id, attempts=F("attempts") + 1, expires_at=expires
        )
        if not renewed:
            TaskLease.objects.create(task=job, worker_id=worker_id, expires_at=expires)
    return job


def renew(
    *, worker_id: str, job_ids: list, now: datetime | None = None, backend: str = "default"
) -> int:
    """Push the leases of the jobs this worker still runs one lease further."""
    if not job_ids:
        return 0
    if (broker := redis_backend(backend)) is not None:
        return broker.renew(worker_id=worker_id, job_ids=job_ids, lease_seconds=lease_seconds())
    expires = (now or timezone.now()) + timedelta(seconds=lease_seconds())
    return TaskLease.objects.filter(task_id__in=job_ids, worker_id=worker_id).update(
        expires_at=expires
    )


def _ours(job_id, worker_id: str):
    return DBTaskResult.objects.filter(
        pk=job_id,
        status=TaskResultStatus.RUNNING,
        pk__in=TaskLease.objects.filter(worker_id=worker_id).values("task_id"),
    )


def finish(
    *,
    job_id,
    worker_id: str,
    return_value: Any = None,
    error: tuple[str, str] | None = None,
    backend: str = "default",
) -> bool:
    """Store the outcome, only if the job is still this worker's (its lease was not taken
    over after running out; on Redis: its lease has not run out). True when stored."""
    if (broker := redis_backend(backend)) is not None:
        return broker.finish(
            job_id=job_id, worker_id=worker_id, return_value=return_value, error=error
        )
    now = timezone.now()
    if error is None:
        values = {
            "status": TaskResultStatus.SUCCESSFUL,
            "return_value": normalize_json(return_value),
            "exception_class_path": "",
            "traceback": "",
        }
    else:
        values = {
            "status": TaskResultStatus.FAILED,
            "return_value": None,
            "exception_class_path": error[0],
            "traceback": error[1],
        }
    return bool(_ours(job_id, worker_id).update(finished_at=now, **values))


def recover_expired(*, now: datetime | None = None, backend: str = "default") -> dict[str, int]:
    """RUNNING jobs whose lease ran out go back to READY (one conditional UPDATE), or to
    FAILED once they used ``TASK_MAX_ATTEMPTS``. A RUNNING job without a lease (claimed by
    another worker program) counts as leased from its start."""
    limit = settings.TASK_MAX_ATTEMPTS
    if (broker := redis_backend(backend)) is not None:
        return broker.recover_expired(max_attempts=limit, reason=_lease_expired(limit))
    now = now or timezone.now()
    expired = TaskLease.objects.filter(expires_at__lt=now)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    failed = running.filter(pk__in=expired.filter(attempts__gte=limit).values("task_id")).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=LEASE_EXPIRED,
        traceback=_lease_expired(limit)[1],
    )
    again = running.filter(pk__in=expired.filter(attempts__lt=limit).values("task_id")).update(
        status=TaskResultStatus.READY
    )
    orphans = running.filter(
        lease__isnull=True, started_at__lt=now - timedelta(seconds=lease_seconds())
    ).values_list("pk", flat=True)
    again += running.filter(pk__in=list(orphans)).update(status=TaskResultStatus.READY)
    return {"ready": again, "failed": failed}


def _lease_expired(limit: int) -> tuple[str, str]:
    return LEASE_EXPIRED, f"LeaseExpired: the worker stopped renewing its lease {limit} times"


def prune(*, older_than_days: int, now: datetime | None = None, backend: str = "default") -> int:
    """Delete finished job records (and their leases) older than the retention."""
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    if (broker := redis_backend(backend)) is not None:
        return broker.prune(cutoff=cutoff)
    finished = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    deleted, _per_model = finished.delete()
    return deleted


# ---------------------------------------------------------------- figures for /gezond


def queue_lag(*, now: datetime | None = None, backend: str = "default") -> dict:
    """Seconds the oldest READY job has waited (0 without one) and the number of jobs per
    state, e.g. ``{"lag_seconds": 3.2, "counts": {"READY": 1, "RUNNING": 2, …}}``."""
    if (broker := redis_backend(backend)) is not None:
        lag, counts = broker.figures()
        return {
            "lag_seconds": round(lag, 1),
            "counts": {status: counts.get(status, 0) for status in TaskResultStatus.values},
        }
    now = now or timezone.now()
    counts = dict(
        DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    oldest = DBTaskResult.objects.ready().aggregate(at=Min("enqueued_at"))["at"]
    lag = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return {
        "lag_seconds": round(lag, 1),
        "counts": {status: counts.get(status, 0) for status in TaskResultStatus.values},
    }


def live_job_args(task_path: str, *, backend: str = "default") -> list[dict]:
    """``{"args": …, "kwargs": …}`` of every READY or RUNNING job of one task."""
    if (broker := redis_backend(backend)) is not None:
        return broker.live_args(task_path)
    return list(
        DBTaskResult.objects.filter(
            backend_name=backend,
            task_path=task_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs", flat=True)
    )


def workers_alive(*, now: datetime | None = None) -> list[dict]:
    """Workers that renewed their beat within one lease and have not stopped."""
    now = now or timezone.now()
    alive = WorkerBeat.objects.filter(
        stopped_at__isnull=True, seen_at__gte=now - timedelta(seconds=lease_seconds())
    ).order_by("started_at")
    return [
        {
            "worker_id": beat.worker_id,
            "hostname": beat.hostname,
            "pid": beat.pid,
            "queues": beat.queues,
            "seen_at": beat.seen_at,
        }
        for beat in alive
    ]
