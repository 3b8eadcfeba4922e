"""Glue: parameters -> population -> engine -> long tables. No files are written here.

``run(params)`` returns one long DataFrame, one row per (gemeente, jaar, scenario, product):

==============  ===========================================================================
gemeente        CBS code (``GM0546``), or ``params.region_code`` for the region total
jaar            calendar year, ``basisjaar`` .. ``eindjaar``
scenario        scenario key from the parameter file (``basis``, ``midden``, ``groei``, ...)
product         product key (see ``PRODUCT_LABELS``)
run             0: the deterministic baseline (every interval at its central value)
vraag           demand: places / clients / FTE (baseline)
aanbod          supply in that year: current capacity + the scenario's additions
tekort          vraag - aanbod (negative = surplus)
tekort_pct      tekort / CURRENT capacity (supply in the base year), NaN without capacity
vraag_p10 ..    only when draws were made: P10, P50, P90 over the Monte Carlo draws of
tekort_p10 ..   vraag, tekort (= vraag_pX - aanbod) and tekort_pct
tekort_pct_p10
==============  ===========================================================================

``frame.attrs["bron"]`` says where the figures come from (the demo dataset says so).

``indicators(params)`` returns ``gemeente, jaar, indicator, waarde`` with the indicators
``mantelzorgpotentieel`` (persons 50–74 per person 85+), ``grijze_druk`` (65+ per 100
persons 20–64), ``dubbele_vergrijzing`` (80+ per 100 persons 65+), ``dementie`` (expected
cases, when the parameters give a prevalence), ``inwoners``, ``inwoners_65plus`` and
``inwoners_80plus``; region rows use the region code.

``decomposition(params)`` returns ``gemeente, scenario, product, van_jaar, tot_jaar, factor,
bijdrage``: the change in ``tekort`` (baseline) between the base year and the end year split
into ``demografie`` (population change), ``trend``, ``later_instroom``, ``substitutie``
(Shapley values over the demand factors the parameters actually use: each factor's marginal
effect averaged over every order of switching the factors on) and ``aanbod`` (minus the
change in supply). The contributions add up exactly to the change in ``tekort``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regiotafel import errors
from regiotafel.projection import engine
from regiotafel.projection.params import (
    BASE_PRODUCTS,
    BED_REGISTER,
    Band,
    Number,
    Params,
    bounds,
)
from regiotafel.projection.population import PopulationTable, demo_population

DATA = Path(__file__).resolve().parent / "data"
CHUNK_BYTES = 32_000_000  # memory for one chunk's draws, whatever the number of draws
Z80 = 1.2815515655446004  # the standard normal's 90th percentile

PRODUCT_LABELS = {
    "verpleeghuis_pg": gettext_lazy("Verpleeghuisplaatsen psychogeriatrie (PG)"),
    "verpleeghuis_somatisch": gettext_lazy("Verpleeghuisplaatsen somatiek"),
    "vpt": gettext_lazy("Volledig pakket thuis (VPT)"),
    "elv": gettext_lazy("Eerstelijns verblijf (ELV)"),
    "wijkverpleging": gettext_lazy("Wijkverpleging (cliënten)"),
    "verpleeghuis": gettext_lazy("Verpleeghuisplaatsen totaal"),
    "personeel": gettext_lazy("Personeel (fte)"),
}
SCENARIO_LABELS = {
    "basis": gettext_lazy("Basisscenario"),
    "midden": gettext_lazy("Middenscenario"),
    "groei": gettext_lazy("Groeiscenario"),
}
FACTOR_LABELS = {
    "demografie": gettext_lazy("Demografie"),
    "trend": gettext_lazy("Trend in zorggebruik"),
    "later_instroom": gettext_lazy("Later instromen"),
    "substitutie": gettext_lazy("Substitutie"),
    "aanbod": gettext_lazy("Aanbod"),
}
INDICATOR_LABELS = {
    "mantelzorgpotentieel": gettext_lazy("Mantelzorgpotentieel (50–74 jaar per 85-plusser)"),
    "grijze_druk": gettext_lazy("Grijze druk (65+ per 100 personen 20–64 jaar)"),
    "dubbele_vergrijzing": gettext_lazy("Dubbele vergrijzing (80+ per 100 65-plussers)"),
    "dementie": gettext_lazy("Mensen met dementie"),
    "inwoners": gettext_lazy("Inwoners"),
    "inwoners_65plus": gettext_lazy("Inwoners 65+"),
    "inwoners_80plus": gettext_lazy("Inwoners 80+"),
}
PERCENTILE_COLUMNS = [
    f"{name}_p{p}" for name in ("vraag", "tekort", "tekort_pct") for p in engine.PERCENTILES
]
COLUMNS = ["gemeente", "jaar", "scenario", "product", "run", "vraag", "aanbod", "tekort"]
COLUMNS.append("tekort_pct")


def demo_params_path() -> Path:
    """The packaged copy of ``examples/projectie-zhn.yaml``."""
    return DATA / "projectie-zhn.yaml"


# --- population ----------------------------------------------------------------------------


def population(params: Params, table: PopulationTable | None = None) -> PopulationTable:
    """The population the parameters ask for; a ``table`` given by the caller is used instead
    of the configured source (benchmarks, tests, a loader of one's own)."""
    _refuse_platform_only(params)
    if table is None and params.bevolking.bron == "cbs":
        from regiotafel.projection import cbs

        table = cbs.population(params)
    elif table is None:
        table = demo_population()
    try:
        return table.select(params.bevolking.gemeenten, params.years)
    except KeyError as exc:
        raise errors.InvalidInput(
            _("De bevolkingsgegevens (%(src)s) missen: %(what)s.")
            % {"src": params.bevolking.bron, "what": ", ".join(map(str, exc.args[0]))},
            code="bevolking-onvolledig",
        ) from None


def _refuse_platform_only(params: Params) -> None:
    """Supply from the platform's bed register must be filled in by the platform (the
    projection services do) before anything is computed."""
    asked = [key for key, given in params.aanbod.items() if given == BED_REGISTER]
    if asked:
        raise errors.InvalidInput(
            _("Het aanbod uit het beddenregister bestaat alleen in het platform."),
            code="ongeldige-parameters",
            errors=[
                errors.FieldError(
                    f"aanbod.{key}", _("geef hier aantallen per gemeente of 'basisjaar'")
                )
                for key in asked
            ],
        )


def source_note(params: Params, table: PopulationTable) -> str:
    return " | ".join(part for part in (params.bron, table.source) if part)


# --- parameters -> engine arrays -------------------------------------------------------------


class Sampler:
    """Draws from one seeded generator; index 0 of every result is the central value.

    An 80% interval (p10, value, p90) becomes a two-piece normal with the value as mode
    and P10/P90 at the interval's ends; a draw outside the allowed range is clipped.
    """

    def __init__(self, seed: int, draws: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.draws = draws

    def z(self) -> np.ndarray:
        z = np.zeros(self.draws + 1)
        z[1:] = self.rng.standard_normal(self.draws)
        return z

    @staticmethod
    def apply(z: np.ndarray, low, mid, high) -> np.ndarray:
        low, mid, high = (np.asarray(v, dtype=float) for v in (low, mid, high))
        zz = z.reshape(z.shape + (1,) * mid.ndim)
        spread = np.where(zz < 0, (mid - low) / Z80, (high - mid) / Z80)
        return mid + zz * spread

    def number(self, value: Number, lo: float, hi: float) -> np.ndarray:
        return np.clip(self.apply(self.z(), *bounds(value)), lo, hi)


def _band_table(bands: list[Band]) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Bands and their (p10, value, p90) per sex: ``(3, S, B)``."""
    spans = [band.ages for band in bands]
    values = np.array([[bounds(b.man), bounds(b.vrouw)] for b in bands])  # (B, S, 3)
    return spans, values.transpose(2, 1, 0)


def rate_draws(bands: list[Band], z: np.ndarray) -> np.ndarray:
    """Use rates per single age ``(D, S*A)``, one common draw ``z`` for all bands and sexes."""
    spans, (low, mid, high) = _band_table(bands)
    per_band = np.clip(Sampler.apply(z, low, mid, high), 0, 1)  # (D, S, B)
    return engine.expand_bands(spans, per_band).reshape(len(z), -1)


def build_model(params: Params, draws: int) -> engine.DemandModel:
    sampler = Sampler(params.seed, draws)
    base = [p for p in BASE_PRODUCTS if p in params.producten]
    index = {p: i for i, p in enumerate(base)}
    years = np.array(params.years)
    rates, trend, fte = [], [], []
    for key in base:
        product = params.producten[key]
        rates.append(rate_draws(product.gebruik, sampler.z()))
        trend.append(sampler.number(product.trend, -0.999, 1))
        fte.append(sampler.number(product.personeel_per_client, 0, np.inf))
    rates_arr = np.stack(rates, axis=1)  # (D, P, S*A)
    later_rates = later_phase = None
    if params.later_instroom:
        shape = rates_arr.reshape(draws + 1, len(base), len(engine.SEXES), engine.N_AGES)
        later = shape.copy()
        later_phase = np.zeros((len(years), len(base)))  # each product its own phase-in
        for item in params.later_instroom:
            shift = sampler.number(item.jaren, 0, 10)
            p = index[item.product]
            later[:, p] = engine.shift_ages(shape[:, p][:, None], shift)[:, 0]
            later_phase[:, p] = engine.ramp(years, item.vanaf, item.volledig)
        later_rates = later.reshape(rates_arr.shape)
    substitutions = tuple(
        engine.Substitution(
            source=index[item.van],
            target=index[item.naar],
            share=sampler.number(item.aandeel, 0, 1),
            phase=engine.ramp(years, item.vanaf, item.volledig),
            factor=item.factor,
        )
        for item in params.substitutie
    )
    derived = []
    outputs = params.products
    if "verpleeghuis" in outputs:
        w = np.zeros((draws + 1, len(base)))
        for key in ("verpleeghuis_pg", "verpleeghuis_somatisch"):
            if key in index:
                w[:, index[key]] = 1
        derived.append(w)
    if "personeel" in outputs:
        derived.append(np.stack(fte, axis=1))
    return engine.DemandModel(
        rates=rates_arr,
        trend=np.stack(trend, axis=1),
        years=years,
        base_year=params.basisjaar,
        later_rates=later_rates,
        later_phase=later_phase,
        substitutions=substitutions,
        derived=np.stack(derived, axis=2) if derived else None,
    )


def _spread(amount: float, weights: np.ndarray) -> np.ndarray:
    total = weights.sum()
    if total <= 0:
        return np.full(len(weights), amount / len(weights))
    return amount * weights / total


def current_supply(params: Params, codes: tuple[str, ...], base_demand: np.ndarray) -> np.ndarray:
    """Capacity in the base year ``(M, K)``; ``base_demand`` is the baseline ``(M, K)``."""
    outputs = params.products
    _check_codes(params, codes)
    current = np.full((len(codes), len(outputs)), np.nan)
    for k, key in enumerate(outputs):
        given = params.aanbod.get(key)
        if given == "basisjaar":
            current[:, k] = base_demand[:, k]

        elif isinstance(given, dict):
            current[:, k] = [float(given.get(code, 0.0)) for code in codes]
    parts = _summed_nursing_home(params)
    if parts:
        current[:, outputs.index("verpleeghuis")] = current[:, parts].sum(axis=1)
    return current


NURSING_HOME_PARTS = ("verpleeghuis_pg", "verpleeghuis_somatisch")


def _summed_nursing_home(params: Params) -> list[int]:
    """Output indices of PG and somatic when the nursing-home total is their sum (it has no
    capacity of its own in the file); empty otherwise."""
    outputs = params.products
    if "verpleeghuis" not in outputs or "verpleeghuis" in params.aanbod:
        return []
    return [outputs.index(p) for p in NURSING_HOME_PARTS if p in outputs]


def _check_codes(params: Params, codes: tuple[str, ...]) -> None:
    """Capacity or additions for a municipality outside the population are a mistake."""
    known = set(codes)
    found = []
    for key, given in params.aanbod.items():
        if isinstance(given, dict):
            found += [f"aanbod.{key}.{code}" for code in given if code not in known]
    for name, scenario in params.scenarios.items():
        for i, item in enumerate(scenario.toevoegingen):
            if item.gemeente is not None and item.gemeente not in known:
                found.append(f"scenarios.{name}.toevoegingen[{i}].gemeente")
    if found:
        raise errors.InvalidInput(
            _("De parameters noemen gemeenten die niet in de bevolkingsgegevens staan."),
            code="ongeldige-parameters",
            errors=[errors.FieldError(field=f, message=_("onbekende gemeente")) for f in found],
        )


def scenario_supply(
    params: Params,
    scenario: str,
    codes: tuple[str, ...],
    current: np.ndarray,
    base_demand: np.ndarray,
) -> np.ndarray:
    """Supply ``(M, Y, K)`` of one scenario."""
    outputs = params.products
    years = np.array(params.years)
    additions = []
    summed = _summed_nursing_home(params)
    for item in params.scenarios[scenario].toevoegingen:
        phase = engine.ramp(years, item.vanaf or item.jaar, item.jaar)
        targets = [item.product]
        if item.product == "verpleeghuis" and summed:
            targets = [outputs[k] for k in summed]
        weights_all = np.nansum(current[:, [outputs.index(t) for t in targets]], axis=0)
        shares = _spread(1.0, weights_all)
        for target, share in zip(targets, shares, strict=True):
            k = outputs.index(target)
            if item.gemeente is not None:
                amount = np.where(np.array(codes) == item.gemeente, item.plaatsen * share, 0.0)
            else:
                weights = np.nan_to_num(current[:, k])
                if weights.sum() <= 0:
                    weights = base_demand[:, k]
                amount = _spread(item.plaatsen * share, weights)
            additions.append((k, amount, phase))
    supply = engine.supply(np.nan_to_num(current, nan=0.0), additions, len(years))
    supply[:, :, np.isnan(current).all(axis=0)] = np.nan
    if summed:
        supply[:, :, outputs.index("verpleeghuis")] = supply[:, :, summed].sum(axis=2)
    return supply


# --- the three public tables ---------------------------------------------------------------


def run(
    params: Params,
    *,
    draws: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    table: PopulationTable | None = None,
) -> pd.DataFrame:
    """The long result table (see the module docstring)."""
    table = population(params, table)
    n_draws = params.draws if draws is None else draws
    model = build_model(params, n_draws)
    per_mun, region = engine.project(
        table.values, model, chunk=chunk_size(len(table.years), model), progress=progress
    )
    return _long_table(params, table, per_mun, region)


def chunk_size(n_years: int, model: engine.DemandModel) -> int:
    """Municipalities per chunk so that one chunk's draws take about ``CHUNK_BYTES``."""
    per_municipality = n_years * model.draws * model.n_outputs * 8
    return max(1, CHUNK_BYTES // per_municipality)


def _long_table(params, table, per_mun, region) -> pd.DataFrame:
    codes = table.municipalities
    outputs = params.products
    base_demand = per_mun.baseline[:, 0, :]
    current = current_supply(params, codes, base_demand)
    frames = []
    for scenario in params.scenarios:
        supply = scenario_supply(params, scenario, codes, current, base_demand)
        rows = [
            (codes, per_mun, supply, current),
            (
                (params.region_code,),
                region,
                supply.sum(axis=0, keepdims=True),
                current.sum(axis=0, keepdims=True),
            ),
        ]
        for names, summary, sup, cur in rows:
            frames.append(_frame(params, scenario, names, summary, sup, cur, outputs))
    result = pd.concat(frames, ignore_index=True)
    result.attrs["bron"] = source_note(params, table)
    return result


def _frame(params, scenario, names, summary, supply, current, outputs) -> pd.DataFrame:
    m, n_years, k = summary.baseline.shape
    idx_m, idx_y, idx_k = np.meshgrid(np.arange(m), np.arange(n_years), np.arange(k), indexing="ij")
    cur = np.broadcast_to(current[:, None, :], (m, n_years, k))
    shortage, pct = engine.gap(summary.baseline, supply, cur)
    data = {
        "gemeente": np.asarray(names, dtype=object)[idx_m.ravel()],
        "jaar": np.asarray(params.years)[idx_y.ravel()],
        "scenario": scenario,
        "product": np.asarray(outputs, dtype=object)[idx_k.ravel()],
        "run": 0,
        "vraag": summary.baseline.ravel(),
        "aanbod": supply.ravel(),
        "tekort": shortage.ravel(),
        "tekort_pct": pct.ravel(),
    }
    if summary.percentiles is not None:
        for i, p in enumerate(engine.PERCENTILES):
            short_p, pct_p = engine.gap(summary.percentiles[i], supply, cur)
            data[f"vraag_p{p}"] = summary.percentiles[i].ravel()
            data[f"tekort_p{p}"] = short_p.ravel()
            data[f"tekort_pct_p{p}"] = pct_p.ravel()
        data = {name: data[name] for name in [*COLUMNS, *PERCENTILE_COLUMNS]}
    return pd.DataFrame(data)


def indicators(params: Params, *, table: PopulationTable | None = None) -> pd.DataFrame:
    """Demographic indicators per municipality and for the region (see module docstring)."""
    table = population(params, table)
    prevalence = None
    if params.dementie is not None:
        spans, (_low, mid, _high) = _band_table(params.dementie.prevalentie)
        prevalence = engine.expand_bands(spans, mid)
    values = np.concatenate([table.values, table.values.sum(axis=0, keepdims=True)])
    found = engine.indicators(values, prevalence)
    found["inwoners"] = values.sum(axis=(2, 3))
    found["inwoners_65plus"] = engine.band_totals(values, 65, 105)
    found["inwoners_80plus"] = engine.band_totals(values, 80, 105)
    names = np.asarray((*table.municipalities, params.region_code), dtype=object)
    frames = []
    for name, grid in found.items():
        m, y = np.meshgrid(np.arange(grid.shape[0]), np.arange(grid.shape[1]), indexing="ij")
        frames.append(
            pd.DataFrame(
                {
                    "gemeente": names[m.ravel()],
                    "jaar": np.asarray(params.years)[y.ravel()],
                    "indicator": name,
                    "waarde": grid.ravel(),
                }
            )
        )
    result = pd.concat(frames, ignore_index=True)
    result.attrs["bron"] = source_note(params, table)
    return result


def decomposition(params: Params, *, table: PopulationTable | None = None) -> pd.DataFrame:
    """Change in shortage from base year to end year, by factor (see module docstring)."""
    table = population(params, table)
    model = build_model(params, 0)
    pop = table.values
    frozen = np.repeat(pop[:, :1], pop.shape[1], axis=1)  # no demographic change
    demand_factors = ["demografie", *model.factors()]

    def evaluate(on: frozenset[str]) -> np.ndarray:
        off = [f for f in demand_factors[1:] if f not in on]
        values = engine.demand(pop if "demografie" in on else frozen, model.without(*off))
        values = values[:, :, 0, :]  # baseline draw
        with_region = np.concatenate([values, values.sum(axis=0, keepdims=True)])
        return with_region[:, -1, :] - with_region[:, 0, :]

    parts = engine.shapley(evaluate, demand_factors)
    full = engine.demand(pop, model)[:, :, 0, :]
    base_demand = full[:, 0, :]
    current = current_supply(params, table.municipalities, base_demand)
    names = np.asarray((*table.municipalities, params.region_code), dtype=object)
    outputs = np.asarray(params.products, dtype=object)
    frames = []
    for scenario in params.scenarios:
        supply = scenario_supply(params, scenario, table.municipalities, current, base_demand)
        supply = np.concatenate([supply, supply.sum(axis=0, keepdims=True)])
        contributions = {**parts, "aanbod": -(supply[:, -1, :] - supply[:, 0, :])}
        for factor, grid in contributions.items():
            m, k = np.meshgrid(np.arange(grid.shape[0]), np.arange(grid.shape[1]), indexing="ij")
            frames.append(
                pd.DataFrame(
                    {
                        "gemeente": names[m.ravel()],
                        "scenario": scenario,
                        "product": outputs[k.ravel()],
                        "van_jaar": params.basisjaar,
                        "tot_jaar": params.eindjaar,
                        "factor": factor,
                        "bijdrage": grid.ravel(),
                    }
                )
            )
    result = pd.concat(frames, ignore_index=True)
    result.attrs["bron"] = source_note(params, table)
    return result
