from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.core.models import Region
from regiotafel.portfolio import exports, imports, renderers, services
from regiotafel.portfolio.models import Project


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise errors.InvalidInput(
            _("'%(value)s' is geen datum in de vorm JJJJ-MM-DD.") % {"value": value},
            code="ongeldige-datum",
        ) from None


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise errors.InvalidInput(
            _("Kan %(path)s niet schrijven: %(reason)s") % {"path": path, "reason": exc.strerror},
            code="bestand-niet-schrijfbaar",
        ) from None


def _region(name: str | None) -> Region | None:
    if not name:
        return None
    region = (
        Region.objects.filter(name__iexact=name).first() or Region.objects.filter(slug=name).first()
    )
    if region is None:
        raise errors.NotFound(
            _("Geen regio %(name)s.") % {"name": name}, code="regio-niet-gevonden"
        )
    return region


class Command(RegiotafelCommand):
    help = _(
        "Portfolio: 'importeer-projecten' en 'importeer-fasen' lezen een CSV- of XLSX-bestand "
        "in, 'rapport' schrijft de voortgangsrapportage op een peildatum."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        projects = sub.add_parser("importeer-projecten", help=_("Lees projecten in."))
        projects.add_argument("bestand")
        projects.add_argument("--regio", help=_("De regio van alle projecten in het bestand."))
        projects.add_argument("--peildatum", help=_("JJJJ-MM-DD; anders uit de bestandsnaam."))
        phases = sub.add_parser("importeer-fasen", help=_("Lees de fasen per regio in."))
        phases.add_argument("bestand")
        phases.add_argument("--peildatum", help=_("JJJJ-MM-DD; anders uit de bestandsnaam."))
        phases.add_argument(
            "--maak-regios",
            action="store_true",
            dest="maak_regios",
            help=_("Maak de regio's die het bestand noemt en die nog niet bestaan."),
        )
        totals = sub.add_parser(
            "importeer-fasetotalen", help=_("Lees gepubliceerde landelijke aantallen per fase in.")
        )
        totals.add_argument("bestand")
        export = sub.add_parser(
            "exporteer-projecten",
            help=_("Schrijf de projecten met hun stand op een peildatum, in het importformaat."),
        )
        export.add_argument("--peildatum", required=True, help=_("JJJJ-MM-DD"))
        export.add_argument("--formaat", required=True, choices=sorted(exports.FORMATS))
        export.add_argument("--uit", required=True, help=_("Het bestand om te schrijven."))
        export.add_argument("--regio", help=_("Alleen de projecten van deze regio."))
        report = sub.add_parser("rapport", help=_("Schrijf de voortgangsrapportage."))
        report.add_argument("--peildatum", required=True, help=_("JJJJ-MM-DD"))
        report.add_argument("--vergelijk", help=_("Een tweede peildatum om mee te vergelijken."))
        report.add_argument("--formaat", required=True, choices=sorted(renderers.RENDERERS))
        report.add_argument("--uit", required=True, help=_("Het bestand om te schrijven."))
        report.add_argument("--regio", help=_("Alleen de projecten van deze regio."))
        report.add_argument(
            "--thema", help=_("Het thema van tabel 12 (anders Technologie, zoals gepubliceerd).")
        )

    def handle(self, *args, opdracht, **options):
        when = _date(options["peildatum"]) if options.get("peildatum") else None
        actions = {
            "rapport": self._report,
            "exporteer-projecten": self._export,
            "importeer-projecten": self._import_projects,
            "importeer-fasen": self._import_phases,
            "importeer-fasetotalen": self._import_phase_totals,
        }
        actions[opdracht](when, options)

    def _import_phase_totals(self, _when, options) -> None:
        result = imports.import_phase_totals(source=options["bestand"])
        self.stdout.write(
            _("%(file)s ingelezen: %(c)s nieuwe en %(u)s bijgewerkte aantallen.")
            % {"file": result.name, "c": result.created, "u": result.updated}
        )

    def _import_projects(self, when: date | None, options) -> None:
        result = imports.import_projects(
            source=options["bestand"], region=_region(options["regio"]), reference_date=when
        )
        self.stdout.write(
            _(
                "%(file)s ingelezen (peildatum %(date)s): %(c)s nieuw, %(u)s gewijzigd, "
                "%(a)s nieuwe beoordelingen."
            )
            % {
                "file": result.name,
                "date": result.reference_date.isoformat(),
                "c": result.created,
                "u": result.updated,
                "a": result.assessments_added,
            }
        )

    def _import_phases(self, when: date | None, options) -> None:
        result = imports.import_phases(
            source=options["bestand"],
            reference_date=when,
            create_regions=options["maak_regios"],
            unknown_region_hint=_(
                "Is dit een nieuwe installatie of noemt het bestand nieuwe regio's? Lees het dan "
                "in met --maak-regios."
            ),
        )
        self.stdout.write(
            _("%(file)s ingelezen (peildatum %(date)s): fasen van %(n)s regio's.")
            % {
                "file": result.name,
                "date": result.reference_date.isoformat(),
                "n": len(result.regions),
            }
        )

    def _report(self, when: date, options) -> None:
        chosen = renderers.get(options["formaat"])
        report = services.build_report(
            at=when,
            compare=_date(options["vergelijk"]) if options.get("vergelijk") else None,
            region=_region(options.get("regio")),
            theme=options.get("thema"),
        )
        _write(options["uit"], chosen.render(report))
        self.stdout.write(
            _("Rapport op peildatum %(date)s (%(fmt)s) geschreven naar %(path)s.")
            % {"date": when.isoformat(), "fmt": chosen.name, "path": options["uit"]}
        )

    def _export(self, when: date, options) -> None:
        region = _region(options.get("regio"))
        projects = Project.objects.filter(region=region) if region else Project.objects.all()
        table = exports.rows(projects, at=when)
        _write(options["uit"], exports.render(table, options["formaat"]))
        self.stdout.write(
            _("%(n)s projecten (stand op %(date)s) geschreven naar %(path)s.")
            % {"n": len(table), "date": when.isoformat(), "path": options["uit"]}
        )
