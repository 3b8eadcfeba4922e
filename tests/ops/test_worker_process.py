"""Real worker processes on the database queue (an embedded SQLite database of their own):
a worker killed mid-job (SIGKILL) leaves its job to another worker after the lease, and the
job finishes exactly once; a worker told to stop (SIGTERM) finishes its job first."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REGIOTAFEL = [sys.executable, "-m", "regiotafel"]


def environment(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TASKS_BACKEND"}}
    env.update(
        REGIOTAFEL_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="regiotafel.settings",
        TASK_LEASE_SECONDS="5",
        SCHEDULE_STALE_WARNINGS_SECONDS="0",
    )
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    template = tmp_path_factory.mktemp("template")
    subprocess.run(
        [*REGIOTAFEL, "migrate", "-v0"],
        env=environment(template),
        check=True,
        cwd=ROOT,
        timeout=300,
    )
    return template


@pytest.fixture
def data_dir(migrated, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(migrated, target)
    return target


def enqueue(data_dir: Path, trace: Path, seconds: float) -> str:
    code = (
        "import django; django.setup()\n"
        "from tests.ops.slow_tasks import slow_trace\n"
        f"print(slow_trace.enqueue({str(trace)!r}, {seconds}).id)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=environment(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip().splitlines()[-1]


def start_worker(data_dir: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*REGIOTAFEL, "worker", "--interval", "0.2", "--worker-id", name],
        env=environment(data_dir),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def lines(trace: Path) -> list[str]:
    return trace.read_text().split() if trace.exists() else []


def job_row(data_dir: Path, job_id: str) -> tuple:
    with sqlite3.connect(data_dir / "regiotafel.sqlite3") as db:
        return db.execute(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
            " WHERE replace(id, '-', '') = ?",
            (job_id.replace("-", ""),),
        ).fetchone()


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    out, _err = process.communicate(timeout=30)
    return out


def test_a_killed_workers_job_is_finished_once_by_another_worker_after_its_lease(
    data_dir, tmp_path
):
    trace = tmp_path / "trace.txt"
    job = enqueue(data_dir, trace, 2)
    first = start_worker(data_dir, "eerste")
    try:
        assert wait_for(lambda: lines(trace) == ["start"], 30), stop(first)
        first.kill()  # SIGKILL: no clean-up, the lease stays until it runs out
        first.wait(10)
        assert job_row(data_dir, job)[0] == "RUNNING"
        second = start_worker(data_dir, "tweede")
        try:
            assert wait_for(lambda: "done" in lines(trace), 40), stop(second)
            assert wait_for(lambda: job_row(data_dir, job)[0] == "SUCCESSFUL", 10)
        finally:
            stop(second)
    finally:
        if first.poll() is None:
            first.kill()
    assert lines(trace) == ["start", "start", "done"]
    assert job_row(data_dir, job)[1] == '["eerste", "tweede"]'


def test_a_worker_told_to_stop_finishes_its_job_first(data_dir, tmp_path):
    trace = tmp_path / "trace.txt"
    job = enqueue(data_dir, trace, 2)
    worker = start_worker(data_dir, "netjes")
    try:
        assert wait_for(lambda: lines(trace) == ["start"], 30), stop(worker)
        worker.send_signal(signal.SIGTERM)
        out = worker.communicate(timeout=30)[0]
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, out
    assert lines(trace) == ["start", "done"]
    assert job_row(data_dir, job)[0] == "SUCCESSFUL"
    with sqlite3.connect(data_dir / "regiotafel.sqlite3") as db:
        stopped = db.execute("SELECT stopped_at FROM ops_workerbeat WHERE worker_id = 'netjes'")
        assert stopped.fetchone()[0] is not None
