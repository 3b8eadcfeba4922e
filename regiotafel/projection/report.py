"""The gap-analysis report: one self-contained HTML file (plotly.js inline, works offline) and
an XLSX with every table, from the long results table of ``runner.run``.

The table builders here and the charts in ``figures.py`` are shared with the platform's page
(``views.py``), so the report and the page show the same figures. Nothing here computes a
projection: it only shapes and renders what the engine produced.

Input columns (``runner.run``): ``gemeente`` (CBS code ``GM....``, or the region's code for the
region totals), ``jaar``, ``scenario``, ``product``, ``run``, ``vraag``, ``aanbod``, ``tekort``,
``tekort_pct`` and, where draws were made, ``vraag_p10/p50/p90`` and ``tekort_p10/p50/p90``.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regiotafel.core.tabular import neutralise, xlsx_bytes, xlsx_workbook
from regiotafel.lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:  # imported on first use: not while Django starts (regiotafel/lazy.py)
    pd = lazy_module("pandas")

KEY_YEARS = (2025, 2030, 2040)
MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")
BAND_COLUMNS = ("vraag_p10", "vraag_p90", "tekort_p10", "tekort_p90")


@dataclass(frozen=True)
class Labels:
    """Dutch names for the codes in the results: municipalities, scenarios, products."""

    areas: Mapping[str, str]
    scenarios: Mapping[str, str]
    products: Mapping[str, str]
    indicators: Mapping[str, str] = field(default_factory=dict)
    factors: Mapping[str, str] = field(default_factory=dict)

    def area(self, code: str) -> str:
        return str(self.areas.get(code, code))

    def scenario(self, key: str) -> str:
        return str(self.scenarios.get(key, key))

    def product(self, key: str) -> str:
        return str(self.products.get(key, key))

    def indicator(self, key: str) -> str:
        return str(self.indicators.get(key, key))

    def factor(self, key: str) -> str:
        return str(self.factors.get(key, key))


def default_labels(region_names: Mapping[str, str] | None = None) -> Labels:
    """Municipality names from the packaged reference data, scenario and product labels
    from the runner (when it is importable)."""
    from regiotafel.core.demo import DATA_DIR

    areas: dict[str, str] = {}
    with (DATA_DIR / "zhn_municipalities.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            areas[row["gemeentecode"]] = row["gemeente"]
    areas.update(region_names or {})
    from regiotafel.projection import runner

    return Labels(
        areas=areas,
        scenarios=dict(runner.SCENARIO_LABELS),
        products=dict(runner.PRODUCT_LABELS),
        indicators=dict(runner.INDICATOR_LABELS),
        factors=dict(runner.FACTOR_LABELS),
    )


def is_region_code(code: str) -> bool:
    return not MUNICIPALITY_CODE.match(str(code))


def region_codes(results: pd.DataFrame) -> list[str]:
    return sorted({c for c in results["gemeente"].unique() if is_region_code(c)})


def municipality_codes(results: pd.DataFrame, labels: Labels) -> list[str]:
    codes = [c for c in results["gemeente"].unique() if not is_region_code(c)]
    return sorted(codes, key=lambda c: labels.area(c))


def has_band(results: pd.DataFrame) -> bool:
    return all(column in results.columns for column in BAND_COLUMNS)


def baseline(results: pd.DataFrame) -> pd.DataFrame:
    """Run 0, the deterministic baseline (the table may hold only that run anyway)."""
    if "run" in results.columns:
        results = results[results["run"] == 0]
    return results


# --- Numbers as a Dutch reader expects them -------------------------------------------------


def number(value) -> str:
    """A whole number with a Dutch thousands separator: 4260 -> '4.260', -12.4 -> '-12'."""
    if value is None or pd.isna(value):
        return "—"
    return f"{round(float(value)):,}".replace(",", ".")


def percent(value) -> str:
    """``tekort_pct`` is a share of current capacity (as the engine gives it): 1.109 -> '111%'."""
    if value is None or pd.isna(value):
        return "—"
    return f"{round(100 * float(value)):,}%".replace(",", ".")


COUNT_INDICATORS = frozenset({"dementie", "inwoners", "inwoners_65plus", "inwoners_80plus"})
YEAR_COLUMNS = frozenset({"jaar", "van_jaar", "tot_jaar"})
WHOLE_COLUMNS = frozenset({"vraag", "aanbod", "tekort", "bijdrage"})  # places, clients, FTE


def indicator_value(key: str, value) -> str:
    """Persons (inhabitants, people with dementia) as whole numbers, ratios with a decimal."""
    return number(value) if key in COUNT_INDICATORS else decimal(value)


def decimal(value, places: int = 1) -> str:
    """A ratio with a Dutch decimal comma: 3.74 -> '3,7'; large counts keep a separator."""
    if value is None or pd.isna(value):
        return "—"
    if abs(float(value)) >= 1000:
        return number(value)
    return f"{float(value):,.{places}f}".translate(_DUTCH)


# --- Tables -----------------------------------------------------------------------------------


def key_year_table(
    results: pd.DataFrame,
    *,
    scenario: str,
    product: str,
    labels: Labels,
    years: tuple[int, ...] = KEY_YEARS,
) -> pd.DataFrame:
    """Per area (region first, then municipalities by name) and key year: demand, supply,
    shortage and shortage %, for one scenario and product."""
    rows = baseline(results)
    rows = rows[
        (rows["scenario"] == scenario) & (rows["product"] == product) & rows["jaar"].isin(years)
    ]
    order = {code: i for i, code in enumerate(region_codes(results))}
    for i, code in enumerate(municipality_codes(results, labels)):
        order[code] = len(order) + i
    table = rows[["gemeente", "jaar", "vraag", "aanbod", "tekort", "tekort_pct"]].copy()
    table.insert(1, "naam", table["gemeente"].map(labels.area))
    table["_order"] = table["gemeente"].map(order)
    table = table.sort_values(["_order", "jaar"]).drop(columns="_order")
    return table.reset_index(drop=True)


def key_years_all(results: pd.DataFrame, *, labels: Labels) -> pd.DataFrame:
    """The key-year table for every scenario and product, with their Dutch names."""
    parts = []
    for scenario in ordered(results["scenario"], labels.scenarios):
        for product in ordered(results["product"], labels.products):
            part = key_year_table(results, scenario=scenario, product=product, labels=labels)
            part.insert(0, "product", labels.product(product))
            part.insert(0, "scenario", labels.scenario(scenario))
            parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def ordered(values: pd.Series, known: Mapping[str, str]) -> list[str]:
    """Distinct values, in the order of the label mapping (the params file's order) first."""
    present = list(dict.fromkeys(values))
    first = [key for key in known if key in present]
    return first + [key for key in present if key not in first]


def decomposition_table(decomposition: pd.DataFrame, *, labels: Labels) -> pd.DataFrame:
    """The decomposition with the Dutch names of areas, scenarios, products and factors."""
    frame = decomposition.copy()
    frame.insert(1, "naam", frame["gemeente"].map(labels.area))
    for column, label in (
        ("scenario", labels.scenario),
        ("product", labels.product),
        ("factor", labels.factor),
    ):
        if column in frame.columns:
            frame[column] = frame[column].map(label)
    return frame


def indicator_table(indicators: pd.DataFrame, *, labels: Labels) -> pd.DataFrame:
    """Indicators wide: one row per area and indicator, one column per year."""
    wide = indicators.pivot_table(
        index=["gemeente", "indicator"], columns="jaar", values="waarde", aggfunc="first"
    ).reset_index()
    wide.columns = [str(column) for column in wide.columns]
    wide.insert(1, "naam", wide["gemeente"].map(labels.area))
    wide.insert(3, "omschrijving", wide["indicator"].map(labels.indicator))
    region_first = wide["gemeente"].map(lambda c: (0 if is_region_code(c) else 1, labels.area(c)))
    wide = wide.assign(_order=region_first).sort_values(["_order", "indicator"])
    return wide.drop(columns="_order").reset_index(drop=True)


# --- The report -------------------------------------------------------------------------------


def write_report(
    results: pd.DataFrame,
    *,
    html_path: Path | None = None,
    xlsx_path: Path | None = None,
    title: str,
    indicators: pd.DataFrame | None = None,
    decomposition: pd.DataFrame | None = None,
    labels: Labels | None = None,
    source: str | None = None,
) -> None:
    """Write the HTML report and/or the XLSX workbook of the results."""
    labels = labels or default_labels()
    source = source or source_note(results)
    if html_path is not None:
        text = render_html(
            results,
            title=title,
            indicators=indicators,
            decomposition=decomposition,
            labels=labels,
            source=source,
        )
        Path(html_path).write_text(text, encoding="utf-8")
    if xlsx_path is not None:
        Path(xlsx_path).write_bytes(
            workbook_bytes(
                results,
                indicators=indicators,
                decomposition=decomposition,
                labels=labels,
                title=title,
                source=source,
            )
        )


def source_note(results: pd.DataFrame) -> str:
    note = results.attrs.get("bron") if hasattr(results, "attrs") else None
    if not note and "bron" in results.columns and len(results):
        note = "; ".join(str(v) for v in results["bron"].dropna().unique())
    return str(note or "")


def render_html(
    results: pd.DataFrame,
    *,
    title: str,
    labels: Labels,
    indicators: pd.DataFrame | None = None,
    decomposition: pd.DataFrame | None = None,
    source: str = "",
) -> str:
    from regiotafel.core import charts  # the library and the renderer, inline: opened from disk

    scenarios = ordered(results["scenario"], labels.scenarios)
    products = ordered(results["product"], labels.products)
    body = [f"<h1>{_e(title)}</h1>", _intro(results, scenarios, products, labels, source)]
    body.append(_contents(products, labels))
    for product in products:
        body.append(_product_section(results, product, scenarios, labels))
    if indicators is not None and len(indicators):
        body.append(f'<section id="indicatoren"><h2>{_e(_("Indicatoren"))}</h2>')
        body.append(_frame_html(indicator_table(indicators, labels=labels), _("Indicatoren")))
        body.append("</section>")
    if decomposition is not None and len(decomposition):
        body.append(f'<section id="decompositie"><h2>{_e(_("Decompositie"))}</h2>')
        body.append(
            "<p>"
            + _e(
                _(
                    "Hoeveel van de verandering in het tekort tussen het basisjaar en het "
                    "eindjaar komt uit de demografie en hoeveel uit elke andere factor; de "
                    "bijdragen tellen op tot de hele verandering."
                )
            )
            + "</p>"
        )
        body.append(
            _frame_html(
                decomposition_table(decomposition, labels=labels),
                _("Decompositie van de verandering in het tekort"),
            )
        )
        body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{REPORT_CSS}</style>\n"
        f'<script type="text/javascript">{charts.library_source()}</script>\n'
        f"<script>{charts.renderer_js()}</script>\n</head>\n"
        f"<body><main>\n{''.join(body)}\n</main></body>\n</html>\n"
    )


def _intro(results, scenarios, products, labels: Labels, source: str) -> str:
    years = sorted(results["jaar"].unique())
    facts = [
        (_("Jaren"), f"{years[0]}–{years[-1]}" if years else "—"),
        (_("Scenario's"), ", ".join(labels.scenario(s) for s in scenarios)),
        (_("Producten"), ", ".join(labels.product(p) for p in products)),
        (
            _("Onzekerheid"),
            _("P10–P90 uit trekkingen (band in de grafieken)")
            if has_band(results)
            else _("alleen het basispad (geen trekkingen)"),
        ),
    ]
    if source:
        facts.append((_("Bron"), source))
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    return (
        f'<dl class="facts">{items}</dl><p>'
        + _e(
            _(
                "Tekort = vraag − aanbod; tekort % = tekort gedeeld door de huidige capaciteit. "
                "Een negatief tekort is een overschot."
            )
        )
        + "</p>"
    )


def _contents(products, labels: Labels) -> str:
    links = "".join(
        f'<li><a href="#{_anchor(p)}">{_e(labels.product(p))}</a></li>' for p in products
    )
    return f'<nav aria-label="{_e(_("Inhoud"))}"><ul>{links}</ul></nav>'


def _product_section(results, product: str, scenarios: list[str], labels: Labels) -> str:
    # figures builds on this module's Labels and readers, so it is imported here, not at the top
    from regiotafel.projection.figures import chart_html, demand_supply_figure, shortage_figure

    name = labels.product(product)
    parts = [f'<section id="{_anchor(product)}"><h2>{_e(name)}</h2>']
    for region in region_codes(results):
        parts.append(f"<h3>{_e(labels.area(region))}</h3>")
        for build in (demand_supply_figure, shortage_figure):
            figure = build(
                results, area=region, product=product, scenarios=scenarios, labels=labels
            )
            parts.append(f'<div class="chart">{chart_html(figure)}</div>')
    for scenario in scenarios:
        table = key_year_table(results, scenario=scenario, product=product, labels=labels)
        caption = _("%(product)s, %(scenario)s: vraag, aanbod en tekort per gemeente") % {
            "product": name,
            "scenario": labels.scenario(scenario),
        }
        parts.append(_key_year_html(table, caption))
    municipalities = municipality_codes(results, labels)
    if municipalities:
        parts.append(f'<h3>{_e(_("Per gemeente"))}</h3><div class="grid">')
        for code in municipalities:
            figure = demand_supply_figure(
                results, area=code, product=product, scenarios=scenarios, labels=labels
            )
            figure.update_layout(height=340)
            parts.append(f'<div class="chart">{chart_html(figure)}</div>')
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def table_rows(table: pd.DataFrame) -> list[dict]:
    """The key-year table with Dutch-formatted numbers (the page and the report show these)."""
    return [
        {
            "code": row.gemeente,
            "naam": row.naam,
            "jaar": row.jaar,
            "vraag": number(row.vraag),
            "aanbod": number(row.aanbod),
            "tekort": number(row.tekort),
            "tekort_pct": percent(row.tekort_pct),
            "region": is_region_code(row.gemeente),
        }
        for row in table.itertuples(index=False)
    ]


def wide_rows(table: pd.DataFrame) -> tuple[list[int], list[dict]]:
    """The key-year table one row per area, the years side by side: (years, rows), each row
    with ``cells`` = per year the formatted demand, supply, shortage and shortage %."""
    years = sorted(table["jaar"].unique().tolist())
    by_area: dict[str, dict] = {}
    for row in table_rows(table):
        area = by_area.setdefault(
            row["code"], {"code": row["code"], "naam": row["naam"], "region": row["region"]}
        )
        area[row["jaar"]] = row
    rows = []
    for area in by_area.values():
        cells = [area.get(year) for year in years]
        rows.append({**{k: area[k] for k in ("code", "naam", "region")}, "cells": cells})
    return years, rows


def _key_year_html(table: pd.DataFrame, caption: str) -> str:
    years, rows = wide_rows(table)
    measures = [_("Vraag"), _("Aanbod"), _("Tekort"), _("Tekort %")]
    top = f'<th scope="col" rowspan="2">{_e(_("Gebied"))}</th>' + "".join(
        f'<th scope="colgroup" colspan="4">{year}</th>' for year in years
    )
    second = "".join(f'<th scope="col" class="num">{_e(m)}</th>' for m in measures) * len(years)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{c["vraag"]}</td><td class="num">{c["aanbod"]}</td>'
            f'<td class="num">{c["tekort"]}</td><td class="num">{c["tekort_pct"]}</td>'
            if c
            else '<td class="num">—</td>' * 4
            for c in row["cells"]
        )
        body.append(f'<tr><th scope="row">{_e(row["naam"])}</th>{cells}</tr>')
    return (
        f"<table><caption>{_e(caption)}</caption>"
        f"<thead><tr>{top}</tr><tr>{second}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _column_label(column: str) -> str:
    return str(COLUMN_LABELS.get(column, column))


def _frame_html(frame: pd.DataFrame, caption: str) -> str:
    """A table of a frame with Dutch headers; years stay years, persons whole numbers."""
    head = "".join(f'<th scope="col">{_e(_column_label(c))}</th>' for c in frame.columns)
    rows = []
    for record in frame.to_dict("records"):
        key = record.get("indicator", "")
        cells = []
        for column, value in record.items():
            if column in YEAR_COLUMNS:
                cells.append(f'<td class="num">{int(value)}</td>')
            elif column in WHOLE_COLUMNS:
                cells.append(f'<td class="num">{number(value)}</td>')
            elif isinstance(value, int | float) and not isinstance(value, bool):
                shown = indicator_value(key, value) if key else decimal(value)
                cells.append(f'<td class="num">{shown}</td>')
            else:
                cells.append(f"<td>{_e(value)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_DUTCH = str.maketrans({",": ".", ".": ","})
COLUMN_LABELS = {
    "gemeente": gettext_lazy("Code"),
    "naam": gettext_lazy("Gebied"),
    "scenario": gettext_lazy("Scenario"),
    "product": gettext_lazy("Product"),
    "van_jaar": gettext_lazy("Van"),
    "tot_jaar": gettext_lazy("Tot"),
    "factor": gettext_lazy("Factor"),
    "bijdrage": gettext_lazy("Bijdrage aan het tekort"),
    "indicator": gettext_lazy("Indicator"),
    "omschrijving": gettext_lazy("Omschrijving"),
}


def _anchor(key: str) -> str:
    return "product-" + re.sub(r"[^a-z0-9]+", "-", str(key).lower()).strip("-")


def _e(value) -> str:
    return html.escape(str(value))


REPORT_CSS = """
body { font-family: system-ui, sans-serif; color: #1b1b1b; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
table { border-collapse: collapse; margin: 1rem 0 2rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: .2rem .6rem; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.facts dt { font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem; }
"""


# --- The workbook -----------------------------------------------------------------------------


def workbook_bytes(
    results: pd.DataFrame,
    *,
    labels: Labels,
    indicators: pd.DataFrame | None = None,
    decomposition: pd.DataFrame | None = None,
    title: str = "",
    source: str = "",
) -> bytes:
    """An XLSX with one sheet per table: the full results, the key years, the indicators and
    the decomposition (when given), and an explanation. Numbers stay numbers."""
    sheets = {_("Resultaten"): results, _("Kernjaren"): key_years_all(results, labels=labels)}
    if indicators is not None and len(indicators):
        sheets[_("Indicatoren")] = indicators
    if decomposition is not None and len(decomposition):
        sheets[_("Decompositie")] = decomposition
    sheets[_("Toelichting")] = explanation(title=title, source=source or source_note(results))
    return frames_to_xlsx(sheets)


def explanation(*, title: str, source: str) -> pd.DataFrame:
    """What the numbers are and where they come from, as a sheet of its own."""
    rows = [
        (_("titel"), title),
        (_("bron"), source),
        (_("tekort"), _("vraag − aanbod; negatief is een overschot")),
        (_("tekort_pct"), _("tekort gedeeld door de huidige capaciteit (0,25 = 25%)")),
        (_("run"), _("0 = het basispad (elk interval op zijn middenwaarde)")),
        (_("_p10, _p50, _p90"), _("percentielen over de trekkingen (Monte Carlo)")),
    ]
    return pd.DataFrame(rows, columns=[_("onderdeel"), _("toelichting")])


def frames_to_xlsx(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    book = xlsx_workbook(
        {
            name: [
                [str(column) for column in frame.columns],
                *([_cell(value) for value in values] for values in frame.itertuples(index=False)),
            ]
            for name, frame in sheets.items()
        }
    )
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
    return xlsx_bytes(book)


def _cell(value):
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars -> Python numbers
        value = value.item()
    if isinstance(value, float) and pd.isna(value):
        return None
    return value


def frame_to_csv(frame: pd.DataFrame) -> str:
    """CSV with a semicolon, as Dutch spreadsheets expect (like the other exports)."""
    safe = frame.apply(
        lambda col: col.map(neutralise) if pd.api.types.is_string_dtype(col) else col
    )
    return safe.to_csv(sep=";", decimal=",", index=False)
