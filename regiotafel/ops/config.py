"""The task backend from settings (no Django import of models: this runs while settings load)."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _noop

from regiotafel.config import SettingsError

BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "redis": "regiotafel.ops.redis_backend.RedisBackend",
}


def tasks(name: str, redis_url: str = "", prefix: str = "") -> dict:
    """``TASKS`` for ``TASKS_BACKEND``: the database queue (default), the Redis queue
    (``redis``, at ``REDIS_URL``) or, for tests and one-off scripts, ``immediate`` (a job
    runs where it is enqueued)."""
    name = (name or "database").strip().lower()
    if name not in BACKENDS:
        raise SettingsError(
            _noop("TASKS_BACKEND moet een van %(choices)s zijn, niet '%(value)s'.")
            % {"choices": ", ".join(sorted(BACKENDS)), "value": name}
        )
    options: dict = {}
    if name == "redis":
        if not redis_url.strip():
            raise SettingsError(
                _noop(
                    "TASKS_BACKEND=redis heeft REDIS_URL nodig (bijvoorbeeld "
                    "redis://127.0.0.1:6379/0); die is niet gezet."
                )
            )
        options = {"URL": redis_url.strip()}
        if prefix.strip():
            options["PREFIX"] = prefix.strip()
    return {"default": {"BACKEND": BACKENDS[name], "QUEUES": [], "OPTIONS": options}}
