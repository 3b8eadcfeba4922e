"""Benchmark: the header badge's poll — an unchanged count (304) against a changed one (200).

    python benchmarks/notification_badge.py [--requests 300] [--notifications 20000]

In-process (Django's test client, no network), on a throwaway embedded SQLite database in a
temporary data folder: 200 users share ``--notifications`` notifications; the measured user
has a tenth of them, a quarter unread. The two paths are interleaved (one of each in turn, so
a burst of other work on the machine hits both alike):

1. the baseline: ``GET /meldingen/teller.json`` without ``If-None-Match`` — the version from
   the shared cache, the unread aggregate over ``(recipient, read_at)`` and the newest text;
2. the poll of an open page while nothing changed: the same request with the ETag of (1) —
   304, one cache read and no query on the notifications table.

Reported: median and 95th percentile in milliseconds, the ratio 1/2, the SQL statements of
each path (all, and those on ``notifications_notification``), and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--notifications", type=int, default=20_000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="rt-badge-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["REGIOTAFEL_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "regiotafel.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from regiotafel.core.models import Organisation, OrganisationType, Region, User
    from regiotafel.notifications.models import Notification

    call_command("migrate", verbosity=0)
    region = Region.objects.create(name="Bench", slug="bench")
    org = Organisation.objects.create(name="Bench VVT", type=OrganisationType.VVT, region=region)
    users = User.objects.bulk_create([User(username=f"u{i}") for i in range(200)])
    target = users[0]
    now = timezone.now()
    rows = []
    for i in range(args.notifications):
        user = target if i % 10 == 0 else users[1 + i % 199]
        unread = i % 4 == 0
        rows.append(
            Notification(
                recipient=user,
                organisation=org,
                event="reservering-nieuw",
                text=f"Nieuwe reservering {i} op bed L1 van Bench Leiden.",
                url="/capaciteit/reserveringen/",
                created_at=now,
                read_at=None if unread else now,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=2000)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(target)
    first = client.get("/meldingen/teller.json")
    etag = first["ETag"]
    assert first.status_code == 200, first.status_code
    assert client.get("/meldingen/teller.json", HTTP_IF_NONE_MATCH=etag).status_code == 304

    def statements(**headers):
        with CaptureQueriesContext(connection) as queries:
            client.get("/meldingen/teller.json", **headers)
        sql = [q["sql"] for q in queries.captured_queries]
        return len(sql), sum("notifications_notification" in s for s in sql)

    timings = {"200": [], "304": []}
    for _ in range(args.requests):
        for label, headers in (("200", {}), ("304", {"HTTP_IF_NONE_MATCH": etag})):
            started = time.perf_counter()
            response = client.get("/meldingen/teller.json", **headers)
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == int(label)
    load = os.getloadavg()

    def p95(values):
        return sorted(values)[int(len(values) * 0.95) - 1]

    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load[0]:.2f} {load[1]:.2f}")
    print(
        f"{args.notifications} notifications, measured user: {first.json()['ongelezen']} unread; "
        f"{args.requests} requests per path, interleaved"
    )
    for label, name in (("200", "changed (200, baseline)"), ("304", "unchanged (304)")):
        total, on_table = statements(**({"HTTP_IF_NONE_MATCH": etag} if label == "304" else {}))
        values = timings[label]
        print(
            f"{name:26} median {statistics.median(values):6.2f} ms  p95 {p95(values):6.2f} ms  "
            f"SQL {total} ({on_table} on notifications)"
        )
    ratio = statistics.median(timings["200"]) / statistics.median(timings["304"])
    print(f"ratio median 200/304: {ratio:.2f}")


if __name__ == "__main__":
    main()
