"""The regiotafel command: Django's commands behind one name, and a clear stop on bad settings."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.unit


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "regiotafel", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("DATABASE_URL", "dit is geen url", "DATABASE_URL"),
        ("DATABASE_URL", "mysql://root@localhost/regio", "alleen SQLite"),
        ("DEBUG", "misschien", "DEBUG"),
        ("ALLOWED_HOSTS", ",", "ALLOWED_HOSTS"),
    ],
)
def test_bad_settings_stop_the_program_with_one_dutch_line(tmp_path, variable, value, words):
    result = run_cli("check", **{variable: value, "REGIOTAFEL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("regiotafel: fout in de instellingen:")
    assert words in lines[0]


def test_it_wraps_django_management_commands(tmp_path):
    result = run_cli("check", REGIOTAFEL_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.integration
def test_the_demo_command_prepares_the_database_and_prints_a_login_per_role(db, capsys):
    call_command("demo", geen_server=True, wachtwoord="een-demo-wachtwoord")
    out = capsys.readouterr().out
    for username in ["verwijzer", "triagist", "planner", "analist", "beheerder"]:
        assert f"  {username}" in out
    assert "een-demo-wachtwoord" in out


def test_a_command_error_is_one_dutch_line_without_the_python_class_name(tmp_path):
    missing = tmp_path / "bestaat-niet.csv"
    result = run_cli(
        "portfolio", "importeer-projecten", str(missing), REGIOTAFEL_DATA_DIR=str(tmp_path)
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "CommandError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("regiotafel: ")
    assert "bestaat-niet.csv" in lines[0]


KEYS = {
    "SECRET_KEY": "k3Y-9fQz_Lw2pR7vT1xB8nM4cJ6hD0sA5eG",
    "BSN_HASH_KEY": "Q7w-2eRt_Yu8iOp1aSd4fGh6jKl9zXc3vBn",
}


@pytest.mark.parametrize("command", [["migrate"], ["demo", "--geen-server"]])
def test_an_unreachable_database_is_one_dutch_line_and_exit_code_2(tmp_path, command):
    closed_port = "postgresql://regio:zeergeheimwachtwoord@127.0.0.1:1/regio"
    result = run_cli(*command, DATABASE_URL=closed_port, REGIOTAFEL_DATA_DIR=str(tmp_path), **KEYS)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("regiotafel: de database is niet bereikbaar: ")
    assert "zeergeheimwachtwoord" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_an_sqlite_file_that_cannot_be_opened_is_the_same_dutch_line(tmp_path):
    nowhere = f"sqlite:///{tmp_path}/bestaat/niet/regio.sqlite3"
    result = run_cli("migrate", DATABASE_URL=nowhere, REGIOTAFEL_DATA_DIR=str(tmp_path), **KEYS)
    assert result.returncode == 2
    assert result.stderr.startswith("regiotafel: de database is niet bereikbaar: ")
    assert len(result.stderr.strip().splitlines()) == 1
