"""Plotly charts in pages, offline: plotly.js is served from the installed package."""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# plotly.js injects the CSS of its map library (MapLibre) as an inline <style> when it loads,
# unless an element with that style's id is already in the page. The pages draw no maps, and
# the Content-Security-Policy allows no inline style: the served file first adds an empty
# marker element with that id, so plotly.js skips the injection.
_MAP_STYLE_ID = re.compile(
    r'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    source = get_plotlyjs()
    marker = _MAP_STYLE_ID.search(source)
    if marker is None:
        return source
    return (
        "(function(){var m=document.createElement('meta');"
        f"m.id='{marker.group(1)}';document.head.appendChild(m);}})();\n{source}"
    )


@cache
def renderer_js() -> str:
    """The script that draws chart fragments (static/regiotafel/charts.js), for a document that
    is opened from disk and so carries its scripts inline (the gap-analysis HTML report)."""
    return (Path(__file__).resolve().parents[1] / "static/regiotafel/charts.js").read_text(
        encoding="utf-8"
    )


@require_GET
@cache_control(max_age=7 * 24 * 3600, public=True)
def plotly_js(request) -> HttpResponse:
    return HttpResponse(_plotly_js(), content_type="application/javascript; charset=utf-8")


def fragment(figure) -> SafeString:
    """A chart as an HTML fragment for a page that includes {% url 'plotly-js' %} once.

    No inline script (the Content-Security-Policy forbids it): a ``<div>`` names the JSON data
    block beside it, and ``static/regiotafel/charts.js`` draws every such div with
    ``Plotly.newPlot``, also after an htmx swap. The JSON is escaped like Django's
    ``json_script``, so a ``</script>`` in a label cannot end the block.
    """
    figure.update_layout(
        template="plotly_white",
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        font={"family": "system-ui, sans-serif"},
        separators=",.",  # Dutch: 2.500 and 0,5 (plotly.js has no "nl" locale bundle here)
    )
    data_id = f"grafiek-{uuid.uuid4().hex}"
    spec = json.loads(figure.to_json())
    spec["config"] = {"displaylogo": False, "locale": "nl", "responsive": True}
    payload = json.dumps(spec, separators=(",", ":"), ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html(
        '<div class="plotly-chart" data-figure="{}"></div>'
        '<script type="application/json" id="{}">{}</script>',
        data_id,
        data_id,
        mark_safe(payload),  # noqa: S308 - escaped above: no <, > or & is left
    )
