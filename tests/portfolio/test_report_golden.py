"""Golden file: the report computed from the two shared files prints exactly the numbers that
seed 003 publishes for October 2020 (tables 1-8, 10-12 and appendix 1). The published tables
are typed in here by hand from the report; the report computes from the data."""

from __future__ import annotations

from datetime import date

import pytest

from regiotafel.core.demo import DATA_DIR
from regiotafel.portfolio import imports, services

pytestmark = pytest.mark.integration

OCTOBER = date(2020, 10, 31)

TABLE_1 = {  # agreements, columns mrt-19 okt-19 mrt-20 okt-20
    "Fase 1: Voorbereidingsfase": [1, 0, 0, 0],
    "Fase 2: Inventarisatiefase": [7, 7, 3, 0],
    "Fase 3: Plan van aanpak": [10, 6, 4, 2],
    "Fase 4: Implementatiefase": [16, 21, 27, 32],
    "Totaal": [34, 34, 34, 34],
}
TABLE_2 = {
    "Fase 1: Autonome organisaties": [2, 1, 0, 0],
    "Fase 2: Samenwerking vanwege ontwikkelplannen": [14, 12, 4, 0],
    "Fase 3: Intrinsieke motivatie": [17, 19, 13, 11],
    "Fase 4: Samenwerking vanuit visie": [1, 2, 17, 23],
    "Totaal": [34, 34, 34, 34],
}
TABLE_3 = {
    "Fase 1: Nog geen afspraak over": [4, 0, 0, 0],
    "Fase 2: Alleen als afspraak / actie vastgelegd": [15, 11, 4, 0],
    "Fase 3: Voorbereidingen getroffen": [13, 8, 6, 2],
    "Fase 4: Dialoogsessie": [2, 13, 16, 14],
    "Fase 5: Strategische keuzes": [0, 2, 8, 18],
    "Totaal": [34, 34, 34, 34],
}
# Columns: CZ, Zilveren Kruis (De Friesland), ENO, Menzis, VGZ, Zilveren Kruis, Z&Z, Totaal
TABLE_4 = {
    "Anders opleiden / samenwerking met onderwijs": [6, 0, 1, 2, 10, 3, 3, 25],
    "Anders werken": [5, 0, 0, 2, 1, 5, 2, 15],
    "Behandelfunctie / SOG": [4, 0, 0, 2, 9, 8, 1, 24],
    "Efficiënt werken": [0, 0, 0, 0, 0, 0, 0, 0],
    "Leren en verbeteren": [3, 1, 0, 2, 0, 8, 2, 16],
    "Nieuwe professionals aantrekken": [8, 1, 0, 9, 12, 3, 2, 35],
    "Persoonsgerichte zorg": [5, 0, 0, 3, 5, 8, 3, 24],
    "Professionals behouden": [7, 1, 0, 13, 12, 5, 1, 39],
    "Regionale strategievorming": [1, 2, 2, 4, 11, 16, 0, 36],
    "Samenwerking in de keten": [14, 7, 3, 1, 4, 27, 2, 58],
    "Technologie": [12, 2, 1, 5, 12, 12, 2, 46],
    "Totaal": [65, 14, 7, 43, 76, 95, 18, 318],
}
TABLE_4_FUNDERS = [
    "CZ", "Zilveren Kruis (De Friesland)", "ENO", "Menzis", "VGZ", "Zilveren Kruis", "Z&Z",
]  # fmt: skip
TABLE_5 = {"1 tot 3": 20, "4 tot 6": 95, "7 tot 9": 122, "Meer dan 10": 61}
TABLE_6 = {
    "Afgerond en niet succesvol verlopen": 7,
    "Afgerond en succesvol verlopen": 31,
    "Lopend": 244,
    "Nog niet gestart": 30,
    "Vroegtijdig gestopt of helemaal niet gestart": 6,
    "Totaal": 318,
}
# Start 2020, Start 2021, Totaal 2020-2021, Procentueel, Aanvang 2018-2019, Procentueel
TABLE_7 = {
    "Anders opleiden / samenwerking met onderwijs": [2, 2, 4, "3,5%", 21, "10,24%"],
    "Anders werken": [8, 1, 9, "8,0%", 6, "2,93%"],
    "Behandelfunctie / SOG": [3, 1, 4, "3,5%", 20, "9,76%"],
    "Efficiënt werken": [0, 0, 0, "0,0%", 0, "0,00%"],
    "Leren en verbeteren": [1, 2, 3, "2,7%", 13, "6,34%"],
    "Nieuwe professionals aantrekken": [5, 2, 7, "6,2%", 28, "13,66%"],
    "Persoonsgerichte zorg": [9, 4, 13, "11,5%", 11, "5,37%"],
    "Professionals behouden": [9, 1, 10, "8,8%", 29, "14,15%"],
    "Regionale strategievorming": [16, 3, 19, "16,8%", 17, "8,29%"],
    "Samenwerking in de keten": [17, 12, 29, "25,7%", 29, "14,15%"],
    "Technologie": [13, 2, 15, "13,3%", 31, "15,12%"],
    "Totaal": [83, 30, 113, "100,0%", 205, "100,00%"],
}
TABLE_8 = {
    "Op kleine schaal met beperkte betekenis": 40,
    "Op kleine schaal met veel betekenis": 54,
    "Op gemiddelde schaal met beperkte betekenis": 27,
    "Op gemiddelde schaal met veel betekenis": 111,
    "Op grote schaal met beperkte betekenis": 12,
    "Op grote schaal met grote betekenis": 74,
    "Nog onbekend": 0,
    "Totaal": 318,
}
TABLE_10 = {
    "Nee, geen resultaten te delen": 69,
    "Nee, werk in uitvoering, wel in de nabije toekomst": 93,
    "Ja, vanwege meerdere redenen": 156,
    "Nog onbekend": 0,
    "Totaal": 318,
}
TABLE_11 = {
    "Niet zinvol om op te schalen": 54,
    "Nee, is nog niet zinvol": 86,
    "Ja, alleen in deze regio": 58,
    "Ja naar enkele andere regio's": 77,
    "Ja, landelijk opschaalbaar": 43,
    "Totaal": 318,
}
TABLE_12_IMPACT = {
    "Op kleine schaal met beperkte betekenis": 5,
    "Op kleine schaal met veel betekenis": 5,
    "Op gemiddelde schaal met beperkte betekenis": 2,
    "Op gemiddelde schaal met veel betekenis": 18,
    "Op grote schaal met beperkte betekenis": 1,
    "Op grote schaal met grote betekenis": 15,
    "Totaal": 46,
}
TABLE_12_SHAREABLE = {
    "Nee, geen resultaten te delen": 5,
    "Nee, werk in uitvoering, wel in de nabije toekomst": 16,
    "Ja, vanwege meerdere redenen": 25,
    "Nog onbekend": 0,
    "Totaal": 46,
}
TABLE_12_SCALABILITY = {
    "Niet zinvol om op te schalen": 2,
    "Nee, is nog niet zinvol": 12,
    "Ja, alleen in deze regio": 8,
    "Ja naar enkele andere regio's": 11,
    "Ja, landelijk opschaalbaar": 13,
    "Totaal": 46,
}
IMP, P = "Fase 4: Implementatiefase", "Fase 3: Plan van aanpak"
S, D, V = (
    "Fase 5: Strategische keuzes",
    "Fase 4: Dialoogsessie",
    "Fase 3: Voorbereidingen getroffen",
)
VIS, INT = "Fase 4: Samenwerking vanuit visie", "Fase 3: Intrinsieke motivatie"
APPENDIX_1 = {  # region: agreements, vision (stip op de horizon), dynamics (ontwikkelfase)
    "Zeeland": [IMP, S, VIS],
    "West-Brabant": [IMP, S, VIS],
    "Zuid-Hollandse Eilanden": [IMP, D, INT],
    "Haaglanden": [IMP, D, INT],
    "Zuid-Limburg": [IMP, D, INT],
    "Zuidoost-Brabant": [IMP, D, VIS],
    "Friesland": [IMP, S, VIS],
    "Midden-IJssel": [IMP, S, VIS],
    "Groningen": [IMP, S, VIS],
    "Twente": [IMP, D, VIS],
    "Arnhem (subregio Arnhem)": [IMP, D, INT],
    "Arnhem (subregio Food Valley)": [IMP, S, INT],
    "Arnhem (subregio Achterhoek)": [IMP, D, VIS],
    "Waardenland": [IMP, S, VIS],
    "Midden-Holland": [IMP, S, VIS],
    "Midden-Brabant": [IMP, S, VIS],
    "Noordoost-Brabant": [IMP, D, VIS],
    "Noord-Holland Noord": [IMP, S, VIS],
    "Noord- en Midden-Limburg": [IMP, D, VIS],
    "Nijmegen (subregio Nijmegen)": [IMP, S, VIS],
    "Nijmegen (subregio Rivierenland)": [IMP, D, INT],
    "Amstelland/Meerlanden": [IMP, V, INT],
    "Zuid-Holland Noord": [IMP, V, INT],
    "Rotterdam": [IMP, S, VIS],
    "Rotterdam (subregio Capelle/Krimpen)": [IMP, S, VIS],
    "Drenthe": [IMP, S, VIS],
    "Groot Amsterdam": [IMP, S, VIS],
    "Zwolle": [P, D, INT],
    "Apeldoorn/Zutphen": [P, D, INT],
    "Flevoland": [IMP, D, VIS],
    "Kennemerland": [IMP, S, VIS],
    "Zaanstreek/Waterland": [IMP, S, VIS],
    "Utrecht": [IMP, S, INT],
    "'t Gooi": [IMP, D, VIS],
}


@pytest.fixture
def the_report(shared_files):
    imports.import_phase_totals(source=DATA_DIR / "regio_fasen_totalen.csv")
    return services.build_report(at=OCTOBER)


def as_dict(table, column: int | None = 0) -> dict:
    return {label: (cells if column is None else cells[column]) for label, cells in table.body()}


@pytest.mark.parametrize(
    "key, published", [("tabel-1", TABLE_1), ("tabel-2", TABLE_2), ("tabel-3", TABLE_3)]
)
def test_tables_1_to_3_print_the_published_counts_per_phase(the_report, key, published):
    table = the_report.table(key)
    assert table.columns == ["mrt 2019", "okt 2019", "mrt 2020", "okt 2020"]
    assert as_dict(table, None) == published


def test_the_october_phase_counts_come_from_the_region_scores_not_the_published_totals(
    shared_files,
):
    report = services.build_report(at=OCTOBER)  # no published totals loaded
    assert as_dict(report.table("tabel-1"), None) == {k: [v[3]] for k, v in TABLE_1.items()}
    assert as_dict(report.table("tabel-3"), None) == {k: [v[3]] for k, v in TABLE_3.items()}


def test_table_4_prints_the_published_theme_by_funder_counts(the_report):
    table = the_report.table("tabel-4")
    assert table.columns == [*TABLE_4_FUNDERS, "Totaal"]
    assert as_dict(table, None) == TABLE_4


def test_table_5_prints_exactly_the_published_bands_and_says_the_unknowns_below(the_report):
    table = the_report.table("tabel-5")
    assert as_dict(table) == TABLE_5 and table.total is None
    assert "20 van de 318 projecten (okt 2020)" in table.note


@pytest.mark.parametrize(
    "key, published",
    [
        ("tabel-6", TABLE_6),
        ("tabel-8", TABLE_8),
        ("tabel-10", TABLE_10),
        ("tabel-11", TABLE_11),
        ("tabel-12-impact", TABLE_12_IMPACT),
        ("tabel-12-shareable", TABLE_12_SHAREABLE),
        ("tabel-12-scalability", TABLE_12_SCALABILITY),
    ],
)
def test_the_count_tables_print_the_published_october_column(the_report, key, published):
    # The published "Nog onbekend" rows are there for March 2020 (8, 17, 3 projects); in
    # October they are 0, and a report on October alone prints no empty unknown row.
    expected = {k: v for k, v in published.items() if (k, v) != ("Nog onbekend", 0)}
    assert as_dict(the_report.table(key)) == expected


def test_table_7_prints_the_published_counts_and_percentages(the_report):
    table = the_report.table("tabel-7")
    assert table.columns == [
        "Start 2020", "Start 2021", "Totaal 2020-2021", "Procentueel", "Aanvang 2018-2019",
        "Procentueel",
    ]  # fmt: skip
    assert as_dict(table, None) == TABLE_7


def test_appendix_1_prints_every_region_in_the_official_wording_and_published_order(the_report):
    table = the_report.table("bijlage-1")
    assert as_dict(table, None) == APPENDIX_1
    assert [label for label, _cells in table.rows] == list(APPENDIX_1)


def test_two_reference_dates_give_both_columns_and_the_change(shared_files):
    from regiotafel.portfolio.models import Assessment, Status

    later = date(2021, 3, 1)
    project = Assessment.objects.get(project__code="P001")
    Assessment.objects.create(
        project=project.project,
        valid_from=later,
        status=Status.AFGEROND_SUCCESVOL,
        impact=project.impact,
        shareable=project.shareable,
        scalability=project.scalability,
        organisations=project.organisations,
    )
    table = services.build_report(at=later, compare=OCTOBER).table("tabel-6")
    rows = as_dict(table, None)
    assert rows["Lopend"] == [244, 243, -1]
    assert rows["Afgerond en succesvol verlopen"] == [31, 32, 1]
    assert rows["Totaal"] == [318, 318, 0]


def test_table_12_profiles_another_theme_when_asked(shared_files):
    report = services.build_report(at=OCTOBER, theme="Samenwerking in de keten")
    table = report.table("tabel-12-impact")
    assert "Samenwerking in de keten" in table.title
    assert table.total[1] == [TABLE_4["Samenwerking in de keten"][-1]]


def test_an_unknown_theme_for_table_12_is_refused_naming_the_themes(shared_files):
    from regiotafel.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Onbekend thema Ruimtevaart; kies uit: .*Technologie"):
        services.build_report(at=OCTOBER, theme="Ruimtevaart")
