"""The one reader of uploaded tables: CSV and XLSX into numbered rows, or a Dutch refusal."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from regiotafel.core.tabular import read_table
from regiotafel.errors import InvalidInput

pytestmark = pytest.mark.unit


def xlsx(rows, *, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_upload_is_read_with_spreadsheet_row_numbers():
    table = read_table(xlsx([["ID", "Naam"], ["P1", "Een"], ["P2", "Twee"]]), name="p.xlsx")
    assert table.columns == ["id", "naam"]
    assert table.rows == [(2, {"id": "P1", "naam": "Een"}), (3, {"id": "P2", "naam": "Twee"})]


def test_an_xlsx_with_merged_cells_is_refused_naming_the_file_and_the_range():
    source = xlsx([["id", "thema"], ["P1", "Wonen"], ["P2", None]], merge="B2:B3")
    with pytest.raises(InvalidInput) as refused:
        read_table(source, name="projecten.xlsx")
    assert "projecten.xlsx" in str(refused.value)
    assert "samengevoegde cellen" in str(refused.value)
    assert "B2:B3" in str(refused.value)


def test_a_csv_with_semicolons_is_read_like_a_comma_separated_one():
    table = read_table(b"id;naam\nP1;Een\n", name="p.csv")
    assert table.rows == [(2, {"id": "P1", "naam": "Een"})]


def test_an_export_writes_one_sheet_per_name_that_reads_back_as_it_was_written():
    from regiotafel.core.tabular import write_xlsx

    raw = write_xlsx({"Matrix": [["regio", "aantal"], ["Leiden", 3]], "Leeg": [["kop"]]})
    book = load_workbook(io.BytesIO(raw))
    assert book.sheetnames == ["Matrix", "Leeg"]
    assert [list(r) for r in book["Matrix"].iter_rows(values_only=True)] == [
        ["regio", "aantal"],
        ["Leiden", 3],
    ]


def test_text_that_looks_like_a_formula_stays_text_in_an_export():
    from regiotafel.core.tabular import write_xlsx

    raw = write_xlsx({"Blad": [["naam"], ['=HYPERLINK("http://x","klik")']]})
    cell = load_workbook(io.BytesIO(raw))["Blad"]["A2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","klik")'


# -- hostile and Dutch files ------------------------------------------------------------------

import zipfile  # noqa: E402

from regiotafel.core.tabular import FileTooLarge, read_csv, write_csv  # noqa: E402
from tests.core.hostile_files import build_zip, deflate_repeated  # noqa: E402


@pytest.fixture
def unpacked(monkeypatch) -> list[int]:
    """Counts every byte any zip part is unpacked to while the test runs (the work done)."""
    counted = [0]
    original = zipfile.ZipExtFile._read1

    def counting(self, n):
        data = original(self, n)
        counted[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "_read1", counting)
    return counted


def xlsx_parts(rows) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx(rows))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_xlsx_that_declares_a_whole_excel_sheet_is_refused_before_its_rows_are_read(unpacked):
    parts = xlsx_parts([["id", "naam"], ["P1", "Een"]])
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A1:B2"', b'ref="A1:XFD1048576"')
    raw = build_zip(parts)
    assert len(raw) < 10_000
    unpacked[0] = 0
    with pytest.raises(FileTooLarge) as refused:
        read_table(raw, name="groot.xlsx")
    assert refused.value.code == "bestand-te-groot"
    assert refused.value.status == 413
    assert "groot.xlsx" in str(refused.value) and "1.048.576" in str(refused.value)
    assert unpacked[0] < 1_000_000


def test_an_xlsx_whose_rows_jump_to_the_last_excel_row_is_refused_without_padding(unpacked):
    parts = xlsx_parts([["id", "naam"], ["P1", "Een"]])
    sheet = parts["xl/worksheets/sheet1.xml"].replace(b'<dimension ref="A1:B2"/>', b"")
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    )
    raw, unpacked[0] = build_zip(parts), 0
    with pytest.raises(FileTooLarge):
        read_table(raw, name="sprong.xlsx")
    assert unpacked[0] < 1_000_000


def test_a_zip_bomb_xlsx_is_refused_from_its_directory_without_unpacking_it(unpacked):
    parts = xlsx_parts([["id", "naam"], ["P1", "Een"]])
    # 1 GiB of spaces in the sheet, packed into about a megabyte.
    parts["xl/worksheets/sheet1.xml"] = deflate_repeated(b" " * (1 << 20), 1024)
    raw = build_zip(parts)
    assert len(raw) < 2_000_000
    unpacked[0] = 0
    with pytest.raises(FileTooLarge) as refused:
        read_table(raw, name="bom.xlsx")
    assert refused.value.code == "bestand-te-groot"
    assert "bom.xlsx" in str(refused.value)
    assert unpacked[0] == 0


def test_a_tightly_packed_part_is_refused_even_below_the_size_limit(unpacked):
    parts = xlsx_parts([["id"], ["P1"]])
    parts["xl/sharedStrings.xml"] = deflate_repeated(b"\x20" * (1 << 20), 8)  # 8 MiB from ~8 KB
    raw, unpacked[0] = build_zip(parts), 0
    with pytest.raises(FileTooLarge):
        read_table(raw, name="strak.xlsx")
    assert unpacked[0] == 0


def test_a_row_past_the_last_column_is_refused_naming_the_row():
    parts = xlsx_parts([["id", "naam"], ["P1", "Een"]])
    sheet = parts["xl/worksheets/sheet1.xml"].replace(b'<dimension ref="A1:B2"/>', b"")
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</row></sheetData>", b'<c r="XFD2" t="n"><v>1</v></c></row></sheetData>'
    )
    with pytest.raises(FileTooLarge) as refused:
        read_table(build_zip(parts), name="breed.xlsx")
    assert "rij 2" in str(refused.value)


def test_an_xlsx_with_more_rows_than_the_cap_is_refused(settings):
    settings.MAX_IMPORT_ROWS = 10
    with pytest.raises(FileTooLarge) as refused:
        read_table(xlsx([["id"], *[[f"P{i}"] for i in range(20)]]), name="lang.xlsx")
    assert "10" in str(refused.value)


def test_a_broken_xlsx_is_refused_as_unreadable():
    raw = xlsx([["id"], ["P1"]])
    with pytest.raises(InvalidInput) as refused:
        read_table(raw[:-200], name="kapot.xlsx")
    assert "kapot.xlsx" in str(refused.value)


def test_a_long_csv_is_refused_at_the_row_cap_without_reading_the_rest(settings):
    settings.MAX_IMPORT_ROWS = 100

    class CountingFile(io.BytesIO):
        taken = 0

        def read(self, size=-1):
            data = super().read(size)
            CountingFile.taken += len(data)
            return data

        def read1(self, size=-1):
            data = super().read1(size)
            CountingFile.taken += len(data)
            return data

    upload = CountingFile(b"id;naam\n" + b"P1;Een\n" * 3_000_000)  # 21 MB
    with pytest.raises(FileTooLarge) as refused:
        read_table(upload, name="lang.csv")
    assert refused.value.code == "bestand-te-groot"
    assert "lang.csv" in str(refused.value) and "100" in str(refused.value)
    assert CountingFile.taken < 1_000_000


def test_a_csv_line_without_end_is_refused_after_a_megabyte():
    with pytest.raises(FileTooLarge) as refused:
        read_table(b"id;naam\n" + b"x" * 5_000_000, name="regel.csv")
    assert "regel 2" in str(refused.value)


def test_a_dutch_excel_csv_with_semicolons_and_windows_1252_is_read():
    raw = "naam;plaats\nRenée;Zoeterwoude\nZoë Ëlberts;Leiden\n".encode("cp1252")
    table = read_table(raw, name="excel.csv")
    assert table.rows == [
        (2, {"naam": "Renée", "plaats": "Zoeterwoude"}),
        (3, {"naam": "Zoë Ëlberts", "plaats": "Leiden"}),
    ]


def test_utf8_with_a_bom_is_read_and_the_bom_is_not_part_of_the_first_column():
    table = read_csv("\ufeffnaam;plaats\nRenée;Leiden\n".encode(), name="bom.csv")
    assert table.columns == ["naam", "plaats"]
    assert table.rows[0][1]["naam"] == "Renée"


def test_an_upload_object_is_read_in_place_and_left_open():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("lijst.csv", b"id,naam\nP1,Een\n")
    table = read_table(upload)
    assert table.name == "lijst.csv"
    assert table.rows == [(2, {"id": "P1", "naam": "Een"})]
    assert not upload.closed


@pytest.mark.parametrize("raw", [b"id;Naam;naam\n1;a;b\n", b"id;naam;NAAM \n1;a;b\n"])
def test_a_duplicate_header_is_refused_naming_the_column(raw):
    with pytest.raises(InvalidInput) as refused:
        read_table(raw, name="dubbel.csv")
    assert refused.value.code == "dubbele-kolom"
    assert "dubbel.csv" in str(refused.value) and "naam" in str(refused.value)


def test_a_duplicate_header_in_an_xlsx_is_refused_too():
    with pytest.raises(InvalidInput) as refused:
        read_table(xlsx([["id", "naam", "Naam"], [1, "a", "b"]]), name="dubbel.xlsx")
    assert refused.value.code == "dubbele-kolom"


def test_a_nul_byte_in_a_cell_is_refused_naming_row_and_column():
    with pytest.raises(InvalidInput) as refused:
        read_table(b"id;naam\nP1;Een\nP2;T\x00wee\n", name="nul.csv")
    assert "rij 3" in str(refused.value) and "naam" in str(refused.value)
    assert refused.value.errors[0].row == 3


def test_an_old_xls_file_gets_a_sentence_that_says_what_to_do():
    with pytest.raises(InvalidInput) as refused:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="oud.xls")
    assert ".xlsx" in str(refused.value)


def test_bytes_that_are_no_text_in_any_encoding_are_refused():
    with pytest.raises(InvalidInput) as refused:
        read_table(b"id;naam\nP1;\x81\x8d\x8f\n", name="rommel.csv")
    assert "rommel.csv" in str(refused.value)


@pytest.mark.parametrize(
    "cell", ["=1+1", "+SOM(A1)", "-2+3", "@SUM(1)", "\t=1", "\r=1", '=HYPERLINK("x")']
)
def test_a_formula_like_cell_in_a_csv_export_is_plain_text_and_reads_back_as_written(cell):
    text = write_csv([["naam"], [cell]])
    written = text.splitlines()[1] if "\r" not in cell and "\t" not in cell else text
    assert "'" in written
    assert read_table(text.encode(), name="terug.csv").rows[0][1]["naam"] == cell


@pytest.mark.parametrize("value", ["-12", "+31", "-1,5", "1.234,56", 3, -2.5])
def test_numbers_are_not_touched_by_the_csv_writer(value):
    assert write_csv([[value]]).strip() == str(value)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_upload_kept_in_a_temporary_file_is_read_in_place(kind):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    raw = b"id;naam\nP1;Een\n" if kind == "csv" else xlsx([["id", "naam"], ["P1", "Een"]])
    upload = TemporaryUploadedFile(f"groot.{kind}", "application/octet-stream", len(raw), None)
    upload.write(raw)
    try:
        table = read_table(upload)
        assert table.name == f"groot.{kind}"
        assert table.rows == [(2, {"id": "P1", "naam": "Een"})]
    finally:
        upload.close()


@pytest.mark.parametrize("value", ["2147483648", "99999999999999999999", "²", "-1", "1,5"])
def test_a_number_no_integer_column_can_hold_is_a_field_error_not_a_crash(value):
    from regiotafel.core.tabular import parse_int

    found = []
    assert parse_int(value, row=4, field="inwoners_2024", errors=found) is None
    assert found[0].row == 4 and found[0].field == "inwoners_2024"


def test_dutch_thousands_separators_are_read():
    from regiotafel.core.tabular import parse_int

    assert parse_int("45.179", row=2, field="n", errors=[]) == 45179
    assert parse_int("2.147.483.647", row=2, field="n", errors=[]) == 2_147_483_647
