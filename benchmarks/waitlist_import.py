"""Benchmark: import and de-duplicate a national waiting list (issue 14: 100,000 registrations
in under 60 s on SQLite and PostgreSQL).

    python benchmarks/waitlist_import.py --registrations 100000 --providers 200
    python benchmarks/waitlist_import.py --registrations 100000 --mode per-file

Runs in a throwaway data folder (SQLite by default; set DATABASE_URL for PostgreSQL, the
database is migrated by the script and must be empty). Measures, in one run:
- baseline: reading and parsing the same CSV files (``tabular.read_csv``), no database;
- ``--mode bulk`` (default): ``registrations.import_many`` — every file validated and written
  in its own transaction (BSN hashing, bulk writes, one audit event per registration), then
  ONE duplicate search over the clients the load touched: what
  ``regiotafel wachtlijst importeer BESTAND…`` does with several files;
- ``--mode per-file``: ``registrations.import_registrations`` per provider, each followed by
  the incremental duplicate search for that file's clients: what a provider's upload does;
- a full duplicate search over every waiting client (``duplicates.refresh_candidates()``);
and reports wall time and this process's CPU time (``time.process_time``: on a machine
shared with other work the wall time measures the neighbours too; on PostgreSQL the database
server's CPU is not in it), rows per second, the ratios to the baseline, audit events per
registration, the planted near-duplicates proposed, peak memory (maximum resident set size)
and the load average (``os.getloadavg()``) before and after. Results go to
docs/benchmarks.md by hand.

``make_files`` is the generator tests/waitlist/test_duplicates_equivalence.py uses to check
that the duplicate finder proposes exactly what it proposed before the rewrite: keep it
deterministic (its surnames are a frozen copy, not the demo's list).
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
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

SURNAMES = (  # frozen copy of waitlist.demo.SURNAMES as of issue 14
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "van de Ven",
    "Hoekstra",
    "Maas",
    "Verhoeven",
    "Koster",
    "van Dam",
    "van der Wal",
    "Prins",
    "Blom",
    "Huisman",
    "Zwetsloot",
    "Duivenvoorden",
    "van der Zwet",
    "Warmenhoven",
)
COLUMNS = (  # registrations.TEMPLATE_COLUMNS as of issue 14
    "klantnummer",
    "bsn",
    "achternaam",
    "voorletters",
    "geboortedatum",
    "geslacht",
    "postcode",
    "woongemeente",
    "zorgprofiel",
    "doelgroep",
    "wachtstatus",
    "statusdatum",
    "statusreden",
    "indicatiedatum",
    "voorkeur_1",
    "voorkeur_2",
    "voorkeur_3",
)


def setup_django(data_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    os.environ["REGIOTAFEL_DATA_DIR"] = str(data_dir)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def provider_codes(count: int) -> list[str]:
    """AGB codes of the synthetic providers (the key of each file)."""
    return [f"{73000000 + i}" for i in range(count)]


def location_names(count: int) -> list[str]:
    """One nursing home per provider, in the same order as ``provider_codes``."""
    return [f"Huis {i}" for i in range(count)]


def valid_bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, [*digits, last]))


def make_files(
    n: int, providers: list[str], locations: list[str], rng: random.Random
) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    """``n`` registrations spread over one CSV file per provider key; about 10% of the people
    at a second provider with the same BSN, about 2% at a second provider without a BSN and
    with a typo (the planted near-duplicates, returned as pairs of client numbers)."""
    files: dict[str, list] = {p: [] for p in providers}
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
        files[owner].append(_row(f"P{person_no}", bsn, person, rng, locations))
        count += 1
        roll = rng.random()
        if roll < 0.10 and count < n:  # same person, same BSN, at a second provider
            files[other].append(_row(f"Q{person_no}", bsn, person, rng, locations))
            count += 1
        elif roll < 0.12 and count < n:  # same person typed again without BSN, with a typo
            typo = [person[0] + "e", *person[1:]]
            files[other].append(_row(f"Q{person_no}", "", typo, rng, locations))
            planted.append((f"P{person_no}", f"Q{person_no}"))
            count += 1
    out = {}
    for key, rows in files.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        out[key] = buffer.getvalue().encode()
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


def make_world(region, provider_count: int) -> dict:
    """The benchmark's providers (AGB code -> organisation), each with one location."""
    from regiotafel.core.models import Location, Municipality, Organisation

    leiden = Municipality.objects.filter(cbs_code="GM0546").first()
    if leiden is None:
        leiden = Municipality.objects.create(cbs_code="GM0546", name="Leiden", region=region)
    providers = {}
    for code, name in zip(
        provider_codes(provider_count), location_names(provider_count), strict=True
    ):
        providers[code] = Organisation.objects.create(
            name=f"Aanbieder {code}", type="vvt", region=region, agb_code=code
        )
        Location.objects.create(organisation=providers[code], name=name, municipality=leiden)
    return providers


def proposals() -> list[list]:
    """Every proposed pair, each client named by its registrations ('AGB/klantnummer'), so
    runs on different databases (different client ids) compare."""
    from regiotafel.waitlist.models import DuplicateCandidate, Registration

    names = defaultdict(list)
    rows = Registration.objects.values_list("client_id", "provider__agb_code", "external_id")
    for client_id, agb, number in rows:
        names[client_id].append(f"{agb}/{number}")
    found = []
    for a, b, score, reasons in DuplicateCandidate.objects.values_list(
        "client_a_id", "client_b_id", "score", "reasons"
    ):
        first, second = sorted(["+".join(sorted(names[a])), "+".join(sorted(names[b]))])
        found.append([first, second, score, list(reasons)])
    return sorted(found)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--mode", choices=["bulk", "per-file"], default="bulk")
    args = parser.parse_args()
    load_before = os.getloadavg()
    data_dir = Path(tempfile.mkdtemp(prefix="regiotafel-bench-"))
    setup_django(data_dir)
    from django.db import connection

    from regiotafel.core import audit, services, tabular
    from regiotafel.core.models import AuditEvent
    from regiotafel.waitlist import duplicates, registrations
    from regiotafel.waitlist.models import Client, DuplicateCandidate, Registration

    region = services.ensure_regions(names=["Benchmarkregio"])[0]
    providers = make_world(region, args.providers)
    codes = list(providers)
    files, planted = make_files(
        args.registrations, codes, location_names(args.providers), random.Random(7)
    )
    rss_before = peak_rss_mb()
    events_before = AuditEvent.objects.count()

    started, cpu = time.perf_counter(), time.process_time()
    for code in codes:
        tabular.read_csv(files[code], name=f"{code}.csv")
    parse_seconds = time.perf_counter() - started
    parse_cpu = time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    if args.mode == "bulk":
        registrations.import_many(
            user=None,
            files=[(providers[code], files[code], f"{code}.csv") for code in codes],
        )
    else:
        for code in codes:
            registrations.import_registrations(
                user=None, provider=providers[code], source=files[code], name=f"{code}.csv"
            )
    import_seconds = time.perf_counter() - started
    import_cpu = time.process_time() - cpu
    candidates_after_import = DuplicateCandidate.objects.count()
    events = AuditEvent.objects.count() - events_before

    started, cpu = time.perf_counter(), time.process_time()
    duplicates.refresh_candidates()
    full_seconds = time.perf_counter() - started
    full_cpu = time.process_time() - cpu

    started = time.perf_counter()
    verified = audit.verify()
    verify_seconds = time.perf_counter() - started

    n = Registration.objects.count()
    load_after = os.getloadavg()
    print(
        f"database: {connection.vendor}; mode: {args.mode}; registrations: {n}; clients: "
        f"{Client.objects.count()}; providers: {len(providers)}"
    )
    print(
        f"baseline parse: {parse_seconds:.2f} s wall ({n / parse_seconds:,.0f} rows/s), "
        f"{parse_cpu:.2f} s CPU"
    )
    print(
        f"import incl. duplicate search ({args.mode}): {import_seconds:.1f} s wall "
        f"({n / import_seconds:,.0f} rows/s), {import_cpu:.1f} s CPU of this process; "
        f"ratio to parse {import_seconds / parse_seconds:.0f}x wall, "
        f"{import_cpu / parse_cpu:.0f}x CPU"
    )
    print(f"audit events written by the import: {events} ({events / max(n, 1):.2f} per row)")
    print(
        f"candidates after import: {candidates_after_import}; full search over all clients: "
        f"{full_seconds:.1f} s wall, {full_cpu:.1f} s CPU, candidates "
        f"{DuplicateCandidate.objects.count()}"
    )
    print(
        f"audit chain: {verified.checked} events checked in {verify_seconds:.1f} s, "
        f"{'broken at ' + str(verified.broken) if verified.broken else 'intact'}"
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
    print(
        "load average (1, 5, 15 min): before "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after "
        + ", ".join(f"{x:.2f}" for x in load_after)
    )


if __name__ == "__main__":
    main()
