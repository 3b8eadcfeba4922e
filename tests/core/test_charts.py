"""Charts in pages: offline, and numbers written the Dutch way."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.unit


def test_every_chart_writes_thousands_with_a_dot_and_decimals_with_a_comma():
    import plotly.graph_objects as go

    from regiotafel.core.charts import fragment

    html = fragment(go.Figure(go.Bar(x=["Leiden"], y=[2500.5])))
    assert '"separators":",."' in html
    assert "cdn.plot.ly" not in html


def test_the_browser_finds_a_page_icon_instead_of_a_404():
    assert finders.find("regiotafel/favicon.svg")


# --- the chart library: the vendored minified bundle (docs/decisions.md, "Chart library") ---

# sha256 of plotly-cartesian.min.js in the npm package plotly.js-cartesian-dist-min@4.1.1
NPM_SHA256 = "79542150855a52c567260e3137095dbe2b744e6d702a5cabe67da246942fba7a"


def test_the_chart_library_is_the_npm_bundle_behind_one_marker_line():
    import hashlib

    from regiotafel.core import charts

    marker_line, bundle = charts.library_source().split("\n", 1)
    assert hashlib.sha256(bundle.encode()).hexdigest() == NPM_SHA256  # unchanged otherwise
    assert marker_line.startswith("(function(){var m=document.createElement('meta');")
    assert "* plotly.js (cartesian - minified) v4.1.1" in bundle[:200]
    assert "4.1.1" in charts.LIBRARY and finders.find(charts.LIBRARY)
    assert finders.find("regiotafel/vendor/plotly.js-LICENSE.txt")


def test_the_bundle_draws_every_trace_type_our_charts_use():
    from regiotafel.core import charts

    source = charts.library_source()
    used = set()
    for path in (Path(charts.__file__).resolve().parents[1]).rglob("*.py"):
        used |= set(re.findall(r"\bgo\.(Scatter|Bar|Heatmap|\w+)\(", path.read_text()))
    traces = {name.lower() for name in used} - {"figure", "layout"}
    assert traces, "no chart found"
    for trace in traces:
        assert f'moduleType:"trace",name:"{trace}"' in source, trace


def test_pages_load_the_library_deferred_from_its_static_url():
    from django.template import Context, Template

    from regiotafel.core import charts

    html = Template("{% load charts %}{% plotly_script %}").render(Context())
    assert html == f'<script src="{charts.library_url()}" defer></script>'
    assert charts.library_url().endswith(".js") and "/static/" in charts.library_url()
