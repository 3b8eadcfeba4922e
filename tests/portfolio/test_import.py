"""Importing projects and region phases: every broken-file case of the issue gives a Dutch
message naming row and column, and nothing is written."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from regiotafel.core.models import Region
from regiotafel.errors import InvalidInput
from regiotafel.portfolio import imports
from regiotafel.portfolio.models import Assessment, Project, RegionPhase, Status, Theme
from tests.portfolio.conftest import PHASES, PROJECTS, region

pytestmark = pytest.mark.integration

HEADER = (
    "id,naam,thema,concessiehouder,startperiode,status,impact,resultaten_deelbaar,"
    "opschaalbaarheid,betrokken_organisaties"
)
GOOD = (
    "X1,Valpreventie,Technologie,Z&Z,2020,Lopend,Op kleine schaal met veel betekenis,"
    '"Ja, vanwege meerdere redenen","Ja, alleen in deze regio",4 tot 6'
)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def failure(**kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        imports.import_projects(**kwargs)
    return caught.value


def test_the_shared_projects_file_imports_as_it_is(regions):
    result = imports.import_projects(source=PROJECTS)
    assert (result.created, result.reference_date) == (318, date(2020, 10, 1))
    project = Project.objects.get(code="P001")
    assert (project.start_period, project.start_year, project.start_year_last) == (
        "2018-2019",
        2018,
        2019,
    )
    assert project.assessments.get().get_organisations_display() == "4 tot 6"


def test_importing_the_same_file_again_changes_nothing(regions):
    imports.import_projects(source=PROJECTS)
    again = imports.import_projects(source=PROJECTS)
    assert (again.created, again.updated, again.assessments_added) == (0, 0, 0)
    assert Assessment.objects.count() == 318


def test_a_new_reference_date_adds_an_assessment_and_keeps_the_old_one(regions):
    imports.import_projects(source=csv_file(GOOD), name="a.csv", reference_date=date(2020, 3, 1))
    later = GOOD.replace("Lopend", "Afgerond en succesvol verlopen")
    result = imports.import_projects(
        source=csv_file(later), name="a.csv", reference_date=date(2020, 10, 1)
    )
    assert (result.created, result.assessments_added) == (0, 1)
    states = list(
        Project.objects.get(code="X1")
        .assessments.order_by("valid_from")
        .values_list("status", flat=True)
    )
    assert states == [Status.LOPEND, Status.AFGEROND_SUCCESVOL]


def test_a_missing_column_is_named_and_nothing_is_written(regions):
    header = HEADER.replace(",status", "")
    row = GOOD.replace(",Lopend", "")
    error = failure(source=csv_file(row, header=header), name="p.csv")
    assert "status" in error.detail and [e.field for e in error.errors] == ["status"]
    assert not Project.objects.exists()


def test_an_unknown_theme_is_refused_with_row_and_column(regions):
    error = failure(
        source=csv_file(GOOD, GOOD.replace("X1,", "X2,").replace("Technologie", "Ruimtevaart"))
    )
    assert [(e.row, e.field) for e in error.errors] == [(3, "thema")]
    assert "Ruimtevaart" in error.errors[0].message
    assert not Project.objects.exists()


def test_unknown_funder_and_status_are_refused(regions):
    row = GOOD.replace("Z&Z", "Achmea").replace("Lopend", "Bijna klaar")
    error = failure(source=csv_file(row))
    assert {(e.row, e.field) for e in error.errors} == {(2, "concessiehouder"), (2, "status")}


def test_a_date_in_the_wrong_format_is_refused(regions):
    header = HEADER + ",startdatum"
    error = failure(source=csv_file(GOOD + ",01-03-2020", header=header))
    assert [(e.row, e.field) for e in error.errors] == [(2, "startdatum")]
    assert "JJJJ-MM-DD" in error.errors[0].message
    assert not Project.objects.exists()


def test_a_start_period_that_is_not_a_year_or_span_is_refused(regions):
    error = failure(source=csv_file(GOOD.replace(",2020,", ",voorjaar 2020,")))
    assert [(e.row, e.field) for e in error.errors] == [(2, "startperiode")]


def test_a_duplicate_id_is_refused_and_names_both_rows(regions):
    error = failure(source=csv_file(GOOD, GOOD))
    assert [(e.row, e.field) for e in error.errors] == [(3, "id")]
    assert "rij 2" in error.errors[0].message
    assert not Project.objects.exists()


def test_one_bad_row_among_good_ones_writes_nothing(regions):
    rows = [GOOD.replace("X1", f"X{n}") for n in range(1, 6)]
    rows.append(GOOD.replace("X1", "X9").replace("4 tot 6", "veel"))
    error = failure(source=csv_file(*rows))
    assert [(e.row, e.field) for e in error.errors] == [(7, "betrokken_organisaties")]
    assert not Project.objects.exists() and not Assessment.objects.exists()


def xlsx(rows: list[list], merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_xlsx_rows() -> list[list]:
    import csv

    return [list(r) for r in csv.reader(io.StringIO(HEADER + "\n" + GOOD))]


def test_an_xlsx_file_imports_like_a_csv(regions):
    result = imports.import_projects(source=xlsx(good_xlsx_rows()), name="p.xlsx")
    assert result.created == 1 and Project.objects.get(code="X1").theme.name == "Technologie"


def test_an_xlsx_with_merged_cells_is_refused_and_nothing_is_written(regions):
    rows = good_xlsx_rows()
    rows.append([*rows[1][:1], "X2", *rows[1][2:]])
    rows[2][0] = "X2"
    error = failure(source=xlsx(rows, merge="C2:C3"), name="p.xlsx")
    assert "samengevoegde cellen" in error.detail and "C2:C3" in error.detail
    assert not Project.objects.exists()


def test_a_file_that_does_not_exist_is_a_dutch_message_not_a_crash(regions, tmp_path):
    error = failure(source=tmp_path / "weg.csv")
    assert "weg.csv" in error.detail and "niet te lezen" in error.detail


def test_a_region_can_extend_the_theme_list(regions):
    zhn = region("Zuid-Holland Noord")
    Theme.objects.create(name="Wonen en zorg", region=zhn)
    row = GOOD.replace("Technologie", "Wonen en zorg")
    with pytest.raises(InvalidInput):
        imports.import_projects(source=csv_file(row))  # not a national theme
    imports.import_projects(source=csv_file(row), region=zhn)
    assert Project.objects.get(code="X1").region == zhn


def test_a_page_user_cannot_import_projects_for_another_region(regions):
    zhn, other = region("Zuid-Holland Noord"), region("Kennemerland")
    header = HEADER + ",regio"
    error = failure(
        source=csv_file(GOOD + ",Kennemerland", header=header), allowed_regions={zhn.pk}
    )
    assert [(e.row, e.field) for e in error.errors] == [(2, "regio")]
    assert other.pk != zhn.pk


def test_the_shared_phases_file_imports_as_it_is(regions):
    result = imports.import_phases(source=PHASES)
    assert len(result.regions) == 34 and result.reference_date == date(2020, 10, 1)
    zhn = RegionPhase.objects.get(region__name="Zuid-Holland Noord")
    assert (zhn.agreements, zhn.vision, zhn.dynamics) == (4, 3, 3)
    assert zhn.get_vision_display() == "Fase 3: Voorbereidingen getroffen"


def test_a_phase_out_of_range_or_an_unknown_region_is_refused(regions):
    source = (
        b"zorgkantoorregio,afspraken_convenanten,stip_op_de_horizon,samenwerkingsdynamiek\n"
        b"Zeeland,4,6,4\nAtlantis,4,5,4\nTwente,Implementatiefase,Dialoogsessie,4\n"
    )
    with pytest.raises(InvalidInput) as caught:
        imports.import_phases(source=source, name="f.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (2, "stip_op_de_horizon"),
        (3, "zorgkantoorregio"),
    ]
    assert not RegionPhase.objects.exists()


def test_a_phase_in_superscript_digits_is_a_refused_cell_not_a_server_error(regions):
    source = (
        "zorgkantoorregio,afspraken_convenanten,stip_op_de_horizon,samenwerkingsdynamiek\n"
        "Zeeland,4,²,4\n"
    ).encode()
    with pytest.raises(InvalidInput) as caught:
        imports.import_phases(source=source, name="f.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "stip_op_de_horizon")]
    assert imports.organisations_band("²") is None
    assert not RegionPhase.objects.exists()


def test_a_number_past_python_s_digit_limit_is_a_refused_cell_not_a_server_error(regions):
    huge = "9" * 5000
    phases = (
        "zorgkantoorregio,afspraken_convenanten,stip_op_de_horizon,samenwerkingsdynamiek\n"
        f"Zeeland,4,{huge},4\n"
    ).encode()
    refused = failure(source=csv_file(GOOD.rsplit(",", 1)[0] + f",{huge}"), name="p.csv")
    assert [(e.row, e.field) for e in refused.errors] == [(2, "betrokken_organisaties")]
    with pytest.raises(InvalidInput) as caught:
        imports.import_phases(source=phases, name="f.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "stip_op_de_horizon")]
    assert not Project.objects.exists() and not RegionPhase.objects.exists()


def test_a_fresh_install_creates_the_regions_only_when_asked(db):
    with pytest.raises(InvalidInput):
        imports.import_phases(source=PHASES)
    result = imports.import_phases(source=PHASES, create_regions=True)
    assert len(result.regions) == 34 and RegionPhase.objects.count() == 34


def test_published_phase_totals_with_an_unknown_dimension_write_nothing(db):
    from regiotafel.portfolio.models import PhaseCount

    source = b"dimensie,fase,2019-03\nafspraken_convenanten,1,1\nvisie,1,x\n"
    with pytest.raises(InvalidInput) as caught:
        imports.import_phase_totals(source=source, name="t.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(3, "dimensie")]
    assert not PhaseCount.objects.exists()


@pytest.mark.parametrize("month", ["2019-13", "2019-00", "0000-01"])
def test_published_phase_totals_with_an_impossible_month_column_are_refused(db, month):
    from regiotafel.portfolio.models import PhaseCount

    source = f"dimensie,fase,{month}\nafspraken_convenanten,1,1\n".encode()
    with pytest.raises(InvalidInput, match=month):
        imports.import_phase_totals(source=source, name="t.csv")
    assert not PhaseCount.objects.exists()


def test_a_region_cannot_take_over_another_regions_project_by_its_number(regions):
    zhn, kennemerland = region("Zuid-Holland Noord"), region("Kennemerland")
    imports.import_projects(source=csv_file(GOOD), region=kennemerland)
    error = failure(source=csv_file(GOOD), region=zhn, allowed_regions={zhn.pk})
    assert [(e.row, e.field) for e in error.errors] == [(2, "id")]
    assert "Kennemerland" in error.errors[0].message
    assert Project.objects.get(code="X1").region == kennemerland


def test_a_page_user_cannot_claim_a_project_of_the_national_register(regions):
    zhn = region("Zuid-Holland Noord")
    imports.import_projects(source=csv_file(GOOD))
    error = failure(source=csv_file(GOOD), region=zhn, allowed_regions={zhn.pk})
    assert "landelijke register" in error.errors[0].message
    imports.import_projects(source=csv_file(GOOD), region=zhn)  # an operator may
    assert Project.objects.get(code="X1").region == zhn


def test_the_errors_of_a_file_are_listed_in_row_order(regions):
    imports.import_projects(source=csv_file(GOOD), region=region("Kennemerland"))
    broken = GOOD.replace("X1,", "X2,").replace("2020,", "vorig jaar,")
    error = failure(source=csv_file(GOOD, broken), region=region("Zuid-Holland Noord"))
    # row 2's error (a project of another region) is found after all rows are read
    assert [(e.row, e.field) for e in error.errors] == [(2, "id"), (3, "startperiode")]


@pytest.mark.parametrize(
    "written, band", [("2", "1-3"), ("6", "4-6"), ("9", "7-9"), ("10", "10+"), ("25", "10+")]
)
def test_a_number_of_organisations_is_counted_in_its_band(regions, written, band):
    imports.import_projects(source=csv_file(GOOD.replace("4 tot 6", written)))
    assert Project.objects.get(code="X1").assessments.get().organisations == band


def test_zero_organisations_is_refused_naming_the_bands_and_the_number(regions):
    error = failure(source=csv_file(GOOD.replace("4 tot 6", "0")))
    assert [(e.row, e.field) for e in error.errors] == [(2, "betrokken_organisaties")]
    assert "Meer dan 10" in error.errors[0].message and "aantal" in error.errors[0].message


def test_a_region_named_twice_in_a_phase_file_is_refused_naming_both_rows(regions):
    source = (
        b"zorgkantoorregio,afspraken_convenanten,stip_op_de_horizon,samenwerkingsdynamiek\n"
        b"Zeeland,4,5,4\nTwente,4,4,4\nzeeland,3,5,4\n"
    )
    with pytest.raises(InvalidInput) as caught:
        imports.import_phases(source=source, name="f.csv")
    [error] = caught.value.errors
    assert (error.row, error.field) == (4, "zorgkantoorregio") and "rij 2" in error.message
    assert not RegionPhase.objects.exists()


def test_a_new_region_named_twice_is_refused_even_when_regions_are_created(db):
    source = (
        b"zorgkantoorregio,afspraken_convenanten,stip_op_de_horizon,samenwerkingsdynamiek\n"
        b"Nieuwland,4,5,4\nNieuwland,3,5,4\n"
    )
    with pytest.raises(InvalidInput) as caught:
        imports.import_phases(source=source, name="f.csv", create_regions=True)
    assert [(e.row, e.field) for e in caught.value.errors] == [(3, "zorgkantoorregio")]
    assert not Region.objects.exists()


@pytest.mark.parametrize("budget", ["10.000.000.000", "9" * 40])
def test_a_budget_past_the_column_is_a_refused_cell_not_a_database_error(regions, budget):
    source = csv_file(f'{GOOD},"{budget}"', header=f"{HEADER},budget")
    refused = failure(source=source, name="p.csv")
    assert [(e.row, e.field) for e in refused.errors] == [(2, "budget")]
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "written, amount",
    [("12.500", "12500"), ("€ 12.500,50", "12500.50"), ("12500,5", "12500.5"), ("800", "800")],
)
def test_a_budget_is_read_the_dutch_way(written, amount):
    assert imports.parse_amount(written) == Decimal(amount)


@pytest.mark.parametrize("written", ["12.5", "1,234.56", "twaalf", "12.50,00"])
def test_a_budget_that_is_not_a_dutch_amount_is_refused_not_misread(written):
    assert imports.parse_amount(written) is None
