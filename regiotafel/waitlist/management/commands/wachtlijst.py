from pathlib import Path

from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.core.models import Organisation
from regiotafel.waitlist import duplicates, registrations, rejected


class Command(RegiotafelCommand):
    help = _(
        "Gedeelde wachtlijst: 'importeer' leest de lijst van een aanbieder in, "
        "'ontdubbel' zoekt mogelijke dubbele inschrijvingen."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        importeer = sub.add_parser("importeer", help=_("Lees een CSV- of XLSX-wachtlijst in."))
        importeer.add_argument("bestand")
        importeer.add_argument(
            "--aanbieder", required=True, help=_("AGB-code van de aanbieder (dossierhouder).")
        )
        importeer.add_argument(
            "--alleen-geldige",
            action="store_true",
            dest="alleen_geldige",
            help=_("Lees de geldige rijen in, ook als andere rijen fout zijn."),
        )
        importeer.add_argument("--afgekeurd", help=_("Schrijf de afgekeurde rijen naar dit CSV."))
        sub.add_parser("ontdubbel", help=_("Zoek opnieuw naar mogelijke dubbele inschrijvingen."))
        sub.add_parser(
            "opruimen", help=_("Verwijder afgekeurde importrijen waarvan de bewaartijd voorbij is.")
        )

    def handle(self, *args, opdracht, **options):
        if opdracht == "opruimen":
            deleted = rejected.purge_expired()
            self.stdout.write(_("%(n)s verlopen afgekeurde import(s) verwijderd.") % {"n": deleted})
            return
        if opdracht == "ontdubbel":
            found = duplicates.refresh_candidates()
            self.stdout.write(_("%(n)s nieuwe mogelijke dubbele(n) gevonden.") % {"n": found})
            return
        provider = Organisation.objects.filter(agb_code=options["aanbieder"]).first()
        if provider is None:
            raise errors.NotFound(
                _("Geen aanbieder met AGB-code %(agb)s.") % {"agb": options["aanbieder"]},
                code="aanbieder-niet-gevonden",
            )
        report = registrations.import_registrations(
            user=None,
            provider=provider,
            source=options["bestand"],
            valid_only=options["alleen_geldige"],
        )
        self.stdout.write(
            _(
                "%(file)s ingelezen voor %(org)s: %(c)s nieuw, %(u)s gewijzigd, "
                "%(n)s ongewijzigd, %(r)s afgekeurd."
            )
            % {
                "file": options["bestand"],
                "org": provider,
                "c": report.created,
                "u": report.updated,
                "n": report.unchanged,
                "r": len(report.rejected),
            }
        )
        if report.rejected and options.get("afgekeurd"):
            Path(options["afgekeurd"]).write_text(report.rejected_csv(), encoding="utf-8")
            self.stdout.write(
                _("Afgekeurde rijen staan in %(path)s.") % {"path": options["afgekeurd"]}
            )
