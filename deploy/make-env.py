#!/usr/bin/env python3
"""Write the environment files of a Regiotafel deployment, with new random keys and passwords.

    python3 deploy/make-env.py deploy/env                                   # compose
    python3 deploy/make-env.py /etc/regiotafel --database-host 127.0.0.1 \
        --redis-url redis://127.0.0.1:6379/0 --host regiotafel.example.nl   # systemd

Three files, each readable by its owner only (0600), never committed (deploy/env/ is ignored):

- ``regiotafel.env``: what the web server and the workers read: DATABASE_URL of the
  *application role*, SECRET_KEY, BSN_HASH_KEY, REDIS_URL, ALLOWED_HOSTS, ...
- ``owner.env``: DATABASE_URL of the tables' *owner*, only for ``regiotafel migrate`` and
  ``regiotafel audit beveilig`` (it overrides the DATABASE_URL of regiotafel.env).
- ``postgres.env``: the passwords with which ``deploy/postgres/create-roles.sh`` creates both
  roles (and, for the compose file, the password of PostgreSQL's own superuser).

SECRET_KEY and BSN_HASH_KEY cannot be made again: keep a copy with the backups
(docs/deployment.md, "Backups"). An existing file is never overwritten.
Only the standard library: it runs before Regiotafel is installed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

OWNER_ROLE = "regiotafel"
APP_ROLE = "regiotafel_app"
DATABASE = "regiotafel"


def token(length: int = 50) -> str:
    return secrets.token_urlsafe(length)


def files(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    owner_password, app_password = token(32), token(32)
    where = f"{args.database_host}:{args.database_port}/{DATABASE}"
    hosts = ",".join(dict.fromkeys([*args.host, "127.0.0.1", "localhost"]))
    app = {
        "DATABASE_URL": f"postgresql://{APP_ROLE}:{app_password}@{where}",
        "SECRET_KEY": token(),
        "BSN_HASH_KEY": token(),
        "REDIS_URL": args.redis_url,
        "ALLOWED_HOSTS": hosts,
        "CSRF_TRUSTED_ORIGINS": ",".join(f"https://{host}" for host in args.host),
        "TRUSTED_PROXIES": args.trusted_proxies,
        "REGIOTAFEL_DATA_DIR": args.data_dir,
    }
    return {
        "regiotafel.env": {name: value for name, value in app.items() if value},
        "owner.env": {"DATABASE_URL": f"postgresql://{OWNER_ROLE}:{owner_password}@{where}"},
        "postgres.env": {
            "POSTGRES_PASSWORD": token(32),
            "REGIOTAFEL_OWNER_ROLE": OWNER_ROLE,
            "REGIOTAFEL_OWNER_PASSWORD": owner_password,
            "REGIOTAFEL_APP_ROLE": APP_ROLE,
            "REGIOTAFEL_APP_PASSWORD": app_password,
            "REGIOTAFEL_DATABASE": DATABASE,
        },
    }


def write(folder: Path, name: str, values: dict[str, str]) -> Path:
    path = folder / name
    text = "".join(f"{key}={value}\n" for key, value in values.items())
    # O_EXCL: never overwrite a file that holds the keys of a running deployment
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--database-host", default="db")
    parser.add_argument("--database-port", type=int, default=5432)
    parser.add_argument("--redis-url", default="redis://redis:6379/0")
    parser.add_argument(
        "--host",
        action="append",
        default=[],
        help="the public host name (repeatable); also its https:// origin for CSRF",
    )
    parser.add_argument("--trusted-proxies", default="", help="TRUSTED_PROXIES, e.g. 127.0.0.1")
    parser.add_argument("--data-dir", default="/var/lib/regiotafel")
    args = parser.parse_args(argv)
    contents = files(args)
    existing = [name for name in contents if (args.folder / name).exists()]
    if existing:
        print(
            f"make-env: {', '.join(existing)} already in {args.folder}; nothing written",
            file=sys.stderr,
        )
        return 1
    args.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, values in contents.items():
        print(write(args.folder, name, values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
