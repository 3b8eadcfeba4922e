"""The indicator framework a plan is read against.

The default is the 30 indicators of "de beweging naar de voorkant" in 8 categories, each with
its test question (``regiotafel/data/indicators.csv``, a copy of ``shared/data``), enriched
with the built-in Dutch synonyms and example phrases of ``plans/data/synoniemen.yaml``.
Other frameworks (e.g. the Kwaliteitskader's eight themes) are the same
:class:`IndicatorSpec` list built from an analyst's upload; nothing here is specific to the
default one.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synoniemen.yaml"


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    category: str
    name: str
    question: str
    synonyms: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    threshold: float | None = None  # per-indicator calibrated cut-off for the scorer in use

    def query_text(self) -> str:
        """Everything that describes the indicator, as one text (the lexical query)."""
        return " ".join([self.name, self.question, *self.synonyms, *self.examples])


def indicators_file() -> Path:
    from regiotafel.core.demo import DATA_DIR

    return DATA_DIR / "indicators.csv"


# Pure memoisation (docs/decisions.md, "Shared state"): files inside the package, the same in
# every process; an analyst's changes live in the database and are never read from here.
@lru_cache(maxsize=1)
def _default_specs() -> tuple[IndicatorSpec, ...]:
    with indicators_file().open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = load_synonyms(SYNONYMS_FILE)
    specs = [
        IndicatorSpec(
            id=row["id"].strip(),
            category=row["categorie"].strip(),
            name=row["indicator"].strip(),
            question=row["toetsvraag"].strip(),
        )
        for row in rows
    ]
    return tuple(with_synonyms(specs, extra))


def default_framework() -> list[IndicatorSpec]:
    """The 30 indicators with their categories, test questions, synonyms and examples."""
    return list(_default_specs())


def load_synonyms(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """``{indicator id: {"synoniemen": (...), "voorbeelden": (...)}}`` from a YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    result = {}
    for indicator_id, entry in data.items():
        entry = entry or {}
        result[str(indicator_id)] = {
            key: tuple(str(value).strip() for value in entry.get(key) or () if str(value).strip())
            for key in ("synoniemen", "voorbeelden")
        }
    return result


def with_synonyms(
    specs: list[IndicatorSpec], extra: Mapping[str, Mapping[str, tuple[str, ...]]]
) -> list[IndicatorSpec]:
    """The specs with synonyms and examples added (kept in order, without repeats)."""
    enriched = []
    for spec in specs:
        entry = extra.get(spec.id, {})
        synonyms = _merge(spec.synonyms, entry.get("synoniemen", ()))
        examples = _merge(spec.examples, entry.get("voorbeelden", ()))
        enriched.append(replace(spec, synonyms=synonyms, examples=examples))
    return enriched


def with_thresholds(
    specs: list[IndicatorSpec], thresholds: Mapping[str, float]
) -> list[IndicatorSpec]:
    """The specs with calibrated thresholds set (indicators not in the mapping keep theirs)."""
    return [replace(spec, threshold=thresholds.get(spec.id, spec.threshold)) for spec in specs]


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in (*first, *second):
        seen.setdefault(value, None)
    return tuple(seen)
