from django.db import transaction
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.accounts import twofactor
from regiotafel.accounts.models import RegionSecurity, SecondFactor
from regiotafel.core import audit
from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.core.models import AuditAction, Region, User

STATES = {
    "aan": SecondFactor.PERSONAL_DATA,
    "beheerders": SecondFactor.ADMINISTRATORS,
    "uit": SecondFactor.OFF,
}


class Command(RegiotafelCommand):
    help = _("Accountbeveiliging: tweestapsverificatie per regio en koppelingen herstellen.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        switch = sub.add_parser(
            "tweestaps",
            help=_(
                "Toon of zet de tweestapsverificatie van een regio: aan (beheerders en rollen "
                "die persoonsgegevens zien), beheerders (alleen beheerders) of uit."
            ),
        )
        switch.add_argument("--regio", required=True, help=_("Korte naam van de regio."))
        switch.add_argument("stand", nargs="?", choices=sorted(STATES))
        reset = sub.add_parser(
            "tweestaps-herstel",
            help=_("Verwijder de koppeling van een gebruiker (telefoon kwijt)."),
        )
        reset.add_argument("gebruikersnaam")

    def handle(self, *args, opdracht, **options):
        if opdracht == "tweestaps":
            self._switch(options["regio"], options.get("stand"))
        else:
            self._reset(options["gebruikersnaam"])

    def _switch(self, slug: str, state: str | None) -> None:
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            raise errors.NotFound(
                _("Regio '%(slug)s' bestaat niet.") % {"slug": slug}, code="regio-niet-gevonden"
            )
        if state is not None:
            RegionSecurity.objects.update_or_create(
                region=region, defaults={"second_factor": STATES[state]}
            )
        level = SecondFactor(twofactor.level_of(region))
        self.stdout.write(
            _("Tweestapsverificatie in %(region)s: verplicht voor %(who)s.")
            % {"region": region, "who": level.label}
            if level != SecondFactor.OFF
            else _("Tweestapsverificatie in %(region)s: voor niemand verplicht.")
            % {"region": region}
        )

    @transaction.atomic
    def _reset(self, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise errors.NotFound(
                _("Gebruiker '%(name)s' bestaat niet.") % {"name": username},
                code="gebruiker-niet-gevonden",
            )
        from django_otp.plugins.otp_totp.models import TOTPDevice

        count, _deleted = TOTPDevice.objects.filter(user=user).delete()
        audit.record(AuditAction.UPDATE, user, detail={"tweestapsverificatie": "verwijderd"})
        self.stdout.write(
            _(
                "%(count)s koppeling(en) van %(name)s verwijderd; bij de volgende inlog stelt "
                "%(name)s een nieuwe in."
            )
            % {"count": count, "name": username}
        )
