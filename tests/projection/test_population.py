"""The age–sex projection method and the demo dataset built from published figures."""

import numpy as np
import pytest

from regiotafel.projection import engine, population

pytestmark = pytest.mark.unit


def test_projection_is_base_structure_times_growth_scaled_to_the_municipal_totals():
    base = np.zeros((2, 2, engine.N_AGES))
    base[0, 0, 10], base[0, 1, 80] = 30, 10
    base[1, 0, 10], base[1, 1, 80] = 5, 5
    growth = np.ones((2, 2, engine.N_AGES))
    growth[1, 1, 80] = 3.0  # the old triple nationally in year two
    totals = np.array([[40.0, 80.0], [10.0, 10.0]])
    out = population.project(base, growth, totals)
    np.testing.assert_allclose(out.sum(axis=(2, 3)), totals)
    np.testing.assert_allclose(out[0, 0], base[0])
    # year two: shape 30 : 30 scaled to 80
    assert out[0, 1, 0, 10] == pytest.approx(40)
    assert out[0, 1, 1, 80] == pytest.approx(40)
    assert out[1, 1, 1, 80] == pytest.approx(7.5)


@pytest.fixture(scope="module")
def demo():
    return population.demo_population()


def test_the_shipped_demo_file_is_what_the_documented_builder_makes(demo):
    built = population.build_demo()
    order = [built.municipalities.index(c) for c in demo.municipalities]
    np.testing.assert_allclose(demo.values, built.values[order], atol=0.006)


def test_the_demo_is_marked_as_a_demo(demo):
    assert "DEMODATASET" in demo.source
    with population.gzip.open(population.DEMO_FILE, "rt", encoding="utf-8") as handle:
        assert "DEMODATASET" in handle.readline()


def test_the_demo_holds_13_municipalities_with_their_2023_inhabitants(demo):
    assert len(demo.municipalities) == 13
    assert demo.years == tuple(range(2020, 2041))
    leiden = demo.municipalities.index("GM0546")
    assert demo.values[leiden, 3].sum() == pytest.approx(127_089, abs=1)
    assert demo.values[:, 3].sum() == pytest.approx(583_947, abs=5)


def test_the_demo_reproduces_the_published_age_figures(demo):
    region = demo.values.sum(axis=0)[None]
    plus65 = engine.band_totals(region, 65, 105)[0]
    plus80 = engine.band_totals(region, 80, 105)[0]
    total = region.sum(axis=(2, 3))[0]
    assert plus65[3] == pytest.approx(118_180, rel=1e-4)
    assert plus65[20] == pytest.approx(159_560, rel=1e-4)
    assert total[20] / total[3] == pytest.approx(1.08, rel=1e-4)
    assert plus80[3] / total[3] == pytest.approx(0.05, abs=0.002)
    assert plus80[20] / total[20] == pytest.approx(0.087, abs=0.002)
    assert 1.8 < plus80[20] / plus80[0] < 2.2  # "the 80+ population roughly doubles"


def test_the_population_table_round_trips_through_a_long_frame(demo):
    small = demo.select(["GM0638"], [2020, 2040])
    again = population.PopulationTable.from_frame(small.to_frame())
    np.testing.assert_allclose(again.values, small.values)
    with pytest.raises(KeyError):
        demo.select(["GM9999"], [2020])
