"""Settings are read from the environment and refused loudly when they make no sense."""

from pathlib import Path

import pytest

from regiotafel import config
from regiotafel.config import SettingsError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("word", ["1", "true", "ja", "AAN", " yes "])
def test_it_reads_yes_words_as_true(word):
    assert config.env_bool({"DEBUG": word}, "DEBUG", default=False) is True


@pytest.mark.parametrize("word", ["0", "false", "nee", "uit", ""])
def test_it_reads_no_words_as_false(word):
    assert config.env_bool({"DEBUG": word}, "DEBUG", default=True) is False


def test_debug_is_off_unless_asked():
    assert config.env_bool({}, "DEBUG", default=False) is False


def test_it_refuses_a_boolean_it_cannot_read_and_names_the_variable():
    with pytest.raises(SettingsError, match="DEBUG.*'misschien'"):
        config.env_bool({"DEBUG": "misschien"}, "DEBUG", default=False)


def test_it_splits_a_host_list_on_commas():
    hosts = config.env_list({"ALLOWED_HOSTS": "a.nl, b.nl,"}, "ALLOWED_HOSTS", default=[])
    assert hosts == ["a.nl", "b.nl"]


def test_it_refuses_an_empty_host_list():
    with pytest.raises(SettingsError, match="ALLOWED_HOSTS is leeg"):
        config.env_list({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS", default=["x"])


def test_without_database_url_it_uses_an_sqlite_file_in_the_data_folder(tmp_path: Path):
    db = config.database_config({}, data_dir=tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "regiotafel.sqlite3")


def test_a_postgresql_url_selects_postgresql(tmp_path: Path):
    db = config.database_config(
        {"DATABASE_URL": "postgresql://zorg@db.local:5433/regio"}, data_dir=tmp_path
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == ("db.local", 5433, "regio", "zorg")


@pytest.mark.parametrize("url", ["mysql://u@h/db", "foo:bar", "oracle://u@h/x"])
def test_it_refuses_databases_other_than_sqlite_and_postgresql(url, tmp_path: Path):
    with pytest.raises(SettingsError, match="alleen SQLite"):
        config.database_config({"DATABASE_URL": url}, data_dir=tmp_path)


def test_it_refuses_a_database_url_that_is_not_a_url(tmp_path: Path):
    with pytest.raises(SettingsError, match="geen geldige database-URL"):
        config.database_config({"DATABASE_URL": "zomaar wat tekst"}, data_dir=tmp_path)


def test_it_never_repeats_a_password_in_an_error(tmp_path: Path):
    with pytest.raises(SettingsError) as caught:
        config.database_config({"DATABASE_URL": "postgresql://u:geheim@h"}, data_dir=tmp_path)
    assert "geheim" not in str(caught.value)


def test_the_embedded_setup_keeps_a_generated_secret_key(tmp_path: Path):
    first = config.secret_key({}, data_dir=tmp_path, embedded=True)
    again = config.secret_key({}, data_dir=tmp_path, embedded=True)
    assert first == again and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_bsn_hash_key_is_kept_apart_from_the_secret_key(tmp_path: Path):
    bsn_key = config.bsn_hash_key({}, data_dir=tmp_path, embedded=True)
    assert bsn_key.decode() != config.secret_key({}, data_dir=tmp_path, embedded=True)
    with pytest.raises(SettingsError, match="BSN_HASH_KEY ontbreekt"):
        config.bsn_hash_key({}, data_dir=tmp_path, embedded=False)


def test_a_server_database_needs_an_explicit_secret_key(tmp_path: Path):
    with pytest.raises(SettingsError, match="SECRET_KEY ontbreekt"):
        config.secret_key({}, data_dir=tmp_path, embedded=False)


def test_it_refuses_a_short_secret_key(tmp_path: Path):
    with pytest.raises(SettingsError, match="te kort"):
        config.secret_key({"SECRET_KEY": "kort"}, data_dir=tmp_path, embedded=False)


STRONG = "k3Y-9fQz_Lw2pR7vT1xB8nM4cJ6hD0sA5eG"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("x" * 40, "te voorspelbaar"),
        ("ab" * 20, "te voorspelbaar"),
        ("django-insecure-4f9s8d7f6g5h4j3k2l1q0w9e8r7t6y5u", "voorbeeldsleutel"),
        ("changeme-changeme-changeme-1234567890", "voorbeeldsleutel"),
        ("dit-is-een-voorbeeld-sleutel-voor-de-regio-2024", "voorbeeldsleutel"),
        ("Example-Key-For-The-Docs-0123456789abcdef", "voorbeeldsleutel"),
        ("xxxxxxxxci-only-secret-key-not-for-production", "voorbeeldsleutel"),
        ("ci-only-bsn-hash-key-not-for-production-0000", "voorbeeldsleutel"),
        ("mijn-geheime-sleutel-voor-de-regio-2024-zhn", "voorbeeldsleutel"),
    ],
)
def test_it_refuses_weak_or_example_keys_with_a_dutch_line(tmp_path: Path, value, reason):
    with pytest.raises(SettingsError, match=reason) as caught:
        config.secret_key({"SECRET_KEY": value}, data_dir=tmp_path, embedded=False)
    assert "SECRET_KEY" in str(caught.value)
    assert "secrets.token_urlsafe" in str(caught.value)


def test_it_refuses_a_bsn_hash_key_equal_to_the_secret_key(tmp_path: Path):
    env = {"SECRET_KEY": STRONG, "BSN_HASH_KEY": STRONG}
    with pytest.raises(SettingsError, match="BSN_HASH_KEY mag niet gelijk zijn aan SECRET_KEY"):
        config.bsn_hash_key(env, data_dir=tmp_path, embedded=False)


def test_it_accepts_a_generated_key(tmp_path: Path):
    import secrets

    for _ in range(50):
        key = secrets.token_urlsafe(50)
        assert config.secret_key({"SECRET_KEY": key}, data_dir=tmp_path, embedded=False) == key
    hex_key = secrets.token_hex(32)
    assert config.bsn_hash_key({"BSN_HASH_KEY": hex_key}, data_dir=tmp_path, embedded=False)


def test_the_error_never_repeats_the_key(tmp_path: Path):
    with pytest.raises(SettingsError) as caught:
        config.secret_key({"SECRET_KEY": "changeme" * 5}, data_dir=tmp_path, embedded=False)
    assert "changeme" * 2 not in str(caught.value)
