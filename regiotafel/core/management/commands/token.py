from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import services
from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.core.models import Organisation, User


class Command(RegiotafelCommand):
    help = _("Maakt een nieuw API-token voor een gebruiker en drukt het eenmalig af.")

    def add_arguments(self, parser):
        parser.add_argument("gebruikersnaam")
        parser.add_argument(
            "--organisatie", help=_("AGB-code of id van de organisatie waarnamens het token werkt.")
        )
        parser.add_argument("--naam", default="", help=_("Waarvoor het token dient."))

    def handle(self, *args, gebruikersnaam, organisatie, naam, **options):
        user = User.objects.filter(username=gebruikersnaam).first()
        if user is None:
            raise errors.NotFound(
                _("Gebruiker '%(name)s' bestaat niet.") % {"name": gebruikersnaam},
                code="gebruiker-niet-gevonden",
            )
        organisation = None
        if organisatie:
            lookup = {"agb_code": organisatie} if len(organisatie) == 8 else {"pk": organisatie}
            organisation = (
                Organisation.objects.filter(**lookup).first()
                if organisatie.isascii() and organisatie.isdigit()
                else None
            )
            if organisation is None:
                raise errors.NotFound(
                    _("Organisatie '%(org)s' bestaat niet.") % {"org": organisatie},
                    code="organisatie-niet-gevonden",
                )
        self.stdout.write(services.issue_token(user=user, organisation=organisation, name=naam))
