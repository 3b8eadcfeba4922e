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
