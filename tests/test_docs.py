"""The docs are tested against the code: every setting, command, action and API path is named."""

import re
from pathlib import Path

import pytest

from regiotafel.core import permissions

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def settings_read_from_the_environment() -> set[str]:
    source = (ROOT / "regiotafel" / "settings.py").read_text() + (
        ROOT / "regiotafel" / "config.py"
    ).read_text()
    names = set(re.findall(r'env_\w+\(\s*ENV,\s*"([A-Z_]+)"', source))
    names |= set(re.findall(r'(?:env|ENV)\.get\("([A-Z_]+)"', source))
    names |= set(re.findall(r'_secret\(\s*env,\s*"([A-Z_]+)"', source))
    return names


def our_commands() -> set[str]:
    folder = ROOT / "regiotafel"
    return {
        path.stem
        for path in folder.glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    }


def test_the_settings_reader_finds_the_settings_we_know():
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DEBUG",
    } <= settings_read_from_the_environment()


@pytest.mark.parametrize("name", sorted(settings_read_from_the_environment()))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in read("settings.md")


@pytest.mark.parametrize("command", sorted(our_commands()))
def test_every_command_is_documented(command):
    assert f"`regiotafel {command}" in read("cli.md")


@pytest.mark.parametrize("action", sorted(permissions.registered_actions()))
def test_every_permission_action_is_documented(action):
    assert f"`{action}`" in read("permissions.md")


def test_every_api_path_is_documented(client):
    spec = client.get("/api/v1/openapi.json").json()
    text = read("api.md")
    for path in spec["paths"]:
        assert path.split("?")[0] in text, path
