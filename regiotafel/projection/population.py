"""Age–sex population per municipality and year, and the demo dataset for Zuid-Holland Noord.

The projection method (issue #5, point 4): the regional CBS prognosis no longer publishes age
detail, so the population of municipality ``m`` at sex ``s``, age ``a``, year ``y`` is

    base[m, s, a] * growth[s, a, y]      (base-year structure x national age–sex growth)

scaled so that every municipality and year adds up to the municipal prognosis total. ``project``
does exactly that; ``regiotafel.projection.cbs`` feeds it from StatLine, ``demo_population``
from the shipped demo file.

THE DEMO DATASET IS NOT CBS DATA. ``build_demo`` constructs it from the published figures
only (see docs/projection.md, "The demo dataset"):

1. the 2023 inhabitants of the 13 ZHN municipalities (``regiotafel/data/zhn_municipalities.csv``,
   seed 004) and the regional growth of 8% from 2023 to 2040 (seed 004), the same for every
   municipality (no municipal prognosis is published in the seeds);
2. a synthetic single-year age–sex shape: birth cohorts (1.35 x for the baby boom 1946–1970)
   times Gompertz–Makeham period survival (life expectancy 80.0 for men, 83.6 for women in
   2023, the old-age hazard falling 1.5% a year), evaluated year by year, so the baby boom
   moves into the oldest ages between 2020 and 2040;
3. raked every year to the published regional age groups: 0–19 20.9% in 2023 and 2040; 65+
   118,180 (2023) and 159,560 (2040) split 65–79 : 80+ as 15.4 : 5.0 (2023) and 16.8 : 8.7
   (2040); 20–64 the remainder; geometric interpolation between 2023 and 2040 and the same
   rates backwards to 2020 (80+ then grows x2.1 from 2020 to 2040, "roughly doubles").

Every municipality has the regional age structure, scaled to its size.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from regiotafel.projection.engine import N_AGES, SEXES

DATA = Path(__file__).resolve().parent / "data"
DEMO_FILE = DATA / "bevolking-zhn-demo.csv.gz"
MUNICIPALITIES_FILE = Path(__file__).resolve().parent.parent / "data" / "zhn_municipalities.csv"
DEMO_SOURCE = (
    "DEMODATASET: bevolking ZHN opgebouwd uit gepubliceerde regiocijfers (seed 000/004), "
    "geen CBS-gegevens"
)

# published regional figures (seed 004) used by the demo builder
DEMO_YEARS = (2020, 2040)
ANCHOR_YEARS = (2023, 2040)
GROWTH_2023_2040 = 1.08
SHARE_0_19 = (0.209, 0.209)
PERSONS_65PLUS = (118_180, 159_560)
SPLIT_65_79_80PLUS = ((15.4, 5.0), (16.8, 8.7))
MORTALITY_IMPROVEMENT = 0.015  # synthetic, per year


@dataclass(frozen=True)
class PopulationTable:
    """Persons ``values[m, y, s, a]`` with the municipality codes and years on the axes."""

    municipalities: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray
    source: str = ""

    def select(self, codes: list[str] | None, years: list[int]) -> PopulationTable:
        codes = list(self.municipalities) if codes is None else codes
        missing = sorted(set(codes) - set(self.municipalities))
        if missing:
            raise KeyError(missing)
        y_missing = sorted(set(years) - set(self.years))
        if y_missing:
            raise KeyError(y_missing)
        m_idx = [self.municipalities.index(c) for c in codes]
        y_idx = [self.years.index(y) for y in years]
        return PopulationTable(
            tuple(codes), tuple(years), self.values[np.ix_(m_idx, y_idx)], self.source
        )

    def to_frame(self) -> pd.DataFrame:
        m, y, s, a = np.meshgrid(
            np.arange(len(self.municipalities)),
            np.arange(len(self.years)),
            np.arange(len(SEXES)),
            np.arange(N_AGES),
            indexing="ij",
        )
        return pd.DataFrame(
            {
                "gemeente": np.asarray(self.municipalities)[m.ravel()],
                "jaar": np.asarray(self.years)[y.ravel()],
                "geslacht": np.asarray(SEXES)[s.ravel()],
                "leeftijd": a.ravel(),
                "inwoners": self.values.ravel(),
            }
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str = "") -> PopulationTable:
        codes = tuple(sorted(frame["gemeente"].unique()))
        years = tuple(sorted(int(y) for y in frame["jaar"].unique()))
        values = np.zeros((len(codes), len(years), len(SEXES), N_AGES))
        m = pd.Index(codes).get_indexer(frame["gemeente"])
        y = pd.Index(years).get_indexer(frame["jaar"])
        s = pd.Index(SEXES).get_indexer(frame["geslacht"])
        a = frame["leeftijd"].to_numpy().clip(0, N_AGES - 1)
        np.add.at(values, (m, y, s, a), frame["inwoners"].to_numpy(dtype=float))
        return cls(codes, years, values, source)


def project(base: np.ndarray, growth: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Age–sex projection ``(M, Y, S, A)``.

    ``base`` ``(M, S, A)`` base-year structure per municipality; ``growth`` ``(Y, S, A)``
    national persons relative to the base year (1.0 in the base year); ``totals`` ``(M, Y)``
    municipal prognosis totals. Each municipality-year is scaled to its total.
    """
    raw = base[:, None, :, :] * growth[None, :, :, :]
    sums = raw.sum(axis=(2, 3), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(sums > 0, totals[:, :, None, None] / sums, 0.0)
    return raw * scale


# --- the demo dataset ----------------------------------------------------------------------


def survival(sex: str, year: int = 2023) -> np.ndarray:
    """Gompertz–Makeham period survival to each age (synthetic life table).

    Life expectancy 80.0 (men) and 83.6 (women) in 2023; the senescent hazard falls by
    ``MORTALITY_IMPROVEMENT`` a year, which adds about 2.4 years by 2040.
    """
    ages = np.arange(N_AGES + 1, dtype=float)
    a, b, c = (0.0003, 0.000018, 0.1) if sex == "man" else (0.0002, 0.0000095, 0.104)
    b *= np.exp(-MORTALITY_IMPROVEMENT * (year - ANCHOR_YEARS[0]))
    hazard = a + b * np.exp(c * ages)
    return np.exp(-np.concatenate([[0.0], np.cumsum(hazard)[:-1]]))[:N_AGES]


def cohort_size(birth_year: np.ndarray) -> np.ndarray:
    """Relative births per cohort: the post-war baby boom is 1.35 x the others."""
    return np.where((birth_year >= 1946) & (birth_year <= 1970), 1.35, 1.0)


def synthetic_shape(year: int) -> np.ndarray:
    """Unscaled persons ``(S, A)`` in ``year``: cohort size x survival; 105+ is open."""
    ages = np.arange(N_AGES)
    births = cohort_size(year - ages)
    weights = (0.512, 0.488)  # sex ratio at birth
    shape = np.stack([births * survival(s, year) * w for s, w in zip(SEXES, weights, strict=True)])
    shape[:, -1] *= 1.5  # the open class 105+: a short geometric tail of older ages
    return shape


def _interpolate(anchor: tuple[float, float], years: np.ndarray) -> np.ndarray:
    """Geometric interpolation between the anchor years, extrapolated at the same rate."""
    (y0, y1), (v0, v1) = ANCHOR_YEARS, anchor
    rate = (v1 / v0) ** (1 / (y1 - y0))
    return v0 * rate ** (years - y0)


def regional_targets(total_2023: float, years: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """Published regional age-group totals per year (see module docstring, step 3)."""
    totals = _interpolate((total_2023, total_2023 * GROWTH_2023_2040), years)
    plus65 = _interpolate(PERSONS_65PLUS, years)
    old_share = np.array([b / (a + b) for a, b in SPLIT_65_79_80PLUS])
    share80 = np.interp(years, ANCHOR_YEARS, old_share)
    young = totals * SHARE_0_19[0]
    return {
        (0, 19): young,
        (20, 64): totals - young - plus65,
        (65, 79): plus65 * (1 - share80),
        (80, 105): plus65 * share80,
    }


def rake(shape: np.ndarray, targets: dict[tuple[int, int], float]) -> np.ndarray:
    """Scale each age group of ``shape`` ``(S, A)`` to its target, keeping the shape inside."""
    out = shape.copy()
    for (low, high), target in targets.items():
        block = out[:, low : high + 1]
        block *= target / block.sum()
    return out


def build_demo() -> PopulationTable:
    """The documented demo population for the 13 ZHN municipalities, 2020–2040."""
    table = pd.read_csv(MUNICIPALITIES_FILE)
    inhabitants = table["inwoners_2023"].to_numpy(dtype=float)
    years = np.arange(DEMO_YEARS[0], DEMO_YEARS[1] + 1)
    targets = regional_targets(inhabitants.sum(), years)
    regional = np.stack(
        [
            rake(synthetic_shape(int(y)), {k: v[i] for k, v in targets.items()})
            for i, y in enumerate(years)
        ]
    )  # (Y, S, A)
    base_year = list(years).index(ANCHOR_YEARS[0])
    growth = regional / np.where(regional[base_year] > 0, regional[base_year], 1.0)
    base = np.repeat(regional[base_year][None], len(inhabitants), axis=0)
    municipal_growth = regional.sum(axis=(1, 2)) / regional[base_year].sum()
    totals = inhabitants[:, None] * municipal_growth[None, :]
    values = project(base, growth, totals)
    return PopulationTable(
        tuple(table["gemeentecode"]), tuple(int(y) for y in years), values, DEMO_SOURCE
    )


def write_demo(path: Path = DEMO_FILE) -> None:
    """Write the demo dataset (persons rounded to 0.01) as gzipped CSV, reproducibly."""
    frame = build_demo().to_frame()
    frame["inwoners"] = frame["inwoners"].round(2)
    buffer = io.StringIO()
    buffer.write(f"# {DEMO_SOURCE}\n")
    frame.to_csv(buffer, index=False, lineterminator="\n")
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))


def demo_population() -> PopulationTable:
    """The shipped demo dataset (``data/bevolking-zhn-demo.csv.gz``)."""
    frame = pd.read_csv(DEMO_FILE, comment="#")
    return PopulationTable.from_frame(frame, DEMO_SOURCE)


if __name__ == "__main__":  # pragma: no cover - regenerates the shipped file
    write_demo()
