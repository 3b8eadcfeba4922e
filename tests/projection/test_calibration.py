"""Golden numbers: the engine reproduces the published ZHN gap analysis (seed 000).

The calibration procedure (``regiotafel.projection.calibration``) produces the example file's
rates, capacity and scenario additions; these tests keep the file and the procedure in step
and check the published figures through the whole engine.
"""

from pathlib import Path

import pytest

from regiotafel.projection import calibration, params, runner

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = {  # seed 000: scenario -> year -> (shortage in places, percent)
    "basis": {2025: (974, 25), 2040: (4260, 111)},
    "midden": {2025: (361, 9), 2040: (3647, 95)},
    "groei": {2025: (361, 9), 2040: (2713, 70)},
}


@pytest.fixture(scope="module")
def example():
    return params.load(ROOT / "examples" / "projectie-zhn.yaml")


@pytest.fixture(scope="module")
def calibrated():
    return calibration.calibrate()


@pytest.fixture(scope="module")
def results(example):
    return runner.run(example, draws=0)


def test_one_current_capacity_agrees_with_every_published_percentage(calibrated):
    low, high = calibrated["capacity_interval"]
    assert 3848 < low < high < 3856
    assert calibrated["capacity"] == 3850


def test_the_example_file_holds_the_calibrated_rates(example, calibrated):
    # stored to 4 (dementia 3) significant digits; approx only absorbs floating-point noise
    for key, product in (("pg", "verpleeghuis_pg"), ("somatisch", "verpleeghuis_somatisch")):
        bands = example.producten[product].gebruik
        stored = {b.leeftijd: [b.man, b.vrouw] for b in bands}
        assert stored.keys() == calibrated[key].keys()
        for band, values in calibrated[key].items():
            assert stored[band] == pytest.approx(values, rel=1e-3)
    prevalence = {b.leeftijd: [b.man, b.vrouw] for b in example.dementie.prevalentie}
    assert prevalence.keys() == calibrated["dementia"].keys()
    for band, values in calibrated["dementia"].items():
        assert prevalence[band] == pytest.approx(values, rel=1e-2)


def test_the_example_file_holds_the_calibrated_capacity_and_additions(example, calibrated):
    current = sum(example.aanbod["verpleeghuis_pg"].values()) + sum(
        example.aanbod["verpleeghuis_somatisch"].values()
    )
    assert current == pytest.approx(calibrated["capacity"], abs=2)  # rounding per municipality
    for scenario, by_year in calibrated["additions"].items():
        added = example.scenarios[scenario].toevoegingen
        for year, places in by_year.items():
            assert sum(a.plaatsen for a in added if a.jaar <= year) == places


def test_the_calibrated_age_profile_is_plausible(calibrated):
    # rates roughly double every five years of age: the shape of Dutch nursing-home use
    assert 0.10 < calibrated["beta"] < 0.20


@pytest.mark.parametrize("scenario", ["basis", "midden", "groei"])
@pytest.mark.parametrize("year", [2025, 2040])
def test_the_engine_reproduces_the_published_regional_shortage(results, scenario, year):
    row = results[
        (results["gemeente"] == "ZHN")
        & (results["product"] == "verpleeghuis")
        & (results["scenario"] == scenario)
        & (results["jaar"] == year)
    ].iloc[0]
    places, percent = PUBLISHED[scenario][year]
    assert row["tekort"] == pytest.approx(places, rel=0.01)
    assert round(row["tekort_pct"] * 100) == percent


def test_the_need_is_about_5000_places_in_2025_and_8200_in_2040(results):
    need = results[
        (results["gemeente"] == "ZHN")
        & (results["product"] == "verpleeghuis")
        & (results["scenario"] == "basis")
    ].set_index("jaar")["vraag"]
    assert need[2025] == pytest.approx(4824, rel=0.01)  # the text rounds to "5000"
    assert need[2040] == pytest.approx(8110, rel=0.01)  # the text rounds to "8200"


def test_the_shortage_is_largest_in_leiden_alphen_and_katwijk(results):
    year = results[
        (results["jaar"] == 2040)
        & (results["scenario"] == "basis")
        & (results["product"] == "verpleeghuis")
        & (results["gemeente"] != "ZHN")
    ]
    top = set(year.nlargest(3, "tekort")["gemeente"])
    assert top == {"GM0546", "GM0484", "GM0537"}


def test_the_pg_shortage_is_larger_than_the_somatic_one(results):
    region = results[
        (results["gemeente"] == "ZHN")
        & (results["jaar"] == 2040)
        & (results["scenario"] == "basis")
    ].set_index("product")["tekort"]
    assert region["verpleeghuis_pg"] > region["verpleeghuis_somatisch"]
