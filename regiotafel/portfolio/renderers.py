"""Report renderers, a registry: the page, the download and the command use the same ones.

Each renderer turns a :class:`report.Report` into bytes of one format. Add a format with
``@renderer("naam", content_type, extension)``; the built-ins register themselves that way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

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
            % {"name": name, "known": ", ".join(sorted(RENDERERS))}
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
    writer = csv.writer(buffer, delimiter=";")
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
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in report.tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append([table.row_header, *table.columns])
        for label, cells in table.body():
            sheet.append([label, *cells])
        if table.note:
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = 55
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
