"""End-to-end tests: `regiotafel demo` serves a fresh demo database, Debian's chromium drives it.

The server runs as a separate process, exactly as a newcomer starts it, on a free loopback
port and with its own data folder. Playwright uses /usr/bin/chromium; it never downloads a
browser. Without chromium the tests are skipped locally and fail in CI (CI=true).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("REGIOTAFEL_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "e2e-demo-wachtwoord"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The demo prints an authenticator key for each user who must use a second factor (the
# administrator); log_in (test_login.py) computes the code from it, as a phone app would.
TOTP_SECRETS: dict[str, str] = {}
OTPAUTH = re.compile(r"otpauth://totp/Regiotafel:(?P<user>[\w.@+-]+)\?secret=(?P<secret>[A-Z2-7]+)")


def read_totp_secrets(output: str) -> dict[str, str]:
    return {m["user"]: m["secret"] for m in OTPAUTH.finditer(output)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"demo server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"demo server did not answer within {seconds}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> str:
    data_dir = tmp_path_factory.mktemp("demo-data")
    port = _free_port()
    log = data_dir / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["REGIOTAFEL_DATA_DIR"] = str(data_dir)
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "regiotafel",
                "demo",
                "--poort",
                str(port),
                "--wachtwoord",
                DEMO_PASSWORD,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/inloggen/", process, log)
        TOTP_SECRETS.update(read_totp_secrets(log.read_text()))
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()
