"""The CBS loader against recorded OData answers (these machines cannot reach CBS).

The fixtures in ``fixtures/cbs/`` have the shape of StatLine's OData feed (table listing,
dimension tables with Key/Title, TypedDataSet rows); their numbers are made from the demo
dataset by ``fixtures/cbs/make_fixtures.py``. ``responses`` serves them to the real
``cbsodata`` client, so the test covers the HTTP, the key-to-title mapping and our parsing.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import requests
import responses

from regiotafel import errors
from regiotafel.projection import cbs

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cbs"
FEED = "https://opendata.cbs.nl/ODataFeed/odata/"
CODES = ["GM0546", "GM0638"]
YEARS = [2023, 2024, 2025]


def serve(mock: responses.RequestsMock) -> None:
    for table in ("03759ned", "85171NED"):
        recorded = json.loads((FIXTURES / f"{table}.json").read_text(encoding="utf-8"))
        for name, rows in recorded.items():
            mock.add(
                responses.GET,
                f"{FEED}{table}/{name}",
                json={"odata.metadata": f"{FEED}{table}/$metadata#{name}", "value": rows},
            )


def recorded_rows(table: str) -> list[dict]:
    return json.loads((FIXTURES / f"{table}.json").read_text(encoding="utf-8"))["TypedDataSet"]


@pytest.fixture
def loaded(tmp_path):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve(mock)
        table = cbs.load_population(CODES, YEARS, cbs.Loader(tmp_path))
        calls = len(mock.calls)
    return table, tmp_path, calls


def test_the_base_year_is_the_recorded_population_by_single_age_and_sex(loaded):
    table, _, _ = loaded
    leiden = {
        (r["Geslacht"], r["Leeftijd"]): r["BevolkingOp1Januari_1"]
        for r in recorded_rows("03759ned")
        if r["RegioS"] == "GM0546" and r["BurgerlijkeStaat"] == "T001019"
    }
    assert table.values[0, 0, 0, 0] == leiden[("3000", "10010")]  # men, 0 years
    assert table.values[0, 0, 1, 105] == leiden[("4000", "22510")]  # women, 105+
    # the age group "65 jaar of ouder" and married persons are not counted twice
    singles = sum(v for (s, a), v in leiden.items() if a != "52200")
    assert table.values[0, 0].sum() == pytest.approx(singles)


def test_later_years_follow_national_growth_scaled_to_the_municipal_totals(loaded):
    table, _, _ = loaded
    totals = {
        (r["RegioS"], r["Perioden"][:4]): r["Bevolking_1"]
        for r in recorded_rows("85171NED")
        if r["RegioS"] in CODES and r["Geslacht"] == "T001038"
    }
    for m, code in enumerate(CODES):
        for y, year in enumerate(YEARS[1:], start=1):
            assert table.values[m, y].sum() == pytest.approx(totals[(code, str(year))])
    national = np.zeros((len(YEARS), 2, 106))
    for r in recorded_rows("85171NED"):
        if r["RegioS"].strip() == "NL01" and r["Geslacht"] != "T001038":
            age = min((int(r["Leeftijd"]) - 10010) // 100, 105)
            sex = 1 if r["Geslacht"] == "4000" else 0
            national[YEARS.index(int(r["Perioden"][:4])), sex, age] += r["Bevolking_1"]
    expected = table.values[1, 0] * national[2] / national[0]
    expected *= table.values[1, 2].sum() / expected.sum()
    np.testing.assert_allclose(table.values[1, 2], expected)
    assert "CBS" in table.source


def test_a_second_run_reads_the_disk_cache_without_network(loaded):
    first, cache, calls = loaded
    assert calls > 0 and list(cache.glob("*.parquet"))
    with responses.RequestsMock() as mock:  # any request would fail the test
        again = cbs.load_population(CODES, YEARS, cbs.Loader(cache))
        assert len(mock.calls) == 0
    np.testing.assert_allclose(again.values, first.values)


def test_an_unreachable_statline_is_one_dutch_error(tmp_path):
    with responses.RequestsMock() as mock:
        offline = requests.ConnectionError("geen netwerk")
        mock.add(responses.GET, f"{FEED}03759ned/RegioS", body=offline)
        with pytest.raises(errors.NotFound, match="CBS-tabel 03759ned is niet op te halen"):
            cbs.load_population(CODES, YEARS, cbs.Loader(tmp_path))


def test_a_municipality_without_figures_is_named(tmp_path):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve(mock)
        with pytest.raises(errors.InvalidInput, match="GM0003"):
            cbs.load_population(["GM0546", "GM0003"], YEARS, cbs.Loader(tmp_path))


def test_a_parameter_file_with_bron_cbs_runs_on_statline_figures(tmp_path):
    from regiotafel.projection import params, runner
    from tests.projection.test_params import minimal

    data = minimal(
        basisjaar=2023,
        eindjaar=2025,
        bevolking={"bron": "cbs", "gemeenten": CODES, "cache": str(tmp_path)},
        aanbod={"verpleeghuis_pg": {"GM0546": 500, "GM0638": 40}},
    )
    loaded = params.parse(json.dumps(data), source="cbs.json")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve(mock)
        result = runner.run(loaded, draws=0)
    assert set(result["gemeente"]) == {"GM0546", "GM0638", "TR"}
    assert "CBS StatLine" in result.attrs["bron"]
    with pytest.raises(errors.InvalidInput, match="bevolking.gemeenten"):
        runner.run(params.parse(json.dumps({**data, "bevolking": {"bron": "cbs"}}), source="x"))
