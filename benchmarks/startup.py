"""Benchmark: how long a command takes to start, against ``django.setup()`` alone.

    python benchmarks/startup.py [--runs 15]

Each command runs in a fresh interpreter, ``--runs`` times, interleaved (one of each in turn,
so a burst of load from other work hits all of them alike); the minimum and the median wall
time and CPU time (user + system of the child: less sensitive to other work on the machine)
are reported, with the load average. Commands:

1. ``python -c 'import django'`` — the interpreter and Django's package, no settings;
2. the baseline: ``python -c 'import django; django.setup()'`` with our settings;
3. ``regiotafel --help`` (the console entry point: setup, then Django's help);
4. ``django.setup()`` and ``import regiotafel.urls`` (what a server's first request loads);
5. ``python -c 'import pandas, pyarrow'`` — what a start used to pay for the projection app.

It also says whether pandas or pyarrow is imported after 2, 3 and 4 (it must not be:
tests/test_startup.py checks it).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECK = "import sys; print('pandas' in sys.modules or 'pyarrow' in sys.modules)"
SETUP = "import django; django.setup()"


def commands() -> dict[str, list[str]]:
    python = sys.executable
    entry = shutil.which("regiotafel", path=str(Path(python).parent)) or "regiotafel"
    return {
        "import django": [python, "-c", "import django"],
        "django.setup() (baseline)": [python, "-c", SETUP],
        "regiotafel --help": [entry, "--help"],
        "setup + import regiotafel.urls": [python, "-c", f"{SETUP}; import regiotafel.urls"],
        "import pandas, pyarrow": [python, "-c", "import pandas, pyarrow"],
    }


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    env.setdefault("REGIOTAFEL_DATA_DIR", tempfile.mkdtemp(prefix="startup-"))
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``command``."""

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    start, start_cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, children_cpu() - start_cpu


def heavy_imported(code: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}; {CHECK}"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = environment()
    todo = commands()
    times: dict[str, list[float]] = {name: [] for name in todo}
    cpus: dict[str, list[float]] = {name: [] for name in todo}
    load = os.getloadavg()[0]
    for command in todo.values():  # warm the file cache once
        run(command, env)
    for _ in range(args.runs):
        for name, command in todo.items():
            wall, cpu = run(command, env)
            times[name].append(wall)
            cpus[name].append(cpu)
    base = min(times["django.setup() (baseline)"])
    base_cpu = min(cpus["django.setup() (baseline)"])
    print(f"load average {load:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'command':<34} {'wall min':>8} {'median':>8} {'ratio':>6}   "
        f"{'CPU min':>8} {'median':>8} {'ratio':>6}   (ratios: minimum over the baseline's)"
    )
    for name, values in times.items():
        cpu = cpus[name]
        print(
            f"{name:<34} {min(values):7.3f}s {statistics.median(values):7.3f}s "
            f"{min(values) / base:6.2f}   {min(cpu):7.3f}s {statistics.median(cpu):7.3f}s "
            f"{min(cpu) / base_cpu:6.2f}"
        )
    print("pandas/pyarrow imported after django.setup():", heavy_imported(SETUP, env))
    urls = f"{SETUP}; import regiotafel.urls"
    print("pandas/pyarrow imported after import regiotafel.urls:", heavy_imported(urls, env))


if __name__ == "__main__":
    main()
