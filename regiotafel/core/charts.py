"""Plotly charts in pages, offline: plotly.js is served from the installed package."""

from __future__ import annotations

from functools import cache

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@require_GET
@cache_control(max_age=7 * 24 * 3600, public=True)
def plotly_js(request) -> HttpResponse:
    return HttpResponse(_plotly_js(), content_type="application/javascript; charset=utf-8")


def fragment(figure) -> str:
    """A chart as an HTML fragment for a page that includes {% url 'plotly-js' %} once."""
    import plotly.io as pio

    figure.update_layout(
        template="plotly_white",
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        font={"family": "system-ui, sans-serif"},
        separators=",.",  # Dutch: 2.500 and 0,5 (plotly.js has no "nl" locale bundle here)
    )
    return pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        config={"displaylogo": False, "locale": "nl"},
    )
