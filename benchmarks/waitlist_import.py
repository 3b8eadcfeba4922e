"""Benchmark: import and de-duplicate a national waiting list (issue: 100,000 registrations).

    python benchmarks/waitlist_import.py --registrations 100000 --providers 200

Runs in a throwaway data folder (SQLite by default; set DATABASE_URL for PostgreSQL, the
database is created by the script's migrate and must be empty). Measures, in one run:
- baseline: reading and parsing the same CSV files (tabular.read_csv), no database;
- import: `registrations.import_registrations` per provider — validation, BSN hashing,
  writes in one transaction per file, audit events, and the incremental duplicate search
  after each file — exactly what a provider's upload does;
- a full duplicate search over every waiting client (`duplicates.refresh_candidates()`);
and reports wall time, rows per second, the ratio to the baseline, and peak memory (the
process's maximum resident set size). Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def setup_django(data_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    os.environ["REGIOTAFEL_DATA_DIR"] = str(data_dir)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_files(n: int, providers: list, locations: list[str], rng: random.Random) -> dict:
    from regiotafel.waitlist.demo import SURNAMES, valid_bsn
    from regiotafel.waitlist.registrations import TEMPLATE_COLUMNS

    files = {p.pk: [] for p in providers}
    planted = []
    count = 0
    person_no = 0
    while count < n:
        person_no += 1
        born = date(1920, 1, 1) + timedelta(days=rng.randint(0, 35 * 365))
        person = [
            rng.choice(SURNAMES),
            f"{rng.choice('ABCDEGHJKLMPRSTW')}.",
            born.isoformat(),
            f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGH')}X",
        ]
        bsn = valid_bsn(rng)
        owner, other = rng.sample(providers, 2)
        files[owner.pk].append(_row(f"P{person_no}", bsn, person, rng, locations))
        count += 1
        roll = rng.random()
        if roll < 0.10 and count < n:  # same person, same BSN, at a second provider
            files[other.pk].append(_row(f"Q{person_no}", bsn, person, rng, locations))
            count += 1
        elif roll < 0.12 and count < n:  # same person typed again without BSN, with a typo
            typo = [person[0] + "e", *person[1:]]
            files[other.pk].append(_row(f"Q{person_no}", "", typo, rng, locations))
            planted.append((f"P{person_no}", f"Q{person_no}"))
            count += 1
    out = {}
    for pk, rows in files.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(TEMPLATE_COLUMNS)
        writer.writerows(rows)
        out[pk] = buffer.getvalue().encode()
    return out, planted


def _row(number, bsn, person, rng, locations) -> list[str]:
    surname, initials, born, postcode = person
    indication = date(2026, 1, 1) - timedelta(days=rng.randint(0, 900))
    prefs = rng.sample(locations, 2)
    return [
        number,
        bsn,
        surname,
        initials,
        born,
        "v",
        postcode,
        "GM0546",
        "VV5",
        "pg",
        rng.choice(["urgent", "actief", "voorkeur", "voorzorg"]),
        indication.isoformat(),
        "",
        indication.isoformat(),
        prefs[0],
        prefs[1],
        "",
    ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--providers", type=int, default=200)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="regiotafel-bench-"))
    setup_django(data_dir)
    from django.db import connection

    from regiotafel.core import services, tabular
    from regiotafel.core.models import Location, Municipality, Organisation, Region
    from regiotafel.waitlist import duplicates, registrations
    from regiotafel.waitlist.models import Client, DuplicateCandidate, Registration

    region = services.ensure_regions(names=["Benchmarkregio"])[0]
    Municipality.objects.create(cbs_code="GM0546", name="Leiden", region=region)
    leiden = Municipality.objects.get(cbs_code="GM0546")
    providers = [
        Organisation.objects.create(
            name=f"Aanbieder {i}", type="vvt", region=region, agb_code=f"{73000000 + i}"
        )
        for i in range(args.providers)
    ]
    locations = [
        Location.objects.create(organisation=p, name=f"Huis {p.pk}", municipality=leiden).name
        for p in providers
    ]
    rng = random.Random(7)
    files, planted = make_files(args.registrations, providers, locations, rng)
    rss_before = peak_rss_mb()

    started = time.perf_counter()
    for pk, body in files.items():
        tabular.read_csv(body, name=f"{pk}.csv")
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for provider in providers:
        registrations.import_registrations(
            user=None, provider=provider, source=files[provider.pk], name=f"{provider.pk}.csv"
        )
    import_seconds = time.perf_counter() - started
    candidates_after_import = DuplicateCandidate.objects.count()

    started = time.perf_counter()
    duplicates.refresh_candidates()
    full_seconds = time.perf_counter() - started

    n = Registration.objects.count()
    print(
        f"database: {connection.vendor}; registrations: {n}; clients: "
        f"{Client.objects.count()}; providers: {len(providers)}"
    )
    print(f"baseline parse: {parse_seconds:.1f} s ({n / parse_seconds:,.0f} rows/s)")
    print(
        f"import incl. incremental duplicate search: {import_seconds:.1f} s "
        f"({n / import_seconds:,.0f} rows/s), "
        f"ratio to parse {import_seconds / parse_seconds:.0f}x"
    )
    print(
        f"candidates after import: {candidates_after_import}; full search over all clients: "
        f"{full_seconds:.1f} s, candidates {DuplicateCandidate.objects.count()}"
    )
    client_of = dict(Registration.objects.values_list("external_id", "client_id"))
    pairs = {
        tuple(sorted(p))
        for p in DuplicateCandidate.objects.values_list("client_a_id", "client_b_id")
    }
    found = sum(tuple(sorted((client_of[a], client_of[b]))) in pairs for a, b in planted)
    print(
        f"planted near-duplicates without BSN: {len(planted)}, proposed: {found} "
        f"({found / max(len(planted), 1):.0%}); other proposals: {len(pairs) - found}"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MB (before import {rss_before:.0f} MB)")
    del Region


if __name__ == "__main__":
    main()
