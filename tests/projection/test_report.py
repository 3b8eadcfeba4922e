"""The report: a self-contained HTML file and an XLSX of every table, from a results table
shaped exactly as ``runner.run`` returns it."""

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from regiotafel.projection import figures, report

pytestmark = pytest.mark.unit

REGION = "ZHN"
LABELS = report.Labels(
    areas={"GM0546": "Leiden", "GM0484": "Alphen aan den Rijn", REGION: "Zuid-Holland Noord"},
    scenarios={"basis": "basisscenario", "groei": "groeiscenario"},
    products={"vv_pg": "verpleeghuis PG", "vv_som": "verpleeghuis somatisch"},
)


def results_table(*, draws: bool = True) -> pd.DataFrame:
    """A small results table: two municipalities and the region, 2020-2040, two scenarios and
    two products; demand grows, supply grows only in the growth scenario."""
    rows = []
    for code, size in (("GM0546", 1000.0), ("GM0484", 700.0)):
        for scenario, added in (("basis", 0.0), ("groei", 15.0)):
            for product, share in (("vv_pg", 0.6), ("vv_som", 0.4)):
                capacity = 900.0 * share * size / 1000
                for year in range(2020, 2041):
                    demand = share * size * (1 + 0.035 * (year - 2020))
                    supply = capacity + added * share * (year - 2020)
                    rows.append((code, year, scenario, product, demand, supply, capacity))
    frame = pd.DataFrame(
        rows, columns=["gemeente", "jaar", "scenario", "product", "vraag", "aanbod", "cap"]
    )
    frame["run"] = 0
    region = frame.groupby(["jaar", "scenario", "product"], as_index=False)[
        ["vraag", "aanbod", "cap"]
    ].sum()
    region["gemeente"], region["run"] = REGION, 0
    frame = pd.concat([frame, region], ignore_index=True)
    frame["tekort"] = frame["vraag"] - frame["aanbod"]
    frame["tekort_pct"] = frame["tekort"] / frame["cap"]
    frame = frame.drop(columns="cap")
    columns = ["gemeente", "jaar", "scenario", "product", "run", "vraag", "aanbod", "tekort"]
    frame = frame[[*columns, "tekort_pct"]]
    if draws:
        for column in ("vraag", "tekort"):
            spread = np.abs(frame["vraag"]) * 0.1
            frame[f"{column}_p10"] = frame[column] - spread
            frame[f"{column}_p50"] = frame[column]
            frame[f"{column}_p90"] = frame[column] + spread
    return frame


def indicator_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gemeente": [REGION, REGION, "GM0546", "GM0546"],
            "jaar": [2025, 2040, 2025, 2040],
            "indicator": ["mantelzorgpotentieel"] * 4,
            "waarde": [8.1, 3.7, 8.8, 4.4],
        }
    )


def decomposition_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gemeente": [REGION, REGION],
            "scenario": ["basis", "basis"],
            "product": ["vv_pg", "vv_pg"],
            "factor": ["demografie", "trend"],
            "bijdrage": [2100.6, -300.4],
        }
    )


def test_the_html_report_names_the_region_and_every_municipality(tmp_path):
    path = tmp_path / "rapport.html"
    report.write_report(results_table(), html_path=path, title="Zorgkloof ZHN", labels=LABELS)
    text = path.read_text(encoding="utf-8")
    assert "<title>Zorgkloof ZHN</title>" in text
    for name in ("Zuid-Holland Noord", "Leiden", "Alphen aan den Rijn"):
        assert name in text
    assert "verpleeghuis PG" in text and "groeiscenario" in text


def test_the_html_report_prints_the_numbers_of_the_key_year_table(tmp_path):
    results = results_table()
    path = tmp_path / "rapport.html"
    report.write_report(results, html_path=path, title="t", labels=LABELS)
    text = path.read_text(encoding="utf-8")
    table = report.key_year_table(results, scenario="basis", product="vv_pg", labels=LABELS)
    assert set(table["jaar"]) == {2025, 2030, 2040}
    assert len(table) == 9  # the region and two municipalities, three years each
    for row in table.itertuples():
        cells = (
            f'<td class="num">{report.number(row.vraag)}</td>'
            f'<td class="num">{report.number(row.aanbod)}</td>'
            f'<td class="num">{report.number(row.tekort)}</td>'
            f'<td class="num">{report.percent(row.tekort_pct)}</td>'
        )
        assert cells in text


def test_the_html_report_works_offline_with_plotly_inline(tmp_path):
    path = tmp_path / "rapport.html"
    report.write_report(results_table(), html_path=path, title="t", labels=LABELS)
    text = path.read_text(encoding="utf-8")
    assert "<script src=" not in text and "<link" not in text  # nothing fetched
    head, body = text.split("</head>")
    library = "* plotly.js (cartesian - minified) v"  # the minified bundle the pages load
    assert library in head and library not in body  # the library, once
    assert text.count('class="plotly-chart"') >= 2 * (2 + 2)  # per product: 2 region, 2 areas
    assert "Plotly.newPlot(chart" in head  # core.charts' renderer, inline: works from disk
    assert "P10–P90" in text


def test_without_draws_the_report_says_so_and_draws_no_band(tmp_path):
    path = tmp_path / "rapport.html"
    report.write_report(results_table(draws=False), html_path=path, title="t", labels=LABELS)
    text = path.read_text(encoding="utf-8")
    assert "alleen het basispad" in text
    assert "P10–P90" not in text


def test_the_region_is_first_in_the_table_then_municipalities_by_name():
    table = report.key_year_table(
        results_table(), scenario="groei", product="vv_som", labels=LABELS
    )
    assert list(dict.fromkeys(table["naam"])) == [
        "Zuid-Holland Noord",
        "Alphen aan den Rijn",
        "Leiden",
    ]


def test_the_shortage_is_demand_minus_supply_in_the_key_year_table():
    table = report.key_year_table(results_table(), scenario="basis", product="vv_pg", labels=LABELS)
    assert np.allclose(table["tekort"], table["vraag"] - table["aanbod"])


def test_the_workbook_has_a_sheet_per_table_and_the_results_read_back_equal(tmp_path):
    results = results_table()
    path = tmp_path / "rapport.xlsx"
    report.write_report(
        results,
        xlsx_path=path,
        title="t",
        labels=LABELS,
        indicators=indicator_table(),
        decomposition=decomposition_table(),
    )
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == [
        "Resultaten",
        "Kernjaren",
        "Indicatoren",
        "Decompositie",
        "Toelichting",
    ]
    rows = list(book["Resultaten"].iter_rows(values_only=True))
    assert list(rows[0]) == list(results.columns)
    read_back = pd.DataFrame(rows[1:], columns=rows[0])
    pd.testing.assert_frame_equal(read_back, results, check_dtype=False)


def test_the_workbook_keeps_numbers_as_numbers_and_names_the_areas(tmp_path):
    data = report.workbook_bytes(
        results_table(), labels=LABELS, indicators=indicator_table(), decomposition=None
    )
    book = load_workbook(io.BytesIO(data), read_only=True)
    key_rows = list(book["Kernjaren"].iter_rows(values_only=True))
    header = list(key_rows[0])
    assert header[:4] == ["scenario", "product", "gemeente", "naam"]
    first = dict(zip(header, key_rows[1], strict=True))
    assert first["naam"] == "Zuid-Holland Noord" and first["scenario"] == "basisscenario"
    assert isinstance(first["vraag"], float) and isinstance(first["jaar"], int)
    indicator_rows = list(book["Indicatoren"].iter_rows(values_only=True))
    assert indicator_rows[1] == (REGION, 2025, "mantelzorgpotentieel", 8.1)
    assert "Decompositie" not in book.sheetnames


def test_the_report_shows_indicators_and_the_decomposition(tmp_path):
    path = tmp_path / "rapport.html"
    report.write_report(
        results_table(),
        html_path=path,
        title="t",
        labels=LABELS,
        indicators=indicator_table(),
        decomposition=decomposition_table(),
    )
    text = path.read_text(encoding="utf-8")
    assert "mantelzorgpotentieel" in text and "3,7" in text
    assert "demografie" in text and "2.101" in text and "-300<" in text


def test_the_report_tables_show_years_as_years_persons_whole_and_dutch_headers(tmp_path):
    path = tmp_path / "rapport.html"
    decomposition = decomposition_table().assign(van_jaar=2020, tot_jaar=2040)
    indicators = pd.DataFrame(
        {
            "gemeente": [REGION, REGION],
            "jaar": [2040, 2040],
            "indicator": ["dementie", "grijze_druk"],
            "waarde": [623.5, 47.04],
        }
    )
    report.write_report(
        results_table(),
        html_path=path,
        title="t",
        labels=LABELS,
        indicators=indicators,
        decomposition=decomposition,
    )
    text = path.read_text(encoding="utf-8")
    assert '<td class="num">2020</td>' in text and "2.020" not in text
    assert '<td class="num">624</td>' in text and '<td class="num">47,0</td>' in text
    assert '<th scope="col">Bijdrage aan het tekort</th>' in text and ">van_jaar<" not in text


def test_the_charts_use_a_decimal_comma_and_a_thousands_point():
    results = results_table()
    built = [
        figures.demand_supply_figure(
            results, area=REGION, product="vv_pg", scenarios=["basis"], labels=LABELS
        ),
        figures.shortage_figure(
            results, area=REGION, product="vv_pg", scenarios=["basis", "groei"], labels=LABELS
        ),
        figures.small_multiples_figure(
            results, areas=["GM0546", "GM0484"], product="vv_pg", scenario="basis", labels=LABELS
        ),
    ]
    for figure in built:
        assert figure.layout.separators == ",."
        assert figure.layout.yaxis.tickformat == ",~f" and figure.layout.xaxis.tickformat == "d"


def test_a_source_note_on_the_results_is_printed(tmp_path):
    results = results_table(draws=False)
    results.attrs["bron"] = "demodataset, opgebouwd uit gepubliceerde cijfers"
    path, workbook = tmp_path / "rapport.html", tmp_path / "rapport.xlsx"
    report.write_report(results, html_path=path, xlsx_path=workbook, title="t", labels=LABELS)
    assert "demodataset, opgebouwd uit gepubliceerde cijfers" in path.read_text(encoding="utf-8")
    notes = dict(load_workbook(workbook, read_only=True)["Toelichting"].iter_rows(values_only=True))
    assert notes["bron"] == "demodataset, opgebouwd uit gepubliceerde cijfers"


def test_dutch_number_formats():
    assert report.number(4260.4) == "4.260"
    assert report.number(-12.6) == "-13"
    assert report.percent(1.109) == "111%"
    assert report.number(float("nan")) == "—"
    assert report.indicator_value("dementie", 623.5) == "624"
    assert report.indicator_value("mantelzorgpotentieel", 5.46) == "5,5"
