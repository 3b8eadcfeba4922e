"""Personal data and secrets stay out of side stores: browser caches, error pages, logs, files,
and pages run no inline script (Content-Security-Policy)."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import plotly.graph_objects as go
import pytest
from django.db.utils import ConnectionHandler
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import technical_500_response

from regiotafel import config
from regiotafel.core import charts, content_policy, security
from regiotafel.core.content_policy import PLOTLY_IMAGE_RENDERING, PLOTLY_INLINE_STYLES

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "regiotafel").glob("**/templates/**/*.html"))
# A document that is downloaded as a file (Content-Disposition: attachment), never served
# as a page: it carries its own styles so that it reads well when opened from disk.
DOWNLOADED_DOCUMENTS = {"portfolio/report_document.html"}


# --- sessions ---------------------------------------------------------------------------------

# What the application itself may keep in a session: the organisation a person acts for.
# (Django keeps who is logged in, django-otp which device confirmed it.)
SESSION_KEYS_ALLOWED = {"SESSION_KEY"}


def test_the_code_writes_nothing_but_the_acting_organisation_into_a_session():
    written = set()
    for path in (ROOT / "regiotafel").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"session\[([^\]]+)\]\s*=", text))
        written |= {f"{path.name}:setdefault" for _ in re.findall(r"session\.setdefault\(", text)}
        written |= {f"{path.name}:update" for _ in re.findall(r"session\.update\(", text)}
    assert written == SESSION_KEYS_ALLOWED


# --- Cache-Control -------------------------------------------------------------------------


def test_a_signed_in_page_is_never_stored_by_the_browser(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_an_api_answer_is_never_stored_by_the_browser(client, cast):
    client.force_login(cast.admin)
    response = client.get("/api/v1/organisaties")
    assert response["Cache-Control"] == "no-store"


def test_a_refusal_and_the_login_page_are_not_stored_either(client):
    assert "no-store" in client.get("/api/v1/organisaties")["Cache-Control"]
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


def test_plotly_js_stays_cacheable_because_it_is_the_same_for_everyone(client):
    response = client.get(reverse("plotly-js"))  # the old address: to the static file
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    assert response.status_code == 302 and response["Location"] == charts.library_url()


# --- Content-Security-Policy ---------------------------------------------------------------


def csp_of(response) -> dict[str, list[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def test_every_page_sends_a_strict_content_security_policy(client, cast):
    client.force_login(cast.admin)
    policy = csp_of(client.get(reverse("home")))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_the_login_page_has_the_policy_too(client):
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_event_handlers_or_inline_styles(template):
    name = str(template).split("/templates/", 1)[1]
    if name in DOWNLOADED_DOCUMENTS:
        return
    text = template.read_text(encoding="utf-8")
    inline_scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", text)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]
    assert inline_scripts == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
    assert "hx-on" not in text and "javascript:" not in text
    assert re.findall(r"\sstyle\s*=", text) == [] and "<style" not in text


def test_htmx_is_configured_without_eval_and_without_its_injected_styles():
    base = (ROOT / "regiotafel/templates/base.html").read_text()
    content = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base).group(1)
    # allowScriptTags stays on: off, htmx would drop the charts' JSON data blocks from swapped
    # content; an inline script it would run is refused by the policy anyway.
    assert json.loads(content) == {"includeIndicatorStyles": False, "allowEval": False}
    css = (ROOT / "regiotafel/static/regiotafel/site.css").read_text()
    assert ".htmx-indicator" in css


def test_a_chart_carries_its_figure_as_data_and_runs_no_inline_script():
    html = charts.fragment(go.Figure(go.Bar(x=["Leiden"], y=[2500.5])))
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all('type="application/json"' in attrs for attrs in scripts)
    data_id = re.search(r'data-figure="([^"]+)"', html).group(1)
    body = re.search(rf'<script type="application/json" id="{data_id}">(.*)</script>', html)
    figure = json.loads(body.group(1))
    assert figure["data"][0]["x"] == ["Leiden"]
    assert figure["config"]["displaylogo"] is False


def test_a_label_cannot_close_the_data_block_and_inject_script():
    label = "</script><script>alert(1)</script>&"
    html = charts.fragment(go.Figure(go.Bar(x=[label], y=[1])))
    assert html.count("</script>") == 1
    assert "<script>alert" not in html
    payload = html[html.index('">', html.index("application/json")) + 2 : -len("</script>")]
    assert json.loads(payload)["data"][0]["x"] == [label]


def test_the_only_inline_styles_allowed_are_the_ones_plotly_js_sets_itself():
    source = charts.library_source()  # the bundle the pages load
    declarations = ",".join(f'["image-rendering","{v}"]' for v in PLOTLY_IMAGE_RENDERING)
    assert f"CSS_DECLARATIONS=[{declarations}]" in source
    hashes = [v for v in content_policy.policy()["DIRECTIVES"]["style-src"] if "sha256" in v]
    assert hashes == [content_policy.source_hash(text) for text in PLOTLY_INLINE_STYLES]
    assert hashes[0] == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"  # the empty text


def test_the_served_plotly_js_keeps_its_map_styles_out_of_the_page():
    served = charts.library_source().encode()
    marker = re.search(rb"m\.id='([0-9a-f]{64})'", served[:300])
    assert marker is not None
    assert charts.MAP_STYLE_ID.search(served.decode()).group(1) == marker.group(1).decode()


# --- the debug page --------------------------------------------------------------------------


def test_the_debug_error_page_shows_no_secret_environment_variable_or_personal_value(
    settings, monkeypatch
):
    # Made at run time, so the page's own source excerpts cannot contain them.
    word = {name: f"{name.lower()}-{uuid.uuid4().hex}" for name in ("key", "bsnkey", "db", "redis")}
    bsn, surname = "1112223" + "33", "Ver" + "schuur"
    database_url = f"postgresql://regiotafel:{word['db']}@db.example:5432/rt"
    redis_url = f"redis://:{word['redis']}@cache.example:6379/0"
    monkeypatch.setenv("SECRET_KEY", word["key"])
    monkeypatch.setenv("BSN_HASH_KEY", word["bsnkey"])
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    settings.DEBUG = True
    settings.SECRET_KEY = word["key"]
    settings.BSN_HASH_KEY = word["bsnkey"].encode()
    settings.ENV = os.environ
    settings.DATABASES = {**settings.DATABASES, "extra": {"NAME": "x", "PASSWORD": word["db"]}}
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    request = RequestFactory().post(
        "/wachtlijst/importeren/", {"bsn": bsn, "achternaam": surname}, **os.environ
    )

    def crash():
        source, key = f"bsn\n{bsn}\n{surname}\n".encode(), settings.BSN_HASH_KEY  # noqa: F841
        raise ValueError("stuk")

    try:
        crash()
    except ValueError:
        page = technical_500_response(request, *sys.exc_info()).content.decode()
    assert "stuk" in page and "crash" in page  # the page itself still helps a developer
    assert [value for value in (*word.values(), bsn, surname) if value in page] == []


# --- logs --------------------------------------------------------------------------------------


def test_the_access_log_leaves_out_query_strings():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /wachtlijst/?zoek=Verschuur&pagina=2 HTTP/1.1", "200", "512"), None,
    )  # fmt: skip
    security.StripQueryString().filter(record)
    assert record.getMessage() == '"GET /wachtlijst/?… HTTP/1.1" 200 512'


# --- files ---------------------------------------------------------------------------------------


def test_the_data_folder_is_readable_by_its_owner_only(tmp_path):
    folder = tmp_path / "gegevens"
    folder.mkdir(mode=0o755)
    config.data_dir({"REGIOTAFEL_DATA_DIR": str(folder)})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    fresh = config.data_dir({"REGIOTAFEL_DATA_DIR": str(tmp_path / "nieuw")})
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700


def test_the_sqlite_file_and_its_journal_are_readable_by_their_owner_only(
    tmp_path, django_db_blocker
):
    old_umask = os.umask(0o022)
    try:
        name = str(tmp_path / "regiotafel.sqlite3")
        handler = ConnectionHandler(
            {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": name}}
        )
        connection = handler["default"]
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("CREATE TABLE t (x)")
            cursor.execute("INSERT INTO t VALUES (1)")
        modes = {
            path.name: stat.S_IMODE(path.stat().st_mode)
            for path in tmp_path.iterdir()
            if path.name.startswith("regiotafel.sqlite3")
        }
        connection.close()
    finally:
        os.umask(old_umask)
    assert "regiotafel.sqlite3-wal" in modes
    assert set(modes.values()) == {0o600}


# --- HSTS and cookies ----------------------------------------------------------------------------


def transport_settings(tmp_path, **env) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS]))"
    )
    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    keep.update(
        DJANGO_SETTINGS_MODULE="regiotafel.settings",
        REGIOTAFEL_DATA_DIR=str(tmp_path),
        SECRET_KEY="k" * 8 + "test-signing-key-for-the-settings-check",
        BSN_HASH_KEY="b" * 8 + "test-bsn-hash-key-for-the-settings-check",
        **env,
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=keep, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_real_deployment_gets_secure_cookies_and_hsts_by_default(tmp_path):
    found = transport_settings(tmp_path, DATABASE_URL="postgresql://u@127.0.0.1:5432/x")
    assert found == [True, True, 365 * 24 * 3600]


def test_the_embedded_demo_on_plain_http_keeps_working(tmp_path):
    assert transport_settings(tmp_path) == [False, False, 0]


def test_secure_cookies_can_be_switched_off_and_debug_never_gets_hsts(tmp_path):
    url = "postgresql://u@127.0.0.1:5432/x"
    assert transport_settings(tmp_path, DATABASE_URL=url, SECURE_COOKIES="0") == [False, False, 0]
    assert transport_settings(tmp_path, DATABASE_URL=url, DEBUG="1")[2] == 0
