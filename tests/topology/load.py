"""Open-loop load and a connection watcher, for the topology test.

Open loop: request *i* is due at ``start + i / rate`` whatever happened to earlier ones, and
its latency counts from that due time, so a slow server shows as latency instead of silently
slowing the arrivals down (no coordinated omission). Every request goes to loopback only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests


@dataclass
class Outcome:
    status: int | str  # the HTTP status, or the name of the error when there was no answer
    latency: float  # seconds from the scheduled send time to the end of the answer


@dataclass
class Burst:
    outcomes: list[Outcome]
    seconds: float  # from the first scheduled send to the last answer

    def statuses(self) -> dict:
        counted: dict = {}
        for outcome in self.outcomes:
            counted[outcome.status] = counted.get(outcome.status, 0) + 1
        return counted

    def latency(self, share: float) -> float:
        ordered = sorted(o.latency for o in self.outcomes)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def open_loop(
    urls: list[str], *, headers: dict, count: int, rate: float, senders: int = 100
) -> Burst:
    """``count`` GET requests at ``rate`` per second, round-robin over ``urls``."""
    start = time.monotonic() + 0.5
    due = [start + i / rate for i in range(count)]
    outcomes: list[Outcome | None] = [None] * count

    def send(i: int) -> None:
        wait = due[i] - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            answer = requests.get(urls[i % len(urls)], headers=headers, timeout=30)
            status: int | str = answer.status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        outcomes[i] = Outcome(status, time.monotonic() - due[i])

    with ThreadPoolExecutor(max_workers=senders) as pool:
        list(pool.map(send, range(count)))
    return Burst([o for o in outcomes if o is not None], time.monotonic() - start)


@dataclass
class Watcher:
    """Samples a number (the database's connections) every ``every`` seconds in a thread."""

    sample: Callable[[], dict[str, int]]
    every: float = 0.05
    samples: list[dict[str, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Watcher:
        self._thread = threading.Thread(target=self._run, daemon=True, name="watcher")
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.sample())
            self._stop.wait(self.every)
