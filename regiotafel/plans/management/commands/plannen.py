"""``regiotafel plannen scan PAD``: score one plan against the 30 indicators, no web server;
``regiotafel plannen verwerk``: process the uploaded plans a stopped server left unfinished."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.utils.translation import gettext as _

from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.plans import ingest, scoring
from regiotafel.plans.framework import default_framework


def scan_result(document: ingest.Document, results: list[scoring.IndicatorResult]) -> dict:
    """The JSON shape of a scan (documented in docs/cli.md and docs/plans.md)."""
    return {
        "document": document.name,
        "indicatoren": [
            {
                "id": result.indicator_id,
                "score": result.score,
                "beslissing": result.decision,
                "passages": [
                    {
                        "pagina": scored.passage.page,
                        "regel": scored.passage.line,
                        "tekst": scored.passage.text,
                        "score": scored.score,
                    }
                    for scored in result.passages
                ],
            }
            for result in results
        ],
    }


def citation(passage: ingest.Passage) -> str:
    if passage.page is None:
        return _("regel %(line)s") % {"line": passage.line}
    return _("p. %(page)s, regel %(line)s") % {"page": passage.page, "line": passage.line}


class Command(RegiotafelCommand):
    help = _(
        "Regioplannen: 'scan' leest één plan en toetst het aan de 30 indicatoren; "
        "'verwerk' verwerkt de geüploade plannen die nog wachten of bleven hangen."
    )
    requires_system_checks = []  # a scan needs no models, URLs or database: start quickly

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        scan = sub.add_parser(
            "scan", help=_("Toets één plan (PDF, DOCX, TXT of HTML) aan de indicatoren.")
        )
        scan.add_argument("pad", help=_("Het bestand met het plan."))
        scan.add_argument(
            "--scorer",
            default=scoring.DEFAULT_SCORER,
            choices=sorted(scoring.SCORERS),
            help=_("Hoe passages worden gescoord (standaard: %(default)s)."),
        )
        scan.add_argument("--json", action="store_true", help=_("Uitvoer als JSON."))
        sub.add_parser(
            "verwerk",
            help=_(
                "Verwerk de geüploade plannen die nog wachten of bij een herstart bleven hangen."
            ),
        )
        scan.add_argument(
            "--top",
            type=int,
            default=5,
            help=_("Aantal passages per indicator (standaard: %(default)s)."),
        )

    def handle(self, *args, opdracht, **options):
        if opdracht == "verwerk":
            self._process_pending()
        else:
            self._scan(**options)

    def _process_pending(self):
        from regiotafel.plans import jobs
        from regiotafel.plans.models import Plan, PlanStatus

        processed = jobs.process_pending()
        if not processed:
            self.stdout.write(_("Er wachten geen plannen op verwerking."))
            return
        for plan in Plan.objects.filter(pk__in=processed).order_by("pk").defer("source"):
            if plan.status == PlanStatus.MISLUKT:
                line = _("Plan %(id)s (%(title)s): mislukt: %(error)s")
            else:
                line = _("Plan %(id)s (%(title)s): klaar.")
            self.stdout.write(line % {"id": plan.pk, "title": plan.title, "error": plan.error})
        failed = Plan.objects.filter(pk__in=processed, status=PlanStatus.MISLUKT).count()
        self.stdout.write(
            _("%(n)s plan(nen) verwerkt, waarvan %(f)s mislukt.")
            % {"n": len(processed), "f": failed}
        )

    def _scan(self, *, pad, scorer, json, top, **options):
        from tqdm import tqdm

        path = Path(pad)
        # On a terminal, a bar on stderr: a semantic scan of a long plan takes minutes.
        with tqdm(total=2, unit="", file=sys.stderr, disable=None, leave=False) as bar:
            bar.set_description(_("lezen"))
            document = ingest.read_document(path, name=path.name, progress=_follow(bar, 0))
            bar.set_description(_("scoren"))
            results = scoring.get_scorer(scorer).score(
                document, default_framework(), top_k=max(1, top), progress=_follow(bar, 1)
            )
        for warning in document.warnings:
            self.stderr.write(warning)
        if json:
            self.stdout.write(_dumps(scan_result(document, results)))
        else:
            self._table(document, results, scorer)

    def _table(self, document, results, scorer):
        specs = {spec.id: spec for spec in default_framework()}
        self.stdout.write(
            _("%(doc)s: %(n)s passages, scorer %(scorer)s")
            % {"doc": document.name, "n": len(document.passages), "scorer": scorer}
        )
        header = f"{_('Indicator'):<9} {_('Score'):>6}  {_('Beslissing'):<11}  {_('Beste passage')}"
        self.stdout.write(header)
        for result in results:
            best = result.passages[0] if result.passages else None
            where = citation(best.passage) if best else "-"
            name = specs[result.indicator_id].name if result.indicator_id in specs else ""
            self.stdout.write(
                f"{result.indicator_id:<9} {_decimal(result.score):>6}  {result.decision:<11}  "
                f"{where}: {name}"
            )
        counts = {d: sum(r.decision == d for r in results) for d in scoring.DECISIONS}
        self.stdout.write(
            _("Gedekt: %(g)s, deels: %(d)s, niet gedekt: %(n)s.")
            % {"g": counts["gedekt"], "d": counts["deels"], "n": counts["niet gedekt"]}
        )


def _decimal(value: float) -> str:
    """A score as Dutch readers write it: 0,608."""
    return f"{value:.3f}".replace(".", ",")


def _follow(bar, step: int):
    """A progress callback moving a two-step bar (reading, scoring) within its step."""

    def report(done: int, total: int) -> None:
        bar.n = round(step + done / max(total, 1), 3)
        bar.refresh()

    return report


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
