from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import services
from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.core.models import Region


class Command(RegiotafelCommand):
    help = _("Gemeenten beheren: 'importeer BESTAND --regio NAAM' leest een gemeentelijst in.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        importeer = sub.add_parser(
            "importeer",
            help=_("Lees een CSV in met gemeentecode, gemeente, subregio, inwoners_JJJJ."),
        )
        importeer.add_argument("bestand", help=_("Pad naar het CSV-bestand."))
        importeer.add_argument("--regio", required=True, help=_("Naam of korte naam van de regio."))

    def handle(self, *args, opdracht, bestand, regio, **options):
        region = (
            Region.objects.filter(name=regio).first() or Region.objects.filter(slug=regio).first()
        )
        if region is None:
            raise errors.NotFound(
                _("Regio '%(name)s' bestaat niet.") % {"name": regio}, code="regio-niet-gevonden"
            )
        result = services.import_municipalities(source=bestand, region=region)
        self.stdout.write(
            _(
                "%(file)s ingelezen voor %(region)s: %(created)s nieuw, %(updated)s gewijzigd, "
                "%(unchanged)s ongewijzigd."
            )
            % {
                "file": bestand,
                "region": region,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
