"""Projection parameters: a versioned YAML or JSON file, validated on load into typed objects.

``load(path)`` and ``parse(text, source=name)`` return :class:`Params` or raise
``regiotafel.errors.InvalidInput`` with one ``FieldError`` per problem, naming the field path
(``producten.verpleeghuis_pg.gebruik[2].man``) and the reason in Dutch. Unknown keys, negative
rates and rates above 1 are refused. Every rate, share and trend may be a number or an 80%
interval ``{waarde: 0.1, p10: 0.08, p90: 0.12}``. The format is documented in
``docs/projection.md`` and shown by ``examples/projectie-zhn.yaml``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from regiotafel import errors, problems
from regiotafel.core.limits import unstorable_string_in

VERSION = 1
BASE_PRODUCTS = ("verpleeghuis_pg", "verpleeghuis_somatisch", "vpt", "elv", "wijkverpleging")
DERIVED_PRODUCTS = ("verpleeghuis", "personeel")
PRODUCTS = BASE_PRODUCTS + DERIVED_PRODUCTS
BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")
GM_CODE = re.compile(r"^GM\d{4}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Interval(Strict):
    """A central value with an 80% interval (P10..P90)."""

    waarde: float
    p10: float
    p90: float

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if not self.p10 <= self.waarde <= self.p90:
            raise ValueError("p10 <= waarde <= p90")
        return self


def _kind(value: object) -> str:
    return "interval" if isinstance(value, dict | Interval) else "getal"


Number = Annotated[
    Annotated[float, Tag("getal")] | Annotated[Interval, Tag("interval")],
    Discriminator(_kind),
]


def central(value: Number) -> float:
    return value.waarde if isinstance(value, Interval) else float(value)


def bounds(value: Number) -> tuple[float, float, float]:
    """(p10, central, p90); a plain number has no spread."""
    if isinstance(value, Interval):
        return value.p10, value.waarde, value.p90
    v = float(value)
    return v, v, v


def _values(value: Number) -> list[float]:
    return list(bounds(value))


def parse_band(text: str) -> tuple[int, int]:
    match = BAND.match(text.strip())
    if not match:
        raise ValueError("leeftijdsband")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else 105
    if high < low or low > 105:
        raise ValueError("leeftijdsband")
    return low, min(high, 105)


class Band(Strict):
    """Use rate per person of one age band, per sex (0..1)."""

    leeftijd: str
    man: Number
    vrouw: Number

    @field_validator("leeftijd")
    @classmethod
    def _band(cls, value: str) -> str:
        parse_band(value)
        return value

    @field_validator("man", "vrouw")
    @classmethod
    def _rate(cls, value: Number) -> Number:
        if not all(0 <= v <= 1 for v in _values(value)):
            raise ValueError("kans")
        return value

    @property
    def ages(self) -> tuple[int, int]:
        return parse_band(self.leeftijd)


def _no_overlap(bands: list[Band]) -> list[Band]:
    taken: set[int] = set()
    for band in bands:
        low, high = band.ages
        ages = set(range(low, high + 1))
        if ages & taken:
            raise ValueError("overlap")
        taken |= ages
    return bands


class Product(Strict):
    gebruik: list[Band] = Field(min_length=1)
    trend: Number = 0.0  # annual relative change of all rates of this product
    personeel_per_client: Number = 0.0  # FTE per client, feeds the derived 'personeel'

    @field_validator("gebruik")
    @classmethod
    def _bands(cls, value: list[Band]) -> list[Band]:
        return _no_overlap(value)

    @field_validator("trend")
    @classmethod
    def _trend(cls, value: Number) -> Number:
        if not all(-1 < v <= 1 for v in _values(value)):
            raise ValueError("trend")
        return value

    @field_validator("personeel_per_client")
    @classmethod
    def _fte(cls, value: Number) -> Number:
        if not all(v >= 0 for v in _values(value)):
            raise ValueError("negatief")
        return value


class SubstitutionParams(Strict):
    naam: str
    van: str
    naar: str
    aandeel: Number
    vanaf: int
    volledig: int
    factor: float = 1.0

    @field_validator("aandeel")
    @classmethod
    def _share(cls, value: Number) -> Number:
        if not all(0 <= v <= 1 for v in _values(value)):
            raise ValueError("kans")
        return value


class LaterEntry(Strict):
    product: str
    jaren: Number
    vanaf: int
    volledig: int

    @field_validator("jaren")
    @classmethod
    def _years(cls, value: Number) -> Number:
        if not all(0 <= v <= 10 for v in _values(value)):
            raise ValueError("jaren")
        return value


class Addition(Strict):
    product: str
    plaatsen: float
    jaar: int  # in full from this year
    vanaf: int | None = None  # linear build-up from this year (default: all at once)
    gemeente: str | None = None  # default: spread over municipalities by current capacity


class Scenario(Strict):
    omschrijving: str = ""
    toevoegingen: list[Addition] = []


class Population(Strict):
    bron: Literal["demo", "cbs"] = "demo"
    gemeenten: list[str] | None = None
    cache: str | None = None  # folder for the CBS cache (bron: cbs)

    @field_validator("gemeenten")
    @classmethod
    def _codes(cls, value: list[str] | None) -> list[str] | None:
        for code in value or []:
            if not GM_CODE.match(code):
                raise ValueError("gemeentecode")
        return value


class Dementia(Strict):
    prevalentie: list[Band] = Field(min_length=1)

    @field_validator("prevalentie")
    @classmethod
    def _bands(cls, value: list[Band]) -> list[Band]:
        return _no_overlap(value)


class MonteCarlo(Strict):
    trekkingen: int = Field(default=0, ge=0, le=100_000)
    zaad: int = 0


BED_REGISTER = "beddenregister"  # in the platform: ELV beds per municipality from the register
Supply = dict[str, float] | Literal["basisjaar", "beddenregister"]
BaseProduct = Literal[BASE_PRODUCTS]
AnyProduct = Literal[PRODUCTS]


class Params(Strict):
    versie: Literal[1]
    naam: str
    regio: str
    regiocode: str
    bron: str = ""  # a note on where the figures come from; shown in every output
    basisjaar: int = Field(ge=1990, le=2100)
    eindjaar: int = Field(ge=1990, le=2100)
    bevolking: Population = Population()
    producten: dict[BaseProduct, Product] = Field(min_length=1)
    substitutie: list[SubstitutionParams] = []
    later_instroom: list[LaterEntry] = []
    dementie: Dementia | None = None
    aanbod: dict[AnyProduct, Supply] = {}
    scenarios: dict[str, Scenario] = Field(min_length=1)
    monte_carlo: MonteCarlo = MonteCarlo()

    @model_validator(mode="after")
    def _consistent(self) -> Params:
        if self.eindjaar <= self.basisjaar:
            raise ValueError("eindjaar")
        return self

    def cross_field_errors(self) -> list[tuple[str, str]]:
        """(field path, reason code) for references to products the file does not define."""
        known = set(self.producten)
        outputs = set(self.products)
        found = []
        for i, item in enumerate(self.substitutie):
            for side in ("van", "naar"):
                if getattr(item, side) not in known:
                    found.append((f"substitutie[{i}].{side}", "product:" + getattr(item, side)))
        for i, item in enumerate(self.later_instroom):
            if item.product not in known:
                found.append((f"later_instroom[{i}].product", "product:" + item.product))
        for key, amounts in self.aanbod.items():
            if key not in outputs:
                found.append((f"aanbod.{key}", "product:" + key))
            elif isinstance(amounts, dict):
                found += [(f"aanbod.{key}.{c}", "negatief") for c, v in amounts.items() if v < 0]
            elif amounts == BED_REGISTER and key != "elv":
                found.append((f"aanbod.{key}", BED_REGISTER))
        for name, scenario in self.scenarios.items():
            for i, addition in enumerate(scenario.toevoegingen):
                if addition.product not in outputs:
                    path = f"scenarios.{name}.toevoegingen[{i}].product"
                    found.append((path, "product:" + addition.product))
        return found

    def server_path_errors(self) -> list[tuple[str, str]]:
        """(field path, reason code) for every value that names a folder or file on the server.

        Only an operator's own file (the command line) may do that; a parameter set the
        platform stores came from an upload, and the server chooses its own folders.
        """
        return [("bevolking.cache", "pad")] if self.bevolking.cache is not None else []

    # --- the contract names -----------------------------------------------------------
    @property
    def name(self) -> str:
        return self.naam

    @property
    def region(self) -> str:
        return self.regio

    @property
    def region_code(self) -> str:
        return self.regiocode

    @property
    def scenario_names(self) -> list[str]:
        return list(self.scenarios)

    @property
    def products(self) -> list[str]:
        """Output products: the base products given, then the derived ones that apply."""
        base = [p for p in BASE_PRODUCTS if p in self.producten]
        derived = []
        if {"verpleeghuis_pg", "verpleeghuis_somatisch"} & set(base):
            derived.append("verpleeghuis")
        if any(central(self.producten[p].personeel_per_client) for p in base):
            derived.append("personeel")
        return base + derived

    @property
    def draws(self) -> int:
        return self.monte_carlo.trekkingen

    @property
    def seed(self) -> int:
        return self.monte_carlo.zaad

    @property
    def years(self) -> list[int]:
        return list(range(self.basisjaar, self.eindjaar + 1))


SKIPPED_TAGS = ("getal", "interval", "basisjaar", "[key]")
SKIPPED_PREFIXES = ("function-", "literal[", "dict[", "list[")


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in SKIPPED_TAGS or str(part).startswith(SKIPPED_PREFIXES):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or _("(bestand)")


def _reason(error: dict) -> str:
    kind = error["type"]
    msg = str(error.get("msg", ""))
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _("onbekende sleutel")
    if kind == "missing":
        return _("ontbreekt")
    if kind in ("float_type", "int_type", "float_parsing", "int_parsing", "int_from_float"):
        return _("verwacht een getal")
    if kind in ("string_type",):
        return _("verwacht tekst")
    if kind in ("list_type",):
        return _("verwacht een lijst")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("verwacht een tabel (sleutels en waarden)")
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " of ")
        return _("moet een van %(values)s zijn") % {"values": expected}
    if kind in ("greater_than_equal", "greater_than"):
        return _("moet minstens %(n)s zijn") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("mag hoogstens %(n)s zijn") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "too_short":
        return _("mag niet leeg zijn")
    if kind == "value_error":
        return _custom(msg.removeprefix("Value error, "))
    # Any other pydantic error: its Dutch reason, never pydantic's English message.
    return problems.pydantic_reason(error)


def _custom(code: str) -> str:
    if code == "kans":
        return _("een kans of aandeel moet tussen 0 en 1 liggen")
    if code == "trend":
        return _("een jaarlijkse trend moet tussen -1 en 1 liggen")
    if code == "negatief":
        return _("mag niet negatief zijn")
    if code == "jaren":
        return _("later instromen moet tussen 0 en 10 jaar liggen")
    if code == "leeftijdsband":
        return _("leeftijdsband moet de vorm '65-69' of '95+' hebben (0 t/m 105)")
    if code == "overlap":
        return _("leeftijdsbanden overlappen")
    if code == "gemeentecode":
        return _("gemeentecode moet GM en vier cijfers zijn")
    if code == BED_REGISTER:
        return _("het beddenregister telt alleen ELV-bedden: gebruik het alleen bij aanbod.elv")
    if code == "pad":
        return _(
            "een parameterbestand in het platform mag geen map of bestand op de server noemen; "
            "laat deze sleutel weg"
        )
    if code == "eindjaar":
        return _("eindjaar moet na het basisjaar liggen")
    if code == "p10 <= waarde <= p90":
        return _("een interval moet p10 <= waarde <= p90 hebben")
    if code.startswith("product:"):
        return _("onbekend product: %(p)s (bekend: %(known)s)") % {
            "p": code.removeprefix("product:"),
            "known": ", ".join(PRODUCTS),
        }
    return _("deze waarde is ongeldig")  # never a validator's own (English) words


def _dedupe(items: list[errors.FieldError]) -> list[errors.FieldError]:
    """A number-or-interval field reports twice when wrong; keep the first per path."""
    seen, out = set(), []
    for item in items:
        if item.field not in seen:
            seen.add(item.field)
            out.append(item)
    return out


def _syntax_message(exc: Exception, source: str) -> str:
    """Where the file stops being YAML or JSON, in Dutch. The parser's own words are English
    and name its internals ("mapping values are not allowed here"): not shown."""
    if isinstance(exc, json.JSONDecodeError):
        line, column = exc.lineno, exc.colno
    else:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    if line is None:
        return _("%(file)s is geen geldige YAML of JSON.") % {"file": source}
    return _(
        "%(file)s is geen geldige YAML of JSON: de opbouw klopt niet op regel %(line)s, "
        "kolom %(column)s."
    ) % {"file": source, "line": line, "column": column}


def _version_message(found, source: str) -> str:
    """Names the version the file gives in words a person wrote, never a Python value."""
    if found is None or found == "":
        return _("%(file)s noemt geen versie; zet bovenaan 'versie: %(v)s'.") % {
            "file": source,
            "v": VERSION,
        }
    if isinstance(found, (dict, list)):
        return _("%(file)s: versie moet één getal zijn (verwacht versie: %(v)s).") % {
            "file": source,
            "v": VERSION,
        }
    return _("%(file)s: versie %(found)s wordt niet ondersteund (verwacht versie: %(v)s).") % {
        "file": source,
        "found": str(found).strip()[:20],
        "v": VERSION,
    }


def parse(text: str, *, source: str, server_paths: bool = True) -> Params:
    """Params from YAML or JSON text; ``source`` names the file in messages.

    ``server_paths=False`` (every parameter set of the platform: uploaded, stored, loaded)
    refuses values that name a folder or file on the server (``bevolking.cache``).
    """
    try:
        data = json.loads(text) if source.lower().endswith(".json") else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise errors.InvalidInput(_syntax_message(exc, source), code="ongeldige-yaml") from None
    except (RecursionError, ValueError):
        # Nesting deeper than the parser's stack, or a number longer than Python converts
        # (4,300 digits): a hostile file, refused like any other that is not parameters.
        raise errors.InvalidInput(
            _("%(file)s is te diep genest of bevat een te lang getal.") % {"file": source},
            code="ongeldige-yaml",
        ) from None
    if unstorable_string_in(data) is not None:
        raise errors.InvalidInput(
            _("%(file)s bevat een NUL-teken of een ongeldig teken (losse surrogaat).")
            % {"file": source},
            code="ongeldig-teken",
        )
    if not isinstance(data, dict):
        raise errors.InvalidInput(
            _("%(file)s: verwacht een tabel met parameters bovenaan.") % {"file": source},
            code="ongeldige-parameters",
        )
    if data.get("versie") != VERSION:
        raise errors.InvalidInput(
            _version_message(data.get("versie"), source), code="versie-niet-ondersteund"
        )
    try:
        params = Params.model_validate(data)
    except RecursionError:
        raise errors.InvalidInput(
            _("%(file)s is te diep genest of bevat een te lang getal.") % {"file": source},
            code="ongeldige-yaml",
        ) from None
    except ValidationError as exc:
        found = _dedupe(
            [errors.FieldError(field=_path(e["loc"]), message=_reason(e)) for e in exc.errors()]
        )
    else:
        problems_found = params.cross_field_errors()
        if not server_paths:
            problems_found += params.server_path_errors()
        found = [
            errors.FieldError(field=path, message=_custom(code)) for path, code in problems_found
        ]
        if not found:
            return params
    raise errors.InvalidInput(
        _("%(file)s bevat %(n)s fout(en) in de parameters.") % {"file": source, "n": len(found)},
        code="ongeldige-parameters",
        errors=found,
    )


def load(path: Path) -> Params:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise errors.NotFound(
            _("Parameterbestand %(file)s bestaat niet.") % {"file": path},
            code="bestand-niet-gevonden",
        ) from None
    except UnicodeDecodeError:
        raise errors.InvalidInput(
            _("Parameterbestand %(file)s is geen UTF-8-tekst.") % {"file": path.name},
            code="geen-utf8",
        ) from None
    except OSError:
        raise errors.InvalidInput(
            _("Parameterbestand %(file)s is niet te lezen (geen leesrechten, of een map).")
            % {"file": path.name},
            code="bestand-onleesbaar",
        ) from None
    return parse(text, source=path.name)
