"""Plotly charts in pages, offline: plotly.js is a static file that the package ships.

The library is plotly.js's own minified *cartesian* bundle (scatter, bar, heatmap and the
other 2-D traces: everything our charts draw), vendored from the npm registry into
``static/regiotafel/vendor/`` (version, licence and checksum in docs/decisions.md,
"Chart library"). Pages load it with ``{% plotly_script %}`` (``core/templatetags/charts.py``):
one static URL, hashed, compressed and immutable once ``collectstatic`` ran, so a browser
downloads it once. No runtime download: the file is in the wheel.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from pathlib import Path

from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# The static path of the chart library (its version in the name: a new version is a new URL
# even where no manifest hashes the names).
LIBRARY = "regiotafel/vendor/plotly-cartesian-4.1.1.min.js"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

# plotly.js injects the CSS of its map library (MapLibre) as an inline <style> when it loads,
# unless an element with that style's id is already in the page. The pages draw no maps, and
# the Content-Security-Policy allows no inline style: the vendored file starts with one line
# that adds an empty marker element with that id, so plotly.js skips the injection
# (tests/core/test_privacy.py checks the id against the bundle).
MAP_STYLE_ID = re.compile(
    r'getElementById\("([0-9a-f]{64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


def library_url() -> str:
    """The URL every page loads the chart library from (hashed once collected)."""
    return staticfiles_storage.url(LIBRARY)


def library_source() -> str:
    """The chart library's text, for a document that carries its scripts inline (the
    gap-analysis HTML report opened from disk)."""
    return _plotly_js()


@cache
def _plotly_js() -> str:
    return (STATIC_DIR / LIBRARY).read_text(encoding="utf-8")


@cache
def renderer_js() -> str:
    """The script that draws chart fragments (static/regiotafel/charts.js), for a document that
    is opened from disk and so carries its scripts inline (the gap-analysis HTML report)."""
    return (Path(__file__).resolve().parents[1] / "static/regiotafel/charts.js").read_text(
        encoding="utf-8"
    )


@require_GET
@cache_control(max_age=3600, public=True)
def plotly_js(request) -> HttpResponseRedirect:
    """The old address of the chart library (pages cached before the static file): a redirect
    to the static file, so there is one copy in the browser's cache."""
    return HttpResponseRedirect(library_url())


def fragment(figure) -> SafeString:
    """A chart as an HTML fragment for a page that loads the library once (``{% plotly_script %}``).

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
