"""``regiotafel demo``: one command for the whole platform on the embedded database.

It prepares the database and the demo region, then runs what a real deployment runs as
separate services: the web server (Django's development server, in this process) and a
worker (``regiotafel worker``, a child process) that takes the background jobs and runs the
scheduler. Ctrl+C or SIGTERM stops both: the worker gets SIGTERM and is waited for, so a job
it is running finishes or is left for the next start, never half-written.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading

from django.core.management import CommandError, call_command, get_commands
from django.utils.translation import gettext as _

from regiotafel.core import demo
from regiotafel.core.management.base import RegiotafelCommand

PR_SET_PDEATHSIG = 1  # prctl(2)
WORKER_STOP_SECONDS = 20  # a clean stop; after that the worker is killed (its lease expires)


class Command(RegiotafelCommand):
    help = _(
        "Start de demo: maakt de database bij, laadt de demoregio, toont de inloggegevens "
        "en start de webserver op 127.0.0.1:8000 met een worker voor achtergrondtaken en "
        "de planner."
    )

    def add_arguments(self, parser):
        parser.add_argument("--adres", default="127.0.0.1", help=_("Adres van de webserver."))
        parser.add_argument("--poort", type=int, default=8000, help=_("Poort van de webserver."))
        parser.add_argument("--wachtwoord", help=_("Eén wachtwoord voor alle demogebruikers."))
        parser.add_argument(
            "--geen-server",
            action="store_true",
            dest="geen_server",
            help=_("Alleen database en demogegevens klaarzetten, geen webserver starten."),
        )

    def handle(self, *args, adres, poort, wachtwoord, geen_server, **options):
        call_command("migrate", interactive=False, verbosity=0)
        logins = demo.seed(password=wachtwoord)
        for line in demo.describe_logins(logins):
            self.stdout.write(line)
        if geen_server:
            return
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        interrupt = signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl+C, always
        worker = None
        try:
            worker = start_worker(self.stdout)
            self.stdout.write(
                _("Open http://%(host)s:%(port)s/ in uw browser; stoppen met Ctrl+C.")
                % {"host": adres, "port": poort}
            )
            call_command("runserver", f"{adres}:{poort}", use_reloader=False, skip_checks=True)
        finally:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, interrupt)
            stop_worker(worker)
            self.stdout.write(_("De demo is gestopt."))


def _exit_on_sigterm(signum, frame):
    # runserver turns KeyboardInterrupt into sys.exit(0); SIGTERM takes the same way out, so
    # the `finally` above stops the worker instead of leaving it running on its own.
    raise KeyboardInterrupt


def start_worker(out) -> subprocess.Popen:
    """``regiotafel worker`` as a child process, with this process's settings (data folder)."""
    if "worker" not in get_commands():
        raise CommandError(_("De opdracht 'regiotafel worker' ontbreekt in deze installatie."))
    process = subprocess.Popen(
        [sys.executable, "-m", "regiotafel", "worker"],
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        # Its own session: Ctrl+C in the terminal reaches the demo only, which then stops the
        # worker with one SIGTERM (a second signal would make the worker drop its job).
        start_new_session=True,
        preexec_fn=_stop_with_parent,
    )
    out.write(
        _("Worker gestart (proces %(pid)s): achtergrondtaken en de planner.") % {"pid": process.pid}
    )
    threading.Thread(target=_report_exit, args=(process, out), daemon=True).start()
    return process


def _stop_with_parent() -> None:
    """Linux: the worker gets SIGTERM when the demo dies without stopping it (SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: it stops when told to
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _report_exit(process: subprocess.Popen, out) -> None:
    code = process.wait()
    if code not in (0, -signal.SIGTERM, -signal.SIGINT) and not getattr(process, "stopping", False):
        out.write(
            _("De worker is onverwacht gestopt (code %(code)s); achtergrondtaken wachten.")
            % {"code": code}
        )


def stop_worker(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.stopping = True
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
