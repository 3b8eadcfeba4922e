"""Benchmark: the bed board under load, and claims under contention, on a national dataset.

    python benchmarks/bed_board.py --locations 2000 --beds 30000 --clients 50

Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and gunicorn (`pip install -e '.[bench]'`).
It creates a throwaway database, loads ~2,000 locations and ~30,000 beds over 34 regions and
342 municipalities, starts `gunicorn regiotafel.wsgi` on a free loopback port and measures,
in one run:

1. board latency: C client threads (keep-alive connections) each GET
   /api/v1/beschikbaarheid?regio=…&beddentype=elv-hoog&vanaf_gemeente=… with a bearer token;
2. the baseline: the bare SQL of the same board query (Django's own SQL for it, run with
   psycopg), at the same concurrency and single-threaded;
3. claims under contention: K free beds, N claimants per bed released at once through a
   barrier; exactly one 201 per bed, 409 for the rest, then checked in the database.

Traffic goes only to 127.0.0.1; every loop is bounded. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "regiotafel_bench_board"
SECRET = "benchmark-only-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway database


def env() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{DB}",
        "SECRET_KEY": SECRET,
        "BSN_HASH_KEY": SECRET,
        "REGIOTAFEL_DATA_DIR": tempfile.mkdtemp(prefix="regiotafel-board-"),
        "DJANGO_SETTINGS_MODULE": "regiotafel.settings",
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
    by_region = {}
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
    gp = Organisation.objects.create(
        name="Huisartsenpost", type="huisartsenpost", region=regions[0]
    )
    tokens = []
    for i in range(60):
        user = User.objects.create_user(username=f"verwijzer{i}")
        Membership.objects.create(user=user, organisation=gp, role="verwijzer")
        tokens.append(services.issue_token(user=user))
    return {
        "region": regions[0].slug,
        "near": by_region[regions[0].pk][0].cbs_code,
        "tokens": tokens,
        "region_id": regions[0].pk,
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


def start_server(environment: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "regiotafel.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        env=environment,
        cwd=ROOT,
    )
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def run_concurrently(clients: int, per_client: int, work) -> tuple[list[float], float]:
    """Each client thread calls work(i) per_client times; returns latencies (ms), wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(i: int) -> None:
        state = {}
        barrier.wait()
        mine = []
        for _ in range(per_client):
            started = time.perf_counter()
            work(i, state)
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return latencies, time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[p - 1]
        if len(values) > 1
        else values[0]
    )


def describe(name: str, latencies: list[float], wall: float) -> dict:
    row = {
        "what": name,
        "n": len(latencies),
        "p50": pct(latencies, 50),
        "p90": pct(latencies, 90),
        "p99": pct(latencies, 99),
        "max": max(latencies),
        "per_s": len(latencies) / wall,
    }
    print(
        f"{name:<44} n={row['n']:>5}  p50={row['p50']:7.1f} ms  p90={row['p90']:7.1f} ms  "
        f"p99={row['p99']:7.1f} ms  max={row['max']:7.1f} ms  {row['per_s']:7.0f}/s"
    )
    return row


def board_load(port: int, data: dict, clients: int, per_client: int) -> dict:
    path = (
        f"/api/v1/beschikbaarheid?regio={data['region']}&beddentype=elv-hoog"
        f"&vanaf_gemeente={data['near']}"
    )
    failures = []

    def work(i: int, state: dict) -> None:
        conn = state.setdefault("conn", http.client.HTTPConnection("127.0.0.1", port, timeout=30))
        conn.request("GET", path, headers={"Authorization": f"Bearer {data['tokens'][i]}"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            failures.append(response.status)

    latencies, wall = run_concurrently(clients, per_client, work)
    assert not failures, f"{len(failures)} board requests failed: {set(failures)}"
    return describe(f"board API, {clients} concurrent clients", latencies, wall)


def sql_load(sql: str, params, clients: int, per_client: int) -> dict:
    import psycopg

    def work(i: int, state: dict) -> None:
        conn = state.setdefault(
            "conn", psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DB}", autocommit=True)
        )
        conn.execute(sql, params).fetchall()

    latencies, wall = run_concurrently(clients, per_client, work)
    return describe(f"bare SQL of the same query, {clients} clients", latencies, wall)


def claim_contention(port: int, data: dict, beds: int, per_bed: int) -> dict:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DB}") as conn:
        free = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM capacity_bed WHERE status = 'niet_bezet' ORDER BY id LIMIT %s",
                (beds,),
            )
        ]
    outcomes: dict[int, list[int]] = {bed: [] for bed in free}
    lock = threading.Lock()
    barrier = threading.Barrier(len(free) * per_bed)

    def claimant(bed: int, token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        conn.request(
            "POST",
            f"/api/v1/bedden/{bed}/reserveringen",
            body="{}",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        status = conn.getresponse().status
        with lock:
            outcomes[bed].append(status)

    threads = [
        threading.Thread(target=claimant, args=(bed, data["tokens"][k % 60]))
        for bed in free
        for k in range(per_bed)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - started
    exactly_one = all(sorted(s) == [201] + [409] * (per_bed - 1) for s in outcomes.values())
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DB}") as conn:
        active = dict(
            conn.execute(
                "SELECT bed_id, count(*) FROM capacity_claim WHERE state = 'actief' "
                "AND bed_id = ANY(%s) GROUP BY bed_id",
                (free,),
            ).fetchall()
        )
        reserved = conn.execute(
            "SELECT count(*) FROM capacity_bed WHERE id = ANY(%s) AND status = 'gereserveerd'",
            (free,),
        ).fetchone()[0]
    in_db = all(active.get(bed) == 1 for bed in free) and reserved == len(free)
    total = len(free) * per_bed
    print(
        f"claims: {len(free)} beds × {per_bed} claimants = {total} requests in {wall:.2f} s "
        f"({total / wall:.0f}/s); exactly one 201 per bed: {exactly_one}; "
        f"database: one active claim and 'gereserveerd' per bed: {in_db}"
    )
    return {
        "beds": len(free),
        "per_bed": per_bed,
        "seconds": wall,
        "per_s": total / wall,
        "exactly_one": exactly_one,
        "in_db": in_db,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=2000)
    parser.add_argument("--beds", type=int, default=30000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--claim-beds", type=int, default=20)
    parser.add_argument("--claimants", type=int, default=10)
    args = parser.parse_args()
    environment = env()
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    server = None
    try:
        data = load(args.locations, args.beds)
        sql, params = board_sql(data["region_id"], data["near"])
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_server(environment, port, args.workers)
        board_load(port, data, 1, 20)  # warm up every worker's caches
        results = {
            "board": board_load(port, data, args.clients, args.requests),
            "sql": sql_load(sql, params, args.clients, args.requests),
            "sql_single": sql_load(sql, params, 1, 200),
        }
        results["claims"] = claim_contention(port, data, args.claim_beds, args.claimants)
        b, s = results["board"], results["sql"]
        print(
            f"ratio board/bare SQL at {args.clients} clients: p50 {b['p50'] / s['p50']:.1f}x, "
            f"p99 {b['p99'] / s['p99']:.1f}x"
        )
        print(json.dumps(results, default=float))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
