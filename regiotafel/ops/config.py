"""The task backend from settings (no Django import of models: this runs while settings load)."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _noop

from regiotafel.config import SettingsError

BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks(name: str) -> dict:
    """``TASKS`` for ``TASKS_BACKEND``: the database queue (default) or, for tests and
    one-off scripts, ``immediate`` (a job runs where it is enqueued)."""
    name = (name or "database").strip().lower()
    if name not in BACKENDS:
        raise SettingsError(
            _noop("TASKS_BACKEND moet een van %(choices)s zijn, niet '%(value)s'.")
            % {"choices": ", ".join(sorted(BACKENDS)), "value": name}
        )
    return {"default": {"BACKEND": BACKENDS[name], "QUEUES": [], "OPTIONS": {}}}
