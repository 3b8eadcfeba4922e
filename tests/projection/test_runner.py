"""The runner's long tables: exact columns, seeded draws, percentiles, decomposition."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from regiotafel import errors
from regiotafel.projection import params, population, runner

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
BASE_COLUMNS = [
    "gemeente",
    "jaar",
    "scenario",
    "product",
    "run",
    "vraag",
    "aanbod",
    "tekort",
    "tekort_pct",
]


def example(**changes) -> params.Params:
    data = yaml.safe_load((ROOT / "examples" / "projectie-zhn.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return params.parse(yaml.safe_dump(data), source="test.yaml")


@pytest.fixture(scope="module")
def drawn():
    return runner.run(example(), draws=60)


def test_without_draws_the_table_has_exactly_the_issues_columns():
    result = runner.run(example(), draws=0)
    assert list(result.columns) == BASE_COLUMNS
    assert set(result["run"]) == {0}
    assert len(result) == 14 * 21 * 3 * 7  # 13 municipalities + region, years, scenarios, products
    assert "DEMODATASET" in result.attrs["bron"]


def test_with_draws_it_adds_percentile_columns_not_draw_rows(drawn):
    assert list(drawn.columns) == BASE_COLUMNS + runner.PERCENTILE_COLUMNS
    assert len(drawn) == 14 * 21 * 3 * 7
    assert (drawn["vraag_p10"] <= drawn["vraag_p50"] + 1e-9).all()
    assert (drawn["vraag_p50"] <= drawn["vraag_p90"] + 1e-9).all()
    np.testing.assert_allclose(drawn["tekort_p90"], drawn["vraag_p90"] - drawn["aanbod"])


def test_run_zero_is_the_deterministic_baseline_whatever_the_draws(drawn):
    plain = runner.run(example(), draws=0)
    np.testing.assert_allclose(drawn["vraag"], plain["vraag"])


def test_the_same_seed_gives_the_same_draws_and_another_seed_does_not(drawn):
    again = runner.run(example(), draws=60)
    np.testing.assert_array_equal(again["vraag_p90"], drawn["vraag_p90"])
    other = runner.run(example(monte_carlo={"trekkingen": 60, "zaad": 7}))
    assert not np.allclose(other["vraag_p90"], drawn["vraag_p90"])


def test_draws_reproduce_the_given_80_percent_interval():
    data = yaml.safe_load((ROOT / "examples" / "projectie-zhn.yaml").read_text(encoding="utf-8"))
    men = {"waarde": 0.01, "p10": 0.008, "p90": 0.011}  # asymmetric on purpose
    data.update(
        producten={"elv": {"gebruik": [{"leeftijd": "0+", "man": men, "vrouw": 0.01}]}},
        aanbod={"elv": "basisjaar"},
        scenarios={"basis": {}},
        dementie=None,
    )
    result = runner.run(params.parse(yaml.safe_dump(data), source="t.yaml"), draws=4000)
    row = result[(result["gemeente"] == "ZHN") & (result["jaar"] == 2020)].iloc[0]
    pop = population.demo_population().values[:, 0].sum(axis=(0, 2))  # (man, vrouw)
    assert row["vraag"] == pytest.approx(0.01 * pop.sum())
    # sampling error of a P10 over 4,000 draws is about 8% of the half-width; allow 20%
    low, high = 0.002 * pop[0], 0.001 * pop[0]
    assert row["vraag_p10"] == pytest.approx(row["vraag"] - low, abs=0.2 * low)
    assert row["vraag_p90"] == pytest.approx(row["vraag"] + high, abs=0.2 * high)


def test_region_rows_are_the_sum_of_the_municipalities(drawn):
    base = drawn[drawn["scenario"] == "midden"]
    region = base[base["gemeente"] == "ZHN"].set_index(["jaar", "product"])
    summed = (
        base[base["gemeente"] != "ZHN"]
        .groupby(["jaar", "product"])[["vraag", "aanbod", "tekort"]]
        .sum()
    )
    np.testing.assert_allclose(region.loc[summed.index, ["vraag", "aanbod", "tekort"]], summed)


def test_scenarios_differ_only_in_supply(drawn):
    basis = drawn[drawn["scenario"] == "basis"].reset_index(drop=True)
    groei = drawn[drawn["scenario"] == "groei"].reset_index(drop=True)
    np.testing.assert_allclose(basis["vraag"], groei["vraag"])
    assert (groei["aanbod"] >= basis["aanbod"]).all()


def test_substitution_and_later_entry_reduce_nursing_home_demand():
    levers = example(
        substitutie=[
            {
                "naam": "VV4 thuis",
                "van": "verpleeghuis_somatisch",
                "naar": "vpt",
                "aandeel": 0.2,
                "vanaf": 2025,
                "volledig": 2030,
            }
        ],
        later_instroom=[
            {"product": "verpleeghuis_pg", "jaren": 1.0, "vanaf": 2025, "volledig": 2030}
        ],
    )
    plain = runner.run(example(), draws=0)
    changed = runner.run(levers, draws=0)

    def value(frame, product, year=2040):
        return frame[
            (frame["gemeente"] == "ZHN")
            & (frame["product"] == product)
            & (frame["jaar"] == year)
            & (frame["scenario"] == "basis")
        ]["vraag"].iloc[0]

    assert value(changed, "verpleeghuis_somatisch") == pytest.approx(
        0.8 * value(plain, "verpleeghuis_somatisch")
    )
    assert value(changed, "vpt") > value(plain, "vpt")
    assert value(changed, "verpleeghuis_pg") < value(plain, "verpleeghuis_pg")
    assert value(changed, "verpleeghuis_pg", 2024) == pytest.approx(
        value(plain, "verpleeghuis_pg", 2024)
    )


def test_the_decomposition_adds_up_to_the_change_in_shortage():
    p = example(
        substitutie=[
            {
                "naam": "VV4 thuis",
                "van": "verpleeghuis_somatisch",
                "naar": "vpt",
                "aandeel": 0.2,
                "vanaf": 2025,
                "volledig": 2030,
            }
        ],
    )
    data = p.model_dump()
    data["producten"]["verpleeghuis_pg"]["trend"] = 0.01
    p = params.Params.model_validate(data)
    parts = runner.decomposition(p)
    result = runner.run(p, draws=0)
    assert set(parts["factor"]) == {"demografie", "trend", "substitutie", "aanbod"}
    total = parts.groupby(["gemeente", "scenario", "product"])["bijdrage"].sum()
    start = result[result["jaar"] == 2020].set_index(["gemeente", "scenario", "product"])
    end = result[result["jaar"] == 2040].set_index(["gemeente", "scenario", "product"])
    change = (end["tekort"] - start["tekort"]).dropna()
    np.testing.assert_allclose(total.loc[change.index], change, atol=1e-6)


def test_indicators_cover_every_area_and_year():
    found = runner.indicators(example())
    assert list(found.columns) == ["gemeente", "jaar", "indicator", "waarde"]
    assert set(found["indicator"]) == set(runner.INDICATOR_LABELS)
    region = found[found["gemeente"] == "ZHN"].set_index(["indicator", "jaar"])["waarde"]
    assert region["dementie", 2022] == pytest.approx(9255, rel=0.01)
    assert region["mantelzorgpotentieel", 2040] < region["mantelzorgpotentieel", 2023]


def test_the_labels_name_every_product():
    assert set(runner.PRODUCT_LABELS) == set(params.PRODUCTS)
    assert str(runner.PRODUCT_LABELS["verpleeghuis_pg"]).startswith("Verpleeghuis")


def test_it_refuses_capacity_for_a_municipality_outside_the_population():
    p = example()
    data = p.model_dump()
    data["aanbod"]["vpt"]["GM9999"] = 10
    data["scenarios"]["groei"]["toevoegingen"][0]["gemeente"] = "GM9998"
    with pytest.raises(errors.InvalidInput) as caught:
        runner.run(params.Params.model_validate(data), draws=0)
    assert [e.field for e in caught.value.errors] == [
        "aanbod.vpt.GM9999",
        "scenarios.groei.toevoegingen[0].gemeente",
    ]


def test_progress_is_reported_until_every_municipality_is_done():
    seen = []
    runner.run(example(), draws=5, progress=lambda done, of: seen.append((done, of)))
    assert seen and seen[-1] == (13, 13)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_each_later_entry_is_phased_in_on_its_own_schedule():
    later = example(
        later_instroom=[
            {"product": "verpleeghuis_pg", "jaren": 2.0, "vanaf": 2021, "volledig": 2025},
            {"product": "verpleeghuis_somatisch", "jaren": 2.0, "vanaf": 2036, "volledig": 2040},
        ]
    )
    plain = runner.run(example(), draws=0)
    changed = runner.run(later, draws=0)

    def demand(frame, product, year):
        row = (frame["gemeente"] == "ZHN") & (frame["scenario"] == "basis")
        row &= (frame["product"] == product) & (frame["jaar"] == year)
        return frame[row]["vraag"].iloc[0]

    assert demand(changed, "verpleeghuis_pg", 2030) < demand(plain, "verpleeghuis_pg", 2030)
    assert demand(changed, "verpleeghuis_somatisch", 2030) == pytest.approx(
        demand(plain, "verpleeghuis_somatisch", 2030)
    )
    assert demand(changed, "verpleeghuis_somatisch", 2040) < demand(
        plain, "verpleeghuis_somatisch", 2040
    )
