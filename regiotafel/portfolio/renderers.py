"""Report renderers, a registry: the page, the download and the command use the same ones.

Each renderer turns a :class:`report.Report` into bytes of one format. Add a format with
``@renderer("naam", content_type, extension)``; the built-ins register themselves that way.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from regiotafel.core.tabular import csv_writer, xlsx_bytes, xlsx_workbook
from regiotafel.portfolio.report import Report


@dataclass(frozen=True)
class Renderer:
    name: str
    content_type: str
    extension: str
    render: Callable[[Report], bytes]


RENDERERS: dict[str, Renderer] = {}


def renderer(name: str, content_type: str, extension: str):
    def decorator(function):
        RENDERERS[name] = Renderer(name, content_type, extension, function)
        return function

    return decorator


def get(name: str) -> Renderer:
    try:
        return RENDERERS[name]
    except KeyError:
        from regiotafel.errors import InvalidInput

        raise InvalidInput(
            _("Onbekend formaat %(name)s; kies uit %(known)s.")
            % {"name": name, "known": ", ".join(sorted(RENDERERS))},
            code="onbekend-formaat",
        ) from None


def filename(report: Report, name: str) -> str:
    return f"portfolio-rapport-{report.reference_date.isoformat()}.{get(name).extension}"


@renderer("html", "text/html; charset=utf-8", "html")
def to_html(report: Report) -> bytes:
    return render_to_string("portfolio/report_document.html", {"report": report}).encode()


@renderer("csv", "text/csv; charset=utf-8", "csv")
def to_csv(report: Report) -> bytes:
    """All tables one after the other (semicolons, for Dutch spreadsheets)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow([report.title, _("peildatum"), report.reference_date.isoformat()])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([table.row_header, *table.columns])
        for label, cells in table.body():
            writer.writerow([label, *cells])
        if table.note:
            writer.writerow([table.note])
    return buffer.getvalue().encode("utf-8-sig")


@renderer("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
def to_xlsx(report: Report) -> bytes:
    """One sheet per table; numbers stay numbers."""
    from openpyxl.styles import Font

    book = xlsx_workbook(
        {
            table.key: [
                [table.title],
                [table.row_header, *table.columns],
                *([label, *cells] for label, cells in table.body()),
                *([[table.note]] if table.note else []),
            ]
            for table in report.tables
        }
    )
    for sheet in book.worksheets:
        sheet["A1"].font = Font(bold=True)
        sheet.column_dimensions["A"].width = 55
    return xlsx_bytes(book)


@renderer("pdf", "application/pdf", "pdf")
def to_pdf(report: Report) -> bytes:
    """A4 document with every table (fpdf2's built-in Helvetica: Latin-1 text)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_title(report.title)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(text=_latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    line = _("Peildatum %(date)s; %(scope)s.") % {
        "date": report.reference_date.isoformat(),
        "scope": report.scope,
    }
    if report.compare_date:
        line += " " + _("Vergeleken met %(date)s.") % {"date": report.compare_date.isoformat()}
    pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    for table in report.tables:
        _pdf_table(pdf, table, FontFace)
    return bytes(pdf.output())


def _pdf_table(pdf, table, font_face) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(0, 6, _latin1(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=7 if len(table.columns) > 4 else 8)
    first = 0.4 if len(table.columns) > 2 else 0.5
    rest = (1 - first) / len(table.columns)
    widths = [first, *[rest] * len(table.columns)]
    with pdf.table(
        col_widths=widths,
        text_align=["LEFT", *["RIGHT"] * len(table.columns)],
        headings_style=font_face(emphasis="BOLD"),
        line_height=4.5,
    ) as grid:
        grid.row([_latin1(table.row_header), *(_latin1(c) for c in table.columns)])
        for label, cells in table.body():
            grid.row([_latin1(label), *(_latin1(str(c)) for c in cells)])
    if table.note:
        pdf.set_font("Helvetica", "I", 7)
        pdf.multi_cell(0, 4, _latin1(table.note), new_x="LMARGIN", new_y="NEXT")


def _latin1(text: str) -> str:
    return (
        str(text)
        .replace("\u2019", "'")
        .replace("\u2013", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )
