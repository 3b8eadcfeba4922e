"""The gap analysis as JSON: the same service call as the page (``services.gap_view``)."""

from __future__ import annotations

import math
from datetime import datetime

from ninja import Router, Schema

from regiotafel.projection import report, services

router = Router(tags=["zorgkloof"])


class Choice(Schema):
    code: str
    naam: str


class ParameterSetOut(Schema):
    id: int
    naam: str
    versie: int
    aangemaakt_op: datetime


class YearOut(Schema):
    """One year of one area; ``null`` where a value does not exist: supply and shortage of a
    product without current capacity, percentiles without draws."""

    jaar: int
    vraag: float
    aanbod: float | None
    tekort: float | None
    tekort_pct: float | None
    vraag_p10: float | None = None
    vraag_p50: float | None = None
    vraag_p90: float | None = None
    tekort_p10: float | None = None
    tekort_p50: float | None = None
    tekort_p90: float | None = None
    tekort_pct_p10: float | None = None
    tekort_pct_p50: float | None = None
    tekort_pct_p90: float | None = None


class AreaOut(Schema):
    code: str
    naam: str
    regio_totaal: bool
    jaren: list[YearOut]


class IndicatorOut(Schema):
    gemeente: str
    naam: str
    indicator: str
    jaar: int
    waarde: float | None


class GapOut(Schema):
    regio: str
    regio_naam: str
    parameterset: ParameterSetOut
    bron: str
    scenario: Choice
    product: Choice
    scenarios: list[Choice]
    producten: list[Choice]
    heeft_band: bool
    gebieden: list[AreaOut]
    kernjaren: list[int]
    indicatoren: list[IndicatorOut]


@router.get(
    "/zorgkloof/{region_slug}",
    response=GapOut,
    summary="Vraag, aanbod en tekort per gemeente en voor de regio, per jaar",
)
def gap(request, region_slug: str, scenario: str | None = None, product: str | None = None):
    region = services.region_by_slug(user=request.user, slug=region_slug)
    view = services.gap_view(user=request.user, region=region, scenario=scenario, product=product)
    found, labels = view.projection, view.labels
    parameter_set = found.parameter_set
    return {
        "regio": region.slug,
        "regio_naam": region.name,
        "parameterset": {
            "id": parameter_set.pk,
            "naam": parameter_set.name,
            "versie": parameter_set.version,
            "aangemaakt_op": parameter_set.created_at,
        },
        "bron": found.source,
        "scenario": {"code": view.scenario, "naam": view.scenario_label},
        "product": {"code": view.product, "naam": view.product_label},
        "scenarios": [{"code": s, "naam": labels.scenario(s)} for s in found.scenarios],
        "producten": [{"code": p, "naam": labels.product(p)} for p in found.products],
        "heeft_band": view.has_band,
        "gebieden": found.remember(
            ("api-areas", view.scenario, view.product), lambda: _areas(view)
        ),
        "kernjaren": [y for y in report.KEY_YEARS if y in set(view.series["jaar"])],
        "indicatoren": found.remember("api-indicators", lambda: _indicators(view)),
    }


YEAR_FIELDS = tuple(YearOut.model_fields)


def _areas(view: services.GapView) -> list[dict]:
    codes = [view.projection.region_code] + [code for code, _name in view.municipalities]
    out = []
    for code in codes:
        part = view.series[view.series["gemeente"] == code]
        years = [
            {k: _number(v) for k, v in row.items() if k in YEAR_FIELDS}
            for row in part.to_dict("records")
        ]
        out.append(
            {
                "code": code,
                "naam": view.labels.area(code),
                "regio_totaal": code == view.projection.region_code,
                "jaren": years,
            }
        )
    return out


def _indicators(view: services.GapView) -> list[dict]:
    frame = view.projection.indicators
    if frame is None:
        return []
    return [
        {
            "gemeente": row["gemeente"],
            "naam": view.labels.area(row["gemeente"]),
            "indicator": row["indicator"],
            "jaar": int(row["jaar"]),
            "waarde": _number(row["waarde"]),
        }
        for row in frame.to_dict("records")
    ]


def _number(value):
    """JSON has no NaN: a missing value (no current capacity, no draws) is null."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
