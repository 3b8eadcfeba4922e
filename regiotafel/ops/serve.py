"""``regiotafel serve``: the production web server, gunicorn run from Python in one command.

Before gunicorn starts, :func:`prepare` refuses to serve a database with migrations still to
run (one Dutch line, exit code 2) and collects the static files under hashed names
(``collectstatic``; a file lock keeps two servers on one machine from writing at once).
Then the master closes its database connections and pool, so no worker inherits a socket,
and forks ``WEB_WORKERS`` workers of ``WEB_THREADS`` threads each. Every worker names its
PostgreSQL connections ``regiotafel web <pid>`` (``application_name``), so
``pg_stat_activity`` shows which process holds which connection. docs/serving.md.
"""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

from regiotafel.config import APPLICATION_NAME


class ServeRefused(Exception):
    """The server does not start: the message is one Dutch line for the operator."""


def pending_migrations(database: str = "default") -> list[str]:
    """The migrations ``regiotafel migrate`` would still apply, as ``app.name``."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[database])
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(targets)]


def check_migrations() -> None:
    pending = pending_migrations()
    if pending:
        raise ServeRefused(
            _(
                "De database is niet bijgewerkt: %(count)s migratie(s) staan open (%(first)s). "
                "Voer eerst 'regiotafel migrate' uit."
            )
            % {"count": len(pending), "first": pending[0]}
        )


@contextmanager
def _static_lock():
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with open(root.parent / ".collectstatic.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def collect_static() -> None:
    """Every static file under its content hash, compressed, with the manifest pages use."""
    from django.core.management import call_command

    with _static_lock():
        call_command("collectstatic", interactive=False, verbosity=0)


def close_database_connections() -> None:
    """Before the fork: no connection or pool of the master may live on in a worker."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


def prepare(*, collect: bool = True) -> None:
    check_migrations()
    if collect:
        collect_static()
    close_database_connections()
    # A server logs the pool's failed connection attempts (commands keep to one line).
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING)


def name_connections(role: str) -> None:
    """PostgreSQL connections opened from now on in this process are called
    ``regiotafel <role> <pid>`` in ``pg_stat_activity`` (call it before the first query, or
    after closing the pool). The task worker can use it too (``"worker"``)."""
    from django.db import connections

    options = connections["default"].settings_dict.setdefault("OPTIONS", {})
    if "application_name" in options:
        options["application_name"] = f"{APPLICATION_NAME} {role} {os.getpid()}"


def worker_started(server, worker) -> None:
    """gunicorn's post_fork hook: this worker's connections carry its own name."""
    name_connections("web")


def gunicorn_options() -> dict:
    threads = settings.WEB_THREADS
    return {
        "bind": settings.WEB_BIND,
        "workers": settings.WEB_WORKERS,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": settings.WEB_TIMEOUT,
        "graceful_timeout": settings.WEB_GRACEFUL_TIMEOUT,
        "keepalive": settings.WEB_KEEPALIVE,
        # Forwarded headers (X-Forwarded-Proto) only from the proxies we trust.
        "forwarded_allow_ips": ",".join(str(net) for net in settings.TRUSTED_PROXIES),
        "accesslog": None,  # the request log (regiotafel.request) is the access log
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "regiotafel-web",
        "post_fork": worker_started,
        "preload_app": False,
        # gunicorn 25+: no control socket in $HOME shared by every server on the machine
        "control_socket_disable": True,
    }


class Server(BaseApplication):
    """gunicorn with the options from settings, serving Django's WSGI application."""

    def __init__(self, options: dict | None = None):
        self.options = {**gunicorn_options(), **(options or {})}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # an option older gunicorns lack is left out
                self.cfg.set(key, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def serve(*, collect: bool = True, options: dict | None = None) -> None:
    prepare(collect=collect)
    Server(options).run()
