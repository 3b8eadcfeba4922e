"""``{% plotly_script %}``: the one tag a page with charts uses to load the chart library.

It writes ``<script src="…" defer>`` for the vendored, minified plotly.js bundle
(``core.charts.LIBRARY``) under its static name: hashed, compressed and immutable once
``collectstatic`` ran (``regiotafel serve``), the plain name before that. Every page links the
same URL, so a browser downloads it once. Deferred: the page is parsed and shown while the
library loads; ``charts.js`` draws on ``DOMContentLoaded``, after every deferred script ran.
"""

from django import template
from django.utils.html import format_html

from regiotafel.core import charts

register = template.Library()


@register.simple_tag
def plotly_script():
    return format_html('<script src="{}" defer></script>', charts.library_url())
