"""Benchmark: an 80-page plan through the platform, and the results pages over many plans.

    python benchmarks/plan_processing.py [--pages 80] [--plans 50]

Runs in a throwaway data folder (SQLite by default; set DATABASE_URL for PostgreSQL, an
empty database). Measures, in one run:
1. baseline: the bare scan without the platform: ``ingest.read_document`` and the lexical
   scorer on the same PDF (what ``regiotafel plannen scan`` does), no database;
2. processing: ``services.upload_plan`` + ``jobs.process`` — reading with progress written to
   the plan row, scoring, and storing passages, proposals and ranked passages in one
   transaction — exactly what an upload does (in its background thread);
3. rescoring the stored passages (``services.rescore``, lexical);
4. with ``--plans`` finished plans (copies of the processed one in as many regions), the
   region x indicator matrix with roll-up and white spots (``results.matrix``,
   ``category_rollup``, ``white_spots``) and the reliability report
   (``results.evaluation_report``) with every copy coded on all 30 indicators.
Reports wall times and the ratio of processing to the bare scan. Results go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    os.environ["REGIOTAFEL_DATA_DIR"] = tempfile.mkdtemp(prefix="plan-processing-")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=80)
    parser.add_argument("--plans", type=int, default=50)
    args = parser.parse_args()
    setup_django()

    from plan_scan import build_pdf

    from regiotafel.plans import ingest, jobs, results, scoring, services

    raw = build_pdf(args.pages)
    framework = services.ensure_default_framework()
    specs = services.specs_for(framework, "lexicaal")

    def bare():
        document = ingest.read_document(raw, name="regioplan.pdf")
        return scoring.get_scorer("lexicaal").score(document, specs, top_k=jobs.TOP_K)

    bare()  # warm the caches of the scorer once, for both measurements alike
    _bare, baseline = timed(bare)
    analyst, region = _analyst()
    plan, processing = timed(lambda: _process(raw, framework, region))
    n = plan.passages.count()
    print(f"PDF: {args.pages} pages, {len(raw) / 1e6:.1f} MB, {n} passages")
    print(f"baseline    read + lexical scan, no database   {baseline:7.2f} s")
    print(
        f"processing  upload + read + scan + store       {processing:7.2f} s  "
        f"ratio {processing / baseline:5.2f}  ({n / processing:6.1f} passages/s)"
    )
    _plan, rescoring = timed(lambda: _rescore(analyst, plan))
    print(f"rescore     stored passages, lexical           {rescoring:7.2f} s")
    copies = _copies(plan, args.plans, analyst)
    m, seconds = timed(lambda: results.matrix(framework=framework))
    _extra, more = timed(lambda: (results.category_rollup(m), results.white_spots(m)))
    print(f"matrix      {len(m.plans)} plans, roll-up, white spots         {seconds + more:7.2f} s")
    report, seconds = timed(lambda: results.evaluation_report(framework=framework))
    print(f"reliability {report['overall'].coded} coded plan x indicator pairs   {seconds:7.2f} s")
    assert copies + 1 == len(m.plans)


def _analyst():
    from regiotafel.core.models import Membership, Organisation, Region, Role, User

    region = Region.objects.create(name="Regio 0", slug="regio-0")
    office = Organisation.objects.create(name="Zorgkantoor 0", type="zorgkantoor", region=region)
    user = User.objects.create_user(username="analist-bench", password="x" * 16)
    Membership.objects.create(user=user, organisation=office, role=Role.REGIO_ANALIST)
    return user, region


def _process(raw: bytes, framework, region):
    from django.db import transaction

    from regiotafel.plans import jobs, services

    start, jobs.start = jobs.start, lambda *args: None  # no thread: we process it ourselves
    try:
        with transaction.atomic():  # the upload's own transaction, as in a request
            plan = services.upload_plan(
                user=None,
                region=region,
                framework=framework,
                title="Benchmark",
                source=raw,
                file_name="regioplan.pdf",
            )
    finally:
        jobs.start = start
    plan = jobs.process(plan.pk)  # what the background thread runs
    assert plan.status == "klaar", plan.error
    return plan


def _rescore(analyst, plan):
    from regiotafel.plans import jobs, services

    jobs.BACKGROUND = False
    return services.rescore(user=analyst, plan=plan, scorer="lexicaal")


def _copies(plan, count: int, analyst) -> int:
    """Copies of the processed plan in `count` more regions, each coded on every indicator."""
    from regiotafel.core.models import Region
    from regiotafel.plans.models import (
        Coding,
        Passage,
        Plan,
        Proposal,
        ProposedPassage,
        Verdict,
    )

    passages = list(plan.passages.all())
    proposals = list(plan.proposals.prefetch_related("ranked"))
    verdicts = list(Verdict.values)
    for number in range(1, count + 1):
        region = Region.objects.create(name=f"Regio {number}", slug=f"regio-{number}")
        copy = Plan.objects.create(
            region=region,
            framework=plan.framework,
            title=f"Plan {number}",
            file_name="regioplan.pdf",
            kind="pdf",
            source=b"",
            scorer=plan.scorer,
            status="klaar",
        )
        new = Passage.objects.bulk_create(
            Passage(plan=copy, index=p.index, page=p.page, line=p.line, text=p.text)
            for p in passages
        )
        by_index = {p.index: p for p in new}
        old_index = {p.pk: p.index for p in passages}
        for k, proposal in enumerate(proposals):
            made = Proposal.objects.create(
                plan=copy,
                indicator_id=proposal.indicator_id,
                scorer=proposal.scorer,
                score=proposal.score,
                decision=proposal.decision,
            )
            ProposedPassage.objects.bulk_create(
                ProposedPassage(
                    proposal=made,
                    passage=by_index[old_index[r.passage_id]],
                    rank=r.rank,
                    score=r.score,
                )
                for r in proposal.ranked.all()
            )
            coding = Coding.objects.create(
                plan=copy,
                indicator_id=proposal.indicator_id,
                analyst=analyst,
                verdict=verdicts[(number + k) % 3],
            )
            first = proposal.ranked.all()[0] if proposal.ranked.all() else None
            if first is not None and coding.verdict != Verdict.NIET_GEDEKT:
                coding.evidence.add(by_index[old_index[first.passage_id]])
    return count


if __name__ == "__main__":
    main()
