"""Reading tabular uploads (CSV and XLSX) into numbered rows, shared by every importer, and
writing CSV downloads that a spreadsheet opens without running anything.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1.

Hostile files are refused early and cheaply: a CSV is streamed (never read whole) with a
row cap, a line cap and a cell cap; an XLSX is first measured without unpacking it (the zip
members' declared sizes and compression ratios), then its first sheet is scanned with a
streaming XML parser (declared dimension, row numbers, cells per row, merged cells) before
openpyxl reads it in read-only mode with an explicit width. Refusals name the file and,
where there is one, the row and the column.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from regiotafel.errors import FieldError, InvalidInput

DEFAULT_MAX_ROWS = 50_000
MAX_COLUMNS = 200  # column GR; no import has more than a few dozen
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_LINE_CHARS = 1_000_000  # one physical CSV line
XLSX_MAX_MEMBERS = 1_000
XLSX_MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one unpacked part (a sheet, the shared strings)
XLSX_MAX_TOTAL_BYTES = 128 * 1024 * 1024  # all unpacked parts together
XLSX_MAX_RATIO = 100  # real sheets pack 5-30 times; a zip bomb packs a thousand times
XLSX_RATIO_FROM_BYTES = 1024 * 1024  # small parts may pack as well as they like
SCAN_CHUNK = 64 * 1024
MAX_COLUMN_INT = 2_147_483_647  # an integer column on PostgreSQL (and a positive one anywhere)

# A cell that starts with one of these is run as a formula by Excel and LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
_QUOTED_FORMULA = re.compile(r"'[=+\-@\t\r]")

Source = Path | str | bytes | IO[bytes]


class FileTooLarge(InvalidInput):
    """An upload beyond a limit (size, rows, columns, unpacked size): refused unread."""

    status = 413
    code = "bestand-te-groot"


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def max_rows() -> int:
    """The most data rows an import reads (setting ``MAX_IMPORT_ROWS``)."""
    return getattr(settings, "MAX_IMPORT_ROWS", DEFAULT_MAX_ROWS)


# -- opening a source ---------------------------------------------------------------------


@contextlib.contextmanager
def _opened(source: Source, name: str | None, *, default: str) -> Iterator[tuple[IO[bytes], str]]:
    """A seekable binary file for an upload, a path or bytes, and the name for messages."""
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source), name or default
        return
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise InvalidInput(
                _("Bestand %(name)s is niet te lezen: %(reason)s")
                % {"name": name or path.name, "reason": exc.strerror},
                code="bestand-onleesbaar",
            ) from None
        with handle:
            yield handle, name or path.name
        return
    # An uploaded file (Django's UploadedFile) or any other binary file object.
    handle = getattr(source, "file", source)
    handle.seek(0)
    yield handle, name or Path(str(getattr(source, "name", "") or default)).name


def read_table(source: Source, *, name: str | None = None) -> Table:
    """A CSV or XLSX upload as a Table (XLSX: the first sheet; dates become JJJJ-MM-DD)."""
    with _opened(source, name, default="upload") as (handle, name):
        head = handle.read(8)
        handle.seek(0)
        if head[:2] == b"PK":  # a zip container: XLSX
            return _read_xlsx(handle, name)
        if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # the old binary Excel format
            raise InvalidInput(
                _("Bestand %(name)s is een oud Excel-bestand (.xls); sla het op als .xlsx of CSV.")
                % {"name": name},
                code="bestandstype-niet-ondersteund",
            )
        return _read_csv(handle, name)


def read_csv(source: Source, *, name: str | None = None) -> Table:
    """Read a CSV file into a Table: comma or semicolon, UTF-8 (with or without BOM) or
    Windows-1252 (what Dutch Excel saves as "CSV (gescheiden door lijstscheidingsteken)")."""
    with _opened(source, name, default="upload.csv") as (handle, name):
        return _read_csv(handle, name)


def require_columns(table: Table, required: list[str]) -> None:
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise InvalidInput(
            _("Bestand %(name)s mist de kolom(men): %(columns)s.")
            % {"name": table.name, "columns": ", ".join(missing)},
            code="kolom-ontbreekt",
            errors=[FieldError(field=column, message=_("kolom ontbreekt")) for column in missing],
        )


def refuse_long_cells(table: Table, columns: Mapping[str, tuple[type, str]]) -> None:
    """Refuse a cell longer than the model field that stores it, naming every such cell:
    PostgreSQL would answer with an error (a crash), SQLite would keep it silently.

    ``columns`` maps a column of the file to (model, field name): ``{"naam": (Project, "name")}``.
    """
    limits = {
        column: model._meta.get_field(field).max_length
        for column, (model, field) in columns.items()
        if column in table.columns
    }
    found = [
        FieldError(
            field=column,
            row=number,
            message=_("langer dan %(max)s tekens") % {"max": limit},
        )
        for number, values in table.rows
        for column, limit in limits.items()
        if limit and len(values.get(column, "")) > limit
    ]
    if found:
        raise InvalidInput(
            _("Bestand %(name)s heeft %(n)s te lange cel(len); er is niets ingelezen.")
            % {"name": table.name, "n": len(found)},
            code="cel-te-lang",
            errors=found[:100],
        )


def parse_int(
    value: str,
    *,
    row: int,
    field: str,
    errors: list[FieldError],
    minimum=0,
    maximum=MAX_COLUMN_INT,
) -> int | None:
    """A whole number as Dutch spreadsheets write it ("45.179" or "45179"); None when blank.

    ``maximum`` defaults to what an integer column holds on every database; a count stored
    in a small-integer column passes ``maximum=32_767``."""
    if value == "":
        return None
    cleaned = value.replace(".", "").replace(" ", "")
    number = (
        int(cleaned) if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 15 else None
    )
    if number is None or not minimum <= number <= maximum:
        errors.append(
            FieldError(
                field=field,
                row=row,
                message=_("'%(value)s' is geen geheel getal van %(min)s tot en met %(max)s.")
                % {"value": value, "min": minimum, "max": _number(maximum)},
            )
        )
        return None
    return number


# -- CSV --------------------------------------------------------------------------------------

ENCODINGS = ("utf-8-sig", "cp1252")


def _read_csv(handle: IO[bytes], name: str) -> Table:
    """UTF-8 first; a file that is not UTF-8 is read again as Windows-1252 (at most twice)."""
    for encoding in ENCODINGS:
        handle.seek(0)
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
        try:
            return _parse_csv(text, name)
        except UnicodeDecodeError:
            continue
        finally:
            text.detach()  # leave the upload open for its owner
    raise InvalidInput(
        _(
            "Bestand %(name)s is geen leesbare tekst; sla het op als CSV (UTF-8 of "
            "Windows-1252) of als Excel-bestand (.xlsx)."
        )
        % {"name": name},
        code="bestand-onleesbaar",
    )


def _parse_csv(text: io.TextIOWrapper, name: str) -> Table:
    lines = _bounded_lines(text, name)
    first = next(lines, "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=False)
    try:
        header = _header(next(reader, []), name)
        width = len(header)
        rows = []
        limit = max_rows() + 1
        for number, values in enumerate(reader, start=2):
            if number > limit:
                raise _too_many_rows(name)
            if not any(value.strip() for value in values):
                continue
            if len(values) != width:
                raise InvalidInput(
                    _(
                        "Bestand %(name)s: rij %(row)s heeft %(found)s kolommen, "
                        "de kop heeft er %(expected)s."
                    )
                    % {"name": name, "row": number, "found": len(values), "expected": width},
                    code="kolommen-kloppen-niet",
                )
            cells = [
                _checked_cell(_unquote(value.strip()), name, number, column)
                for value, column in zip(values, header, strict=True)
            ]
            rows.append((number, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise InvalidInput(
            _("Bestand %(name)s: rij %(row)s is geen geldige CSV (%(reason)s).")
            % {"name": name, "row": reader.line_num, "reason": exc},
            code="bestand-onleesbaar",
        ) from None
    return Table(name=name, columns=header, rows=rows)


def _bounded_lines(text: io.TextIOWrapper, name: str) -> Iterator[str]:
    """The file's lines, never one longer than MAX_LINE_CHARS (a 100 MB "line" is refused
    after reading a megabyte of it, not after holding all of it)."""
    number = 0
    while True:
        line = text.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise FileTooLarge(
                _("Bestand %(name)s: regel %(line)s is langer dan %(max)s tekens.")
                % {"name": name, "line": number, "max": _number(MAX_LINE_CHARS)}
            )
        yield line


def _unquote(value: str) -> str:
    """A cell our own CSV export neutralised ("'=SOM(…)") reads back as it was written."""
    return value[1:] if _QUOTED_FORMULA.match(value) else value


# -- header and cells (both formats) ----------------------------------------------------------


def _header(cells: Sequence, name: str) -> list[str]:
    header = [str(c if c is not None else "").strip().lower() for c in cells]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InvalidInput(_("Bestand %(name)s is leeg.") % {"name": name}, code="bestand-leeg")
    if len(header) > MAX_COLUMNS:
        raise FileTooLarge(
            _("Bestand %(name)s heeft %(n)s kolommen; het maximum is %(max)s.")
            % {"name": name, "n": len(header), "max": MAX_COLUMNS}
        )
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        if "\x00" in column:
            raise InvalidInput(
                _("Bestand %(name)s: kolom %(n)s van de kop bevat een NUL-teken.")
                % {"name": name, "n": position},
                code="nul-teken",
            )
        if column and column in seen:
            raise InvalidInput(
                _("Bestand %(name)s heeft de kolom %(column)s meer dan eens in de kop.")
                % {"name": name, "column": column},
                code="dubbele-kolom",
                errors=[FieldError(field=column, row=1, message=_("kolom staat er dubbel"))],
            )
        seen.add(column)
    return header


def _checked_cell(value: str, name: str, row: int, column: str) -> str:
    if len(value) > MAX_CELL_CHARS or "\x00" in value:
        reason = (
            _("bevat een NUL-teken")
            if "\x00" in value
            else _("is langer dan %(max)s tekens") % {"max": _number(MAX_CELL_CHARS)}
        )
        raise InvalidInput(
            _("Bestand %(name)s, rij %(row)s, kolom %(column)s: de cel %(reason)s.")
            % {"name": name, "row": row, "column": column, "reason": reason},
            code="cel-ongeldig",
            errors=[FieldError(field=column, row=row, message=reason)],
        )
    return value


def _too_many_rows(name: str) -> FileTooLarge:
    return FileTooLarge(
        _("Bestand %(name)s heeft meer dan %(max)s rijen; splits het bestand.")
        % {"name": name, "max": _number(max_rows())}
    )


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# -- XLSX -------------------------------------------------------------------------------------


def _read_xlsx(handle: IO[bytes], name: str) -> Table:
    from openpyxl import load_workbook

    unreadable = InvalidInput(
        _("Bestand %(name)s is geen leesbaar Excel-bestand (.xlsx).") % {"name": name},
        code="bestand-onleesbaar",
    )
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise unreadable from None
    with archive:
        check_unpacked_sizes(archive, name)
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
            sheet = book.worksheets[0]
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise unreadable from None
        try:
            width, merged = _scan_sheet(archive, sheet._worksheet_path.lstrip("/"), name)
            if merged:
                raise InvalidInput(
                    _(
                        "Bestand %(name)s heeft samengevoegde cellen (%(ranges)s); maak de "
                        "samenvoeging ongedaan zodat elke rij en kolom een eigen waarde heeft."
                    )
                    % {"name": name, "ranges": ", ".join(merged[:5])},
                    code="samengevoegde-cellen",
                )
            sheet.reset_dimensions()  # the scan checked the real size; never pad to a claim
            return _xlsx_table(sheet.iter_rows(max_col=max(width, 1), values_only=True), name)
        except InvalidInput:
            raise
        except Exception:  # noqa: BLE001 - a damaged part (bad CRC, bad XML) is found late
            raise unreadable from None
        finally:
            book.close()


def _xlsx_table(lines: Iterator[tuple], name: str) -> Table:
    header = _header(next(lines, ()), name)
    width = len(header)
    limit = max_rows() + 1
    rows = []
    for number, values in enumerate(lines, start=2):
        if number > limit:
            raise _too_many_rows(name)
        cells = [_cell(value) for value in values[:width]]
        cells += [""] * (width - len(cells))
        if any(cells):
            cells = [_checked_cell(c, name, number, k) for c, k in zip(cells, header, strict=True)]
            rows.append((number, dict(zip(header, cells, strict=True))))
    return Table(name=name, columns=header, rows=rows)


def check_unpacked_sizes(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a zip bomb (XLSX, DOCX) from its directory alone: no part is unpacked to measure it.

    The sizes are the ones the file declares; Python's zipfile never unpacks a part past its
    declared size (a part that lies fails its checksum), so the declaration is a real bound.
    """
    members = archive.infolist()
    if len(members) > XLSX_MAX_MEMBERS:
        raise FileTooLarge(
            _("Bestand %(name)s bestaat uit %(n)s onderdelen; dat is geen gewoon Office-bestand.")
            % {"name": name, "n": _number(len(members))}
        )
    total = 0
    for member in members:
        total += member.file_size
        packed_tightly = (
            member.file_size > XLSX_RATIO_FROM_BYTES
            and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1)
        )
        if member.file_size > XLSX_MAX_MEMBER_BYTES or packed_tightly:
            raise _unpacks_too_large(name, member.file_size)
    if total > XLSX_MAX_TOTAL_BYTES:
        raise _unpacks_too_large(name, total)


def _unpacks_too_large(name: str, size: int) -> FileTooLarge:
    return FileTooLarge(
        _(
            "Bestand %(name)s pakt uit tot %(size)s MB; dat is meer dan een bestand van deze "
            "omvang kan bevatten (maximaal %(max)s MB, en niet meer dan %(ratio)s keer de "
            "verpakte grootte)."
        )
        % {
            "name": name,
            "size": _number(size // (1024 * 1024)),
            "max": XLSX_MAX_TOTAL_BYTES // (1024 * 1024),
            "ratio": XLSX_MAX_RATIO,
        }
    )


class _SheetScan:
    """One pass of a streaming XML parser over a sheet: its declared dimension, its rows and
    cells (refused as soon as one is past a bound) and its merged ranges. Memory stays flat:
    nothing is kept but counters and the merged ranges."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.row_limit = max_rows() + 1
        self.rows = 0
        self.row_number = 0
        self.cells_in_row = 0
        self.width = 0
        self.merged: list[str] = []

    def start(self, tag: str, attrs: dict) -> None:
        local = tag.rpartition(":")[2]
        if local == "c":
            self._cell(attrs.get("r"))
        elif local == "row":
            self.rows += 1
            self.row_number = _positive(attrs.get("r")) or self.row_number + 1
            self.cells_in_row = 0
            if self.rows > self.row_limit or self.row_number > self.row_limit:
                raise _too_many_rows(self.name)
        elif local == "dimension":
            self._dimension(attrs.get("ref", ""))
        elif local == "mergeCell" and len(self.merged) < 100:
            self.merged.append(str(attrs.get("ref", "")))

    def _cell(self, ref: str | None) -> None:
        self.cells_in_row += 1
        column = _column_index(ref) if ref else self.cells_in_row
        if self.cells_in_row > MAX_COLUMNS or column > MAX_COLUMNS:
            raise FileTooLarge(
                _("Bestand %(name)s: rij %(row)s gaat verder dan kolom %(max)s.")
                % {"name": self.name, "row": self.row_number, "max": MAX_COLUMNS}
            )
        self.width = max(self.width, column)

    def _dimension(self, ref: str) -> None:
        last = ref.rpartition(":")[2]
        match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})", last)
        if match is None:
            return
        columns, rows = _column_index(match.group(1)), int(match.group(2))
        if rows > self.row_limit or columns > MAX_COLUMNS:
            raise FileTooLarge(
                _(
                    "Bestand %(name)s geeft zelf op %(rows)s rijen en %(columns)s kolommen te "
                    "hebben; het maximum is %(max_rows)s rijen en %(max_columns)s kolommen."
                )
                % {
                    "name": self.name,
                    "rows": _number(rows),
                    "columns": _number(columns),
                    "max_rows": _number(self.row_limit - 1),
                    "max_columns": MAX_COLUMNS,
                }
            )


def _scan_sheet(archive: zipfile.ZipFile, path: str, name: str) -> tuple[int, list[str]]:
    """The sheet's real width in columns and its merged ranges, or a refusal."""
    scan = _SheetScan(name)
    parser = expat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.StartDoctypeDeclHandler = _no_doctype(name)  # no entities, no billion laughs
    try:
        with archive.open(path) as part:
            while chunk := part.read(SCAN_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, KeyError, zipfile.BadZipFile, OSError, EOFError):
        raise InvalidInput(
            _("Bestand %(name)s is geen leesbaar Excel-bestand (.xlsx).") % {"name": name},
            code="bestand-onleesbaar",
        ) from None
    return scan.width, scan.merged


def _no_doctype(name: str):
    def refuse(*_args) -> None:
        raise InvalidInput(
            _("Bestand %(name)s is geen leesbaar Excel-bestand (.xlsx).") % {"name": name},
            code="bestand-onleesbaar",
        )

    return refuse


def _column_index(ref: str) -> int:
    """The 1-based column of a reference such as "AB12" (0 when it has no letters)."""
    index = 0
    for char in ref.upper():
        if not "A" <= char <= "Z":
            break
        index = index * 26 + ord(char) - 64
    return index


def _positive(raw: str | None) -> int | None:
    if raw and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):  # datetime from a date cell
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- writing ----------------------------------------------------------------------------------


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula, made plain text with a leading
    apostrophe (OWASP's advice for CSV); numbers and plain numeric text stay as they are."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class _SafeWriter:
    """csv.writer with every cell passed through :func:`neutralise`."""

    def __init__(self, out: IO[str], **options) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: IO[str], *, delimiter: str = ";", **options) -> _SafeWriter:
    """The writer every CSV download uses (semicolons, for Dutch spreadsheets)."""
    return _SafeWriter(out, delimiter=delimiter, **options)


def write_csv(rows: Iterable[Iterable], *, delimiter: str = ";", **options) -> str:
    """Rows as CSV text, formula-like cells neutralised (see :func:`neutralise`)."""
    out = io.StringIO()
    csv_writer(out, delimiter=delimiter, **options).writerows(rows)
    return out.getvalue()


def xlsx_workbook(sheets: Mapping[str, Iterable[Sequence]]):
    """An openpyxl workbook with one sheet per name (first row: the header), every export's
    writer. Text stays text: a value such as "=HYPERLINK(…)" in an uploaded name is never
    turned into a formula when the file is opened."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=str(title)[:31])  # Excel's limit on sheet names
        for number, row in enumerate(rows, start=1):
            values = list(row)
            sheet.append(values)
            # The cells just written, by position: ``sheet[sheet.max_row]`` scans every cell
            # of the sheet for its size, which made a 2,400-row export take seconds.
            for column in range(1, len(values) + 1):
                cell = sheet.cell(row=number, column=column)
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
