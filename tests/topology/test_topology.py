"""The real topology (issue 12, deliverable 7): PostgreSQL and Redis on loopback, two
`regiotafel serve` processes and two `regiotafel worker` processes, started as real processes.

The tests share one topology (module scope) and run in file order; each states its own
outcome. Without PostgreSQL (the SQLite leg) the module is skipped: the topology is PostgreSQL
and Redis. Locally it is skipped when either server does not answer; in CI (CI=true) that is
a failure instead, so the PostgreSQL leg always runs it. docs/operations.md, "How the
topology is tested", says what each test proves and how.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from regiotafel.plans.jobs import INLINE_BYTES
from tests.topology import harness
from tests.topology.load import Watcher, open_loop

pytestmark = pytest.mark.integration

SEED_PLAN = Path(__file__).parents[2] / "regiotafel/data/seeds/004_4d2e3de32583dcaa.txt"
# Four copies: past INLINE_BYTES, so the upload enqueues a job instead of processing the plan
# in the request.
PLAN_TEXT = SEED_PLAN.read_bytes() * 4
PLANS_PER_WEB_PROCESS = 3
LEASE_SECONDS = 6  # a killed worker's job is taken again after this
PLAN_PAUSE_SECONDS = 4  # test-only: every plan pauses mid-job (after reading, before scoring)
BURST_REQUESTS = 1000
BURST_RATE = 100  # per second: 1,000 requests over 10 s
TOPOLOGY_SETTINGS = {
    "TASK_LEASE_SECONDS": str(LEASE_SECONDS),  # also: a worker without a beat for this long
    "SCHEDULE_EXPIRE_CLAIMS_SECONDS": "5",
    "HEALTH_MIN_WORKERS": str(harness.WORKER_PROCESSES),  # one stopped worker is unhealthy
    "TOPOLOGY_PLAN_PAUSE_SECONDS": str(PLAN_PAUSE_SECONDS),  # read by slow_plans.py only
}


def _servers() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the topology is PostgreSQL and Redis: this run uses SQLite")
    redis_url = os.environ.get("TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/15")
    missing = harness.postgres_unreachable(url) or harness.redis_unreachable(redis_url)
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; .ci/run must start PostgreSQL and Redis")
        pytest.skip(missing)
    return url, redis_url


@pytest.fixture(scope="module")
def topology(request, tmp_path_factory):
    url, redis_url = _servers()
    topology = harness.Topology(url, redis_url, tmp_path_factory.mktemp("topology"))
    failed_before = request.session.testsfailed
    try:
        topology.open(TOPOLOGY_SETTINGS)
        yield topology
    finally:
        if request.session.testsfailed > failed_before or not topology.web:
            print(topology.logs())  # shown with the failure: what each process said
        topology.close()


@pytest.fixture(scope="module")
def holds(topology):
    """Holds made at the start, through both web processes: one-minute holds that the
    scheduler must release later, and one bed claimed through both processes at once."""
    headers = _bearer(topology.world["triagist_token"])
    beds = topology.world["beds"]
    made = []
    for i, bed in enumerate(beds[:2]):
        answer = requests.post(
            f"{topology.web[i]}/api/v1/bedden/{bed}/reserveringen",
            json={},
            headers=headers,
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        made.append(answer.json()["id"])
    contested = beds[2]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(
                lambda base: requests.post(
                    f"{base}/api/v1/bedden/{contested}/reserveringen",
                    json={},
                    headers=headers,
                    timeout=30,
                ),
                topology.web,
            )
        )
    return {"claims": made, "contested": [a.status_code for a in answers]}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _logged_in(topology, base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/inloggen/", timeout=30).raise_for_status()
    answer = session.post(
        f"{base}/inloggen/",
        data={
            "username": topology.world["analyst"],
            "password": topology.world["password"],
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/inloggen/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, f"login through {base} failed: {answer.status_code}"
    return session


def _upload(topology, session: requests.Session, base: str, title: str) -> int:
    session.get(f"{base}/plannen/uploaden/", timeout=30).raise_for_status()
    answer = session.post(
        f"{base}/plannen/uploaden/",
        data={
            "regio": topology.world["region"],
            "kader": topology.world["framework"],
            "titel": title,
            "scorer": "lexicaal",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        files={"bestand": (f"{title}.txt", PLAN_TEXT, "text/plain")},
        headers={"Referer": f"{base}/plannen/uploaden/"},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, f"upload through {base}: {answer.status_code}"
    return int(re.search(r"/plannen/(\d+)/", answer.headers["Location"])[1])


def _requests(topology, name: str, parts: tuple[str, ...]) -> list[str]:
    """The paths of the requests a web process logged (one JSON line each) that contain
    one of ``parts``."""
    paths = []
    for line in topology.processes[name].log.read_text().splitlines():
        if not (line.startswith("{") and '"path"' in line):
            continue
        try:
            path = json.loads(line)["path"]
        except (ValueError, KeyError):  # two processes' lines mixed up: judge the raw text
            path = line
        paths += [path] if any(part in path for part in parts) else []
    return paths


def _wait(what: str, check, seconds: float, every: float = 0.25):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"{what}: not within {seconds:.0f}s")


def _running_plan_job(topology):
    """(job id, worker id, pid, arguments) of a plan job a worker holds right now, with its
    plan 'bezig' (read, paused before scoring by slow_plans.py)."""
    rows = topology.read(
        "SELECT j.id, l.worker_id, b.pid, j.args_kwargs "
        "FROM django_tasks_database_dbtaskresult j "
        "JOIN ops_tasklease l ON l.task_id = j.id "
        "JOIN ops_workerbeat b ON b.worker_id = l.worker_id "
        "JOIN plans_plan p ON p.id = (j.args_kwargs->'args'->>0)::bigint "
        "WHERE j.status = 'RUNNING' AND j.task_path LIKE 'regiotafel.plans.%%' "
        "AND p.status = 'bezig'"
    )
    return rows[0] if rows else None


def test_plans_uploaded_through_both_web_processes_are_each_processed_exactly_once_even_when_a_worker_is_killed_mid_job(  # noqa: E501
    topology, holds
):
    assert len(PLAN_TEXT) > INLINE_BYTES, "a plan for the queue, not for the request"
    sessions = {base: _logged_in(topology, base) for base in topology.web}
    plans = [
        _upload(topology, sessions[base], base, f"plan-{i}-via-{n}")
        for n, base in enumerate(topology.web)
        for i in range(PLANS_PER_WEB_PROCESS)
    ]

    job, worker_id, pid, arguments = _wait(
        "a worker holding a plan mid-job", lambda: _running_plan_job(topology), 60
    )
    victim = next(p for p in topology.processes.values() if p.popen.pid == pid)
    victim.signal(signal.SIGKILL)
    victim.popen.wait(timeout=10)
    plan_of_job = arguments["args"][0]
    assert topology.read(
        "SELECT p.status, count(s.id) FROM plans_plan p LEFT JOIN plans_passage s "
        "ON s.plan_id = p.id WHERE p.id = %s GROUP BY p.status",
        plan_of_job,
    ) == [("bezig", 0)], "killed mid-job: the plan was being processed, nothing stored yet"

    def all_done():
        rows = topology.read("SELECT id, status FROM plans_plan WHERE id = ANY(%s)", plans)
        return all(status in ("klaar", "mislukt") for _, status in rows) and rows

    _wait("every plan processed", all_done, 120, every=0.5)
    statuses = dict(topology.read("SELECT id, status FROM plans_plan WHERE id = ANY(%s)", plans))
    assert statuses == {plan: "klaar" for plan in plans}
    jobs = topology.read(
        "SELECT args_kwargs->'args'->>0, status FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE 'regiotafel.plans.%%'"
    )
    assert sorted(jobs) == sorted((str(plan), "SUCCESSFUL") for plan in plans), "one job each"
    sets = set()
    for plan in plans:
        passages, indexes = topology.read(
            "SELECT count(*), count(DISTINCT index) FROM plans_passage WHERE plan_id = %s", plan
        )[0]
        assert passages == indexes > 0, f"plan {plan}: one set of passages"
        sets.add(passages)
        stored = topology.read(
            "SELECT count(*) FROM core_auditevent WHERE object_type = 'plans.plan' "
            "AND object_id = %s AND action = 'update' AND detail->'velden' ? 'pages'",
            str(plan),
        )[0][0]
        assert stored == 1, f"plan {plan}: processed {stored} times"
    assert len(sets) == 1, "the same text gives every plan the same passages, once"
    status, leased_by, attempts = topology.read(
        "SELECT j.status, l.worker_id, l.attempts FROM django_tasks_database_dbtaskresult j "
        "JOIN ops_tasklease l ON l.task_id = j.id WHERE j.id = %s",
        job,
    )[0]
    assert status == "SUCCESSFUL"
    assert leased_by != worker_id, "the killed worker's job was finished by the other worker"
    assert attempts == 2


def test_an_expired_hold_is_released_by_the_scheduler_with_no_request_touching_it(topology, holds):
    claims = holds["claims"]
    assert sorted(holds["contested"]) == [201, 409], "one bed, claimed through both processes"
    (expires,) = topology.read(
        "SELECT max(expires_at) FROM capacity_claim WHERE id = ANY(%s)", claims
    )[0]
    released = _wait(
        "the scheduler released the expired holds",
        lambda: (
            topology.read(
                "SELECT count(*) FROM capacity_claim WHERE id = ANY(%s) AND state = 'verlopen'",
                claims,
            )[0][0]
            == len(claims)
        ),
        120,
        every=1,
    )
    assert released
    touched = {
        name: _requests(topology, name, ("/bedden/", "/reserveringen", "/capaciteit/"))
        for name in ("web-1", "web-2")
    }
    assert sorted(len(paths) for paths in touched.values()) == [2, 2], (
        f"no request but the four that made the holds, two through each process: {touched}"
    )
    beds = topology.read(
        "SELECT DISTINCT b.status FROM capacity_bed b JOIN capacity_claim c ON c.bed_id = b.id "
        "WHERE c.id = ANY(%s)",
        claims,
    )
    assert beds == [("niet_bezet",)]
    events = topology.read(
        "SELECT channel, actor_id, occurred_at FROM core_auditevent "
        "WHERE object_type = 'capacity.claim' AND object_id = ANY(%s) AND action = 'update'",
        [str(c) for c in claims],
    )
    assert len(events) == len(claims)
    assert {(channel, actor) for channel, actor, _ in events} == {("system", None)}
    assert all(at >= expires - timedelta(seconds=1) for _, _, at in events)


def test_database_connections_stay_within_the_pool_limits_during_a_burst_of_1000_requests(
    topology,
):
    urls = [f"{base}/api/v1/{path}" for base in topology.web for path in ("mij", "plannen")]
    with Watcher(topology.connections) as watcher:
        burst = open_loop(
            urls,
            headers=_bearer(topology.world["analyst_token"]),
            count=BURST_REQUESTS,
            rate=BURST_RATE,
        )
    print(
        f"burst: {len(burst.outcomes)} answers in {burst.seconds:.1f}s, {burst.statuses()}, "
        f"p50 {burst.latency(0.5) * 1000:.0f} ms, p99 {burst.latency(0.99) * 1000:.0f} ms, "
        f"most connections {max(sum(s.values()) for s in watcher.samples)} "
        f"(limit {harness.connection_limit()}, {len(watcher.samples)} samples)"
    )
    assert burst.statuses() == {200: BURST_REQUESTS}
    assert burst.seconds < 60, "the burst was answered within a bounded time"
    assert len(watcher.samples) > 50
    assert max(sum(s.values()) for s in watcher.samples) <= harness.connection_limit()
    per_process = max(n for s in watcher.samples for n in s.values())
    assert per_process <= harness.DB_POOL_MAX


def test_gezond_reports_a_stopped_worker(topology):
    """First the worker killed mid-job above (no goodbye: its beat went stale), then one that
    stops on SIGTERM (it says goodbye)."""
    workers = [p for name, p in topology.processes.items() if name.startswith("worker")]

    def reports(expected: int):
        def check():
            status, body = topology.health()
            return (status, body) if body["checks"]["workers"]["alive"] == expected else None

        return _wait(f"/gezond counts {expected} workers", check, LEASE_SECONDS + 15, every=1)

    running = [p for p in workers if p.alive]
    assert running, "a worker to stop"
    status, body = reports(len(running))
    assert (status, body["status"]) == (
        (200, "healthy") if len(running) == len(workers) else (503, "unhealthy")
    )
    running[0].stop()
    status, body = reports(len(running) - 1)
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"]["ok"]
    assert not body["checks"]["workers"]["ok"]
