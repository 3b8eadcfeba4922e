from django.core.management import call_command
from django.utils.translation import gettext as _

from regiotafel.core import demo
from regiotafel.core.management.base import RegiotafelCommand


class Command(RegiotafelCommand):
    help = _(
        "Start de demo: maakt de database bij, laadt de demoregio, toont de inloggegevens "
        "en start de webserver op 127.0.0.1:8000."
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
        self.stdout.write(
            _("Open http://%(host)s:%(port)s/ in uw browser; stoppen met Ctrl+C.")
            % {"host": adres, "port": poort}
        )
        call_command("runserver", f"{adres}:{poort}", use_reloader=False, skip_checks=True)
