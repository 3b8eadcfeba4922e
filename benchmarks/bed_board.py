"""Benchmark: the bed board under open-loop load, beside its framework floor and bare SQL.

    python benchmarks/bed_board.py                      # ~2.5 minutes
    python benchmarks/bed_board.py --seconds 5          # shorter phases
    python benchmarks/bed_board.py --keep / --reuse     # load the data once, measure again

Needs PostgreSQL on 127.0.0.1:5432 (trust auth). It creates a throwaway database, loads
2,000 locations and 30,000 beds over 34 regions and 342 municipalities, starts
``regiotafel serve`` (gunicorn, ``WEB_WORKERS`` × ``WEB_THREADS``, default 4 × 8) with
``benchmarks.bench_settings`` (the product's settings plus one constant-answer endpoint,
``/bench/vloer``) on a free loopback port and measures, in one run:

1. **open loop** at each ``--rates`` (default 100 and 200 req/s): arrivals are a Poisson
   process (exponential gaps, fixed seed); each request's latency counts from its *scheduled*
   send time, so a slow answer delays the ones queued behind it instead of hiding them
   (no coordinated omission). Three targets at the same rates:
   - the board, ``GET /api/v1/beschikbaarheid?regio=…&beddentype=elv-hoog&vanaf_gemeente=…``
     spread over the 34 regions, with 60 bearer tokens;
   - the framework floor, ``GET /bench/vloer``: same middleware, same token authentication,
     a constant answer;
   - the bare SQL: Django's own SQL of the board's grouped count, run with psycopg;
2. **saturation**: closed loop, ``--clients`` connections as fast as answers come, for each
   of the three; answers per second;
3. **freshness**: the board at the first rate while a writer closes beds of one location,
   one every 0.4 s, straight in the database (psql-like, no service: the triggers must catch
   it). Every answer's free count is compared with the history of commits: an answer is
   stale by the time between its send and the commit that made its value untrue; the goal
   is that none is staler than a second.

The load generator runs on the same two cores as the server and the database: the numbers
include it. Traffic goes only to 127.0.0.1; every loop is bounded. The database is dropped
at the end; the data directory (static files) is kept between runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "regiotafel_bench_board"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DB}"
DATA_DIR = Path(tempfile.gettempdir()) / "regiotafel-bench-board-data"
FRESH_BEDS = 40  # beds the freshness phase closes one by one


def secret() -> str:
    import secrets

    return secrets.token_urlsafe(50)


def env(workers: int, threads: int) -> dict:
    DATA_DIR.mkdir(exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": DSN,
        "SECRET_KEY": secret(),
        "BSN_HASH_KEY": secret(),
        "REGIOTAFEL_DATA_DIR": str(DATA_DIR),
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "WEB_WORKERS": str(workers),
        "WEB_THREADS": str(threads),
        "DB_POOL_MAX": str(threads),
        "PYTHONPATH": str(ROOT),
    }


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def load(locations: int, beds: int) -> dict:
    """Create the dataset inside this process (Django set up with the benchmark database)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from regiotafel.capacity.models import Bed, BedType, Location
    from regiotafel.core import services
    from regiotafel.core.models import Membership, Municipality, Organisation, User

    rng = random.Random(11)
    regions = services.ensure_regions(names=[f"Regio {i:02d}" for i in range(34)])
    municipalities = Municipality.objects.bulk_create(
        Municipality(
            cbs_code=f"GM{i:04d}",
            name=f"Gemeente {i}",
            region=regions[i % 34],
            latitude=50.8 + rng.random() * 2.6,
            longitude=3.4 + rng.random() * 3.6,
        )
        for i in range(1, 343)
    )
    providers = Organisation.objects.bulk_create(
        Organisation(
            name=f"Aanbieder {i}", type="vvt", region=regions[i % 34], agb_code=f"{73000000 + i}"
        )
        for i in range(400)
    )
    by_region: dict[int, list] = {}
    for m in municipalities:
        by_region.setdefault(m.region_id, []).append(m)
    sites = Location.objects.bulk_create(
        Location(
            organisation=p,
            name=f"Locatie {i}",
            municipality=rng.choice(by_region[p.region_id]),
            phone="0900-0000000",
        )
        for i, p in enumerate(rng.choice(providers) for _ in range(locations))
    )
    types = list(BedType.objects.filter(region=None))
    elv_hoog = next(t for t in types if t.code == "elv-hoog")
    statuses = ["bezet"] * 85 + ["niet_bezet"] * 9 + ["gesloten"] * 3 + ["onderhoud"] * 3
    Bed.objects.bulk_create(
        (
            Bed(
                location=rng.choice(sites),
                bed_type=rng.choice(types),
                target_group=rng.choice(["somatisch", "pg"]),
                label=f"B{i}",
                status=rng.choice(statuses),
            )
            for i in range(beds)
        ),
        batch_size=5000,
    )
    fresh = Location.objects.create(
        organisation=providers[0],
        name="Versheid",
        municipality=by_region[regions[0].pk][0],
        phone="0900-0000000",
    )
    fresh_beds = Bed.objects.bulk_create(
        Bed(location=fresh, bed_type=elv_hoog, target_group="somatisch", label=f"V{i}")
        for i in range(FRESH_BEDS)
    )
    gp = Organisation.objects.create(
        name="Huisartsenpost", type="huisartsenpost", region=regions[0]
    )
    tokens = []
    for i in range(60):
        user = User.objects.create_user(username=f"verwijzer{i}")
        Membership.objects.create(user=user, organisation=gp, role="verwijzer")
        tokens.append(services.issue_token(user=user))
    paths = [
        f"/api/v1/beschikbaarheid?regio={region.slug}&beddentype=elv-hoog"
        f"&vanaf_gemeente={by_region[region.pk][0].cbs_code}"
        for region in regions
    ]
    return {
        "paths": paths,
        "tokens": tokens,
        "region_id": regions[0].pk,
        "near": by_region[regions[0].pk][0].cbs_code,
        "fresh_beds": [b.pk for b in fresh_beds],
    }


def board_sql(region_id: int, near: str):
    """The SQL Django sends for the board's grouped count, to run bare as the baseline."""
    from django.utils import timezone

    from regiotafel.capacity import availability

    filters = availability.BoardFilter(region_id=region_id, bed_type="elv-hoog", near=near)
    return availability.grouped_counts(filters, timezone.now()).query.sql_with_params()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(environment: dict, port: int) -> subprocess.Popen:
    collected = (DATA_DIR / "static" / "staticfiles.json").exists()
    command = [sys.executable, "-m", "regiotafel", "serve", "--adres", f"127.0.0.1:{port}"]
    if collected:
        command.append("--zonder-collectstatic")
    # The request log (one JSON line per request, the access log) goes to a file, not the
    # terminal: writing it is part of every request's cost, reading it is not.
    log = open(DATA_DIR / "server.log", "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        command, env=environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("regiotafel serve stopped") from None
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("regiotafel serve did not start")


# ---------------------------------------------------------------- the load generator


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Http:
    """One keep-alive connection per client thread; GET returns (status, body)."""

    def __init__(self, port: int):
        self.port = port

    def __call__(self, state: dict, path: str, token: str) -> tuple[int, bytes]:
        conn = state.get("conn")
        if conn is None:
            conn = state["conn"] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            state.pop("conn", None)
            raise


def open_loop(name: str, rate: float, seconds: float, send, *, workers: int = 48, seed=1):
    """Poisson arrivals at ``rate``; latency from each request's scheduled time."""
    rng = random.Random(seed)
    schedule, t = [], 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            break
        schedule.append(t)
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    for i, at in enumerate(schedule):
        jobs.put((i, at))
    latency: list[float | None] = [None] * len(schedule)
    failures: list[str] = []
    start = time.perf_counter() + 0.2

    def worker() -> None:
        state: dict = {}
        while True:
            try:
                i, at = jobs.get_nowait()
            except queue.Empty:
                return
            due = start + at
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                send(state, i, due)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failures.append(type(exc).__name__)
            latency[i] = (time.perf_counter() - due) * 1000

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    done = [v for v in latency if v is not None]
    wall = time.perf_counter() - start
    row = {
        "what": name,
        "rate": rate,
        "n": len(done),
        "p50": pct(done, 50),
        "p99": pct(done, 99),
        "max": max(done),
        "served_per_s": len(done) / wall,
        "failures": len(failures),
    }
    print(
        f"{name:<28} {rate:>5.0f}/s  n={row['n']:>5}  p50={row['p50']:7.2f} ms  "
        f"p99={row['p99']:8.2f} ms  max={row['max']:8.1f} ms  failures={len(failures)}",
        flush=True,
    )
    return row


def saturation(name: str, seconds: float, send, *, clients: int) -> dict:
    """Closed loop: ``clients`` threads each send as soon as the last answer came."""
    stop = time.perf_counter() + seconds
    counts = [0] * clients
    failures: list[str] = []

    def client(k: int) -> None:
        state: dict = {}
        i = k
        while time.perf_counter() < stop:
            try:
                send(state, i, time.perf_counter())
                counts[k] += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failures.append(type(exc).__name__)
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    per_s = sum(counts) / (time.perf_counter() - started)
    print(f"{name:<28} saturation: {per_s:7.0f} answers/s  failures={len(failures)}", flush=True)
    return {"what": name, "per_s": per_s, "failures": len(failures)}


def board_sender(http: Http, data: dict):
    paths, tokens = data["paths"], data["tokens"]

    def send(state, i, due):
        status, _ = http(state, paths[i % len(paths)], tokens[i % len(tokens)])
        if status != 200:
            raise RuntimeError(f"status {status}")

    return send


def floor_sender(http: Http, data: dict):
    tokens = data["tokens"]

    def send(state, i, due):
        status, _ = http(state, "/bench/vloer", tokens[i % len(tokens)])
        if status != 200:
            raise RuntimeError(f"status {status}")

    return send


def sql_sender(sql: str, params):
    import psycopg

    def send(state, i, due):
        conn = state.get("db")
        if conn is None:
            conn = state["db"] = psycopg.connect(DSN, autocommit=True)
        conn.execute(sql, params).fetchall()

    return send


# ---------------------------------------------------------------- freshness


def freshness(http: Http, data: dict, rate: float, seconds: float) -> dict:
    """Board answers while a writer closes the 'Versheid' beds one by one in the database."""
    import psycopg

    path = (
        f"/api/v1/beschikbaarheid?regio={data['paths'][0].split('regio=')[1].split('&')[0]}"
        f"&beddentype=elv-hoog&vanaf_gemeente={data['near']}"
    )
    commits: list[tuple[float, int]] = [(0.0, FRESH_BEDS)]  # (commit time, free after it)
    answers: list[tuple[float, float, int]] = []  # (sent, answered, free seen)
    lock = threading.Lock()
    stop = threading.Event()

    def writer() -> None:
        with psycopg.connect(DSN, autocommit=True) as conn:
            for n, bed in enumerate(data["fresh_beds"][: FRESH_BEDS - 1], start=1):
                if stop.wait(0.4):
                    return
                conn.execute("UPDATE capacity_bed SET status = 'bezet' WHERE id = %s", (bed,))
                with lock:
                    commits.append((time.perf_counter(), FRESH_BEDS - n))

    tokens = data["tokens"]

    def send(state, i, due):
        sent = time.perf_counter()
        status, body = http(state, path, tokens[i % len(tokens)])
        answered = time.perf_counter()
        if status != 200:
            raise RuntimeError(f"status {status}")
        seen = next((r["vrij"] for r in json.loads(body) if r["locatie"] == "Versheid"), 0)
        with lock:
            answers.append((sent, answered, seen))

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    row = open_loop("board while beds change", rate, seconds, send, seed=7)
    stop.set()
    thread.join(timeout=5)
    # A value v was true from the commit that made it until the next commit.
    until = {
        free: (commits[k + 1][0] if k + 1 < len(commits) else float("inf"))
        for k, (_, free) in enumerate(commits)
    }
    worst, stale = 0.0, 0
    for sent, _answered, seen in answers:
        ended = until.get(seen, float("inf"))
        lag = max(0.0, sent - ended)  # how long before sending the seen value had gone
        worst = max(worst, lag)
        stale += lag > 1.0
    row.update(changes=len(commits) - 1, answers=len(answers), worst_lag_s=worst, stale=stale)
    print(
        f"freshness: {len(commits) - 1} commits, {len(answers)} answers, worst lag "
        f"{worst * 1000:.0f} ms, answers staler than 1 s: {stale}",
        flush=True,
    )
    return row


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=2000)
    parser.add_argument("--beds", type=int, default=30000)
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 200])
    parser.add_argument("--seconds", type=float, default=10, help="per open-loop phase")
    parser.add_argument("--saturation-seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=16, help="for saturation")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="the database of a --keep run")
    args = parser.parse_args()
    environment = env(args.workers, args.threads)
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    load_before = os.getloadavg()
    saved = DATA_DIR / "dataset.json"
    reuse = args.reuse and saved.exists()
    if not reuse:
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB}")
    server = None
    results: dict = {"date": datetime.now(UTC).isoformat(timespec="seconds")}
    try:
        t0 = time.perf_counter()
        if reuse:  # the dataset of an earlier --keep run; the freshness beds opened again
            import django

            django.setup()
            data = json.loads(saved.read_text())
            from regiotafel.capacity.models import Bed

            Bed.objects.filter(pk__in=data["fresh_beds"]).update(status="niet_bezet")
        else:
            data = load(args.locations, args.beds)
            saved.write_text(json.dumps(data))
        sql, params = board_sql(data["region_id"], data["near"])
        from django.db import connections

        connections.close_all()
        print(f"loaded in {time.perf_counter() - t0:.1f} s", flush=True)
        port = free_port()
        server = start_server(environment, port)
        http = Http(port)
        board, floor, bare = (
            board_sender(http, data),
            floor_sender(http, data),
            sql_sender(sql, params),
        )
        saturation("warm-up", 2, board, clients=args.clients)  # every worker's caches
        results["load_before"] = load_before
        results["open_loop"] = []
        for rate in args.rates:
            for name, send in (
                ("board API", board),
                ("floor (constant)", floor),
                ("bare SQL", bare),
            ):
                results["open_loop"].append(open_loop(name, rate, args.seconds, send))
        results["saturation"] = [
            saturation(name, args.saturation_seconds, send, clients=args.clients)
            for name, send in (
                ("board API", board),
                ("floor (constant)", floor),
                ("bare SQL", bare),
            )
        ]
        results["freshness"] = freshness(http, data, args.rates[0], args.seconds * 1.5)
        results["load_after"] = os.getloadavg()
        summarise(results)
        print(json.dumps(results, default=float))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            saved.unlink(missing_ok=True)


def summarise(results: dict) -> None:
    rows = results["open_loop"]
    by = {(r["what"], r["rate"]): r for r in rows}
    for rate in sorted({r["rate"] for r in rows}):
        board, floor = by[("board API", rate)], by[("floor (constant)", rate)]
        print(
            f"at {rate:.0f}/s: board p99 {board['p99']:.1f} ms = "
            f"{board['p99'] / floor['p99']:.2f}× the floor's ({floor['p99']:.1f} ms); "
            f"p50 {board['p50'] / floor['p50']:.2f}×",
            flush=True,
        )
    sat = {r["what"]: r["per_s"] for r in results["saturation"]}
    print(
        f"saturation: board {sat['board API']:.0f}/s, floor {sat['floor (constant)']:.0f}/s "
        f"(board/floor {sat['board API'] / sat['floor (constant)']:.2f}), bare SQL "
        f"{sat['bare SQL']:.0f}/s; load average before {results['load_before']}, after "
        f"{results['load_after']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
