"""The restore of docs/deployment.md, done for real on PostgreSQL: roles made by the role
script, migrated as the owner, audited work done as the application role, ``pg_dump``,
``pg_restore`` into a fresh database, and the platform pointed at it: it starts, has no
migration left, its audit chain verifies with the same last hash, and the application role
still cannot remove events.

Runs when DATABASE_URL names PostgreSQL and the client programs (pg_dump, pg_restore, psql;
Debian's postgresql-client) are installed; every name it creates ends in this process's id
and is dropped afterwards."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "regiotafel" / "data"
URL = os.environ.get("DATABASE_URL", "")
CLIENTS = ["pg_dump", "pg_restore", "psql", "createdb"]

if not URL.startswith(("postgres://", "postgresql://")):
    pytest.skip("a restore needs PostgreSQL (DATABASE_URL)", allow_module_level=True)
if any(shutil.which(name) is None for name in CLIENTS):
    if os.environ.get("CI"):
        raise RuntimeError("CI runs on PostgreSQL without pg_dump/pg_restore/psql")
    pytest.skip("pg_dump, pg_restore or psql is not installed", allow_module_level=True)


class Cluster:
    """The PostgreSQL server of DATABASE_URL, reached as its (super)user for the operator's
    steps: creating roles and databases, dumping and restoring."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", str(parts.port or 5432)
        self.user, self.password = parts.username or "postgres", parts.password or ""
        suffix = os.getpid()
        self.owner, self.app = f"rt_restore_owner_{suffix}", f"rt_restore_app_{suffix}"
        self.source, self.restored = f"rt_restore_src_{suffix}", f"rt_restore_dst_{suffix}"
        self.owner_password = secrets.token_urlsafe(24)
        self.app_password = secrets.token_urlsafe(24)

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "PGHOST": self.host, "PGPORT": self.port, "PGUSER": self.user}
        if self.password:
            env["PGPASSWORD"] = self.password
        return {**env, **extra}

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            list(args), env=self.env(**extra), capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    def psql(self, database: str, sql: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            check=False,
        )

    def url(self, role: str, password: str, database: str) -> str:
        return f"postgresql://{role}:{password}@{self.host}:{self.port}/{database}"

    def drop_everything(self) -> None:
        for database in [self.source, self.restored]:
            self.psql("postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for role in [self.app, self.owner]:
            self.psql("postgres", f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def cluster():
    found = Cluster(URL)
    found.drop_everything()
    yield found
    found.drop_everything()


def regiotafel(database_url: str, data_dir: Path, keys: dict, *args: str):
    env = {**os.environ, **keys, "DATABASE_URL": database_url}
    env["REGIOTAFEL_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "regiotafel", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def chain(output: str) -> tuple[int, str]:
    """(number of events, last hash) from the line of `regiotafel audit controleer`."""
    count = int(re.search(r"(\d+)", output)[1])
    return count, re.search(r"\b([0-9a-f]{64})\b", output)[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_of_a_started_server(url: str, data_dir: Path, keys: dict) -> dict:
    """`regiotafel serve` on the restored database, asked /gezond once it answers."""
    port = free_port()
    env = {**os.environ, **keys, "DATABASE_URL": url, "REGIOTAFEL_DATA_DIR": str(data_dir)}
    env.update(WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS="1", WEB_THREADS="2")
    log = data_dir / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "regiotafel", "serve"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/gezond", timeout=3) as r:  # noqa: S310
                    return json.load(r)
            except urllib.error.HTTPError as answer:  # 503: no worker runs here
                return json.load(answer)
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"regiotafel serve did not answer:\n{log.read_text()}")
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_a_dump_restored_into_a_fresh_database_starts_and_its_audit_chain_verifies(
    cluster, tmp_path
):
    # The roles and the database, with the script docs/deployment.md runs.
    cluster.run(
        "sh",
        str(ROOT / "deploy" / "postgres" / "create-roles.sh"),
        PGDATABASE="postgres",
        REGIOTAFEL_OWNER_ROLE=cluster.owner,
        REGIOTAFEL_APP_ROLE=cluster.app,
        REGIOTAFEL_DATABASE=cluster.source,
        REGIOTAFEL_OWNER_PASSWORD=cluster.owner_password,
        REGIOTAFEL_APP_PASSWORD=cluster.app_password,
    )
    keys = {"SECRET_KEY": secrets.token_urlsafe(50), "BSN_HASH_KEY": secrets.token_urlsafe(50)}
    owner = cluster.url(cluster.owner, cluster.owner_password, cluster.source)
    app = cluster.url(cluster.app, cluster.app_password, cluster.source)
    data = tmp_path / "data"

    # Migrate and secure as the owner; work as the application role (audited imports).
    ok(regiotafel(owner, data, keys, "migrate", "--noinput"))
    ok(regiotafel(owner, data, keys, "audit", "beveilig", "--app-rol", cluster.app))
    phases = DATA / "regio_fasen_2020-10.csv"
    ok(regiotafel(app, data, keys, "portfolio", "importeer-fasen", str(phases), "--maak-regios"))
    municipalities = DATA / "zhn_municipalities.csv"
    ok(
        regiotafel(
            app, data, keys, "gemeenten", "importeer", str(municipalities),
            "--regio", "Zuid-Holland Noord",
        )
    )  # fmt: skip
    events, last_hash = chain(ok(regiotafel(app, data, keys, "audit", "controleer")))
    assert events > 13  # the regions, their phases and the 13 municipalities, each logged

    # Back up, then restore into a fresh database owned by the same owner.
    dump = tmp_path / "regiotafel.dump"
    cluster.run("pg_dump", "--format=custom", "--file", str(dump), "--dbname", cluster.source)
    cluster.run("createdb", "--owner", cluster.owner, "--template", "template0", cluster.restored)
    for statement in [
        f'REVOKE ALL ON DATABASE "{cluster.restored}" FROM PUBLIC',
        f'GRANT CONNECT, TEMPORARY ON DATABASE "{cluster.restored}" TO "{cluster.app}"',
    ]:
        assert cluster.psql("postgres", statement).returncode == 0, statement
    cluster.run("pg_restore", "--exit-on-error", "--dbname", cluster.restored, str(dump))

    # The platform, pointed at the restored database as the application role, starts.
    restored = cluster.url(cluster.app, cluster.app_password, cluster.restored)
    fresh = tmp_path / "fresh-data"
    assert chain(ok(regiotafel(restored, fresh, keys, "audit", "controleer"))) == (
        events,
        last_hash,
    )
    ok(regiotafel(restored, fresh, keys, "migrate", "--check"))
    ok(regiotafel(restored, fresh, keys, "check"))
    report = health_of_a_started_server(restored, fresh, keys)
    assert report["checks"]["database"]["ok"] is True

    # The restored grants: the application role still cannot remove or change events.
    as_app = {"PGUSER": cluster.app, "PGPASSWORD": cluster.app_password}
    for statement in [
        "TRUNCATE core_auditevent",
        "DELETE FROM core_auditevent",
        "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
    ]:
        refused = cluster.psql(cluster.restored, statement, **as_app)
        assert refused.returncode != 0, statement
    assert chain(ok(regiotafel(restored, fresh, keys, "audit", "controleer")))[0] == events
