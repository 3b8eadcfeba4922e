"""The engine is pure arithmetic: these tests need neither Django nor a database."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regiotafel.projection import engine

pytestmark = pytest.mark.unit

SA = len(engine.SEXES) * engine.N_AGES


def model(rates, *, trend=None, years=(2020, 2021, 2022), **kw) -> engine.DemandModel:
    rates = np.asarray(rates, dtype=float)
    d, p = rates.shape[:2]
    return engine.DemandModel(
        rates=rates,
        trend=np.zeros((d, p)) if trend is None else np.asarray(trend, dtype=float),
        years=np.array(years),
        base_year=years[0],
        **kw,
    )


def population(m=3, y=3, seed=1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 100, size=(m, y, 2, engine.N_AGES))


def test_demand_is_population_times_rates_summed_over_sex_and_age():
    pop = population()
    rates = np.random.default_rng(2).uniform(0, 0.2, size=(2, 3, SA))
    out = engine.demand(pop, model(rates))
    expected = np.einsum("mysa,dpsa->mydp", pop, rates.reshape(2, 3, 2, engine.N_AGES))
    np.testing.assert_allclose(out, expected)


@settings(max_examples=25, deadline=None)
@given(factor=st.floats(min_value=0.0, max_value=1e4), seed=st.integers(0, 1000))
def test_demand_scales_linearly_with_the_population(factor, seed):
    pop = population(seed=seed)
    rates = np.random.default_rng(seed).uniform(0, 1, size=(1, 2, SA))
    m = model(rates, trend=[[0.01, -0.02]])
    np.testing.assert_allclose(
        engine.demand(pop * factor, m), factor * engine.demand(pop, m), rtol=1e-9, atol=1e-9
    )


@settings(max_examples=25, deadline=None)
@given(
    demand=st.lists(st.floats(0, 1e5), min_size=1, max_size=8),
    supply=st.lists(st.one_of(st.just(0.0), st.floats(0.01, 1e5)), min_size=1, max_size=8),
)
def test_the_shortage_is_demand_minus_supply(demand, supply):
    n = min(len(demand), len(supply))
    d, s = np.array(demand[:n]), np.array(supply[:n])
    shortage, pct = engine.gap(d, s, s)
    np.testing.assert_allclose(shortage, d - s)
    has = s > 0
    np.testing.assert_allclose(pct[has], (d - s)[has] / s[has])
    assert np.isnan(pct[~has]).all()


def test_the_shortage_percentage_is_against_current_capacity_not_future_supply():
    shortage, pct = engine.gap(np.array([150.0]), np.array([120.0]), np.array([100.0]))
    assert shortage[0] == 30
    assert pct[0] == pytest.approx(0.30)


def test_a_trend_compounds_yearly_from_the_base_year():
    pop = population(m=1)
    rates = np.full((1, 1, SA), 0.01)
    flat = engine.demand(pop, model(rates))
    grown = engine.demand(pop, model(rates, trend=[[0.1]]))
    np.testing.assert_allclose(grown[0, :, 0, 0], flat[0, :, 0, 0] * 1.1 ** np.arange(3))


def test_substitution_moves_demand_without_losing_any_when_the_factor_is_one():
    pop = population(m=2)
    rates = np.full((2, 2, SA), 0.01)
    sub = engine.Substitution(
        source=0, target=1, share=np.array([0.0, 0.25]), phase=np.array([0.0, 1.0, 1.0])
    )
    before = engine.demand(pop, model(rates))
    after = engine.demand(pop, model(rates, substitutions=(sub,)))
    np.testing.assert_allclose(after.sum(axis=-1), before.sum(axis=-1))
    np.testing.assert_allclose(after[:, 0, :, :], before[:, 0, :, :])  # phase 0 in year one
    np.testing.assert_allclose(after[:, 1:, 1, 0], 0.75 * before[:, 1:, 1, 0])


def test_later_entry_shifts_the_age_profile_to_older_ages():
    rates = np.zeros((1, 1, 2, engine.N_AGES))
    rates[..., 80:] = 0.1
    shifted = engine.shift_ages(rates, np.array([2.0]))
    assert shifted[0, 0, 0, 81] == 0
    assert shifted[0, 0, 0, 82] == pytest.approx(0.1)
    half = engine.shift_ages(rates, np.array([0.5]))
    assert half[0, 0, 0, 80] == pytest.approx(0.05)


def test_derived_outputs_are_weighted_sums_of_the_base_products():
    pop = population(m=1)
    rates = np.random.default_rng(3).uniform(0, 0.1, size=(1, 2, SA))
    weights = np.array([[[1.0, 0.5], [1.0, 2.0]]])  # (D, P, Q)
    out = engine.demand(pop, model(rates, derived=weights))
    np.testing.assert_allclose(out[..., 2], out[..., 0] + out[..., 1])
    np.testing.assert_allclose(out[..., 3], 0.5 * out[..., 0] + 2 * out[..., 1])


def test_supply_adds_phased_additions_to_current_capacity():
    current = np.array([[100.0], [50.0]])
    phase = engine.ramp(np.arange(2020, 2026), 2021, 2025)
    np.testing.assert_allclose(phase, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    out = engine.supply(current, [(0, np.array([10.0, 0.0]), phase)], 6)
    np.testing.assert_allclose(out[0, :, 0], 100 + 10 * phase)
    np.testing.assert_allclose(out[1, :, 0], 50)


def test_chunked_projection_equals_one_pass_and_the_region_is_the_sum():
    pop = population(m=7)
    rates = np.random.default_rng(4).uniform(0, 0.1, size=(21, 2, SA))
    m = model(rates, trend=np.random.default_rng(5).uniform(-0.02, 0.02, size=(21, 2)))
    small, region_small = engine.project(pop, m, chunk=2)
    big, region_big = engine.project(pop, m, chunk=100)
    np.testing.assert_allclose(small.baseline, big.baseline)
    np.testing.assert_allclose(small.percentiles, big.percentiles)
    np.testing.assert_allclose(region_small.percentiles, region_big.percentiles)
    np.testing.assert_allclose(region_small.baseline[0], big.baseline.sum(axis=0))


def test_percentiles_leave_out_the_baseline_run():
    pop = population(m=1)
    rates = np.zeros((4, 1, SA))
    rates[0] = 1.0  # the baseline is far away from the three draws
    rates[1:] = np.array([0.1, 0.2, 0.3])[:, None, None]
    summary = engine.summarise(engine.demand(pop, model(rates)))
    total = pop.sum(axis=(2, 3))[0]
    np.testing.assert_allclose(summary.baseline[0, :, 0], total)
    np.testing.assert_allclose(summary.percentiles[1, 0, :, 0], 0.2 * total)


def test_progress_is_reported_per_chunk():
    seen = []
    engine.project(
        population(m=5),
        model(np.ones((1, 1, SA))),
        chunk=2,
        progress=lambda done, of: seen.append((done, of)),
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_shapley_contributions_add_up_to_the_total_change():
    def evaluate(on):
        a = 2.0 if "a" in on else 1.0
        b = 3.0 if "b" in on else 1.0
        return np.array([a * b + (1 if "c" in on else 0)])

    parts = engine.shapley(evaluate, ["a", "b", "c"])
    total = evaluate(frozenset("abc")) - evaluate(frozenset())
    assert sum(parts.values())[0] == pytest.approx(total[0])
    assert parts["c"][0] == pytest.approx(1.0)
    # the interaction of a and b is shared equally: a alone +1, b alone +2, both +5
    assert parts["a"][0] == pytest.approx(0.5 * 1 + 0.5 * (6 - 3))


def test_indicators_follow_their_definitions():
    pop = np.zeros((1, 1, 2, engine.N_AGES))
    pop[0, 0, 0, 60] = 90  # 50-74
    pop[0, 0, 1, 30] = 100  # 20-64 (with the 60-year-olds: 190)
    pop[0, 0, 1, 70] = 10  # 65-79
    pop[0, 0, 0, 90] = 10  # 85+
    prevalence = np.zeros((2, engine.N_AGES))
    prevalence[:, 85:] = 0.3
    found = engine.indicators(pop, prevalence)
    assert found["mantelzorgpotentieel"][0, 0] == pytest.approx((90 + 10) / 10)
    assert found["grijze_druk"][0, 0] == pytest.approx(100 * 20 / 190)
    assert found["dubbele_vergrijzing"][0, 0] == pytest.approx(100 * 10 / 20)
    assert found["dementie"][0, 0] == pytest.approx(3.0)


def test_the_engine_imports_nothing_but_numpy_and_the_standard_library():
    import ast
    import sys
    from pathlib import Path

    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    modules = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert modules - set(sys.stdlib_module_names) == {"numpy"}
