"""The deployment files (deploy/) say what docs/deployment.md says: containers and systemd units
start commands that exist, web and workers log in as the application role, the owner role only
migrates, no secret is committed, and the key generator writes keys the platform accepts.

Containers cannot run here, so the compose file is checked by its structure; the systemd units
are checked by ``systemd-analyze verify`` where it is installed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import get_commands, load_command_class
from django.urls import resolve

from regiotafel import config

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
APP_ROLE = "regiotafel_app"
OWNER_ROLE = "regiotafel"
WEB = ["web-1", "web-2"]
WORKERS = ["worker-1", "worker-2"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def unit(name: str) -> dict[str, list[str]]:
    """A unit file as {key: [values]} (sections merged; keys may repeat)."""
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def regiotafel_commands() -> list[list[str]]:
    """Every `regiotafel …` command line the container image, compose file and units run."""
    found = []
    containerfile = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    found.append(eval_json_list(containerfile, "CMD"))  # ENTRYPOINT ["regiotafel"] + CMD
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]
    for service in services.values():
        check = (service.get("healthcheck") or {}).get("test") or []
        if check[1:2] == ["regiotafel"]:
            found.append(check[1:])
        command = service.get("command")
        if service.get("image", "").startswith("regiotafel") and command:
            if service.get("entrypoint"):
                found += [shlex.split(part) for part in command[-1].split("&&")]
            else:
                found.append(["regiotafel", *command])
    for path in UNITS.glob("*.service"):
        for line in unit(path.name).get("ExecStart", []):
            words = shlex.split(line)
            if words[0].endswith("/regiotafel"):
                found.append(["regiotafel", *words[1:]])
    return [[word for word in line if word] for line in found]


def eval_json_list(text: str, instruction: str) -> list[str]:
    import json

    line = next(x for x in text.splitlines() if x.startswith(f"{instruction} "))
    return ["regiotafel", *json.loads(line.split(" ", 1)[1])]


def test_compose_runs_postgres_redis_a_migration_two_web_processes_and_two_workers(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", *WEB, *WORKERS}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in WEB:
        assert services[name]["command"] == ["serve"]
    for name in WORKERS:
        assert services[name]["command"] == ["worker"]
    ours = ["migrate", *WEB, *WORKERS]
    assert {services[name]["image"] for name in ours} == {"regiotafel:latest"}
    assert {services[name]["build"]["dockerfile"] for name in ours} == {"deploy/Containerfile"}


def test_every_long_running_service_has_a_health_check_and_restarts(compose):
    services = compose["services"]
    for name in ["db", "redis", *WEB, *WORKERS]:
        check = services[name]["healthcheck"]
        assert not check.get("disable"), name
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert services[name]["restart"] == "unless-stopped", name
    for name in WEB:
        assert any("/gezond" in part for part in services[name]["healthcheck"]["test"])
    assert services["migrate"]["restart"] == "no"


def test_web_and_workers_wait_for_the_migration_and_healthy_databases(compose):
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in [*WEB, *WORKERS]:
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }


def test_web_and_workers_log_in_as_the_application_role_and_only_the_migration_as_owner(
    compose,
):
    services = compose["services"]
    for name in [*WEB, *WORKERS]:
        assert services[name]["env_file"] == ["env/regiotafel.env"], name
        assert "DATABASE_URL" not in (services[name].get("environment") or {})
    # env files later in the list win: the owner's DATABASE_URL replaces the application's
    assert services["migrate"]["env_file"] == ["env/regiotafel.env", "env/owner.env"]
    assert f"audit beveilig --app-rol {APP_ROLE}" in services["migrate"]["command"][-1]
    for name in ["regiotafel-web.service", "regiotafel-worker@.service"]:
        assert unit(name)["EnvironmentFile"] == ["/etc/regiotafel/regiotafel.env"], name
    migrate = unit("regiotafel-migrate.service")
    assert migrate["EnvironmentFile"] == [
        "/etc/regiotafel/regiotafel.env",
        "/etc/regiotafel/owner.env",
    ]
    assert migrate["Type"] == ["oneshot"]
    assert [line.split()[1:] for line in migrate["ExecStart"]] == [
        ["migrate", "--noinput"],
        ["audit", "beveilig", "--app-rol", APP_ROLE],
    ]


def test_the_units_start_the_web_server_and_workers_as_an_unprivileged_user_with_hardening():
    for name in ["regiotafel-web.service", "regiotafel-worker@.service"]:
        values = unit(name)
        assert values["User"] == ["regiotafel"]
        for key, value in {
            "NoNewPrivileges": "yes",
            "ProtectSystem": "strict",
            "ProtectHome": "yes",
            "PrivateTmp": "yes",
            "ReadWritePaths": "/var/lib/regiotafel",
            "CapabilityBoundingSet": "",
            "UMask": "0077",
        }.items():
            assert values[key] == [value], (name, key)
    assert unit("regiotafel-web.service")["ExecStart"][0].endswith("regiotafel serve")
    assert unit("regiotafel-worker@.service")["ExecStart"][0].endswith("regiotafel worker")


def test_the_image_is_python_311_slim_runs_as_a_user_and_checks_gezond():
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM (\S+)", text, flags=re.M)
    assert bases and all(base.startswith("python:3.11-slim") for base in bases)
    users = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert 'ENTRYPOINT ["regiotafel"]' in text
    assert 'CMD ["serve"]' in text
    assert re.search(r"^HEALTHCHECK .*\n?.*http://127\.0\.0\.1:8000/gezond", text, flags=re.M)
    assert "pip install ." in text


def test_the_health_endpoint_the_checks_ask_exists():
    assert resolve("/gezond").func is not None


@pytest.mark.parametrize("line", regiotafel_commands(), ids=" ".join)
def test_every_command_the_deployment_runs_exists_with_these_options(line):
    assert line[0] == "regiotafel"
    name, args = line[1], line[2:]
    assert name in get_commands(), f"regiotafel {name} does not exist"
    command = load_command_class(get_commands()[name], name)
    command.create_parser("regiotafel", name).parse_args(args)  # CommandError on a bad option


SECRET_LOOKING = re.compile(r"[A-Za-z0-9_\-]{32,}")


def committed_deploy_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        return [path for path in DEPLOY.rglob("*") if path.is_file()]
    return [ROOT / name for name in listed.stdout.split()]


def test_no_secret_is_committed_and_generated_env_files_are_ignored(tmp_path):
    files = committed_deploy_files()
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"://[^/\s:@]+:(?!PASSWORD-OF-|\{)[^@\s]+@", text), path
        for match in re.finditer(r"^(SECRET_KEY|BSN_HASH_KEY|\w*PASSWORD)=(.*)$", text, re.M):
            assert not SECRET_LOOKING.fullmatch(match[2]), (path, match[1])
    example = (UNITS / "regiotafel.env.example").read_text(encoding="utf-8")
    for name in ["SECRET_KEY", "BSN_HASH_KEY"]:
        value = re.search(rf"^{name}=(.*)$", example, re.M)[1]
        with pytest.raises(config.SettingsError):
            config.check_key(name, value)  # a copied placeholder stops the server at start
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "deploy/env/regiotafel.env"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "deploy/env/ must be ignored by git"


def make_env(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(DEPLOY / "make-env.py"), str(folder), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def read_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line)


def test_make_env_writes_fresh_keys_the_platform_accepts_readable_by_the_owner_only(tmp_path):
    result = make_env(tmp_path / "env", "--host", "regiotafel.example.nl")
    assert result.returncode == 0, result.stderr
    app = read_env(tmp_path / "env" / "regiotafel.env")
    owner = read_env(tmp_path / "env" / "owner.env")
    roles = read_env(tmp_path / "env" / "postgres.env")
    for name in ["regiotafel.env", "owner.env", "postgres.env"]:
        assert stat.S_IMODE((tmp_path / "env" / name).stat().st_mode) == 0o600
    config.check_key("SECRET_KEY", app["SECRET_KEY"])
    config.check_key("BSN_HASH_KEY", app["BSN_HASH_KEY"])
    assert app["SECRET_KEY"] != app["BSN_HASH_KEY"]
    app_url, owner_url = urlsplit(app["DATABASE_URL"]), urlsplit(owner["DATABASE_URL"])
    assert (app_url.username, owner_url.username) == (APP_ROLE, OWNER_ROLE)
    assert (roles["REGIOTAFEL_APP_ROLE"], roles["REGIOTAFEL_OWNER_ROLE"]) == (APP_ROLE, OWNER_ROLE)
    assert app_url.password == roles["REGIOTAFEL_APP_PASSWORD"]
    assert owner_url.password == roles["REGIOTAFEL_OWNER_PASSWORD"]
    assert app_url.password != owner_url.password
    assert app_url.hostname == "db" and app["REDIS_URL"] == "redis://redis:6379/0"
    assert "regiotafel.example.nl" in app["ALLOWED_HOSTS"].split(",")
    assert app["CSRF_TRUSTED_ORIGINS"] == "https://regiotafel.example.nl"
    assert "SECRET_KEY" not in owner and "BSN_HASH_KEY" not in roles

    again = make_env(tmp_path / "env")
    assert again.returncode == 1
    assert read_env(tmp_path / "env" / "regiotafel.env") == app  # never overwritten
    make_env(tmp_path / "other")
    assert read_env(tmp_path / "other" / "regiotafel.env")["SECRET_KEY"] != app["SECRET_KEY"]


def test_the_generated_settings_are_accepted_by_the_platform(tmp_path):
    assert make_env(tmp_path / "env", "--database-host", "127.0.0.1").returncode == 0
    env = {**os.environ, **read_env(tmp_path / "env" / "regiotafel.env")}
    env["REGIOTAFEL_DATA_DIR"] = str(tmp_path / "data")
    checked = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
         "'regiotafel.settings'; django.setup(); print('ok')"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "ok"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_units_verify_and_are_well_hardened(tmp_path):
    regiotafel = shutil.which("regiotafel") or f"{sys.prefix}/bin/regiotafel"
    names = []
    for path in [*UNITS.glob("*.service"), *UNITS.glob("*.timer")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace("/opt/regiotafel/venv/bin/regiotafel", regiotafel)
        name = path.name.replace("@.service", "@1.service")
        (tmp_path / name).write_text(text, encoding="utf-8")
        names.append(name)
    assert sorted(names) == [
        "regiotafel-backup.service",
        "regiotafel-backup.timer",
        "regiotafel-migrate.service",
        "regiotafel-web.service",
        "regiotafel-worker@1.service",
    ]
    result = subprocess.run(
        ["systemd-analyze", "verify", *(f"./{name}" for name in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    for name in [name for name in names if name.endswith(".service")]:
        exposure = subprocess.run(
            ["systemd-analyze", "security", "--offline=true", "--threshold=25", f"./{name}"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert exposure.returncode == 0, exposure.stdout[-400:]


def test_the_role_script_creates_what_the_compose_file_and_docs_name():
    script = (DEPLOY / "postgres" / "create-roles.sh").read_text(encoding="utf-8")
    assert '"${REGIOTAFEL_APP_ROLE:-regiotafel_app}"' in script
    assert '"${REGIOTAFEL_OWNER_ROLE:-regiotafel}"' in script
    assert "NOSUPERUSER" in script and 'OWNER :"owner"' in script
    assert os.access(DEPLOY / "postgres" / "create-roles.sh", os.X_OK)


def test_the_nginx_site_passes_the_client_address_and_a_little_more_than_the_upload_limit():
    from django.conf import settings

    site = (DEPLOY / "nginx" / "regiotafel.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # set, never appended
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    limit = int(re.search(r"client_max_body_size (\d+)m;", site)[1])
    assert settings.MAX_UPLOAD_MB < limit <= settings.MAX_UPLOAD_MB + 10
    assert "$request_uri" not in site.split("log_format", 1)[1].split(";", 1)[0]  # no query
    assert "server 127.0.0.1:8000;" in site  # the unit's WEB_BIND in the example env file
    assert "WEB_BIND=127.0.0.1:8000" in (UNITS / "regiotafel.env.example").read_text()


SNAKEOIL = Path("/etc/ssl/certs/ssl-cert-snakeoil.pem")


@pytest.mark.skipif(
    shutil.which("nginx") is None or not SNAKEOIL.exists() or os.geteuid() != 0,
    reason="needs nginx, Debian's snakeoil certificate and root",
)
def test_nginx_accepts_the_site(tmp_path):
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
        f"  access_log {tmp_path}/access.log;\n"
        f"  include {DEPLOY / 'nginx' / 'regiotafel.conf'};\n}}\n"
    )
    site = (DEPLOY / "nginx" / "regiotafel.conf").read_text(encoding="utf-8")
    local = tmp_path / "regiotafel.conf"
    local.write_text(site.replace("/var/log/nginx/", f"{tmp_path}/"))
    main.write_text(main.read_text().replace(str(DEPLOY / "nginx" / "regiotafel.conf"), str(local)))
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(main)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
