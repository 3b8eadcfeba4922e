"""The gap-analysis charts (Plotly): demand against supply with the P10–P90 band, the shortage
per scenario, and small multiples per municipality. Shared by the HTML report and the page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from regiotafel.lazy import lazy_module
from regiotafel.projection.report import Labels, baseline, has_band

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
else:  # imported on first use: not while the URLs load (regiotafel/lazy.py)
    pd = lazy_module("pandas")
    go = lazy_module("plotly.graph_objects")

SCENARIO_COLOURS = ("#1f5f8b", "#b35c00", "#2e7d32", "#6a1b9a", "#8b1f1f")
DEMAND_COLOUR = "#222222"


def demand_supply_figure(
    results: pd.DataFrame, *, area: str, product: str, scenarios: list[str], labels: Labels
) -> go.Figure:
    """Demand (with its P10–P90 band where present) against supply per scenario, for one area."""
    rows = baseline(results)
    rows = rows[(rows["gemeente"] == area) & (rows["product"] == product)].sort_values("jaar")
    figure = go.Figure()
    demand = rows[rows["scenario"] == scenarios[0]] if scenarios else rows.iloc[0:0]
    if has_band(results) and not demand.empty:
        _band(figure, demand, "vraag", _("vraag P10–P90"), DEMAND_COLOUR)
    figure.add_trace(
        go.Scatter(
            x=demand["jaar"],
            y=demand["vraag"],
            name=_("vraag"),
            mode="lines",
            line={"color": DEMAND_COLOUR, "width": 3},
        )
    )
    for i, scenario in enumerate(scenarios):
        supply = rows[rows["scenario"] == scenario]
        figure.add_trace(
            go.Scatter(
                x=supply["jaar"],
                y=supply["aanbod"],
                name=_("aanbod, %(scenario)s") % {"scenario": labels.scenario(scenario)},
                mode="lines",
                line={"color": _colour(i), "dash": "dash", "shape": "hv"},
            )
        )
    figure.update_layout(
        title=_("%(area)s: vraag en aanbod, %(product)s")
        % {"area": labels.area(area), "product": labels.product(product)},
        xaxis_title=_("jaar"),
        yaxis_title=_("aantal"),
        legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
    )
    return _dutch_axes(figure)


def shortage_figure(
    results: pd.DataFrame, *, area: str, product: str, scenarios: list[str], labels: Labels
) -> go.Figure:
    """The shortage per scenario over the years, with its P10–P90 band where present."""
    rows = baseline(results)
    rows = rows[(rows["gemeente"] == area) & (rows["product"] == product)].sort_values("jaar")
    figure = go.Figure()
    for i, scenario in enumerate(scenarios):
        part = rows[rows["scenario"] == scenario]
        name = labels.scenario(scenario)
        if has_band(results):
            _band(figure, part, "tekort", _("%(s)s P10–P90") % {"s": name}, _colour(i))
        figure.add_trace(
            go.Scatter(
                x=part["jaar"],
                y=part["tekort"],
                name=name,
                mode="lines+markers",
                line={"color": _colour(i)},
            )
        )
    figure.add_hline(y=0, line={"color": "#777", "width": 1})
    figure.update_layout(
        title=_("%(area)s: tekort per scenario, %(product)s")
        % {"area": labels.area(area), "product": labels.product(product)},
        xaxis_title=_("jaar"),
        yaxis_title=_("tekort (vraag − aanbod)"),
        legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
    )
    return _dutch_axes(figure)


def small_multiples_figure(
    results: pd.DataFrame,
    *,
    areas: list[str],
    product: str,
    scenario: str,
    labels: Labels,
    columns: int = 3,
) -> go.Figure:
    """One small chart per municipality: demand and supply of one scenario, shared x-axis."""
    from plotly.subplots import make_subplots

    rows_needed = max(1, -(-len(areas) // columns))
    figure = make_subplots(
        rows=rows_needed,
        cols=columns,
        subplot_titles=[labels.area(code) for code in areas],
        shared_xaxes=True,
        vertical_spacing=0.25 / rows_needed + 0.03,
    )
    rows = baseline(results)
    rows = rows[(rows["product"] == product) & (rows["scenario"] == scenario)]
    for i, code in enumerate(areas):
        part = rows[rows["gemeente"] == code].sort_values("jaar")
        where = {"row": i // columns + 1, "col": i % columns + 1}
        for column, name, style in (
            ("vraag", _("vraag"), {"color": DEMAND_COLOUR}),
            ("aanbod", _("aanbod"), {"color": _colour(0), "dash": "dash", "shape": "hv"}),
        ):
            figure.add_trace(
                go.Scatter(
                    x=part["jaar"],
                    y=part[column],
                    name=name,
                    mode="lines",
                    line=style,
                ),
                **where,
            )
    figure.update_layout(
        title=_(
            "Per gemeente: vraag (doorgetrokken) en aanbod (gestreept), %(product)s, %(scenario)s"
        )
        % {"product": labels.product(product), "scenario": labels.scenario(scenario)},
        height=220 * rows_needed + 120,
        showlegend=False,
    )
    return _dutch_axes(figure)


def _dutch_axes(figure: go.Figure) -> go.Figure:
    """Decimal comma and thousands point on the value axes (2.500, 0,5); years as years."""
    figure.update_layout(separators=",.")
    figure.update_yaxes(tickformat=",~f", hoverformat=",.0f")
    figure.update_xaxes(tickformat="d", hoverformat="d")
    return figure


def _band(figure: go.Figure, rows: pd.DataFrame, column: str, name: str, colour: str) -> None:
    low, high = rows[f"{column}_p10"], rows[f"{column}_p90"]
    figure.add_trace(
        go.Scatter(x=rows["jaar"], y=high, mode="lines", line={"width": 0}, showlegend=False)
    )
    figure.add_trace(
        go.Scatter(
            x=rows["jaar"],
            y=low,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=_transparent(colour),
            name=name,
        )
    )


def _colour(i: int) -> str:
    return SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]


def _transparent(colour: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def chart_html(figure: go.Figure) -> str:
    """A chart as an HTML fragment; the page or report includes plotly.js once."""
    from regiotafel.core import charts

    return charts.fragment(figure)
