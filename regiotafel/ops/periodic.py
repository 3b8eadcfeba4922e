"""The built-in periodic jobs (docs/operations.md, "The scheduler"). Each is a sweep: it
catches up on whatever is due, so a missed slot only delays it."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from regiotafel.core import audit
from regiotafel.ops.scheduler import register


@register("reserveringen-vrijgeven", setting="SCHEDULE_EXPIRE_CLAIMS_SECONDS")
def expire_claims() -> str:
    from regiotafel.capacity import claims

    return f"{claims.release_expired()} vrijgegeven"


@register("verouderde-beschikbaarheid", setting="SCHEDULE_STALE_WARNINGS_SECONDS")
def stale_warnings() -> str:
    from regiotafel.ops import stale

    opened, resolved = stale.sweep()
    return f"{opened} nieuw, {resolved} opgelost"


@register("sessies-opruimen", setting="SCHEDULE_CLEAR_SESSIONS_SECONDS")
def clear_sessions() -> str:
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return "klaar"


@register("taken-opruimen", setting="SCHEDULE_PRUNE_TASKS_SECONDS")
def prune_tasks() -> str:
    from regiotafel.ops import queue
    from regiotafel.ops.models import WorkerBeat

    now = timezone.now()
    deleted = queue.prune(older_than_days=settings.TASK_RETENTION_DAYS, now=now)
    gone = now - timedelta(days=1)
    WorkerBeat.objects.filter(Q(stopped_at__lt=gone) | Q(seen_at__lt=gone)).delete()
    return f"{deleted} oude taken verwijderd"


@register("plannen-herstellen", setting="SCHEDULE_REQUEUE_PLANS_SECONDS")
def requeue_waiting_plans() -> str:
    from regiotafel.plans import jobs

    return f"{len(jobs.requeue_waiting())} opnieuw in de wachtrij"


@register("afgewezen-regels-opruimen", setting="SCHEDULE_PURGE_REJECTED_SECONDS")
def purge_rejected_rows() -> str:
    from regiotafel.waitlist import rejected

    return f"{rejected.purge_expired()} verwijderd"


@register("inlogpogingen-opruimen", setting="SCHEDULE_AXES_CLEANUP_SECONDS")
def forget_old_login_failures() -> str:
    from axes.models import AccessAttempt

    forgotten = timezone.now() - settings.ACCOUNTS_FAILURE_MEMORY
    with audit.acting_as(None), transaction.atomic():
        count, _per_model = AccessAttempt.objects.filter(attempt_time__lte=forgotten).delete()
    return f"{count} verwijderd"


@register("doorplaatsing-termijnen", setting="SCHEDULE_ONWARD_DEADLINES_SECONDS")
def onward_deadlines() -> str:
    from regiotafel.waitlist import onward

    warned, overdue = onward.check_deadlines()
    return f"{warned} gewaarschuwd, {overdue} verstreken"
