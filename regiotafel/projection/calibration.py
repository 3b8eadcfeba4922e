"""Calibration of the demo parameters to the published ZHN gap analysis (seed 000).

Nothing here types in an answer; every number in the demo parameter file that is not an
assumption comes out of one of these procedures, and ``tests/projection/test_calibration.py``
checks that ``examples/projectie-zhn.yaml`` still holds what they produce.

1. ``consistent_base``: the published shortages and percentages (974 = 25%, 4,260 = 111%,
   361 = 9%, 3,647 = 95%, 2,713 = 70%, percentages rounded to whole numbers) each bound the
   current capacity ``C`` (shortage / C rounds to the percentage). The intersection of the five
   intervals is the capacity every figure agrees with: 3,848 < C <= 3,855; we take 3,850.
2. ``needs``: in the base scenario supply stays at ``C``, so the need is ``C + shortage``:
   4,824 places in 2025 and 8,110 in 2040 (the text rounds these to "5,000" and "8,200").
3. ``fit_nursing_home_rates``: nursing-home use per person is modelled as
   ``k * sex_factor * exp(beta * (band_mid - 85))`` for the bands 65–69 … 95+ (women 1.0,
   men 0.75; ages under 65 zero); ``beta`` is found by bisection so that need(2040) /
   need(2025) on the demo population equals 8,110 / 4,824, then ``k`` so that need(2025) =
   4,824. Psychogeriatric (PG) places are 60% of the rate at every age, somatic 40%.
4. ``infer_additions``: the middle and growth scenarios differ from the base only in supply;
   supply(t) = need(t) - shortage(t). Middle: 4,463 in 2025 and 4,463 in 2040 (+613 before
   2025, nothing after); growth: 4,463 in 2025 and 5,397 in 2040 (+613, then +934).
5. ``fit_dementia_scale``: an age profile of dementia prevalence (Alzheimer Nederland-style,
   women slightly higher) scaled by one factor so that the demo population has 9,255 cases
   in 2022; 2030 and 2040 are then a check against 12,730 and 17,400, not a target.

Run ``python -m regiotafel.projection.calibration`` to print the calibrated values.
"""

from __future__ import annotations

import math

import numpy as np

from regiotafel.projection.engine import N_AGES, expand_bands
from regiotafel.projection.params import parse_band
from regiotafel.projection.population import PopulationTable, demo_population

PUBLISHED_SHORTAGE = {  # seed 000: scenario -> year -> (places, percent of current capacity)
    "basis": {2025: (974, 25), 2040: (4260, 111)},
    "midden": {2025: (361, 9), 2040: (3647, 95)},
    "groei": {2025: (361, 9), 2040: (2713, 70)},
}
PUBLISHED_DEMENTIA = {2022: 9255, 2030: 12730, 2040: 17400}  # seed 004
NURSING_BANDS = ("65-69", "70-74", "75-79", "80-84", "85-89", "90-94", "95+")
SEX_FACTOR = (0.75, 1.0)  # man, vrouw
PG_SHARE = 0.6
DEMENTIA_BANDS = ("30-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+")
DEMENTIA_PROFILE = (  # relative prevalence, man / vrouw (shape only; scaled in step 5)
    (0.001, 0.001),
    (0.015, 0.014),
    (0.03, 0.032),
    (0.06, 0.07),
    (0.12, 0.14),
    (0.22, 0.26),
    (0.33, 0.40),
)


def consistent_base() -> tuple[float, float, float]:
    """(lowest, highest, chosen) current capacity agreeing with every published pair."""
    low, high = 0.0, math.inf
    for years in PUBLISHED_SHORTAGE.values():
        for places, pct in years.values():
            low = max(low, places / ((pct + 0.5) / 100))
            high = min(high, places / ((pct - 0.5) / 100))
    if low >= high:
        raise ValueError("the published figures do not share one capacity")
    return low, high, float(round((low + high) / 2, -1))


def needs(capacity: float) -> dict[int, float]:
    """Need for nursing-home places implied by the base scenario."""
    return {year: capacity + places for year, (places, _) in PUBLISHED_SHORTAGE["basis"].items()}


def _mids(bands: tuple[str, ...]) -> np.ndarray:
    return np.array([(lo + min(hi, 99)) / 2 for lo, hi in map(parse_band, bands)])


def nursing_home_rates(k: float, beta: float) -> np.ndarray:
    """Total nursing-home rate per band and sex ``(S, B)``."""
    profile = np.exp(beta * (_mids(NURSING_BANDS) - 85))
    return k * np.array(SEX_FACTOR)[:, None] * profile[None, :]


def _need(pop: PopulationTable, rates: np.ndarray, year: int) -> float:
    bands = [parse_band(b) for b in NURSING_BANDS]
    per_age = expand_bands(bands, rates)  # (S, A)
    regional = pop.values[:, pop.years.index(year)].sum(axis=0)
    return float((regional * per_age).sum())


def fit_nursing_home_rates(pop: PopulationTable, targets: dict[int, float]):
    """(k, beta) reproducing the two needs on ``pop`` (step 3)."""
    (y0, n0), (y1, n1) = sorted(targets.items())
    wanted = n1 / n0

    def ratio(beta: float) -> float:
        r = nursing_home_rates(1.0, beta)
        return _need(pop, r, y1) / _need(pop, r, y0)

    low, high = 0.0, 0.3  # ratio rises monotonically on this range
    if not ratio(low) <= wanted <= ratio(high):
        raise ValueError("no age profile reproduces the published growth")
    for _ in range(80):
        mid = (low + high) / 2
        low, high = (mid, high) if ratio(mid) < wanted else (low, mid)
    beta = (low + high) / 2
    k = n0 / _need(pop, nursing_home_rates(1.0, beta), y0)
    return k, beta


def infer_additions(need: dict[int, float], capacity: float) -> dict[str, dict[int, float]]:
    """Cumulative supply added by each year, per scenario (step 4)."""
    out = {}
    for scenario, years in PUBLISHED_SHORTAGE.items():
        out[scenario] = {
            year: need[year] - places - capacity for year, (places, _) in years.items()
        }
    return out


def dementia_profile() -> np.ndarray:
    return np.array(DEMENTIA_PROFILE).T  # (S, B)


def fit_dementia_scale(pop: PopulationTable) -> float:
    bands = [parse_band(b) for b in DEMENTIA_BANDS]
    per_age = expand_bands(bands, dementia_profile())
    year = min(PUBLISHED_DEMENTIA)
    cases = float((pop.values[:, pop.years.index(year)].sum(axis=0) * per_age).sum())
    return PUBLISHED_DEMENTIA[year] / cases


def significant(x: float, digits: int = 4) -> float:
    return float(f"{x:.{digits}g}")


def calibrate(pop: PopulationTable | None = None) -> dict:
    """Every calibrated value of the demo parameter file."""
    pop = pop or demo_population()
    low, high, capacity = consistent_base()
    need = needs(capacity)
    k, beta = fit_nursing_home_rates(pop, need)
    total = nursing_home_rates(k, beta)
    scale = fit_dementia_scale(pop)
    return {
        "capacity_interval": (low, high),
        "capacity": capacity,
        "needs": need,
        "k": k,
        "beta": beta,
        "pg": {
            b: [significant(v) for v in total[:, i] * PG_SHARE] for i, b in enumerate(NURSING_BANDS)
        },
        "somatisch": {
            b: [significant(v) for v in total[:, i] * (1 - PG_SHARE)]
            for i, b in enumerate(NURSING_BANDS)
        },
        "additions": infer_additions(need, capacity),
        "dementia": {
            b: [significant(v, 3) for v in dementia_profile()[:, i] * scale]
            for i, b in enumerate(DEMENTIA_BANDS)
        },
    }


def supply_split(pop: PopulationTable, capacity: float) -> dict[str, dict[str, float]]:
    """Current PG and somatic places per municipality: ``capacity`` spread by 2020 need."""
    result = calibrate(pop)
    bands = [parse_band(b) for b in NURSING_BANDS]
    total = expand_bands(bands, nursing_home_rates(result["k"], result["beta"]))
    need = (pop.values[:, 0] * total[None]).sum(axis=(1, 2))
    share = need / need.sum()
    return {
        "verpleeghuis_pg": {
            c: round(capacity * PG_SHARE * s)
            for c, s in zip(pop.municipalities, share, strict=True)
        },
        "verpleeghuis_somatisch": {
            c: round(capacity * (1 - PG_SHARE) * s)
            for c, s in zip(pop.municipalities, share, strict=True)
        },
    }


if __name__ == "__main__":  # pragma: no cover - a tool for whoever edits the example file
    import pprint

    population = demo_population()
    result = calibrate(population)
    pprint.pprint(result, width=100)
    pprint.pprint(supply_split(population, result["capacity"]), width=100)
    assert N_AGES == 106
