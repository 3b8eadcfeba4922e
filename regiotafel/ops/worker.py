"""The worker: runs queued jobs with leases, recovers jobs of dead workers, runs the scheduler.

One process runs ``threads`` job threads, a beat thread (renews this worker's leases and its
:class:`WorkerBeat`, recovers jobs whose lease ran out) and, unless switched off, a scheduler
thread (:mod:`regiotafel.ops.scheduler`). ``stop_event.set()`` (SIGTERM or Ctrl+C in
``regiotafel worker``) lets every job thread finish its current job, then the worker stops;
its leases are renewed until then. ``burst`` runs until the queue is empty (tests, one-offs).

``run(stop_event=…)`` is the entry point for other code (``regiotafel demo`` starts it in a
thread); ``regiotafel worker`` is the command.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from dataclasses import dataclass, field

from django.db import OperationalError, close_old_connections, connection, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskContext, task_backends
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import get_module_path
from redis.exceptions import RedisError

from regiotafel.core import audit
from regiotafel.core.models import AuditChannel
from regiotafel.ops import queue, scheduler
from regiotafel.ops.models import WorkerBeat

log = logging.getLogger(__name__)
BURST_BUSY_RETRIES = 50


def _refresh_connections() -> None:
    """Drop broken or too old database connections between jobs, as Django does between
    requests; never inside a transaction (a test's, or a caller's)."""
    if not connection.in_atomic_block:
        close_old_connections()


@dataclass
class Stats:
    done: int = 0
    failed: int = 0
    discarded: int = 0  # finished after the lease was taken over: result not stored
    scheduled: list[str] = field(default_factory=list)


class Worker:
    def __init__(
        self,
        *,
        queues: list[str] | None = None,
        threads: int = 1,
        burst: bool = False,
        run_scheduler: bool = True,
        interval: float = 1.0,
        worker_id: str | None = None,
        stop_event: threading.Event | None = None,
        backend: str = "default",
    ) -> None:
        if not queue.is_worker_backend(backend):
            raise ValueError(f"task backend {backend!r} is not the database or Redis queue")
        self.queues = queues or ["*"]
        self.threads = max(1, threads)
        self.burst = burst
        self.run_scheduler = run_scheduler
        self.interval = interval
        self.worker_id = worker_id or get_random_string(32)
        self.stop_event = stop_event or threading.Event()
        self.backend = backend
        self.stats = Stats()
        self._running: set = set()
        self._lock = threading.Lock()
        self._done = threading.Event()  # the job threads have ended

    # ------------------------------------------------------------ life cycle
    def run(self) -> Stats:
        self._register()
        try:
            queue.recover_expired(backend=self.backend)
            if self.run_scheduler and self.burst:
                self.stats.scheduled += scheduler.run_due(worker_id=self.worker_id)
            helpers = [threading.Thread(target=self._beat_loop, name="worker-beat", daemon=True)]
            if self.run_scheduler and not self.burst:
                helpers.append(
                    threading.Thread(target=self._scheduler_loop, name="scheduler", daemon=True)
                )
            workers = [
                threading.Thread(target=self._threaded_job_loop, name=f"worker-{n}", daemon=True)
                for n in range(1, self.threads)
            ]
            for thread in helpers + workers:
                thread.start()
            self._job_loop()  # the calling thread runs jobs too
            for thread in workers:
                while thread.is_alive():
                    thread.join(0.2)  # short joins: signal handlers run in between
            self._done.set()
            for thread in helpers:
                thread.join(5)
        finally:
            self._done.set()
            self._unregister()
        return self.stats

    def _register(self) -> None:
        now = timezone.now()
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": ",".join(self.queues)[:255],
                "started_at": now,
                "seen_at": now,
                "stopped_at": None,
            },
        )
        log.info("worker %s started, queues %s", self.worker_id, ",".join(self.queues))

    def _unregister(self) -> None:
        try:
            WorkerBeat.objects.filter(worker_id=self.worker_id).update(stopped_at=timezone.now())
        except OperationalError:
            log.warning("worker %s could not record its stop", self.worker_id)
        log.info("worker %s stopped", self.worker_id)

    # ------------------------------------------------------------ threads
    def _threaded_job_loop(self) -> None:
        try:
            self._job_loop()
        finally:
            connections.close_all()

    def _job_loop(self) -> None:
        busy = 0
        while not self.stop_event.is_set():
            _refresh_connections()
            try:
                job = queue.claim_next(
                    worker_id=self.worker_id, queues=self.queues, backend=self.backend
                )
                busy = 0
            except (OperationalError, RedisError):  # SQLite busy, or Redis unreachable
                busy += 1
                if self.burst and busy > BURST_BUSY_RETRIES:
                    log.warning("worker %s: database stays busy, burst ends", self.worker_id)
                    return
                self.stop_event.wait(max(self.interval, 0.1))
                continue
            if job is not None:
                self._run_job(job)
            elif self.burst:
                return
            else:
                self.stop_event.wait(self.interval)

    def _beat_loop(self) -> None:
        every = max(0.5, queue.lease_seconds() / 3)
        try:
            while not self._done.wait(every):
                self._beat()
        finally:
            connections.close_all()

    def _beat(self) -> None:
        try:
            with self._lock:
                running = list(self._running)
            queue.renew(worker_id=self.worker_id, job_ids=running, backend=self.backend)
            WorkerBeat.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())
            recovered = queue.recover_expired(backend=self.backend)
            if any(recovered.values()):
                log.warning(
                    "worker %s recovered jobs of dead workers: %s", self.worker_id, recovered
                )
        except (OperationalError, RedisError):
            log.warning("worker %s: beat skipped, database or Redis busy", self.worker_id)
        finally:
            _refresh_connections()

    def _scheduler_loop(self) -> None:
        try:
            scheduler.ensure_rows()
            while not self.stop_event.wait(1.0) and not self._done.is_set():
                self.stats.scheduled += scheduler.run_due(worker_id=self.worker_id)
                _refresh_connections()
        except Exception:  # noqa: BLE001 - the jobs go on; the health endpoint shows it
            log.exception("scheduler stopped")
        finally:
            connections.close_all()

    # ------------------------------------------------------------ one job
    def _run_job(self, job) -> None:
        with self._lock:
            self._running.add(job.pk)
        try:
            value, error = self._call(job)
            try:
                stored = queue.finish(
                    job_id=job.pk,
                    worker_id=self.worker_id,
                    return_value=value,
                    error=error,
                    backend=self.backend,
                )
            except (OperationalError, RedisError):  # the lease brings the job back
                log.warning("job %s: outcome not stored, queue unreachable", job.pk)
                stored = False
            if not stored:
                self.stats.discarded += 1
                log.warning("job %s: lease taken over, result not stored", job.pk)
            elif error:
                self.stats.failed += 1
            else:
                self.stats.done += 1
            if stored:
                self._signal_finished(job)
        finally:
            with self._lock:
                self._running.discard(job.pk)

    def _call(self, job):
        try:
            task, result = job.task, job.task_result
            task_started.send(sender=type(task.get_backend()), task_result=result)
            with audit.acting_as(channel=AuditChannel.SYSTEM):
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=result), *result.args, **result.kwargs
                    )
                else:
                    value = task.call(*result.args, **result.kwargs)
            return value, None
        except Exception as exc:  # noqa: BLE001 - a job's failure is stored, not raised
            log.exception("job %s (%s) failed", job.pk, job.task_path)
            return None, (get_module_path(type(exc)), "".join(traceback.format_exception(exc)))

    @staticmethod
    def _signal_finished(job) -> None:
        try:
            job.refresh_from_db()
            task_finished.send(sender=type(job.task.get_backend()), task_result=job.task_result)
        except Exception:  # noqa: BLE001 - logging only
            log.debug("job %s: no finished signal", job.pk)


def run(stop_event: threading.Event | None = None, **options) -> Stats:
    """Run a worker until ``stop_event`` is set (or, with ``burst=True``, the queue is empty).
    Options as :class:`Worker`: queues, threads, burst, run_scheduler, interval, worker_id."""
    return Worker(stop_event=stop_event, **options).run()


def backend_name() -> str:
    return type(task_backends["default"]).__name__
