"""The gap-analysis engine: pure numpy, no I/O, no Django.

Shapes and names used throughout (``S`` sexes, ``A`` single ages 0..105+, so ``S*A = 212``):

- population ``pop``: ``(M, Y, S, A)`` persons per municipality, year, sex and age;
- draws ``D``: parameter sets, index 0 is the deterministic baseline (every interval at its
  central value), 1..D-1 Monte Carlo draws;
- base products ``P`` (nursing home PG, nursing home somatic, VPT, ELV, district nursing) have
  age–sex use rates; derived outputs ``Q`` are linear combinations of the base products
  (nursing home total = PG + somatic; staff = sum of clients x FTE per client);
- outputs ``K = P + Q``.

Demand for a chunk of municipalities is one matrix product ``(m*Y, S*A) @ (S*A, D*P)``
(BLAS), followed by element-wise rate trends, later entry, substitution and the derived
outputs. Scenarios differ only in supply, so demand is computed once for all scenarios and
shortage percentiles are demand percentiles minus (deterministic) supply. Municipalities are
processed in chunks and only percentiles are kept, so memory is bounded by the chunk size,
not by the number of municipalities times draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from math import factorial

import numpy as np

N_AGES = 106  # 0..104 single years, 105 = 105 and older
SEXES = ("man", "vrouw")
PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class Substitution:
    """A share of demand for one base product moves to another from a phase-in onwards."""

    source: int  # index into the base products
    target: int
    share: np.ndarray  # (D,)
    phase: np.ndarray  # (Y,) 0..1: fraction of ``share`` in effect per year
    factor: float = 1.0  # units of target per unit of source moved


@dataclass(frozen=True)
class DemandModel:
    """Everything that turns population into demand, for D parameter draws."""

    rates: np.ndarray  # (D, P, S*A) use rate per person
    trend: np.ndarray  # (D, P) annual relative change of the rates
    years: np.ndarray  # (Y,) calendar years
    base_year: int
    later_rates: np.ndarray | None = None  # (D, P, S*A) rates with later entry
    later_phase: np.ndarray | None = None  # (Y, P) 0..1 share of the later-entry profile
    substitutions: tuple[Substitution, ...] = ()
    derived: np.ndarray | None = None  # (D, P, Q) weights of the derived outputs
    factors_off: frozenset[str] = field(default_factory=frozenset)

    @property
    def draws(self) -> int:
        return self.rates.shape[0]

    @property
    def n_base(self) -> int:
        return self.rates.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.n_base + (0 if self.derived is None else self.derived.shape[2])

    def without(self, *factors: str) -> DemandModel:
        """The same model with some non-demographic factors switched off (decomposition)."""
        return DemandModel(
            rates=self.rates,
            trend=self.trend,
            years=self.years,
            base_year=self.base_year,
            later_rates=self.later_rates,
            later_phase=self.later_phase,
            substitutions=self.substitutions,
            derived=self.derived,
            factors_off=self.factors_off | frozenset(factors),
        )

    def factors(self) -> list[str]:
        """The non-demographic factors this model actually has."""
        found = []
        if np.any(self.trend != 0):
            found.append("trend")
        if self.later_rates is not None and np.any(self.later_phase):
            found.append("later_instroom")
        if self.substitutions:
            found.append("substitutie")
        return found


def expand_bands(bands: list[tuple[int, int]], values: np.ndarray) -> np.ndarray:
    """Spread band values ``(..., B)`` over single ages ``(..., A)``; ages outside get 0."""
    out = np.zeros(values.shape[:-1] + (N_AGES,), dtype=float)
    for i, (low, high) in enumerate(bands):
        out[..., low : min(high, N_AGES - 1) + 1] = values[..., i, None]
    return out


def shift_ages(rates: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Rates ``(D, P, S, A)`` as if entry came ``years`` (D,) later: rate(a) -> rate(a - d).

    Fractional shifts interpolate linearly between single ages.
    """
    ages = np.arange(N_AGES, dtype=float)
    out = np.empty_like(rates)
    for d in range(rates.shape[0]):
        source = np.clip(ages - years[d], 0, N_AGES - 1)
        low = np.floor(source).astype(int)
        high = np.minimum(low + 1, N_AGES - 1)
        weight = source - low
        out[d] = rates[d][..., low] * (1 - weight) + rates[d][..., high] * weight
    return out


def demand(pop: np.ndarray, model: DemandModel) -> np.ndarray:
    """Demand ``(m, Y, D, K)`` for a population chunk ``(m, Y, S, A)``."""
    m, n_years = pop.shape[:2]
    flat = pop.reshape(m * n_years, -1)
    n_draws, n_base = model.draws, model.n_base
    weights = model.rates.reshape(n_draws * n_base, -1).T  # (S*A, D*P)
    out = (flat @ weights).reshape(m, n_years, n_draws, n_base)
    if model.later_rates is not None and "later_instroom" not in model.factors_off:
        later = (flat @ model.later_rates.reshape(n_draws * n_base, -1).T).reshape(out.shape)
        phase = model.later_phase[None, :, None, :]
        out = out * (1 - phase) + later * phase
    if "trend" not in model.factors_off and np.any(model.trend != 0):
        steps = (model.years - model.base_year).astype(float)
        out *= (1 + model.trend[None, :, :]) ** steps[:, None, None]
    if "substitutie" not in model.factors_off:
        for sub in model.substitutions:
            moved = out[..., sub.source] * (sub.phase[:, None] * sub.share[None, :])
            out[..., sub.source] -= moved
            out[..., sub.target] += moved * sub.factor
    if model.derived is not None:
        extra = np.einsum("mydp,dpq->mydq", out, model.derived, optimize=True)
        out = np.concatenate([out, extra], axis=-1)
    return out


def supply(
    current: np.ndarray, additions: list[tuple[int, np.ndarray, np.ndarray]], n_years: int
) -> np.ndarray:
    """Supply ``(M, Y, K)``: current capacity ``(M, K)`` plus additions.

    Each addition is ``(output index, amount per municipality (M,), phase per year (Y,))``.
    """
    out = np.repeat(current[:, None, :], n_years, axis=1).astype(float)
    for k, amount, phase in additions:
        out[:, :, k] += amount[:, None] * phase[None, :]
    return out


def ramp(years: np.ndarray, start: int, full: int) -> np.ndarray:
    """0 before ``start``, rising linearly to 1 at ``full`` and staying there."""
    if full <= start:
        return (years >= full).astype(float)
    return np.clip((years - start + 1) / (full - start + 1), 0, 1)


def gap(demand_: np.ndarray, supply_: np.ndarray, current: np.ndarray):
    """Shortage and shortage as a share of CURRENT capacity (NaN where there is none)."""
    shortage = demand_ - supply_
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pct = np.where(current > 0, shortage / np.where(current > 0, current, 1), np.nan)
    return shortage, pct


@dataclass
class Summary:
    """Baseline and percentiles of demand for one chunk or for all municipalities."""

    baseline: np.ndarray  # (m, Y, K)
    percentiles: np.ndarray | None  # (len(PERCENTILES), m, Y, K), None without draws


def summarise(values: np.ndarray) -> Summary:
    """Baseline (draw 0) and P10/P50/P90 over draws 1.. of ``(m, Y, D, K)``."""
    baseline = values[:, :, 0, :].copy()
    if values.shape[2] < 2:
        return Summary(baseline, None)
    pct = np.percentile(values[:, :, 1:, :], PERCENTILES, axis=2)
    return Summary(baseline, pct)


def chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def project(
    pop: np.ndarray,
    model: DemandModel,
    *,
    chunk: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Summary, Summary]:
    """Demand per municipality and for the sum of all municipalities (the region).

    Draws are reduced to percentiles chunk by chunk; the region keeps its per-draw sum
    ``(Y, D, K)``, which is small, so its percentiles are exact too.
    """
    n_mun, n_years = pop.shape[:2]
    region = np.zeros((n_years, model.draws, model.n_outputs))
    parts = []
    for part in chunks(n_mun, chunk):
        values = demand(pop[part], model)
        region += values.sum(axis=0)
        parts.append(summarise(values))
        if progress is not None:
            progress(part.stop, n_mun)
    baseline = np.concatenate([p.baseline for p in parts])
    pct = (
        None
        if parts[0].percentiles is None
        else np.concatenate([p.percentiles for p in parts], axis=1)
    )
    return Summary(baseline, pct), summarise(region[None])


def shapley(evaluate: Callable[[frozenset[str]], np.ndarray], factors: list[str]):
    """Shapley contributions of ``factors`` to ``evaluate(all) - evaluate(none)``.

    ``evaluate(on)`` returns the outcome with exactly the factors in ``on`` switched on.
    Contributions add up to the total change exactly.
    """
    n = len(factors)
    cache: dict[frozenset[str], np.ndarray] = {}

    def value(on: frozenset[str]) -> np.ndarray:
        if on not in cache:
            cache[on] = evaluate(on)
        return cache[on]

    result = {}
    for factor in factors:
        others = [f for f in factors if f != factor]
        total = 0.0
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for subset in combinations(others, size):
                on = frozenset(subset)
                total = total + weight * (value(on | {factor}) - value(on))
        result[factor] = total
    return result


def band_totals(pop: np.ndarray, low: int, high: int) -> np.ndarray:
    """Persons aged ``low..high`` (inclusive; 105 means 105+), summed over sex: ``(M, Y)``."""
    return pop[..., low : high + 1].sum(axis=(-1, -2))


def indicators(pop: np.ndarray, dementia_rates: np.ndarray | None) -> dict[str, np.ndarray]:
    """Demographic indicators ``(M, Y)`` from ``pop`` ``(M, Y, S, A)``.

    mantelzorgpotentieel: persons 50–74 per person 85+; grijze druk: 65+ per 100 persons
    20–64; dubbele vergrijzing: 80+ per 100 persons 65+; dementie: expected cases from
    age–sex prevalence ``(S, A)``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "mantelzorgpotentieel": band_totals(pop, 50, 74) / band_totals(pop, 85, 105),
            "grijze_druk": 100 * band_totals(pop, 65, 105) / band_totals(pop, 20, 64),
            "dubbele_vergrijzing": 100 * band_totals(pop, 80, 105) / band_totals(pop, 65, 105),
        }
    if dementia_rates is not None:
        out["dementie"] = np.einsum("mysa,sa->my", pop, dementia_rates)
    return out
