"""Bookkeeping of the worker: who is alive, who holds which job until when, when each
periodic job is due; and the warnings the scheduler leaves for providers.

Worker beats, leases and schedule rows are not audited (``core.audit.UNAUDITED_MODELS``):
they are the machinery's own state, written every few seconds. A :class:`StaleWarning` is
audited like every other change a person can see.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class WorkerBeat(models.Model):
    """One worker process: it renews ``seen_at`` every few seconds while it runs."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id[:8]})"


class TaskLease(models.Model):
    """The worker that runs a job holds it until ``expires_at``; it renews the lease while it
    runs. A lease that runs out means the worker died: another worker takes the job again."""

    task = models.OneToOneField(
        DBTaskResult, primary_key=True, on_delete=models.CASCADE, related_name="lease"
    )
    worker_id = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")

    def __str__(self) -> str:
        return f"{self.task_id} → {self.worker_id[:8]} tot {self.expires_at:%H:%M:%S}"


class ScheduledJob(models.Model):
    """A periodic job: a worker runs it when it wins ``next_run_at <= now`` in one UPDATE."""

    name = models.CharField(max_length=64, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=16, blank=True)
    last_duration = models.FloatField(null=True, blank=True)
    last_result = models.TextField(blank=True)
    last_worker = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodieke taak")
        verbose_name_plural = _("periodieke taken")

    def __str__(self) -> str:
        return self.name


class StaleWarning(models.Model):
    """A location whose availability nobody confirmed within its region's limit. Open until
    the availability is confirmed again; the provider's planners see it on their home page."""

    location = models.ForeignKey(
        "core.Location", on_delete=models.CASCADE, related_name="stale_warnings"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="stale_warnings"
    )
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)  # the confirmation it was about
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waarschuwing verouderde beschikbaarheid")
        verbose_name_plural = _("waarschuwingen verouderde beschikbaarheid")
        constraints = [
            models.UniqueConstraint(
                fields=["location"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_stale_warning_per_location",
            )
        ]

    def __str__(self) -> str:
        return str(self.location)
