from django.core.management import call_command
from django.utils.translation import gettext as _

from regiotafel.core import demo
from regiotafel.core.management.base import RegiotafelCommand


class Command(RegiotafelCommand):
    help = _("Vult een lege database met de demoregio Zuid-Holland Noord en een gebruiker per rol.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--wachtwoord",
            help=_("Eén wachtwoord voor alle demogebruikers (standaard: elke keer nieuwe)."),
        )

    def handle(self, *args, wachtwoord=None, **options):
        call_command("migrate", interactive=False, verbosity=0)
        logins = demo.seed(password=wachtwoord)
        for line in demo.describe_logins(logins):
            self.stdout.write(line)
