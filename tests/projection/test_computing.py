"""A projection not yet computed is computed on a worker: the page says so and polls, one job
per parameter file, and shows the numbers once the job stored them."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from regiotafel.ops import worker
from regiotafel.projection import jobs, services, store

pytestmark = pytest.mark.integration


@pytest.fixture
def nothing_computed(settings, zhn):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.forget_memory()
    caches[store.CACHE].clear()
    yield zhn
    services.forget_memory()


def test_the_page_of_a_projection_not_yet_computed_polls_while_one_worker_computes_it(
    cast, client, nothing_computed
):
    client.force_login(cast.analyst)
    url = reverse("projection:index")
    first = client.get(url)
    assert first.status_code == 200
    assert "wordt berekend" in first.content.decode() and "wacht=1" in first.content.decode()
    polled = client.get(url, {"wacht": 1}, headers={"HX-Request": "true"})
    assert "zorgkloof-berekenen" in polled.content.decode() and "HX-Refresh" not in polled
    assert DBTaskResult.objects.filter(task_path="regiotafel.projection.jobs.compute").count() == 1
    stats = worker.run(burst=True, run_scheduler=False, interval=0)
    assert stats.done == 1
    services.forget_memory()  # the web process reads what the worker stored
    assert jobs.is_ready(nothing_computed)
    ready = client.get(url, {"wacht": 1}, headers={"HX-Request": "true"})
    assert ready["HX-Refresh"] == "true"
    shown = client.get(url).content.decode()
    assert '<th scope="row">Leiden</th>' in shown and "wordt berekend" not in shown


def test_with_jobs_run_at_once_the_page_shows_the_numbers_straight_away(
    cast, client, zhn, settings
):
    services.forget_memory()
    caches[store.CACHE].clear()
    client.force_login(cast.analyst)
    shown = client.get(reverse("projection:index")).content.decode()
    assert '<th scope="row">Leiden</th>' in shown and "wordt berekend" not in shown
