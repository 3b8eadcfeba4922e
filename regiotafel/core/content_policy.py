"""The Content-Security-Policy of every page (django-csp reads it from settings).

No inline script and no inline style with content. plotly.js sets two inline styles itself:
an empty ``<style>`` element (filled through the CSSOM, which the policy allows) and empty
``style`` attributes on colour bars, plus one fixed ``image-rendering`` declaration on heatmap
images. Those exact texts are allowed by their hash (``'unsafe-hashes'`` lets a hash match a
``style`` attribute); any other inline style is refused. ``tests/core/test_privacy.py`` checks
the texts against the installed plotly.js, ``tests/e2e/test_security_headers.py`` the pages.

No Django import here: settings.py imports this module.
"""

from __future__ import annotations

import base64
import hashlib

SELF, NONE = "'self'", "'none'"
PLOTLY_IMAGE_RENDERING = [
    "optimizeSpeed",
    "-moz-crisp-edges",
    "-o-crisp-edges",
    "-webkit-optimize-contrast",
    "optimize-contrast",
    "crisp-edges",
    "pixelated",
]
PLOTLY_INLINE_STYLES = (
    "",
    "".join(f"image-rendering: {value}; " for value in PLOTLY_IMAGE_RENDERING),
)


def source_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy() -> dict:
    return {
        "DIRECTIVES": {
            "default-src": [NONE],
            "script-src": [SELF],
            "style-src": [
                SELF,
                "'unsafe-hashes'",
                *(source_hash(text) for text in PLOTLY_INLINE_STYLES),
            ],
            "img-src": [SELF, "data:"],  # data: for a chart's "download as PNG"
            "font-src": [SELF],
            "connect-src": [SELF],
            "manifest-src": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
            "base-uri": [NONE],
            "object-src": [NONE],
        },
    }
