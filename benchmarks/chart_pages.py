"""Benchmark: how fast the chart pages are ready in a browser (issue #14, item 2).

    python benchmarks/chart_pages.py [--runs 3] [--json results.json]
    python benchmarks/chart_pages.py --tree voor=/tmp/old-checkout --tree na=.
    python benchmarks/chart_pages.py --server http://127.0.0.1:8000 --wachtwoord W --totp KEY

Starts ``regiotafel demo`` on a free loopback port with its own data folder (exactly as the
end-to-end tests and a newcomer start it), or uses a running demo (``--server``), and drives
Debian's chromium (``/usr/bin/chromium``) with Playwright. Per chart page, logged in as the
role that sees it, it reads the browser's navigation timing:

- ``domContentLoaded``: ``PerformanceNavigationTiming.domContentLoadedEventEnd``;
- ``load``: ``loadEventEnd`` (every script, the chart library included, has run);
- ``grafiek``: the moment the first ``.plotly-chart .main-svg`` (the drawn chart) exists, from a
  MutationObserver installed before the page starts (``performance.now()``, same origin);

all in milliseconds from the start of the navigation. Each page is measured *cold* (a new
browser context: empty cache, logged in through its cookies) and *warm* (the same page opened
again in that context: what a person who already opened a chart page gets), ``--runs`` times;
the median is reported. The chart library's transfer (bytes over the wire and decoded) comes
from resource timing. The baseline in the same run is the plain page without charts that every
role sees first (``/``), measured the same way.

Before and after in the same run: ``--tree LABEL=DIR`` (twice or more) starts one demo per
source tree (``PYTHONPATH=DIR``, e.g. ``git archive <commit> | tar -x -C DIR`` of the commit
before a change) and measures the trees page by page, alternating, so both see the same load.

The load average (``os.getloadavg()``) is printed at the start and the end; results go to
docs/benchmarks.md by hand. Loopback only: no other address is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from base64 import b32decode
from pathlib import Path

CHROMIUM = os.environ.get("REGIOTAFEL_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "bench-demo-wachtwoord"  # noqa: S105 - the throwaway demo's logins
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# (user, path): every page that draws charts, with the role that sees it in the demo.
PAGES = [
    ("analist", "/zorgkloof/"),
    ("analist", "/portfolio/"),
    ("analist", "/portfolio/kpis/"),
    ("analist", "/portfolio/rapport/"),
    ("analist", "/plannen/matrix/"),
    ("planner", "/wachtlijst/cijfers/"),
    ("beheerder", "/capaciteit/rapportage/"),
]
BASELINE = "/"
OTPAUTH = re.compile(r"otpauth://totp/Regiotafel:(?P<user>[\w.@+-]+)\?secret=(?P<secret>[A-Z2-7]+)")

WATCH_CHARTS = """
window.__chartReady = null;
new MutationObserver((changes, observer) => {
  if (document.querySelector(".plotly-chart .main-svg")) {
    window.__chartReady = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""

READ_TIMING = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const library = performance.getEntriesByType("resource").filter(
    (r) => /plotly/.test(r.name));
  return {
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    chart: window.__chartReady,
    charts: document.querySelectorAll(".plotly-chart").length,
    library: library.map((r) => ({
      url: r.name.replace(location.origin, ""),
      transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize,
      ms: r.duration})),
  };
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo(data_dir: Path, tree: str = "") -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["REGIOTAFEL_DATA_DIR"] = str(data_dir)
    if tree:
        env["PYTHONPATH"] = str(Path(tree).resolve())
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "regiotafel", "demo", "--poort", str(port)]
            + ["--wachtwoord", PASSWORD],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900  # seeding on a busy machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"demo stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/inloggen/", timeout=2):  # noqa: S310 - loopback
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.terminate()
        raise SystemExit("demo did not answer within 900 s")
    secrets = {m["user"]: m["secret"] for m in OTPAUTH.finditer(log.read_text())}
    return process, base, secrets.get("beheerder", "")


def totp_code(secret: str, offset: int = 0) -> str:
    from django_otp.oath import totp

    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=30, drift=offset):06d}"


def log_in(browser, base: str, user: str, password: str, secret: str, used: list[int]):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(f"{base}/")
    page.get_by_label("Gebruikersnaam").fill(user)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    if "/account/tweestaps/controleren/" in page.url:
        step = int(time.time()) // 30
        offset = 0 if step not in used else 1  # a code is accepted once
        used.append(step + offset)
        page.get_by_label("Code uit uw authenticator-app").fill(totp_code(secret, offset))
        page.get_by_role("button", name="Bevestigen").click()
        page.wait_for_load_state()
    state = context.storage_state()
    context.close()
    return state


def visit(context, url: str) -> dict:
    page = context.new_page()
    page.add_init_script(WATCH_CHARTS)
    page.goto(url, wait_until="load")
    if page.locator(".plotly-chart").count():
        page.wait_for_function("window.__chartReady !== null", timeout=60_000)
    found = page.evaluate(READ_TIMING)
    page.close()
    return found


def measure(browser, servers: dict, runs: int) -> list[dict]:
    """``servers``: label -> (base URL, login states per user); trees alternate per run."""
    rows = []
    for user, path in [(user, BASELINE) for user in dict(PAGES)] + PAGES:
        samples = {label: {"cold": [], "warm": []} for label in servers}
        for _ in range(runs):
            for label, (base, states) in servers.items():
                context = browser.new_context(locale="nl-NL", storage_state=states[user])
                samples[label]["cold"].append(visit(context, base + path))
                samples[label]["warm"].append(visit(context, base + path))
                context.close()
        for label, found_by_kind in samples.items():
            first = found_by_kind["cold"][0]
            row = {"tree": label, "user": user, "path": path, "charts": first["charts"]}
            for kind, found in found_by_kind.items():
                for metric in ("domContentLoaded", "load", "chart"):
                    values = [f[metric] for f in found if f[metric] is not None]
                    row[f"{kind}_{metric}"] = round(statistics.median(values)) if values else None
            row["library"] = first["library"]
            rows.append(row)
            print(format_row(row), flush=True)
    return rows


def format_row(row: dict) -> str:
    def ms(value):
        return "–" if value is None else f"{value:,} ms"

    lib = row["library"][0] if row["library"] else None
    size = ""
    if lib:
        size = f"library {lib['transfer'] / 1e6:.2f} MB transferred, {lib['decoded'] / 1e6:.2f} MB"
    return (
        f"{row['tree']:6} {row['user']:10} {row['path']:24} charts {row['charts']:2}  "
        f"cold: DCL {ms(row['cold_domContentLoaded'])}, load {ms(row['cold_load'])}, "
        f"chart {ms(row['cold_chart'])} | warm: DCL {ms(row['warm_domContentLoaded'])}, "
        f"load {ms(row['warm_load'])}, chart {ms(row['warm_chart'])}  {size}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", help="a running demo (default: start one)")
    parser.add_argument("--wachtwoord", default=PASSWORD)
    parser.add_argument("--totp", default="", help="the administrator's TOTP key (--server)")
    parser.add_argument(
        "--tree", action="append", default=[], help="LABEL=DIR: a source tree to serve"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the rows to this file")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average at start: {os.getloadavg()}", flush=True)
    processes, servers = [], {}
    with tempfile.TemporaryDirectory(prefix="chart-pages-") as folder:
        try:
            if args.server:
                servers["server"] = (args.server.rstrip("/"), args.totp)
            for label, tree in [t.split("=", 1) for t in args.tree] or [("demo", "")]:
                if args.server:
                    break
                started = time.perf_counter()
                process, base, secret = start_demo(Path(folder) / label, tree)
                processes.append(process)
                servers[label] = (base, secret)
                print(f"{label}: demo up at {base} in {time.perf_counter() - started:.1f} s")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                used: list[int] = []
                logged_in = {}
                for label, (base, secret) in servers.items():
                    states = {
                        user: log_in(browser, base, user, args.wachtwoord, secret, used)
                        for user in dict(PAGES)
                    }
                    logged_in[label] = (base, states)
                    used.clear()  # another server: its own codes
                # One untimed pass: the server's first request per page (imports, projections).
                measure(browser, logged_in, 1)
                print("-- measured --", flush=True)
                rows = measure(browser, logged_in, args.runs)
                browser.close()
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    print(f"load average at end: {os.getloadavg()}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"load": os.getloadavg(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
