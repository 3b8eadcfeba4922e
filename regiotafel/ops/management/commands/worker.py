"""`regiotafel worker`: run queued jobs and the scheduler until SIGTERM (docs/operations.md)."""

from __future__ import annotations

import os
import signal
import threading

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from redis.exceptions import RedisError

from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.ops import queue, scheduler, worker

_REDIS_GONE = gettext_lazy(
    "De Redis-wachtrij is niet bereikbaar; controleer REDIS_URL en of Redis draait."
)


class Command(RegiotafelCommand):
    help = _(
        "Start een worker: voert taken uit de wachtrij uit (planverwerking, prognoses, "
        "rapporten) en draait de periodieke taken. Stopt netjes op SIGTERM: de lopende taak "
        "wordt eerst afgemaakt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wachtrijen",
            "--queues",
            dest="queues",
            default="*",
            help=_("Wachtrijen, gescheiden door komma's; '*' is alle (standaard)."),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help=_("Aantal taken tegelijk in dit proces (standaard 1)."),
        )
        parser.add_argument(
            "--eenmalig",
            "--burst",
            dest="burst",
            action="store_true",
            help=_(
                "Voer uit wat klaarstaat (en de periodieke taken die nu aan de beurt zijn), "
                "en stop dan."
            ),
        )
        parser.add_argument(
            "--zonder-planner",
            "--no-scheduler",
            dest="scheduler",
            action="store_false",
            help=_("Draai geen periodieke taken in dit proces."),
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help=_("Seconden wachten als de wachtrij leeg is (standaard 1)."),
        )
        parser.add_argument("--worker-id", default=None, help=_("Naam van deze worker (uniek)."))
        parser.add_argument(
            "--status",
            action="store_true",
            help=_("Toon de wachtrij, de levende workers en de periodieke taken, en stop."),
        )

    def handle(
        self, *args, queues, threads, burst, scheduler, interval, worker_id, status, **options
    ):
        if status:
            try:
                self._status()
            except RedisError:
                raise self._error(_REDIS_GONE) from None
            return
        if threads < 1 or interval < 0:
            raise self._error(_("--threads moet minstens 1 zijn en --interval niet negatief."))
        stop = threading.Event()
        previous = self._on_signals(stop)
        names = [name.strip() for name in queues.split(",") if name.strip()] or ["*"]
        try:
            stats = worker.run(
                stop_event=stop,
                queues=names,
                threads=threads,
                burst=burst,
                run_scheduler=scheduler,
                interval=interval,
                worker_id=worker_id,
            )
        except ValueError:
            raise self._error(
                _(
                    "De worker werkt met de database- of Redis-wachtrij; "
                    "TASKS_BACKEND is '%(name)s'."
                )
                % {"name": worker.backend_name()}
            ) from None
        except RedisError:
            raise self._error(_REDIS_GONE) from None
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(
            _("Worker gestopt: %(done)s taken klaar, %(failed)s mislukt.")
            % {"done": stats.done, "failed": stats.failed}
        )

    @staticmethod
    def _error(message: str):
        from django.core.management.base import CommandError

        return CommandError(message)

    def _on_signals(self, stop: threading.Event) -> dict:
        def handler(signum, frame):
            if stop.is_set():  # a second signal: stop now, the lease brings the job back
                os._exit(1)
            self.stderr.write(_("Stoppen: de lopende taak wordt afgemaakt…"))
            stop.set()

        previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
        for signum in previous:
            signal.signal(signum, handler)
        return previous

    def _status(self) -> None:
        lag = queue.queue_lag()
        self.stdout.write(
            _("Wachtrij: oudste wachtende taak %(lag)s s; %(counts)s")
            % {
                "lag": lag["lag_seconds"],
                "counts": ", ".join(f"{k} {v}" for k, v in lag["counts"].items()),
            }
        )
        alive = queue.workers_alive()
        self.stdout.write(_("Levende workers: %(n)s") % {"n": len(alive)})
        for beat in alive:
            self.stdout.write(f"  {beat['hostname']}:{beat['pid']} {beat['worker_id']}")
        for row in scheduler.last_runs():
            self.stdout.write(
                f"  {row['name']}: {row['last_status'] or '-'} {row['last_run_at'] or '-'} "
                f"({row['last_result']})"
            )
