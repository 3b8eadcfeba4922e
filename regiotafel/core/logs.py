"""Log handlers. Imported while logging is configured, before the apps load: no models here."""

from __future__ import annotations

import logging
import os
import sys


class LineHandler(logging.Handler):
    """Each record as one line in ONE ``write`` on standard output (file descriptor 1).

    Several gunicorn workers share the server's standard output; Python's buffered stream
    may write one record in pieces, and pieces of two processes then mix within a line. A
    single ``os.write`` of a short line reaches a pipe whole (up to ``PIPE_BUF``, 4096 bytes)
    and an ``O_APPEND`` file or a shared file offset without interleaving."""

    terminator = "\n"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = (self.format(record) + self.terminator).encode("utf-8", "replace")
            if sys.stdout is not None:
                sys.stdout.flush()  # whatever Python still buffers comes first
            os.write(1, line)
        except Exception:
            self.handleError(record)
