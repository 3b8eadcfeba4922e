"""The gap analysis in the platform: a region's parameter sets, their projections (computed
once and kept in the shared store, ``projection/store.py``) and the view of one scenario and
product that the page, its downloads and the API all show.

The numbers come from the engine (``runner.run``, ``runner.indicators``,
``runner.decomposition``); nothing here computes a projection. The cache key is the
parameter text plus a fingerprint of the engine's code and data, so a new engine or a new
upload never shows stale numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.core.models import Region
from regiotafel.lazy import lazy_module
from regiotafel.projection import report, store
from regiotafel.projection.models import ParameterSet
from regiotafel.projection.params import BED_REGISTER

if TYPE_CHECKING:
    import pandas as pd
else:  # imported on first use: not while Django starts (regiotafel/lazy.py)
    pd = lazy_module("pandas")

PACKAGE_DIR = Path(__file__).resolve().parent
# The modules and data whose change changes the numbers (the cache key includes them).
ENGINE_SOURCES = ("engine.py", "runner.py", "population.py", "params.py", "calibration.py")
MAX_PARAMETER_BYTES = 512 * 1024
# A per-process memo of prepared projections by cache key: the key hashes everything the
# numbers depend on, so no two processes can hold different values under one key (at most 8).
_memory: dict[str, Projection] = {}


@dataclass(frozen=True)
class Projection:
    """A parameter set with its computed results."""

    parameter_set: ParameterSet
    params: object
    results: pd.DataFrame
    indicators: pd.DataFrame | None
    decomposition: pd.DataFrame | None
    labels: report.Labels
    region_code: str
    scenarios: list[str]
    products: list[str]
    source: str = ""
    # Rendered parts per (scenario, product), shared by every request for this projection.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key, build):
        """The part ``build()`` makes for ``key``, built once per projection."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]


@dataclass(frozen=True)
class GapView:
    """What the page shows for one region, scenario and product (and what it exports)."""

    region: Region
    projection: Projection
    scenario: str
    product: str
    series: pd.DataFrame  # every area and year for the scenario and product
    table: pd.DataFrame  # the key years per area (region first)
    indicators: pd.DataFrame | None  # wide: area, indicator, one column per key year
    has_band: bool
    municipalities: list[tuple[str, str]] = field(default_factory=list)  # (code, name)

    @property
    def labels(self) -> report.Labels:
        return self.projection.labels

    @property
    def scenario_label(self) -> str:
        return self.labels.scenario(self.scenario)

    @property
    def product_label(self) -> str:
        return self.labels.product(self.product)


# --- Who may see which region -----------------------------------------------------------------


def regions_for(user):
    """The regions whose gap analysis the user may see: those of the organisations where
    they are an analyst or administrator (every region for a superuser)."""
    if user.is_superuser:
        return Region.objects.filter(parameter_sets__isnull=False).distinct()
    return permissions.visible(user, "zorgkloof.bekijken", Region)


def region_by_slug(*, user, slug: str, action: str = "zorgkloof.bekijken") -> Region:
    return permissions.get_for(user, action, Region, slug=slug)


# --- Parameter sets ---------------------------------------------------------------------------


def current_parameter_set(region: Region) -> ParameterSet | None:
    return ParameterSet.objects.filter(region=region).order_by("-version").first()


def parameter_history(*, user, region: Region):
    permissions.check(user, "zorgkloof.bekijken", region)
    return ParameterSet.objects.filter(region=region).select_related("created_by")


def parse_parameters(text: str, *, filename: str):
    """Validate a parameter file's text with the engine's own reader (Dutch errors naming
    the file, field and reason). A file that names a folder on the server is refused."""
    from regiotafel.projection import params

    return params.parse(text, source=filename, server_paths=False)


def save_parameter_set(*, user, region: Region, text: str, filename: str) -> ParameterSet:
    """Validate and store a new version of the region's parameters; nothing is saved when
    the file is refused.

    Reading, checking and computing the projection happen before the transaction; only the
    short write is inside it (on SQLite a write transaction holds the one write lock, so a
    bed claim would otherwise wait for the whole projection)."""
    permissions.check(user, "zorgkloof.parameters.beheren", region)
    parsed = parse_parameters(text, filename=filename)
    if str(parsed.region) != region.name:
        raise errors.InvalidInput(
            _("Bestand %(file)s hoort niet bij regio %(region)s.")
            % {"file": filename, "region": region.name},
            code="andere-regio",
            errors=[
                errors.FieldError(
                    "regio",
                    _("het bestand noemt regio '%(found)s', verwacht '%(region)s'")
                    % {"found": parsed.region, "region": region.name},
                )
            ],
        )
    _check_it_computes(parsed, text=text, filename=filename, region=region)
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=region.pk).first()  # one version at a time
        latest = ParameterSet.objects.filter(region=region).aggregate(v=Max("version"))["v"] or 0
        return ParameterSet.objects.create(
            region=region,
            name=str(parsed.name)[:200],
            version=latest + 1,
            text=text,
            filename=filename[:255],
            created_by=user if user is not None and user.is_authenticated else None,
        )


def _check_it_computes(parsed, *, text: str, filename: str, region: Region) -> None:
    """A valid file must also project (its municipalities exist in the population source, the
    source answers); computing it now also fills the cache for the page."""
    platform = platform_supply(text, region)
    try:
        computed(with_platform_supply(parsed, platform), key=cache_key(text, platform))
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(
            _("Bestand %(file)s: de projectie lukt niet. %(reason)s")
            % {"file": filename, "reason": exc.detail},
            code="projectie-mislukt",
            errors=exc.errors,
        ) from None
    except errors.RegiotafelError as exc:
        raise errors.InvalidInput(
            _("Bestand %(file)s: de projectie lukt niet. %(reason)s")
            % {"file": filename, "reason": exc.detail},
            code="projectie-mislukt",
        ) from None


def decode_upload(data: bytes, *, filename: str) -> str:
    if len(data) > MAX_PARAMETER_BYTES:
        raise errors.InvalidInput(
            _("Bestand %(file)s is groter dan %(kb)s kB.")
            % {"file": filename, "kb": MAX_PARAMETER_BYTES // 1024},
            code="bestand-te-groot",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise errors.InvalidInput(
            _("Bestand %(file)s is geen UTF-8-tekst.") % {"file": filename}, code="geen-utf8"
        ) from None
    if not text.strip():
        raise errors.InvalidInput(
            _("Bestand %(file)s is leeg.") % {"file": filename}, code="bestand-leeg"
        )
    return text


# --- Projections, cached --------------------------------------------------------------------


def projection(*, user, region: Region) -> Projection:
    """The current projection of a region, for someone allowed to see it."""
    permissions.check(user, "zorgkloof.bekijken", region)
    parameter_set = current_parameter_set(region)
    if parameter_set is None:
        raise errors.NotFound(
            _("Voor regio %(region)s zijn nog geen parameters voor de zorgkloofanalyse.")
            % {"region": region.name},
            code="geen-parameters",
        )
    return load_projection(parameter_set)


def load_projection(parameter_set: ParameterSet) -> Projection:
    """The projection of a parameter set: from memory, from the shared store, or computed once."""
    platform = platform_supply(parameter_set.text, parameter_set.region)
    key = cache_key(parameter_set.text, platform)
    found = _memory.get(key)
    if found is None:
        found = _prepare(parameter_set, key=key, platform=platform)
        if len(_memory) >= 8:
            _memory.clear()
        _memory[key] = found
    return dataclasses.replace(found, parameter_set=parameter_set)


def _prepare(parameter_set: ParameterSet, *, key: str, platform: dict | None) -> Projection:
    params = parse_parameters(parameter_set.text, filename=parameter_set.filename or "parameters")
    params = with_platform_supply(params, platform)
    results, indicators, decomposition = computed(params, key=key)
    region_code = str(params.region_code)
    labels = report.default_labels({region_code: str(params.region)})
    return Projection(
        parameter_set=parameter_set,
        params=params,
        results=results,
        indicators=indicators,
        decomposition=decomposition,
        labels=labels,
        region_code=region_code,
        scenarios=report.ordered(results["scenario"], _keys(params.scenarios, labels.scenarios)),
        products=report.ordered(results["product"], _keys(params.products, labels.products)),
        source=report.source_note(results) or str(getattr(params, "bron", "") or ""),
    )


def computed(params, *, key: str) -> tuple:
    """(results, indicators, decomposition) of a params object: the shared store (every
    process and machine) or the engine."""
    from regiotafel.projection import runner

    return store.computed(
        key, lambda: (runner.run(params), runner.indicators(params), runner.decomposition(params))
    )


def forget_memory() -> None:
    """Drop the in-process copies (the shared store stays)."""
    _memory.clear()


def _keys(declared, known) -> dict:
    """The params file's order first (a list of names or a mapping), then the labels' order."""
    names = list(declared.keys()) if isinstance(declared, dict) else list(declared or [])
    names = [str(getattr(item, "name", item)) for item in names]
    return {**dict.fromkeys(names, ""), **known}


def cache_key(text: str, platform: dict | None = None) -> str:
    """The engine, the parameter file and what the platform filled in (the bed register)."""
    digest = hashlib.sha256(engine_fingerprint().encode())
    digest.update(text.encode("utf-8"))
    if platform is not None:
        digest.update(json.dumps(platform, sort_keys=True).encode())
    return digest.hexdigest()[:32]


# --- Supply from the platform ------------------------------------------------------------------

ELV_BED_TYPES = "elv"  # bed type codes elv-laag, elv-hoog, elv-palliatief (and a region's own)


def platform_supply(text: str, region: Region) -> dict[str, float] | None:
    """ELV beds per municipality (CBS code) in the region's bed register, when the parameter
    file asks for them (``aanbod: {elv: beddenregister}``); None otherwise. Every registered
    bed counts, whatever its status today: capacity, not occupancy."""
    if BED_REGISTER not in text:
        return None
    from regiotafel.capacity.models import Bed

    rows = (
        Bed.objects.filter(
            location__municipality__region=region, bed_type__code__startswith=ELV_BED_TYPES
        )
        .values_list("location__municipality__cbs_code")
        .annotate(beds=Count("pk"))
    )
    return {code: float(beds) for code, beds in rows}


def with_platform_supply(params, platform: dict[str, float] | None):
    """The parameters with ``beddenregister`` replaced by the counted beds (only the
    municipalities the parameters project, when they name them)."""
    if platform is None:
        return params
    wanted = params.bevolking.gemeenten
    counts = {c: n for c, n in platform.items() if not wanted or c in wanted}
    aanbod = {k: (counts if v == BED_REGISTER else v) for k, v in params.aanbod.items()}
    return params.model_copy(update={"aanbod": aanbod})


@cache
def engine_fingerprint() -> str:
    """A hash of the engine's code and packaged data: a new engine invalidates the cache."""
    digest = hashlib.sha256()
    paths = [PACKAGE_DIR / name for name in ENGINE_SOURCES]
    paths += sorted((PACKAGE_DIR / "data").rglob("*")) if (PACKAGE_DIR / "data").exists() else []
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# --- The view of one scenario and product ---------------------------------------------------


def gap_view(
    *, user, region: Region, scenario: str | None = None, product: str | None = None
) -> GapView:
    """The region's projection for one scenario and product: the page, its downloads and
    the API all come from here."""
    found = projection(user=user, region=region)
    scenario = _choose(scenario, found.scenarios, "scenario", found.labels.scenario)
    product = _choose(product, found.products, "product", found.labels.product)
    series, table = found.remember(
        ("rows", scenario, product), lambda: _rows(found, scenario=scenario, product=product)
    )
    codes = found.remember(
        "municipalities", lambda: report.municipality_codes(found.results, found.labels)
    )
    return GapView(
        region=region,
        projection=found,
        scenario=scenario,
        product=product,
        series=series,
        table=table,
        indicators=found.remember("indicators", lambda: _key_year_indicators(found)),
        has_band=report.has_band(found.results),
        municipalities=[(code, found.labels.area(code)) for code in codes],
    )


def _rows(found: Projection, *, scenario: str, product: str) -> tuple:
    """Every year and area of one scenario and product, and its key-year table."""
    rows = report.baseline(found.results)
    rows = rows[(rows["scenario"] == scenario) & (rows["product"] == product)]
    series = rows.sort_values(["gemeente", "jaar"]).reset_index(drop=True)
    series.insert(1, "naam", series["gemeente"].map(found.labels.area))
    table = report.key_year_table(
        found.results, scenario=scenario, product=product, labels=found.labels
    )
    return series, table


def _choose(wanted: str | None, options: list[str], name: str, label) -> str:
    if not wanted:
        return options[0]
    if wanted not in options:
        raise errors.InvalidInput(
            _("Onbekende keuze voor %(name)s.") % {"name": name},
            code="onbekende-keuze",
            errors=[
                errors.FieldError(
                    name,
                    _("'%(value)s' bestaat niet; kies uit: %(options)s")
                    % {"value": wanted, "options": ", ".join(options)},
                )
            ],
        )
    return wanted


def _key_year_indicators(found: Projection) -> pd.DataFrame | None:
    if found.indicators is None or not len(found.indicators):
        return None
    frame = found.indicators
    years = [y for y in report.KEY_YEARS if y in set(frame["jaar"])]
    base = min(frame["jaar"])
    shown = frame[frame["jaar"].isin([base, *years])]
    return report.indicator_table(shown, labels=found.labels)


# --- Downloads ------------------------------------------------------------------------------


def export_csv(view: GapView) -> str:
    """Every year and area of the chosen scenario and product (the charts' data)."""
    return report.frame_to_csv(_export_frame(view))


def export_xlsx(view: GapView) -> bytes:
    sheets = {_("Kernjaren"): view.table, _("Per jaar"): _export_frame(view)}
    if view.indicators is not None:
        sheets[_("Indicatoren")] = view.projection.indicators
    sheets[_("Toelichting")] = report.explanation(
        title=_export_title(view), source=view.projection.source
    )
    return report.frames_to_xlsx(sheets)


def export_html(view: GapView) -> str:
    found = view.projection
    rows = found.results
    rows = rows[(rows["scenario"] == view.scenario) & (rows["product"] == view.product)]
    return report.render_html(
        rows,
        title=_export_title(view),
        labels=found.labels,
        indicators=found.indicators,
        source=found.source,
    )


def _export_title(view: GapView) -> str:
    return _("Zorgkloof %(region)s: %(product)s, %(scenario)s") % {
        "region": view.region.name,
        "product": view.product_label,
        "scenario": view.scenario_label,
    }


def _export_frame(view: GapView) -> pd.DataFrame:
    frame = view.series.copy()
    frame["bron"] = view.projection.source
    frame.insert(frame.columns.get_loc("scenario") + 1, "scenario_naam", view.scenario_label)
    frame.insert(frame.columns.get_loc("product") + 1, "product_naam", view.product_label)
    return frame


def export_name(view: GapView, extension: str) -> str:
    return f"zorgkloof-{view.region.slug}-{view.scenario}-{view.product}.{extension}"
