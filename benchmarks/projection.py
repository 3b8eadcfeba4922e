"""Benchmark: a national gap-analysis run with Monte Carlo draws (issue #5, "Performance").

    python benchmarks/projection.py --municipalities 342 --draws 1000

The population is SYNTHETIC (no CBS access on these machines): 342 municipalities whose sizes
follow a log-normal distribution scaled to 17.9 million inhabitants, each with the demo
region's age–sex structure for 2020–2040 perturbed per municipality (older or younger by a
few percent). The parameters are the ZHN example (5 base products with age–sex rates, the two
derived outputs nursing home total and staff, 3 scenarios), with ``--draws`` draws; the
current capacity of every product is its base-year demand (the example's capacities name ZHN
municipalities, which the synthetic country does not have).

Measured in one process:
- the run: ``runner.run(params, draws=N, table=national)``, which computes demand for every
  municipality, year, product and draw, reduces the draws to P10/P50/P90 chunk by chunk, adds
  the region total and builds the long table for every scenario;
- the baseline: numpy's plain multiply-add over arrays of the same size, per draw:
  ``(pop[m, y, s, a, None] * rates[s, a, p]).sum(over s, a)`` for every municipality, year
  and product, the median of 15 draws timed one by one, scaled to N;
- peak resident memory of the process (``ru_maxrss``) before and after the run.
Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def national_population(n: int, seed: int):
    import numpy as np

    from regiotafel.projection.engine import N_AGES
    from regiotafel.projection.population import PopulationTable, demo_population

    demo = demo_population()
    regional = demo.values.sum(axis=0)  # (Y, S, A)
    shares = regional / regional.sum(axis=(1, 2), keepdims=True)
    rng = np.random.default_rng(seed)
    sizes = rng.lognormal(mean=10.3, sigma=0.8, size=n)
    sizes *= 17_900_000 / sizes.sum()
    tilt = rng.normal(0, 0.004, size=n)  # older or younger structure per municipality
    ages = np.arange(N_AGES)
    weight = np.exp(tilt[:, None] * (ages[None, :] - 45))  # (M, A)
    values = shares[None] * weight[:, None, None, :]
    values *= sizes[:, None, None, None] / values.sum(axis=(2, 3), keepdims=True)
    codes = tuple(f"GM{i:04d}" for i in range(1, n + 1))
    return PopulationTable(codes, demo.years, values, "SYNTHETISCH: benchmark")


def baseline_per_draw(pop, rates, repeats: int) -> float:
    """Seconds per draw of the plain broadcast multiply-add over the same arrays: the median
    of ``repeats`` draws timed one by one (a shared machine makes single timings jumpy)."""
    import numpy as np

    p = rates.shape[1]
    per_age = rates.reshape(rates.shape[0], p, 2, -1).transpose(0, 2, 3, 1)  # (D, S, A, P)
    timings = []
    for d in range(repeats):
        start = time.perf_counter()
        out = np.empty(pop.shape[:2] + (p,))
        for k in range(p):
            out[..., k] = (pop * per_age[d % len(per_age), None, None, :, :, k]).sum(axis=(2, 3))
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=342)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    import numpy as np

    from regiotafel.projection import params, runner

    example = params.load(runner.demo_params_path())
    # The example's capacity is per ZHN municipality; the synthetic country has other codes,
    # so every product's current capacity is its base-year demand there.
    example = example.model_copy(update={"aanbod": dict.fromkeys(example.aanbod, "basisjaar")})
    table = national_population(args.municipalities, args.seed)
    print(
        f"population: {table.values.shape} (municipalities, years, sexes, ages), "
        f"{table.values[:, 0].sum():,.0f} inhabitants in {table.years[0]}"
    )
    before = peak_mb()
    start = time.perf_counter()
    result = runner.run(example, draws=args.draws, table=table)
    elapsed = time.perf_counter() - start
    after = peak_mb()
    model = runner.build_model(example, 3)
    base = baseline_per_draw(table.values, model.rates[1:], 15)
    outputs = result["product"].nunique()
    scenarios = result["scenario"].nunique()
    print(f"rows in the long table: {len(result):,} ({outputs} products, {scenarios} scenarios)")
    print(f"run: {elapsed:.2f} s for {args.draws} draws + baseline")
    per_draw = elapsed / max(args.draws, 1)
    print(f"time per draw: {per_draw * 1000:.2f} ms")
    print(
        f"numpy plain multiply-add, same arrays: {base * 1000:.2f} ms per draw "
        f"(x{args.draws}: {base * args.draws:.1f} s)"
    )
    print(f"ratio run / plain multiply-add: {per_draw / base:.3f}")
    print(f"peak RSS: {before:.0f} MB before the run, {after:.0f} MB after")
    print(f"numpy {np.__version__}, threads: {os.cpu_count()} cores visible")


if __name__ == "__main__":
    main()
