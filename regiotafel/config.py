"""Small typed readers for settings from the environment.

Every reader fails loudly with a :class:`SettingsError` whose message is Dutch and names
the variable, so that ``regiotafel`` can stop at start with one clear line instead of a
traceback. Nothing here imports Django settings: this runs while settings are being built.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_noop as _noop

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "ja", "waar", "aan"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "nee", "onwaar", "uit", ""})
DATABASE_SCHEMES = frozenset({"sqlite", "postgres", "postgresql", "pgsql"})


class SettingsError(Exception):
    """A setting from the environment is missing or has a value we cannot use."""


def env_bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(
        _noop("%(name)s moet aan of uit zijn (1/0, true/false, ja/nee), niet '%(value)s'.")
        % {"name": name, "value": raw}
    )


def env_list(env: Mapping[str, str], name: str, *, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None:
        return list(default)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise SettingsError(
            _noop("%(name)s is leeg; geef een of meer waarden, gescheiden door komma's.")
            % {"name": name}
        )
    return items


def env_int(env: Mapping[str, str], name: str, *, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            _noop("%(name)s moet een geheel getal zijn, niet '%(value)s'.")
            % {"name": name, "value": raw}
        ) from None
    if value < minimum:
        raise SettingsError(
            _noop("%(name)s moet minstens %(minimum)s zijn, niet %(value)s.")
            % {"name": name, "minimum": minimum, "value": value}
        )
    return value


# SQLite: write-ahead log (readers never wait for the writer, the writer never for readers),
# fsync at checkpoints only (a power cut may lose the last commits, never corrupt the file),
# IMMEDIATE write transactions and a busy timeout in seconds (docs/serving.md).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
APPLICATION_NAME = "regiotafel"  # PostgreSQL's application_name; serve adds role and pid


@dataclass(frozen=True)
class Pool:
    """psycopg's connection pool per process: at most ``max_size`` connections, a request
    waits up to ``timeout`` seconds for one (docs/serving.md, "Database connections")."""

    min_size: int = 1
    max_size: int = 4
    timeout: int = 10

    def __post_init__(self) -> None:
        if self.min_size > self.max_size:
            raise SettingsError(
                _noop("DB_POOL_MIN (%(min)s) mag niet groter zijn dan DB_POOL_MAX (%(max)s).")
                % {"min": self.min_size, "max": self.max_size}
            )

    def options(self) -> dict:
        return {"min_size": self.min_size, "max_size": self.max_size, "timeout": self.timeout}


def database_config(env: Mapping[str, str], *, data_dir: Path, pool: Pool | None = None) -> dict:
    """The default database from DATABASE_URL, or an SQLite file in the data folder.

    PostgreSQL goes through a connection pool (``pool``; Django's ``pool`` option with
    psycopg), so a process never holds more than ``max_size`` connections."""
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "regiotafel.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    scheme = urlsplit(raw).scheme
    if not scheme:
        raise SettingsError(
            _noop(
                "DATABASE_URL '%(value)s' is geen geldige database-URL; verwacht bijvoorbeeld "
                "postgresql://gebruiker@host:5432/naam of sqlite:///pad/naar/bestand.sqlite3."
            )
            % {"value": _mask_password(raw)}
        )
    if scheme not in DATABASE_SCHEMES:
        raise SettingsError(
            _noop(
                "DATABASE_URL gebruikt '%(scheme)s'; Regiotafel ondersteunt alleen SQLite "
                "(sqlite:///pad) en PostgreSQL (postgresql://gebruiker@host:5432/naam)."
            )
            % {"scheme": scheme}
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=0, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise SettingsError(
            _noop("DATABASE_URL '%(value)s' is niet te lezen: %(reason)s")
            % {"value": _mask_password(raw), "reason": exc}
        ) from None
    if not config.get("NAME"):
        raise SettingsError(_noop("DATABASE_URL noemt geen database."))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    else:  # the pool keeps connections; Django must not keep its own (CONN_MAX_AGE 0)
        options = config.setdefault("OPTIONS", {})
        options.setdefault("application_name", APPLICATION_NAME)
        if pool is not None:
            options["pool"] = pool.options()
    return config


def trusted_proxies(env: Mapping[str, str]) -> tuple[IPv4Network | IPv6Network, ...]:
    """TRUSTED_PROXIES: addresses or networks (CIDR) of the reverse proxies in front of the
    server; only their X-Forwarded-For is believed (regiotafel.core.middleware.client_ip)."""
    networks = []
    for item in env_list(env, "TRUSTED_PROXIES", default=[]):
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(
                _noop(
                    "TRUSTED_PROXIES: '%(value)s' is geen IP-adres of netwerk "
                    "(bijvoorbeeld 10.0.0.5 of 10.0.0.0/24)."
                )
                % {"value": item}
            ) from None
    return tuple(networks)


def web_bind(env: Mapping[str, str]) -> str:
    """WEB_BIND (host:port or unix:/path), else 127.0.0.1 on PORT (8000)."""
    raw = env.get("WEB_BIND", "").strip()
    if raw:
        return raw
    port = env_int(env, "PORT", default=8000, minimum=1)
    if port > 65535:
        raise SettingsError(
            _noop("PORT moet tussen 1 en 65535 liggen, niet %(value)s.") % {"value": port}
        )
    return f"127.0.0.1:{port}"


def secret_key(env: Mapping[str, str], *, data_dir: Path, embedded: bool) -> str:
    """SECRET_KEY from the environment; the embedded default keeps one in its data folder."""
    return _secret(env, "SECRET_KEY", data_dir=data_dir, embedded=embedded)


def bsn_hash_key(env: Mapping[str, str], *, data_dir: Path, embedded: bool) -> bytes:
    """BSN_HASH_KEY: the region's secret for the keyed hash of BSNs on the waiting list.

    Changing it breaks the recognition of clients already on the list; keep it apart from
    SECRET_KEY so that rotating one does not touch the other.
    """
    return _secret(env, "BSN_HASH_KEY", data_dir=data_dir, embedded=embedded).encode("utf-8")


# Words that mark a key copied from an example, a template or a test setup.
EXAMPLE_KEY_WORDS = (
    "changeme",
    "change-me",
    "change_me",
    "example",
    "voorbeeld",
    "secret",
    "geheim",
    "django-insecure",
    "insecure",
    "not-for-production",
    "password",
    "wachtwoord",
)
MIN_KEY_LENGTH = 32
MIN_DISTINCT_KEY_CHARACTERS = 10
GENERATE_KEY_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def check_key(name: str, value: str, *, other: tuple[str, str] | None = None) -> str:
    """Refuse a key that is short, low in entropy, an example, or equal to the other key."""
    hint = _noop("Maak een nieuwe met: %(hint)s") % {"hint": GENERATE_KEY_HINT}
    if len(value) < MIN_KEY_LENGTH:
        problem = _noop("%(name)s is te kort: gebruik minstens %(length)s tekens.")
    elif len(set(value)) < MIN_DISTINCT_KEY_CHARACTERS:
        problem = _noop("%(name)s is te voorspelbaar: te weinig verschillende tekens.")
    elif any(word in value.lower() for word in EXAMPLE_KEY_WORDS):
        problem = _noop(
            "%(name)s lijkt een voorbeeldsleutel (bevat een woord als 'secret' of 'example')."
        )
    elif other is not None and other[1] and value == other[1]:
        problem = _noop("%(name)s mag niet gelijk zijn aan %(other)s.")
    else:
        return value
    message = problem % {
        "name": name,
        "length": MIN_KEY_LENGTH,
        "other": other[0] if other else "",
    }
    raise SettingsError(f"{message} {hint}")


def _secret(env: Mapping[str, str], name: str, *, data_dir: Path, embedded: bool) -> str:
    value = env.get(name, "").strip()
    if value:
        other = "SECRET_KEY" if name != "SECRET_KEY" else None
        return check_key(name, value, other=(other, env.get(other, "").strip()) if other else None)
    if not embedded:
        raise SettingsError(
            _noop(
                "%(name)s ontbreekt. Die is verplicht zodra DATABASE_URL is gezet; "
                "alleen de ingebouwde SQLite-opstelling maakt er zelf een."
            )
            % {"name": name}
        )
    key_file = data_dir / name.lower()
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def data_dir(env: Mapping[str, str]) -> Path:
    path = Path(env.get("REGIOTAFEL_DATA_DIR") or Path.cwd() / ".regiotafel").resolve()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_uid == os.getuid():
            path.chmod(0o700)  # the database and key files inside: owner only
    except OSError as exc:
        raise SettingsError(
            _noop("REGIOTAFEL_DATA_DIR %(path)s is niet aan te maken: %(reason)s")
            % {"path": path, "reason": exc.strerror}
        ) from None
    return path


def environment() -> Mapping[str, str]:
    return os.environ


def _mask_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url
