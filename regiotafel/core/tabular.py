"""Reading tabular uploads (CSV and XLSX) into numbered rows, shared by every importer.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from regiotafel.errors import FieldError, InvalidInput


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_csv(source: Path | str | bytes, *, name: str | None = None) -> Table:
    """Read a CSV file (comma or semicolon, UTF-8 with or without BOM) into a Table."""
    raw, name = _read_source(source, name, default="upload.csv")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            _("Bestand %(name)s is geen UTF-8-tekst; sla het op als CSV UTF-8.") % {"name": name}
        ) from None
    if not text.strip():
        raise InvalidInput(_("Bestand %(name)s is leeg.") % {"name": name})
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader)]
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise InvalidInput(
                _(
                    "Bestand %(name)s: rij %(row)s heeft %(found)s kolommen, "
                    "de kop heeft er %(expected)s."
                )
                % {"name": name, "row": number, "found": len(values), "expected": len(header)},
            )
        rows.append(
            (number, {key: value.strip() for key, value in zip(header, values, strict=True)})
        )
    return Table(name=name, columns=header, rows=rows)


def _read_source(source: Path | str | bytes, name: str | None, *, default: str):
    """The bytes of an upload or a file, and the name to use in messages."""
    if isinstance(source, bytes):
        return source, name or default
    path = Path(source)
    try:
        return path.read_bytes(), name or path.name
    except OSError as exc:
        raise InvalidInput(
            _("Bestand %(name)s is niet te lezen: %(reason)s")
            % {"name": name or path.name, "reason": exc.strerror}
        ) from None


def require_columns(table: Table, required: list[str]) -> None:
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise InvalidInput(
            _("Bestand %(name)s mist de kolom(men): %(columns)s.")
            % {"name": table.name, "columns": ", ".join(missing)},
            errors=[FieldError(field=column, message=_("kolom ontbreekt")) for column in missing],
        )


def parse_int(
    value: str, *, row: int, field: str, errors: list[FieldError], minimum=0
) -> int | None:
    """A whole number as Dutch spreadsheets write it ("45.179" or "45179"); None when blank."""
    if value == "":
        return None
    cleaned = value.replace(".", "").replace(" ", "")
    if not cleaned.isdigit() or int(cleaned) < minimum:
        errors.append(
            FieldError(
                field=field,
                row=row,
                message=_("'%(value)s' is geen geheel getal van %(min)s of meer.")
                % {"value": value, "min": minimum},
            )
        )
        return None
    return int(cleaned)


def read_table(source: Path | str | bytes, *, name: str | None = None) -> Table:
    """A CSV or XLSX upload as a Table (XLSX: the first sheet; dates become JJJJ-MM-DD)."""
    raw, name = _read_source(source, name, default="upload")
    if raw[:2] == b"PK":  # a zip container: XLSX
        return _read_xlsx(raw, name)
    return read_csv(raw, name=name)


def _read_xlsx(raw: bytes, name: str) -> Table:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(
            _("Bestand %(name)s is geen leesbaar Excel-bestand (.xlsx).") % {"name": name}
        ) from None
    merged = _merged_ranges(raw, sheet._worksheet_path)
    if merged:
        raise InvalidInput(
            _(
                "Bestand %(name)s heeft samengevoegde cellen (%(ranges)s); maak de samenvoeging "
                "ongedaan zodat elke rij en kolom een eigen waarde heeft."
            )
            % {"name": name, "ranges": ", ".join(merged[:5])}
        )
    lines = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip().lower() for c in next(lines, ())]
    if not any(header):
        raise InvalidInput(_("Bestand %(name)s is leeg.") % {"name": name})
    rows = []
    for number, values in enumerate(lines, start=2):
        cells = [_cell(v) for v in values][: len(header)]
        cells += [""] * (len(header) - len(cells))
        if any(cells):
            rows.append((number, dict(zip(header, cells, strict=True))))
    return Table(name=name, columns=header, rows=rows)


def _merged_ranges(raw: bytes, sheet_path: str) -> list[str]:
    """The merged ranges of a sheet ("A2:B3"); read-only openpyxl does not expose them, and a
    merged range keeps its value in one cell only, so the other rows would silently be blank."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        xml = archive.read(sheet_path.lstrip("/"))
    return [m.decode() for m in re.findall(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([^"]+)"', xml)]


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):  # datetime from a date cell
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def xlsx_workbook(sheets: Mapping[str, Iterable[Sequence]]):
    """An openpyxl workbook with one sheet per name (first row: the header), every export's
    writer. Text stays text: a value such as "=HYPERLINK(…)" in an uploaded name is never
    turned into a formula when the file is opened."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=str(title)[:31])  # Excel's limit on sheet names
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return book


def xlsx_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(sheets: Mapping[str, Iterable[Sequence]]) -> bytes:
    """Sheets of rows as the bytes of an XLSX file (see :func:`xlsx_workbook`)."""
    return xlsx_bytes(xlsx_workbook(sheets))
