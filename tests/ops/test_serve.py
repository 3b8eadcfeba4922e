"""`regiotafel serve` as a real process: gunicorn on a free loopback port, hashed static files,
/gezond; PostgreSQL through a bounded pool; SQLite in WAL mode."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from regiotafel import config

pytestmark = pytest.mark.integration

REGIOTAFEL = [sys.executable, "-m", "regiotafel"]


# ---------------------------------------------------------------- settings


def test_postgresql_goes_through_a_bounded_pool_and_django_keeps_no_connection(tmp_path):
    env = {"DATABASE_URL": "postgresql://app@db.intern:5432/regiotafel"}
    pool = config.Pool(min_size=2, max_size=5, timeout=7)
    database = config.database_config(env, data_dir=tmp_path, pool=pool)
    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 5, "timeout": 7}
    assert database["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    assert database["OPTIONS"]["application_name"] == "regiotafel"


def test_a_pool_whose_minimum_exceeds_its_maximum_stops_the_start():
    with pytest.raises(config.SettingsError, match="DB_POOL_MIN"):
        config.Pool(min_size=5, max_size=2)


def test_the_settings_configure_the_pool_from_the_environment(settings):
    assert settings.DB_POOL.max_size >= 1
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        assert settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"] == (
            settings.DB_POOL.max_size
        )


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    database = config.database_config({}, data_dir=tmp_path)
    assert database["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert "synchronous=NORMAL" in database["OPTIONS"]["init_command"]


def test_on_sqlite_readers_and_the_writer_do_not_wait_for_each_other(
    tmp_path, django_db_blocker, monkeypatch
):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    # The browser tests' session-wide Playwright keeps an event loop in this thread; these
    # two connections are plain synchronous ones to a file of their own.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    def connect(alias):
        settings_dict = {
            **config.database_config({}, data_dir=tmp_path),
            "ATOMIC_REQUESTS": False,
            "AUTOCOMMIT": True,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        }
        wrapper = DatabaseWrapper(settings_dict, alias=alias)
        wrapper.ensure_connection()
        return wrapper

    django_db_blocker.unblock()  # its own file, not the test database
    writer, reader = connect("writer"), connect("reader")
    try:
        with writer.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("CREATE TABLE bed (id integer primary key, status text)")
            cursor.execute("INSERT INTO bed (status) VALUES ('vrij')")
        # A writer in the middle of its transaction does not hold a reader up ...
        writer.connection.execute("BEGIN IMMEDIATE")
        writer.connection.execute("UPDATE bed SET status = 'bezet'")
        started = time.monotonic()
        assert reader.connection.execute("SELECT status FROM bed").fetchone()[0] == "vrij"
        assert time.monotonic() - started < 1
        writer.connection.execute("COMMIT")
        # ... and a reader in the middle of its transaction does not hold the writer's commit
        # up (with a rollback journal the commit would wait for the reader's lock).
        reader.connection.execute("BEGIN")
        assert reader.connection.execute("SELECT status FROM bed").fetchone()[0] == "bezet"
        started = time.monotonic()
        writer.connection.execute("BEGIN IMMEDIATE")
        writer.connection.execute("UPDATE bed SET status = 'vrij'")
        writer.connection.execute("COMMIT")
        assert time.monotonic() - started < 1
        assert reader.connection.execute("SELECT status FROM bed").fetchone()[0] == "bezet"
        reader.connection.execute("COMMIT")
    finally:
        writer.close()
        reader.close()
        django_db_blocker.restore()


# ---------------------------------------------------------------- the real process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        REGIOTAFEL_DATA_DIR=str(data_dir),
        HEALTH_MIN_WORKERS="0",  # no task worker in these tests
        WEB_WORKERS="2",
        WEB_THREADS="2",
        SECURE_COOKIES="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 180):
    return subprocess.run(
        [*REGIOTAFEL, *args], env=env, capture_output=True, text=True, timeout=timeout
    )


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path):
    port = free_port()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [*REGIOTAFEL, "serve", "--adres", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                assert process.poll() is None, log.read_text()
                with contextlib.suppress(requests.ConnectionError):
                    requests.get(f"{base}/gezond", timeout=5)
                    break
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
            yield base, process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def assert_it_serves(base: str, data_dir: Path) -> None:
    health = requests.get(f"{base}/gezond", timeout=10)
    assert health.status_code == 200, health.text
    assert health.json()["checks"]["database"]["ok"] is True
    assert "Set-Cookie" not in health.headers
    assert health.headers["X-Request-ID"]

    manifest = json.loads((data_dir / "static" / "staticfiles.json").read_text())
    plain = next(name for name in manifest["paths"] if name.startswith("regiotafel/"))
    hashed = manifest["paths"][plain]
    assert hashed != plain  # collected under its content hash
    static = requests.get(f"{base}/static/{hashed}", timeout=10)
    assert static.status_code == 200
    assert "immutable" in static.headers["Cache-Control"]
    assert int(static.headers["Cache-Control"].split("max-age=")[1].split(",")[0]) >= 3600 * 24

    chart_library = requests.get(f"{base}/grafieken/plotly.js", timeout=30)
    assert chart_library.status_code == 200
    assert "public" in chart_library.headers["Cache-Control"]
    assert "no-store" not in chart_library.headers["Cache-Control"]
    # ... redirected to the minified bundle under its content hash, gzip, immutable
    assert re.search(r"/static/regiotafel/vendor/[\w.-]+\.[0-9a-f]{12}\.js$", chart_library.url)
    assert "immutable" in chart_library.headers["Cache-Control"]
    assert chart_library.headers.get("Content-Encoding") == "gzip"

    login = requests.get(f"{base}/inloggen/", timeout=10)
    assert login.status_code == 200
    assert f"/static/{hashed}" in login.text or any(
        f"/static/{h}" in login.text for p, h in manifest["paths"].items() if p != h
    )


def test_serve_refuses_to_start_while_migrations_are_pending(tmp_path):
    result = run(["serve", "--adres", f"127.0.0.1:{free_port()}"], environment(tmp_path))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "regiotafel migrate" in lines[0] and "migratie" in lines[0]


def test_serve_without_collecting_refuses_to_start_without_a_manifest(tmp_path):
    env = environment(tmp_path)
    assert run(["migrate", "--verbosity", "0"], env).returncode == 0
    result = run(["serve", "--zonder-collectstatic", "--adres", f"127.0.0.1:{free_port()}"], env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "regiotafel collectstatic" in lines[0]


def test_serve_on_sqlite_answers_health_and_hashed_static_files(tmp_path):
    env = environment(tmp_path)
    migrated = run(["migrate", "--verbosity", "0"], env)
    assert migrated.returncode == 0, migrated.stderr
    with serving(env, tmp_path / "serve.log") as (base, _process):
        assert_it_serves(base, tmp_path)
        with sqlite3.connect(tmp_path / "regiotafel.sqlite3") as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    log = (tmp_path / "serve.log").read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert {"/gezond", "/inloggen/"} <= {line["path"] for line in lines}


# ---------------------------------------------------------------- PostgreSQL


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in {"postgres", "postgresql"} else None


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


@contextlib.contextmanager
def fresh_postgres_database(url: str):
    import psycopg

    name = f"rt_serve_{os.getpid()}_{secrets.token_hex(3)}"
    admin = psycopg.connect(with_database(url, "postgres"), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, admin
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def web_connections(admin, database: str) -> int:
    row = admin.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = %s AND application_name LIKE 'regiotafel web %%'",
        [database],
    ).fetchone()
    return row[0]


@pytest.mark.skipif(postgres_url() is None, reason="needs PostgreSQL (set DATABASE_URL)")
def test_serve_on_postgresql_keeps_connections_within_the_pools_under_a_burst(tmp_path):
    workers, pool_max = 2, 2
    with fresh_postgres_database(postgres_url()) as (database, admin):
        env = environment(
            tmp_path,
            DATABASE_URL=with_database(postgres_url(), database),
            SECRET_KEY=secrets.token_urlsafe(50),
            BSN_HASH_KEY=secrets.token_urlsafe(50),
            WEB_WORKERS=str(workers),
            WEB_THREADS="4",  # more threads than connections: they wait for the pool
            DB_POOL_MIN="1",
            DB_POOL_MAX=str(pool_max),
            DB_POOL_TIMEOUT="20",
        )
        migrated = run(["migrate", "--verbosity", "0"], env)
        assert migrated.returncode == 0, migrated.stderr
        with serving(env, tmp_path / "serve.log") as (base, _process):
            assert_it_serves(base, tmp_path)
            seen = []

            def ask(_n):
                return requests.get(f"{base}/gezond", timeout=60).status_code

            with ThreadPoolExecutor(max_workers=40) as pool:
                futures = [pool.submit(ask, n) for n in range(400)]
                deadline = time.monotonic() + 180
                while not all(f.done() for f in futures):
                    seen.append(web_connections(admin, database))
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
                statuses = [f.result() for f in futures]
            seen.append(web_connections(admin, database))
            assert statuses and set(statuses) == {200}, statuses
            assert max(seen) <= workers * pool_max, seen
            assert max(seen) >= 1  # the count does see the workers' connections
        # after the server stopped, none of its connections is left behind
        deadline = time.monotonic() + 10
        while web_connections(admin, database) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert web_connections(admin, database) == 0
