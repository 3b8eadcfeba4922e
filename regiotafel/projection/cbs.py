"""CBS StatLine loader (through ``cbsodata``), cached in the shared cache or a folder.

- ``03759ned`` (Bevolking op 1 januari; geslacht, leeftijd, burgerlijke staat en regio):
  persons per municipality, sex and single year of age in the base year;
- ``85171NED`` (the prognosis the issue names): per region and year, persons by sex and age —
  the rows for Nederland give the national age–sex growth, the municipal rows with sex and age
  "Totaal" give the municipal prognosis totals.

``population.project`` combines them: base-year structure per municipality x national age–sex
growth relative to the base year, scaled to the municipal totals.

Rows are read by their titles, as ``cbsodata.get_data`` returns them ("Mannen", "Vrouwen",
"0 jaar" … "105 jaar of ouder", "Totaal …"); age groups ("65 jaar of ouder", "0 tot 5 jaar")
are ignored, so single years 0..104 plus the open class 105+ remain. Municipality codes come
from the table's ``RegioS`` metadata (keys such as ``GM0546``). Every answer is stored as
Parquet, named by table and query, so a second run needs no network: in the shared
``projections`` cache (the platform, every process and machine) or, for an operator's
parameter file with ``bevolking.cache``, in that folder.
These machines cannot reach CBS: the tests replay recorded answers over HTTP (``responses``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.projection.engine import N_AGES, SEXES
from regiotafel.projection.population import PopulationTable, project

POPULATION_TABLE = "03759ned"
PROGNOSIS_TABLE = "85171NED"
SEX_TITLES = {"Mannen": "man", "Vrouwen": "vrouw"}
SINGLE_AGE = re.compile(r"^(\d{1,3}) jaar( of ouder)?$")
TOTAL = re.compile(r"^totaal", re.IGNORECASE)
SOURCE = "CBS StatLine 03759ned en 85171NED"

Fetch = Callable[[str, str | None], list[dict]]


def _cbs_data(table: str, filters: str | None) -> list[dict]:
    import cbsodata

    return cbsodata.get_data(table, filters=filters)


def _cbs_regions(table: str, _filters: str | None = None) -> list[dict]:
    import cbsodata

    return cbsodata.get_meta(table, "RegioS")


class Loader:
    """Reads StatLine tables through ``fetch``/``regions`` and caches them in ``cache``."""

    def __init__(self, cache: Path | None, fetch: Fetch = _cbs_data, regions: Fetch = _cbs_regions):
        # A folder (an operator's parameter file), or None: the shared ``projections`` cache
        # (the platform: every process and machine, nothing on one server's disk).
        self.cache = Path(cache) if cache is not None else None
        self.fetch = fetch
        self.regions = regions

    def _cached(self, kind: str, table: str, query: str | None, get: Fetch) -> pd.DataFrame:
        key = hashlib.sha256(f"{kind}|{table}|{query}".encode()).hexdigest()[:16]
        if self.cache is None:
            return _shared(f"cbs:{table}-{kind}-{key}", lambda: self._fetch(table, query, get))
        path = self.cache / f"{table}-{kind}-{key}.parquet"
        if path.exists():
            return pd.read_parquet(path)
        frame = self._fetch(table, query, get)
        self.cache.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)
        return frame

    def _fetch(self, table: str, query: str | None, get: Fetch) -> pd.DataFrame:
        try:
            rows = get(table, query)
        except Exception as exc:  # network, HTTP, JSON: one Dutch line at the edge
            raise errors.NotFound(
                _("CBS-tabel %(table)s is niet op te halen: %(reason)s")
                % {"table": table, "reason": str(exc).splitlines()[0] if str(exc) else exc},
                code="cbs-niet-bereikbaar",
            ) from None
        return pd.DataFrame(rows)

    def data(self, table: str, filters: str) -> pd.DataFrame:
        return self._cached("data", table, filters, self.fetch)

    def region_titles(self, table: str) -> dict[str, str]:
        """Region title -> code (``Leiden`` -> ``GM0546``; ``Nederland`` -> ``NL01``)."""
        frame = self._cached("regios", table, None, self.regions)
        return {row.Title.strip(): row.Key.strip() for row in frame.itertuples()}


def _age(title: str) -> int | None:
    match = SINGLE_AGE.match(str(title).strip())
    if not match:
        return None
    age = int(match.group(1))
    if match.group(2) and age < N_AGES - 1:
        return None  # an open age group such as "65 jaar of ouder"
    return min(age, N_AGES - 1)


def _measure(frame: pd.DataFrame, table: str) -> str:
    found = sorted(c for c in frame.columns if c.startswith(("Bevolking", "PrognoseBevolking")))
    if not found:
        raise errors.InvalidInput(
            _("CBS-tabel %(table)s heeft geen kolom met de bevolking.") % {"table": table},
            code="cbs-gegevens-onvolledig",
        )
    return found[0]


def _tidy(frame: pd.DataFrame, table: str, codes: dict[str, str]) -> pd.DataFrame:
    """Rows with code, year, sex, age (None for totals) and persons."""
    if "BurgerlijkeStaat" in frame.columns:
        frame = frame[frame["BurgerlijkeStaat"].astype(str).str.match(TOTAL)]
    measure = _measure(frame, table)
    out = pd.DataFrame(
        {
            "gemeente": frame["RegioS"].astype(str).str.strip().map(codes),
            "jaar": frame["Perioden"].astype(str).str.extract(r"(\d{4})")[0].astype(int),
            "geslacht": frame["Geslacht"].astype(str).str.strip(),
            "leeftijd": frame["Leeftijd"].astype(str).str.strip(),
            "inwoners": pd.to_numeric(frame[measure], errors="coerce"),
        }
    )
    return out.dropna(subset=["gemeente", "inwoners"])


def _by_age_sex(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.assign(
        leeftijd=rows["leeftijd"].map(_age), geslacht=rows["geslacht"].map(SEX_TITLES)
    )
    rows = rows.dropna(subset=["leeftijd", "geslacht"])
    return rows.astype({"leeftijd": int})


def _grid(rows: pd.DataFrame, keys: list, key_column: str) -> np.ndarray:
    """``(len(keys), S, A)`` from rows with ``key_column``, geslacht, leeftijd, inwoners."""
    out = np.zeros((len(keys), len(SEXES), N_AGES))
    k = pd.Index(keys).get_indexer(rows[key_column])
    s = pd.Index(SEXES).get_indexer(rows["geslacht"])
    keep = (k >= 0) & (s >= 0)
    np.add.at(out, (k[keep], s[keep], rows["leeftijd"].to_numpy()[keep]), rows["inwoners"][keep])
    return out


def _region_filter(codes: list[str]) -> str:
    return " or ".join(f"substringof('{code}', RegioS)" for code in codes)


def load_population(codes: list[str], years: list[int], loader: Loader) -> PopulationTable:
    """The age–sex projection for ``codes`` over ``years`` (first year = base year)."""
    base_year = years[0]
    titles = loader.region_titles(POPULATION_TABLE)
    codes_by_title = {title: code for title, code in titles.items()}
    base_rows = loader.data(
        POPULATION_TABLE, f"Perioden eq '{base_year}JJ00' and ({_region_filter(codes)})"
    )
    base = _by_age_sex(_tidy(base_rows, POPULATION_TABLE, codes_by_title))
    base_grid = _grid(base, codes, "gemeente")
    _require(base_grid.sum(axis=(1, 2)) > 0, codes, POPULATION_TABLE, base_year)

    p_titles = loader.region_titles(PROGNOSIS_TABLE)
    national = next((c for t, c in p_titles.items() if t == "Nederland"), "NL01")
    prognosis_rows = loader.data(PROGNOSIS_TABLE, _region_filter([national, *codes]))
    prognosis = _tidy(prognosis_rows, PROGNOSIS_TABLE, p_titles)
    prognosis = prognosis[prognosis["jaar"].isin(years)]
    country = _by_age_sex(prognosis[prognosis["gemeente"] == national])
    national_grid = _grid(country, years, "jaar")  # (Y, S, A)
    _require(national_grid.sum(axis=(1, 2)) > 0, years, PROGNOSIS_TABLE, "Nederland")
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(national_grid[0] > 0, national_grid / national_grid[0], 1.0)

    totals_rows = prognosis[
        prognosis["geslacht"].str.match(TOTAL) & prognosis["leeftijd"].str.match(TOTAL)
    ]
    totals = totals_rows.pivot_table(
        index="gemeente", columns="jaar", values="inwoners", aggfunc="sum"
    ).reindex(index=codes, columns=years)
    missing = totals.isna()
    if missing.any().any():
        gaps = [f"{c} {y}" for c in codes for y in years if missing.loc[c, y]]
        raise errors.InvalidInput(
            _("CBS-tabel %(table)s mist prognosetotalen voor: %(what)s.")
            % {"table": PROGNOSIS_TABLE, "what": ", ".join(gaps[:10])},
            code="cbs-gegevens-onvolledig",
        )
    values = project(base_grid, growth, totals.to_numpy(dtype=float))
    return PopulationTable(tuple(codes), tuple(years), values, SOURCE)


def _require(present: np.ndarray, keys: list, table: str, where) -> None:
    absent = [str(k) for k, ok in zip(keys, present, strict=True) if not ok]
    if absent:
        raise errors.InvalidInput(
            _(
                "CBS-tabel %(table)s heeft geen bevolking naar leeftijd en geslacht voor "
                "%(what)s (%(where)s)."
            )
            % {"table": table, "what": ", ".join(absent), "where": where},
            code="cbs-gegevens-onvolledig",
        )


def population(params) -> PopulationTable:
    """Population for a ``Params`` with ``bevolking.bron: cbs``."""
    codes = params.bevolking.gemeenten
    if not codes:
        raise errors.InvalidInput(
            _("bevolking.gemeenten: geef de CBS-codes van de gemeenten bij bron: cbs."),
            code="ongeldige-parameters",
        )
    cache = Path(params.bevolking.cache) if params.bevolking.cache else None
    return load_population(list(codes), params.years, Loader(cache))


def _shared(key: str, fetch: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A StatLine answer from the shared cache, or fetched once and stored there."""
    import io
    import logging

    from django.core.cache import caches

    from regiotafel.projection.store import CACHE

    try:
        found = caches[CACHE].get(key)
    except Exception as exc:  # a database without the cache tables (the CLI before migrate)
        logging.getLogger(__name__).warning("CBS answers not cached: %s", exc)
        return fetch()
    if isinstance(found, bytes):
        return pd.read_parquet(io.BytesIO(found))
    frame = fetch()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    caches[CACHE].set(key, buffer.getvalue())
    return frame
