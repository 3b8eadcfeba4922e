"""`regiotafel demo` is still one command: the web server, a worker and the scheduler start
together on the embedded database, a queued job is done by the demo's worker, and Ctrl+C or
SIGTERM stops everything, worker included."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PASSWORD = "demo-proces-wachtwoord"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("BSN_HASH_KEY", None)
    env["REGIOTAFEL_DATA_DIR"] = str(data_dir)
    return env


def health(base: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{base}/gezond", timeout=3) as answer:  # noqa: S310
            return json.load(answer)
    except urllib.error.HTTPError as refused:
        return json.load(refused)
    except OSError:
        return None


def wait_for(condition, process: subprocess.Popen, log: Path, seconds: float = 180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the demo stopped:\n{log.read_text()}")
        found = condition()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds}s in vain:\n{log.read_text()}")


def children(pid: int) -> list[int]:
    """The demo's child processes (started from its main thread, listed under it)."""
    return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-processen")


def start_demo(data_dir: Path) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = data_dir / f"demo-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "regiotafel", "demo", "--poort", str(port)]
            + ["--wachtwoord", PASSWORD],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environment(data_dir),
            start_new_session=True,  # its own process group, as in a terminal
        )
    return process, f"http://127.0.0.1:{port}", log


def stop(process: subprocess.Popen, how: str) -> int:
    if how == "ctrl-c":  # the terminal sends SIGINT to the foreground process group
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.terminate()
    return process.wait(timeout=60)


def test_the_demo_runs_a_worker_and_the_scheduler_and_ctrl_c_stops_both(data_dir):
    process, base, log = start_demo(data_dir)
    try:
        report = wait_for(
            lambda: (h := health(base)) and h["checks"]["scheduler"].get("last_run") and h,
            process,
            log,
        )
        assert report["status"] == "healthy"
        assert report["checks"]["workers"]["alive"] == 1
        (worker,) = children(process.pid)
        assert alive(worker)
        job = (
            subprocess.run(
                [sys.executable, "-m", "regiotafel", "shell", "-c", ENQUEUE],
                env=environment(data_dir),
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        done = wait_for(lambda: job_status(data_dir, job) == "SUCCESSFUL", process, log, 120)
        assert done
    finally:
        code = stop(process, "ctrl-c")
    assert code == 0, log.read_text()
    assert not alive(worker)
    text = log.read_text()
    assert "Worker gestopt" in text
    assert "De demo is gestopt." in text


def test_sigterm_stops_the_demo_and_its_worker(data_dir):
    process, base, log = start_demo(data_dir)
    try:
        wait_for(lambda: (h := health(base)) and h["checks"]["workers"].get("alive"), process, log)
        (worker,) = children(process.pid)
    finally:
        code = stop(process, "sigterm")
    assert code == 0, log.read_text()
    assert not alive(worker)
    assert "Worker gestopt" in log.read_text()


ENQUEUE = """
from regiotafel.plans.jobs import process_plan
from regiotafel.plans.models import Plan
print(process_plan.enqueue(Plan.objects.order_by("pk").first().pk).id)
"""


def job_status(data_dir: Path, job: str) -> str:
    script = (
        "from django_tasks_db.models import DBTaskResult; "
        f"print(DBTaskResult.objects.get(pk={job!r}).status)"
    )
    found = subprocess.run(
        [sys.executable, "-m", "regiotafel", "shell", "-c", script],
        env=environment(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return found.stdout.strip().splitlines()[-1] if found.stdout.strip() else ""
