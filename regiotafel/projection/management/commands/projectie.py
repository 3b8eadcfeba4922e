"""``regiotafel projectie run|rapport``: the gap analysis from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core.management.base import RegiotafelCommand
from regiotafel.projection import params as params_module
from regiotafel.projection import runner

LONG_RUN = 50  # draws from which a progress bar is worth showing


class Command(RegiotafelCommand):
    requires_system_checks = []  # pure computation: no database, no URLs
    help = _(
        "Zorgkloof: 'run' rekent vraag, aanbod en tekort door tot het eindjaar en schrijft "
        "één lange tabel; 'rapport' maakt een HTML-rapport en een XLSX met alle tabellen."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="opdracht", required=True, title=_("opdrachten"))
        run = sub.add_parser("run", help=_("Reken een parameterbestand door."))
        run.add_argument("parameters", help=_("YAML- of JSON-parameterbestand."))
        run.add_argument(
            "--out", required=True, help=_("Resultaat: .parquet, of .csv (komma-gescheiden).")
        )
        self._draws(run)
        rapport = sub.add_parser("rapport", help=_("Maak het rapport van een parameterbestand."))
        rapport.add_argument("parameters", help=_("YAML- of JSON-parameterbestand."))
        rapport.add_argument("--html", help=_("Schrijf het HTML-rapport hierheen."))
        rapport.add_argument("--xlsx", help=_("Schrijf de XLSX met alle tabellen hierheen."))
        self._draws(rapport)

    @staticmethod
    def _draws(parser) -> None:
        parser.add_argument(
            "--trekkingen",
            type=int,
            help=_("Aantal Monte-Carlotrekkingen (standaard: zoals in het parameterbestand)."),
        )

    def handle(self, *args, opdracht, **options):
        if opdracht == "run" and Path(options["out"]).suffix.lower() not in (".parquet", ".csv"):
            raise errors.InvalidInput(
                _("--out moet eindigen op .parquet of .csv, niet %(name)s.")
                % {"name": Path(options["out"]).name},
                code="ongeldige-optie",
            )
        params = params_module.load(Path(options["parameters"]))
        draws = options.get("trekkingen")
        if draws is not None and draws < 0:
            raise errors.InvalidInput(
                _("--trekkingen mag niet negatief zijn."), code="ongeldige-optie"
            )
        if opdracht == "run":
            self._run(params, draws, Path(options["out"]))
        else:
            self._report(params, draws, options.get("html"), options.get("xlsx"))

    def _results(self, params, draws: int | None) -> pd.DataFrame:
        total = params.draws if draws is None else draws
        if total < LONG_RUN:
            return runner.run(params, draws=draws)
        from tqdm import tqdm

        with tqdm(
            total=1, desc=_("gemeenten"), unit="", file=sys.stderr, disable=None, leave=False
        ) as bar:

            def progress(done: int, of: int) -> None:
                bar.total = of
                bar.n = done
                bar.refresh()

            return runner.run(params, draws=draws, progress=progress)

    def _run(self, params, draws: int | None, out: Path) -> None:
        suffix = out.suffix.lower()
        results = self._results(params, draws)
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            results.to_csv(out, index=False)
        else:
            results.to_parquet(out, index=False)
        self.stdout.write(
            _("%(n)s rijen geschreven naar %(path)s (%(m)s gebieden, %(s)s scenario's).")
            % {
                "n": len(results),
                "path": out,
                "m": results["gemeente"].nunique(),
                "s": results["scenario"].nunique(),
            }
        )
        if results.attrs.get("bron"):
            self.stdout.write(_("Bron: %(bron)s") % {"bron": results.attrs["bron"]})

    def _report(self, params, draws: int | None, html: str | None, xlsx: str | None) -> None:
        if not html and not xlsx:
            raise errors.InvalidInput(_("Geef --html, --xlsx of allebei."), code="ongeldige-optie")
        from regiotafel.projection import report

        results = self._results(params, draws)
        labels = report.default_labels({params.region_code: params.region})
        report.write_report(
            results,
            html_path=Path(html) if html else None,
            xlsx_path=Path(xlsx) if xlsx else None,
            title=params.name,
            indicators=runner.indicators(params),
            decomposition=runner.decomposition(params),
            labels=labels,
            source=results.attrs.get("bron") or None,
        )
        for path in (html, xlsx):
            if path:
                self.stdout.write(_("Geschreven: %(path)s") % {"path": path})
