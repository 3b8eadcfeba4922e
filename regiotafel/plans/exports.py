"""Exports: the region x indicator matrix as CSV (semicolon, for Dutch spreadsheets) and XLSX,
and a framework as a REFI-QDA codebook (.qdc, the Codebook Exchange format, namespace
``urn:QDA-XML:codebook:1.0``) that ATLAS.ti, MAXQDA, NVivo and others import.
"""

from __future__ import annotations

import io
import uuid
from xml.etree import ElementTree as ET

from django.utils.translation import gettext as _

from regiotafel.core.tabular import csv_writer, write_xlsx
from regiotafel.plans.models import Framework
from regiotafel.plans.results import Matrix, category_rollup

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
QDC_SCHEMA = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
# One colour per category, cycled (REFI-QDA wants #RRGGBB).
COLOURS = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F"]


def matrix_header() -> list[str]:
    return [
        _("regio"),
        _("categorie"),
        _("indicator"),
        _("naam"),
        _("voorstel"),
        _("score"),
        _("bevestigd"),
        _("telt als"),
    ]


def matrix_rows(m: Matrix) -> list[list]:
    rows = []
    for region in m.regions:
        for ind in m.indicators:
            cell = m.cell(region, ind)
            rows.append(
                [
                    region.name,
                    ind.category.name,
                    ind.code,
                    ind.name,
                    cell.proposed or "",
                    round(cell.score, 4) if cell.score is not None else "",
                    cell.confirmed or "",
                    cell.effective or "",
                ]
            )
    return rows


def matrix_csv(m: Matrix) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(matrix_header())
    writer.writerows(matrix_rows(m))
    return buffer.getvalue()


def matrix_xlsx(m: Matrix) -> bytes:
    rollup = [
        [
            row["region"].name,
            row["category"].name,
            row["indicators"],
            *row["counts"].values(),
            round(row["share"], 3),
        ]
        for row in category_rollup(m)
    ]
    header = [_("regio"), _("categorie"), _("indicatoren"), *_verdict_names(), _("dekking")]
    return write_xlsx(
        {
            _("Matrix"): [matrix_header(), *matrix_rows(m)],
            _("Per categorie"): [header, *rollup],
        }
    )


def _verdict_names() -> list[str]:
    return [_("gedekt"), _("deels"), _("niet gedekt")]


def _guid(framework: Framework, key: str) -> str:
    """Stable across exports, so a re-import in a QDA tool recognises the same codes."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"regiotafel:kader:{framework.name}:{key}"))


def codebook_qdc(framework: Framework) -> bytes:
    """The framework as a REFI-QDA codebook: a code per category with its indicators inside;
    each indicator's description holds its test question, synonyms and example phrases."""
    ET.register_namespace("", QDC_NAMESPACE)
    ns = f"{{{QDC_NAMESPACE}}}"
    root = ET.Element(
        f"{ns}CodeBook",
        {
            "origin": "Regiotafel",
            "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": (
                f"{QDC_NAMESPACE} {QDC_SCHEMA}"
            ),
        },
    )
    codes = ET.SubElement(root, f"{ns}Codes")
    indicators = list(framework.indicators.select_related("category"))
    for number, category in enumerate(framework.categories.all()):
        parent = ET.SubElement(
            codes,
            f"{ns}Code",
            {
                "guid": _guid(framework, f"categorie:{category.name}"),
                "name": category.name,
                "isCodable": "false",
                "color": COLOURS[number % len(COLOURS)],
            },
        )
        ET.SubElement(parent, f"{ns}Description").text = framework.name
        for ind in (i for i in indicators if i.category_id == category.pk):
            code = ET.SubElement(
                parent,
                f"{ns}Code",
                {
                    "guid": _guid(framework, f"indicator:{ind.code}"),
                    "name": f"{ind.code} {ind.name}",
                    "isCodable": "true",
                    "color": COLOURS[number % len(COLOURS)],
                },
            )
            ET.SubElement(code, f"{ns}Description").text = _description(ind)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _description(indicator) -> str:
    parts = [indicator.question]
    if indicator.synonyms:
        parts.append(_("Synoniemen: %(s)s") % {"s": "; ".join(indicator.synonyms)})
    if indicator.examples:
        parts.append(_("Voorbeelden: %(s)s") % {"s": "; ".join(indicator.examples)})
    return "\n".join(parts)
