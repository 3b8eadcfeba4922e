from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.ops import serve


class Command(RegiotafelCommand):
    help = _(
        "Start de webserver voor productie (gunicorn): controleert de migraties, verzamelt "
        "de statische bestanden en start WEB_WORKERS processen met WEB_THREADS threads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--adres",
            help=_("Waar de server luistert (host:poort of unix:/pad); standaard WEB_BIND/PORT."),
        )
        parser.add_argument(
            "--zonder-collectstatic",
            action="store_true",
            help=_(
                "Verzamel de statische bestanden niet (het image deed dat al); "
                "weigert te starten zonder manifest."
            ),
        )

    def handle(self, *args, adres=None, zonder_collectstatic=False, **options):
        from django.contrib.staticfiles.storage import staticfiles_storage

        try:
            serve.prepare(collect=not zonder_collectstatic)
        except serve.ServeRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        if zonder_collectstatic and not staticfiles_storage.hashed_files:
            raise CommandError(
                _(
                    "Geen manifest van statische bestanden in %(root)s; "
                    "voer 'regiotafel collectstatic' uit of start zonder --zonder-collectstatic."
                )
                % {"root": settings.STATIC_ROOT},
                returncode=2,
            )
        serve.Server({"bind": adres} if adres else None).run()
