"""The real topology as real processes: a fresh PostgreSQL database, Redis, two
`regiotafel serve` processes and two `regiotafel worker` processes, all on loopback.

Everything is started as a subprocess with a clean environment, as an operator would start
it; the test process only talks HTTP to the web processes and reads the database with its own
plain psycopg connection (never Django's, never to write). :meth:`Topology.close` always stops
every process (SIGTERM to its process group, SIGKILL after a grace period) and drops the
database, also when a test failed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

WORLD_SCRIPT = Path(__file__).with_name("world.py")
SLOW_PLANS = Path(__file__).with_name("slow_plans.py")
READER = "topology-test"  # application_name of the test's own reading connections

# Small pools and short intervals, so the limits are reachable and the scheduler visible
# within the test's three minutes (docs/operations.md, "How the topology is tested").
WEB_PROCESSES = 2
WEB_WORKERS = 2  # gunicorn worker processes per `regiotafel serve`
WEB_THREADS = 3
DB_POOL_MIN = 1
DB_POOL_MAX = 3
WORKER_PROCESSES = 2
TOPOLOGY_ENV = {
    "WEB_WORKERS": str(WEB_WORKERS),
    "WEB_THREADS": str(WEB_THREADS),
    "DB_POOL_MIN": str(DB_POOL_MIN),
    "DB_POOL_MAX": str(DB_POOL_MAX),
    "DB_POOL_TIMEOUT": "10",
    "SECURE_COOKIES": "false",  # plain http on loopback: the session cookie must travel
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}


def connection_limit() -> int:
    """The most connections the topology may ever hold: every process's pool full (each
    gunicorn worker and each task worker has its own pool of DB_POOL_MAX)."""
    return (WEB_PROCESSES * WEB_WORKERS + WORKER_PROCESSES) * DB_POOL_MAX


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


def postgres_unreachable(url: str) -> str:
    """'' when the PostgreSQL server of ``url`` answers, else why not."""
    try:
        with psycopg.connect(with_database(url, "postgres"), connect_timeout=3):
            return ""
    except psycopg.Error as exc:
        return f"PostgreSQL at {urlsplit(url).hostname} does not answer: {exc}".strip()


def redis_unreachable(url: str) -> str:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=3) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return ""
            return f"Redis at {parts.hostname} does not answer PING"
    except OSError as exc:
        return f"Redis at {parts.hostname} does not answer: {exc}"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        """Signal the process and its children (gunicorn's workers): its own group."""
        if self.alive:
            os.killpg(self.popen.pid, sig)

    def stop(self, grace: float = 10) -> None:
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # children left by a killed leader
            os.killpg(self.popen.pid, signal.SIGKILL)


@dataclass
class Topology:
    admin_url: str  # a PostgreSQL URL of the server; its database part is replaced
    redis_url: str
    workdir: Path
    name: str = field(default_factory=lambda: f"rt_topology_{secrets.token_hex(4)}")
    processes: dict[str, Process] = field(default_factory=dict)
    web: list[str] = field(default_factory=list)  # base URLs of the web processes
    world: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    _admin: psycopg.Connection | None = None

    @property
    def url(self) -> str:
        return with_database(self.admin_url, self.name)

    # ------------------------------------------------------------ the database

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(with_database(self.admin_url, "postgres"), autocommit=True)

    def create_database(self) -> None:
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop_database(self) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def read(self, sql: str, *params) -> list[tuple]:
        """Rows from the topology's database, read with a connection of the test's own."""
        with psycopg.connect(self.url, autocommit=True, application_name=READER) as conn:
            return conn.execute(sql, params).fetchall()

    def read_admin(self, sql: str, *params) -> list[tuple]:
        """Rows from the server's ``postgres`` database (pg_stat_activity), over one kept
        connection: watching must not add connections to the database it watches."""
        if self._admin is None:
            self._admin = self.admin()
        return self._admin.execute(sql, params).fetchall()

    def connections(self) -> dict[str, int]:
        """The topology's client connections to its database now, per application_name
        (the test's own readers left out)."""
        return dict(
            self.read_admin(
                "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND backend_type = 'client backend' AND application_name <> %s "
                "GROUP BY application_name",
                self.name,
                READER,
            )
        )

    # ------------------------------------------------------------ the processes

    def make_env(self, extra: dict[str, str]) -> dict[str, str]:
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(
            DATABASE_URL=self.url,
            REDIS_URL=self.redis_url,
            SECRET_KEY=secrets.token_urlsafe(50),
            BSN_HASH_KEY=secrets.token_urlsafe(50),
            REGIOTAFEL_DATA_DIR=str(self.workdir / "data"),
            PYTHONUNBUFFERED="1",
            **TOPOLOGY_ENV,
            **extra,
        )
        (self.workdir / "data").mkdir(exist_ok=True)
        return env

    def command(self, *args: str, timeout: float = 180) -> str:
        """Run ``regiotafel ARGS`` to completion; its output, or a failure that shows it."""
        done = subprocess.run(
            [sys.executable, "-m", "regiotafel", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.workdir,
        )
        if done.returncode:
            raise AssertionError(
                f"regiotafel {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> Process:
        """Start ``regiotafel ARGS``; ``worker`` through slow_plans.py, which pauses every
        plan mid-job so the test can kill a worker while it holds one."""
        program = [str(SLOW_PLANS)] if args[0] == "worker" else ["-m", "regiotafel"]
        log = self.workdir / f"{name}.log"
        with log.open("w") as out:
            popen = subprocess.Popen(
                [sys.executable, *program, *args],
                env={**self.env, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                start_new_session=True,  # its own process group: stopped with its children
            )
        self.processes[name] = Process(name, popen, log)
        return self.processes[name]

    def logs(self) -> str:
        return "\n".join(
            f"===== {p.name} (exit {p.popen.poll()}) =====\n{p.log.read_text()[-4000:]}"
            for p in self.processes.values()
        )

    def wait_healthy(self, base: str, process: Process, seconds: float = 90) -> None:
        """Until ``/gezond`` answers 200: database, queue, both workers and the scheduler."""
        deadline = time.monotonic() + seconds
        answer = None
        while time.monotonic() < deadline:
            if not process.alive:
                raise AssertionError(f"{process.name} stopped:\n{self.logs()}")
            try:
                answer = requests.get(f"{base}/gezond", timeout=3)
                if answer.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        said = answer.text if answer is not None else "nothing"
        raise AssertionError(f"{base}/gezond not healthy within {seconds}s: {said}")

    # ------------------------------------------------------------ the whole

    def open(self, extra_env: dict[str, str]) -> None:
        self.env = self.make_env(extra_env)
        self.create_database()
        self.command("migrate", "--no-input", "-v0")
        self.command("collectstatic", "--no-input", "-v0")  # once, as an image build does
        output = self.command("shell", "-c", WORLD_SCRIPT.read_text())
        line = next(x for x in output.splitlines() if x.startswith("WORLD "))
        self.world = json.loads(line.removeprefix("WORLD "))
        for i in range(WORKER_PROCESSES):
            self.start(f"worker-{i + 1}", "worker")
        starting = []
        for i in range(WEB_PROCESSES):
            port = free_port()
            web = self.start(
                f"web-{i + 1}", "serve", "--zonder-collectstatic", "--adres", f"127.0.0.1:{port}"
            )
            starting.append((f"http://127.0.0.1:{port}", web))
        for base, process in starting:
            self.wait_healthy(base, process)
            self.web.append(base)

    def close(self) -> None:
        try:
            for process in self.processes.values():
                process.stop()
        finally:
            if self._admin is not None:
                self._admin.close()
            self.drop_database()

    def health(self, base: str | None = None) -> tuple[int, dict]:
        answer = requests.get(f"{base or self.web[0]}/gezond", timeout=10)
        return answer.status_code, answer.json()
