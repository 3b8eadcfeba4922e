"""Periodic work, run by every worker and done exactly once per due slot.

Each job has a row in :class:`ScheduledJob`. A worker that finds it due moves ``next_run_at``
to the next slot in ONE conditional UPDATE (``WHERE name = … AND next_run_at <= now``); only
the worker whose UPDATE changed the row runs the job, so two workers never run the same slot.
A worker killed while running a periodic job loses that slot; the next one comes one interval
later (every job here is a sweep that catches up on what it missed).

Jobs register with :func:`register` (``ops.periodic`` registers the built-in ones); the
interval comes from settings (``SCHEDULE_*``; 0 switches a job off).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from regiotafel.core import audit
from regiotafel.core.models import AuditChannel
from regiotafel.ops.models import ScheduledJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    run: Callable[[], object]
    setting: str  # the name in settings holding the interval in seconds

    @property
    def interval(self) -> int:
        return int(getattr(settings, self.setting))


REGISTRY: dict[str, Periodic] = {}


def register(name: str, *, setting: str) -> Callable:
    def decorate(func: Callable[[], object]) -> Callable[[], object]:
        REGISTRY[name] = Periodic(name, func, setting)
        return func

    return decorate


def enabled() -> list[Periodic]:
    from regiotafel.ops import periodic  # noqa: F401 - registers the built-in jobs

    return [job for job in REGISTRY.values() if job.interval > 0]


def _next_slot(after: datetime, interval: int) -> datetime:
    return after + timedelta(seconds=interval)


def ensure_rows(now: datetime | None = None) -> None:
    """A row for every enabled job; a new job is due at once."""
    now = now or timezone.now()
    for job in enabled():
        ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})


def claim(job: Periodic, *, now: datetime) -> bool:
    """Win this job's due slot, or learn that it is not due or another worker won it."""
    return bool(
        ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=_next_slot(now, job.interval)
        )
    )


def run_due(*, worker_id: str = "", now: datetime | None = None) -> list[str]:
    """Run every job whose slot is due and that this worker wins; their names."""
    ran = []
    for job in enabled():
        now_ = now or timezone.now()
        try:
            if not ScheduledJob.objects.filter(name=job.name).exists():
                ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now_})
            if not claim(job, now=now_):
                continue
        except OperationalError:  # SQLite busy: try at the next tick
            log.warning("scheduler: could not claim %s now", job.name)
            continue
        _run(job, worker_id=worker_id, at=now_)
        ran.append(job.name)
    return ran


def _run(job: Periodic, *, worker_id: str, at: datetime) -> None:
    started = time.monotonic()
    try:
        with audit.acting_as(channel=AuditChannel.SYSTEM):
            result = job.run()
        status, text = "ok", "" if result is None else str(result)
    except Exception as exc:  # noqa: BLE001 - a failing job must not stop the worker
        log.exception("scheduled job %s failed", job.name)
        status, text = "fout", f"{type(exc).__name__}: {exc}"[:500]
    ScheduledJob.objects.filter(name=job.name).update(
        last_run_at=at,
        last_status=status,
        last_duration=round(time.monotonic() - started, 3),
        last_result=text[:500],
        last_worker=worker_id,
    )


def last_runs() -> list[dict]:
    """Every periodic job's last run, for /gezond and `regiotafel worker --status`."""
    return [
        {
            "name": row.name,
            "last_run_at": row.last_run_at,
            "last_status": row.last_status,
            "last_duration": row.last_duration,
            "last_result": row.last_result,
            "next_run_at": row.next_run_at,
        }
        for row in ScheduledJob.objects.order_by("name")
    ]


def last_run_at() -> datetime | None:
    """When any periodic job last ran (the scheduler's last sign of life)."""
    row = ScheduledJob.objects.exclude(last_run_at=None).order_by("-last_run_at").first()
    return row.last_run_at if row else None
