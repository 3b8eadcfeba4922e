"""Jobs the worker tests enqueue: they leave a trace in a file, so a test can count how often
a job started and how often it finished, across worker processes."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_trace(path: str, seconds: float) -> str:
    trace = Path(path)
    with trace.open("a") as out:
        out.write("start\n")
    time.sleep(seconds)
    with trace.open("a") as out:
        out.write("done\n")
    return "klaar"


@task()
def quick(value: int) -> int:
    return value * 2


@task()
def broken() -> None:
    raise RuntimeError("kapot")
