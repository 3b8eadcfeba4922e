"""Charts in pages: offline, and numbers written the Dutch way."""

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
