from django.utils.translation import gettext as _

from regiotafel.capacity import claims
from regiotafel.core.management.base import RegiotafelCommand


class Command(RegiotafelCommand):
    help = _("Capaciteitscoördinatie: 'vrijgeven' geeft verlopen reserveringen vrij.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        sub.add_parser(
            "vrijgeven",
            help=_(
                "Geef alle reserveringen vrij waarvan de termijn verstreken is (de worker doet "
                "dit elke minuut vanzelf; dit is voor een handmatige ronde)."
            ),
        )

    def handle(self, *args, opdracht, **options):
        released = claims.release_expired()
        self.stdout.write(_("%(n)s verlopen reservering(en) vrijgegeven.") % {"n": released})
