"""Keeping personal data and secrets out of side stores: browser caches, error pages, logs, files.

- ``NoStoreMiddleware``: every dynamic response is ``Cache-Control: no-store`` unless its view
  declared itself public (plotly.js). Static files never reach it (WhiteNoise answers first).
- ``SafeReporterFilter``: the technical error page (DEBUG on) and error reports show no
  secret setting, no environment variable, no form value and no value of a local variable.
- ``StripQueryString``: the development server's access log leaves out query strings, which
  can carry a surname typed in a search field.
- ``protect_sqlite_file``: the embedded database file is readable by its owner only.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

from django.views.debug import SafeExceptionReporterFilter

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class NoStoreMiddleware:
    """Browsers and proxies keep no copy of a page or API answer (they may hold personal data).

    ``private`` is not enough: it still lets the browser keep the page on disk, where the next
    user of a shared ward computer finds it with the back button. A response whose view set
    ``public`` (data that is the same for everyone, such as plotly.js) keeps its header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        declared = response.get("Cache-Control", "")
        if "public" not in declared and "no-store" not in declared:
            response["Cache-Control"] = "no-store"
        return response


class SafeReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, stricter: active with DEBUG on too, and it hides more.

    Settings: also the database, cache and broker settings (they carry passwords), the raw
    environment (``ENV``) and anything with KEY, SECRET, TOKEN, PASS or AUTH in its name.
    Request META: every environment variable (the development server copies the whole
    environment into it). Form values and local variables are never shown: they may hold a
    client's data or a key.
    """

    hidden_settings = re.compile(
        r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE|REDIS|CACHE|BROKER|DSN"
        r"|^ENV$|^EMAIL_HOST",
        flags=re.IGNORECASE,
    )

    def is_active(self, request) -> bool:
        return True

    def cleanse_setting(self, key, value):
        if not isinstance(value, dict) and hasattr(value, "keys") and hasattr(value, "items"):
            value = dict(value.items())  # os.environ and other mappings
        return super().cleanse_setting(key, value)

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        environment = set(os.environ)
        return {
            key: self.cleansed_substitute if key in environment else value
            for key, value in meta.items()
        }

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for name in cleansed:
            cleansed.setlist(name, [self.cleansed_substitute])
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class StripQueryString(logging.Filter):
    """Drop the query string from an access-log line: "GET /wachtlijst/?… HTTP/1.1"."""

    _query = re.compile(r"\?[^ ]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (self._query.sub("?…", record.args[0]), *record.args[1:])
        elif isinstance(record.msg, str) and not record.args:
            record.msg = self._query.sub("?…", record.msg)
        return True


def protect_sqlite_file(sender=None, connection=None, **kwargs) -> None:
    """``connection_created``: the SQLite file and its journals are 0600 (owner only).

    SQLite creates its -wal, -shm and -journal files with the mode of the database file, so
    setting the database file right protects them too; existing ones are corrected as well.
    """
    if connection is None or connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    for candidate in (path, *(Path(name + suffix) for suffix in SQLITE_SIDE_FILES)):
        restrict(candidate, OWNER_ONLY_FILE)


def restrict(path: Path, mode: int) -> None:
    """Set ``mode`` on a file or folder we own, if it allows more than that."""
    try:
        info = path.stat()
    except OSError:
        return
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & ~mode:
        path.chmod(mode)
