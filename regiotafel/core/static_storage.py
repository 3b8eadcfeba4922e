"""Static files with hashed names (``app.3f2a9c1d.css``), compressed, cached for a year.

``regiotafel serve`` runs ``collectstatic`` before it starts: WhiteNoise's
``CompressedManifestStaticFilesStorage`` writes every file under its content hash (plus a
gzip copy, and brotli when that package is installed) and a manifest; pages link the hashed
names, which WhiteNoise sends as immutable. Without a manifest (the demo on ``runserver``,
tests, development) pages link the plain names and WhiteNoise serves them from the app
folders (``WHITENOISE_USE_FINDERS``).
A file newer than the manifest (the demo after an upgrade, before the next ``serve``) also
gets its plain name instead of an error page.
"""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if not self.hashed_files:  # nothing collected: the finders serve the plain name
            return name
        try:
            return super().stored_name(name)
        except ValueError:
            log.debug("static file %s is not in the manifest; run collectstatic", name)
            return name

    def has_manifest(self) -> bool:
        return bool(self.hashed_files)
