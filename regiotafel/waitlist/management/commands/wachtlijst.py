import re
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
        importeer = sub.add_parser(
            "importeer",
            help=_(
                "Lees een CSV- of XLSX-wachtlijst in; met meerdere bestanden (of een map) "
                "een bulklading: daarna één keer zoeken naar dubbelen."
            ),
        )
        importeer.add_argument("bestand", nargs="+", help=_("Bestand(en) of map(pen)."))
        importeer.add_argument(
            "--aanbieder",
            help=_(
                "AGB-code van de aanbieder (dossierhouder). Zonder deze optie begint elke "
                "bestandsnaam met de AGB-code van zijn aanbieder (73000001.csv)."
            ),
        )
        importeer.add_argument(
            "--bulk",
            action="store_true",
            help=_(
                "Bulklading, ook voor één bestand: elk bestand in zijn eigen transactie, "
                "daarna één keer zoeken naar dubbelen (vanzelf bij meerdere bestanden)."
            ),
        )
        importeer.add_argument(
            "--alleen-geldige",
            action="store_true",
            dest="alleen_geldige",
            help=_("Lees de geldige rijen in, ook als andere rijen fout zijn."),
        )
        importeer.add_argument(
            "--afgekeurd",
            help=_(
                "Schrijf de afgekeurde rijen naar dit CSV (bij een bulklading: naar deze map, "
                "één CSV per bestand)."
            ),
        )
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
        names = options["bestand"]
        if len(names) == 1 and not options["bulk"] and not Path(names[0]).is_dir():
            self._import_one(Path(names[0]), options)  # an ordinary upload
        else:
            self._import_many(_files(names), options)

    def _import_one(self, path: Path, options) -> None:
        provider = _provider(options["aanbieder"], path)
        report = registrations.import_registrations(
            user=None,
            provider=provider,
            source=str(path),
            valid_only=options["alleen_geldige"],
        )
        self._summary(str(path), provider, report)
        if report.rejected and options.get("afgekeurd"):
            Path(options["afgekeurd"]).write_text(report.rejected_csv(), encoding="utf-8")
            self.stdout.write(
                _("Afgekeurde rijen staan in %(path)s.") % {"path": options["afgekeurd"]}
            )

    def _import_many(self, paths: list[Path], options) -> None:
        providers = {path: _provider(options["aanbieder"], path) for path in paths}
        result = registrations.import_many(
            user=None,
            files=[(providers[path], str(path), str(path)) for path in paths],
            valid_only=options["alleen_geldige"],
        )
        folder = Path(options["afgekeurd"]) if options.get("afgekeurd") else None
        by_name = {str(path): path for path in paths}
        for name, report in result.imported:
            self._summary(name, providers[by_name[name]], report)
            if report.rejected and folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / f"{by_name[name].stem}-afgekeurd.csv"
                target.write_text(report.rejected_csv(), encoding="utf-8")
                self.stdout.write(_("Afgekeurde rijen staan in %(path)s.") % {"path": target})
        self.stdout.write(
            _(
                "Bulklading: %(files)s bestand(en) ingelezen, %(c)s nieuwe inschrijving(en); "
                "%(n)s nieuwe mogelijke dubbele(n) gevonden."
            )
            % {"files": len(result.imported), "c": result.created, "n": result.candidates}
        )
        if result.failed:
            for _name, failure in result.failed:
                self.stderr.write(str(failure))
            raise errors.InvalidInput(
                _(
                    "%(bad)s van %(total)s bestanden kloppen niet en zijn niet ingelezen: "
                    "%(names)s. De andere bestanden zijn wel ingelezen."
                )
                % {
                    "bad": len(result.failed),
                    "total": len(paths),
                    "names": ", ".join(name for name, _failure in result.failed),
                },
                code="bestand-bevat-fouten",
                errors=[error for _name, failure in result.failed for error in failure.errors],
            )

    def _summary(self, name: str, provider, report) -> None:
        self.stdout.write(
            _(
                "%(file)s ingelezen voor %(org)s: %(c)s nieuw, %(u)s gewijzigd, "
                "%(n)s ongewijzigd, %(r)s afgekeurd."
            )
            % {
                "file": name,
                "org": provider,
                "c": report.created,
                "u": report.updated,
                "n": report.unchanged,
                "r": len(report.rejected),
            }
        )


LIST_SUFFIXES = {".csv", ".xlsx"}
AGB_AT_START = re.compile(r"^([0-9]{8})(?![0-9])")


def _files(names: list[str]) -> list[Path]:
    """The files named, a folder standing for its CSV and XLSX files (by name)."""
    found = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in LIST_SUFFIXES)
        else:
            found.append(path)
    if not found:
        raise errors.InvalidInput(
            _("Geen CSV- of XLSX-bestanden gevonden in %(names)s.") % {"names": ", ".join(names)},
            code="bestand-bevat-fouten",
        )
    return found


def _provider(agb: str | None, path: Path) -> Organisation:
    if not agb:
        found = AGB_AT_START.match(path.name)
        if found is None:
            raise errors.NotFound(
                _(
                    "Bij %(file)s hoort geen aanbieder: geef --aanbieder AGB of laat de "
                    "bestandsnaam beginnen met de AGB-code (8 cijfers)."
                )
                % {"file": path.name},
                code="aanbieder-niet-gevonden",
            )
        agb = found.group(1)
    provider = Organisation.objects.filter(agb_code=agb).first()
    if provider is None:
        raise errors.NotFound(
            _("Geen aanbieder met AGB-code %(agb)s.") % {"agb": agb},
            code="aanbieder-niet-gevonden",
        )
    return provider
