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
- the engine alone: ``engine.project`` (demand and percentiles, no table) on the same model;
- the baseline, in the same process: the same multiply-adds as ONE matrix product, numpy's
  ``(M*Y, S*A) @ (S*A, D*P)`` over the whole population at once (BLAS, no chunks), plus the
  second product for later entry when the parameters have it — the least arithmetic any
  implementation must do; the median of ``--repeats`` timings;
- throughput: multiply-adds per second of each (``M*Y*S*A*D*P`` per product), and the
  ratio run / baseline and engine / baseline of those throughputs (1.0 = as fast as one
  BLAS product; below 1 is the cost of chunking, trends, substitution, percentiles, table);
- peak resident memory of the process (``ru_maxrss``) before and after the run, and the
  load average (``os.getloadavg()``) at the start and the end.
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


def matmul_baseline(pop, model, repeats: int) -> tuple[float, int]:
    """Seconds for the run's multiply-adds as one numpy matrix product (median of
    ``repeats``), and the number of multiply-adds."""
    import numpy as np

    m, n_years = pop.shape[:2]
    flat = np.ascontiguousarray(pop.reshape(m * n_years, -1))
    products = [model.rates]
    if model.later_rates is not None:
        products.append(model.later_rates)
    weights = [np.ascontiguousarray(r.reshape(-1, r.shape[-1]).T) for r in products]
    out = np.empty((flat.shape[0], weights[0].shape[1]))
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for w in weights:
            np.matmul(flat, w, out=out)
        timings.append(time.perf_counter() - start)
    macs = sum(flat.shape[0] * flat.shape[1] * w.shape[1] for w in weights)
    return float(np.median(timings)), macs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=342)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="timings of the baseline")
    args = parser.parse_args()
    setup_django()
    import numpy as np

    from regiotafel.projection import engine, params, runner

    example = params.load(runner.demo_params_path())
    # The example's capacity is per ZHN municipality; the synthetic country has other codes,
    # so every product's current capacity is its base-year demand there.
    example = example.model_copy(update={"aanbod": dict.fromkeys(example.aanbod, "basisjaar")})
    table = national_population(args.municipalities, args.seed)
    print(
        f"population: {table.values.shape} (municipalities, years, sexes, ages), "
        f"{table.values[:, 0].sum():,.0f} inhabitants in {table.years[0]}"
    )
    load_start = os.getloadavg()
    model = runner.build_model(example, args.draws)
    chunk = runner.chunk_size(len(table.years), model)
    before = peak_mb()
    start = time.perf_counter()
    result = runner.run(example, draws=args.draws, table=table)
    elapsed = time.perf_counter() - start
    after = peak_mb()
    start = time.perf_counter()
    engine.project(table.values, model, chunk=chunk)
    engine_s = time.perf_counter() - start
    base, macs = matmul_baseline(table.values, model, args.repeats)
    outputs = result["product"].nunique()
    scenarios = result["scenario"].nunique()
    print(f"rows in the long table: {len(result):,} ({outputs} products, {scenarios} scenarios)")
    print(f"run: {elapsed:.2f} s for {args.draws} draws + baseline")
    print(f"time per draw: {elapsed / max(args.draws, 1) * 1000:.2f} ms")
    print(f"engine.project alone (demand + percentiles, no table): {engine_s:.2f} s")
    print(
        f"baseline, the same multiply-adds as one numpy matmul: {base:.3f} s "
        f"({macs / 1e9:.2f} G multiply-adds, median of {args.repeats})"
    )
    for name, seconds in (("run", elapsed), ("engine", engine_s), ("numpy matmul", base)):
        print(f"throughput {name}: {macs / seconds / 1e9:.2f} G multiply-adds/s")
    print(f"throughput ratio run / numpy matmul: {base / elapsed:.3f}")
    print(f"throughput ratio engine / numpy matmul: {base / engine_s:.3f}")
    print(f"peak RSS: {before:.0f} MB before the run, {after:.0f} MB after")
    print(f"numpy {np.__version__}, threads: {os.cpu_count()} cores visible")
    print(f"load average: {load_start} at the start, {os.getloadavg()} at the end")


if __name__ == "__main__":
    main()
