"""Benchmark: importing a national-size project register and building the progress report.

    python benchmarks/portfolio_report.py --copies 100

Makes a project file of COPIES × the 318 shared projects (new ids, same classifications),
imports it into a throwaway SQLite database twice (two reference dates, so the report counts
the latest of two assessments per project) and measures, in one run:

1. the import of the file (every row checked, bulk writes), first and second reference date;
2. `portfolio.services.build_report` at the second date, compared with the first;
3. the baseline: the same counts of table 4 and table 6 from one bare SQL query over the
   latest assessments, grouped by the database (the least work any report must do).

Nothing leaves the machine; the temporary folder is removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(function, repeat: int = 1) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def national_file(copies: int) -> bytes:
    source = (ROOT / "regiotafel" / "data" / "transitieprojecten_2020-10.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(source)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for copy in range(copies):
        for row in rows:
            writer.writerow({**row, "id": f"{row['id']}-{copy:04d}"})
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="rt-bench-portfolio-")
    os.environ.update(REGIOTAFEL_DATA_DIR=folder, DJANGO_SETTINGS_MODULE="regiotafel.settings")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    try:
        run(args.copies)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(copies: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from regiotafel.portfolio import imports, services

    call_command("migrate", verbosity=0)
    data = national_file(copies)
    first, second = date(2020, 10, 1), date(2021, 3, 1)
    n = copies * 318
    t1, _r = timed(lambda: imports.import_projects(source=data, name="p.csv", reference_date=first))
    t2, _r = timed(
        lambda: imports.import_projects(source=data, name="p.csv", reference_date=second)
    )
    t_report, report = timed(lambda: services.build_report(at=second, compare=first), repeat=3)
    sql = """
        SELECT t.name, f.name, a.status, COUNT(*) FROM portfolio_assessment a
        JOIN portfolio_project p ON p.id = a.project_id
        JOIN portfolio_theme t ON t.id = p.theme_id JOIN portfolio_funder f ON f.id = p.funder_id
        WHERE a.valid_from = (SELECT MAX(b.valid_from) FROM portfolio_assessment b
                              WHERE b.project_id = a.project_id AND b.valid_from <= %s)
        GROUP BY t.name, f.name, a.status
    """

    def bare():
        with connection.cursor() as cursor:
            cursor.execute(sql, [second.isoformat()])
            return cursor.fetchall()

    t_bare, rows = timed(bare, repeat=3)
    assert sum(r[3] for r in rows) == n == report.table("tabel-6").total[1][1]
    print(f"projects: {n:,}; assessments: {2 * n:,} (SQLite)")
    print(f"import, first reference date:  {t1:.2f} s ({n / t1:,.0f} rows/s)")
    print(f"import, second reference date: {t2:.2f} s ({n / t2:,.0f} rows/s)")
    print(f"build_report (two dates, 14 tables), median of 3: {t_report:.2f} s")
    print(f"baseline: one grouped SQL query, median of 3:        {t_bare:.2f} s")
    print(f"ratio report / baseline: {t_report / t_bare:.1f}x")


if __name__ == "__main__":
    main()
