"""``/gezond``: is this deployment fit to take requests? For load balancers and monitoring.

Four checks, each with a threshold from settings (docs/serving.md, "Health"):

- ``database``: one trivial query under a short statement timeout;
- ``queue``: how long the oldest READY job has waited (``ops.queue.queue_lag``);
- ``workers``: how many workers renewed their beat recently (``ops.queue.workers_alive``);
- ``scheduler``: how long ago a periodic job last ran (``ops.scheduler.last_run_at``).

200 with ``"status": "healthy"`` when every check passes, 503 with ``"unhealthy"`` when one
fails. The answer holds figures only: no names, no host names, no personal data, no error
text (the reason of a failure goes to the server log). The view needs no login, touches no
session and sets no cookie; it is not a read of personal data, so it writes no audit event.
With ``HEALTH_MIN_WORKERS=0`` the worker and scheduler figures are shown but not required
(a web-only deployment, or a load balancer that should not drain the web tier when the
workers stop: see docs/serving.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


@dataclass
class Check:
    ok: bool
    figures: dict = field(default_factory=dict)
    required: bool = True

    def as_dict(self) -> dict:
        return {"ok": self.ok, "required": self.required, **self.figures}


def check_database() -> Check:
    """``SELECT 1`` under a statement timeout of ``HEALTH_DB_TIMEOUT_MS``."""
    started = time.monotonic()
    try:
        _select_one()
    except Exception:  # any failure means "not healthy"; the reason goes to the log only
        log.exception("health: the database check failed")
        return Check(False, {"ms": _ms(started)})
    return Check(True, {"ms": _ms(started)})


def _select_one() -> None:
    if connection.vendor == "postgresql":  # the timeout holds for this transaction only
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [str(settings.HEALTH_DB_TIMEOUT_MS)],
            )
            cursor.execute("SELECT 1")
    else:  # no transaction: SQLite's IMMEDIATE one would wait for the writer's lock
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")


def check_queue() -> Check:
    """The oldest READY job's wait against ``HEALTH_MAX_QUEUE_LAG_SECONDS``."""
    limit = settings.HEALTH_MAX_QUEUE_LAG_SECONDS
    lag = _ops("queue", "queue_lag")
    if lag is _MISSING:
        return Check(True, {"available": False}, required=False)
    seconds = float(lag.get("lag_seconds", 0.0))
    ready = int(lag.get("counts", {}).get("READY", 0))
    return Check(seconds <= limit, {"lag_seconds": seconds, "ready": ready, "limit": limit})


def check_workers() -> Check:
    """Workers alive (their beat renewed within one lease) against ``HEALTH_MIN_WORKERS``."""
    minimum = settings.HEALTH_MIN_WORKERS
    alive = _ops("queue", "workers_alive")
    if alive is _MISSING:
        return Check(minimum == 0, {"available": False, "minimum": minimum}, minimum > 0)
    return Check(len(alive) >= minimum, {"alive": len(alive), "minimum": minimum}, minimum > 0)


def check_scheduler() -> Check:
    """The last periodic run against ``HEALTH_MAX_SCHEDULER_AGE_SECONDS``; required only when
    workers are (the workers run the scheduler)."""
    limit = settings.HEALTH_MAX_SCHEDULER_AGE_SECONDS
    required = settings.HEALTH_MIN_WORKERS > 0
    last = _ops("scheduler", "last_run_at")
    if last is _MISSING:
        return Check(not required, {"available": False, "limit": limit}, required)
    if last is None:
        return Check(
            not required, {"last_run": None, "age_seconds": None, "limit": limit}, required
        )
    age = max(0.0, (timezone.now() - last).total_seconds())
    figures = {"last_run": _iso(last), "age_seconds": round(age, 1), "limit": limit}
    return Check(age <= limit or not required, figures, required)


_MISSING = object()


def _ops(module: str, name: str):
    """``regiotafel.ops.<module>.<name>()``; _MISSING when the ops app is not installed."""
    from django.apps import apps

    if not apps.is_installed("regiotafel.ops"):
        return _MISSING
    from importlib import import_module

    return getattr(import_module(f"regiotafel.ops.{module}"), name)()


def report() -> tuple[bool, dict]:
    """(healthy, the JSON body). After a failed database check the others are not tried."""
    checks = {"database": check_database()}
    if checks["database"].ok:
        for name, run in (
            ("queue", check_queue),
            ("workers", check_workers),
            ("scheduler", check_scheduler),
        ):
            try:
                checks[name] = run()
            except Exception:
                log.exception("health: the %s check failed", name)
                checks[name] = Check(False)
    healthy = all(check.ok for check in checks.values() if check.required)
    return healthy, {
        "status": "healthy" if healthy else "unhealthy",
        "time": _iso(datetime.now(UTC)),
        "checks": {name: check.as_dict() for name, check in checks.items()},
    }


@require_GET
@never_cache
def view(request) -> JsonResponse:
    healthy, body = report()
    return JsonResponse(body, status=200 if healthy else 503)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")
