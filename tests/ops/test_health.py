"""/gezond: the health endpoint load balancers and monitoring ask."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from regiotafel.core.models import AuditEvent
from regiotafel.ops import health
from regiotafel.ops.models import ScheduledJob, WorkerBeat

pytestmark = pytest.mark.integration


def a_living_worker(seen_seconds_ago: float = 1, name: str = "w1") -> WorkerBeat:
    now = timezone.now()
    return WorkerBeat.objects.create(
        worker_id=name,
        hostname="web-host-7.intern",
        pid=4242,
        queues="*",
        started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seen_seconds_ago),
    )


def a_scheduler_run(seconds_ago: float) -> ScheduledJob:
    now = timezone.now()
    return ScheduledJob.objects.create(
        name="capaciteit.vrijgeven",
        next_run_at=now + timedelta(seconds=60),
        last_run_at=now - timedelta(seconds=seconds_ago),
        last_status="ok",
    )


def a_waiting_job(waited_seconds: float) -> DBTaskResult:
    job = DBTaskResult.objects.create(
        status=TaskResultStatus.READY,
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
        task_path="regiotafel.ops.tests.nothing",
        queue_name="default",
        backend_name="default",
    )
    waited_since = timezone.now() - timedelta(seconds=waited_seconds)
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=waited_since)  # auto_now_add
    return job


@pytest.fixture
def healthy_deployment(db):
    a_living_worker()
    a_scheduler_run(seconds_ago=20)


def test_a_healthy_deployment_answers_200_with_every_check_passing(client, healthy_deployment):
    response = client.get("/gezond")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert set(body["checks"]) == {"database", "queue", "workers", "scheduler"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["workers"]["alive"] == 1


def test_a_stopped_worker_makes_the_deployment_unhealthy(client, healthy_deployment):
    WorkerBeat.objects.update(stopped_at=timezone.now())
    response = client.get("/gezond")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["workers"] == {"ok": False, "required": True, "alive": 0, "minimum": 1}


def test_a_worker_that_stopped_beating_counts_as_dead(client, db, settings):
    settings.TASK_LEASE_SECONDS = 30
    a_living_worker(seen_seconds_ago=120)
    a_scheduler_run(seconds_ago=5)
    assert client.get("/gezond").status_code == 503


def test_a_job_waiting_longer_than_the_limit_makes_it_unhealthy(
    client, healthy_deployment, settings
):
    settings.HEALTH_MAX_QUEUE_LAG_SECONDS = 60
    a_waiting_job(waited_seconds=30)
    assert client.get("/gezond").status_code == 200
    a_waiting_job(waited_seconds=90)
    response = client.get("/gezond")
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False and queue["lag_seconds"] >= 90 and queue["ready"] == 2


def test_a_scheduler_that_has_not_run_for_too_long_makes_it_unhealthy(client, db, settings):
    settings.HEALTH_MAX_SCHEDULER_AGE_SECONDS = 120
    a_living_worker()
    a_scheduler_run(seconds_ago=600)
    response = client.get("/gezond")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"]["ok"] is False


def test_a_scheduler_that_never_ran_is_unhealthy_while_workers_are_required(client, db):
    a_living_worker()
    response = client.get("/gezond")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"]["last_run"] is None


def test_without_required_workers_the_worker_figures_are_shown_but_not_required(
    client, db, settings
):
    settings.HEALTH_MIN_WORKERS = 0
    response = client.get("/gezond")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["workers"] == {"ok": True, "required": False, "alive": 0, "minimum": 0}
    assert checks["scheduler"]["required"] is False


def test_a_database_that_fails_answers_503_without_the_error_text(
    client, healthy_deployment, monkeypatch
):
    def broken(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.9 failed: password wrong")

    monkeypatch.setattr(health, "_select_one", broken)
    response = client.get("/gezond")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
    assert "10.0.0.9" not in response.content.decode()
    assert "password" not in response.content.decode()


def test_the_answer_names_no_host_process_or_person(client, healthy_deployment, cast):
    client.force_login(cast.admin)
    text = client.get("/gezond").content.decode()
    for private in ("web-host-7", "4242", cast.admin.username, "w1"):
        assert private not in text


def test_it_needs_no_login_sets_no_cookie_and_is_never_cached(client, healthy_deployment):
    response = client.get("/gezond")
    assert response.status_code == 200
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["status"] == "healthy"


def test_asking_it_writes_no_audit_event(client, healthy_deployment, cast):
    client.force_login(cast.admin)
    before = AuditEvent.objects.count()
    client.get("/gezond")
    client.get("/gezond")
    assert AuditEvent.objects.count() == before


def test_it_only_answers_get(client, healthy_deployment):
    assert client.post("/gezond").status_code == 405
