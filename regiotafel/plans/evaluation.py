"""How far to trust the proposals: agreement between analysts, precision/recall/F1 against
confirmed codings, and per-indicator thresholds calibrated from them.

The unit of evaluation is a pair ``(indicator id, item)``. The item is whatever was judged:
a passage (e.g. ``(document, passage index)``) for evidence, or a document (a plan) for the
verdict "this plan covers the indicator". Only *labelled* pairs count: a proposal nobody
judged is neither right nor wrong (it is counted in ``unlabelled``). That is why a label pool
must also contain passages the scorer did **not** propose — otherwise every relevant passage
in the pool was found by construction and recall is overstated (docs/plan-scan-evaluation.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

Pair = tuple[str, Hashable]  # (indicator id, item)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's κ of two coders' labels for the same items, in the same order.

    1.0 is perfect agreement, 0.0 what chance would give. When both coders use one and the
    same label for everything, agreement is perfect but κ is undefined; we return 1.0.
    """
    if len(a) != len(b):
        raise ValueError("both coders must label the same items")
    if not a:
        raise ValueError("no items to compare")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    first, second = Counter(a), Counter(b)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class Metrics:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def labelled(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        """Of the labelled proposals, the share that is right; None if nothing was proposed."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Of the labelled relevant items, the share proposed; None if none is relevant."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        if not self.tp:
            return 0.0 if (self.fp or self.fn) else None
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )


@dataclass(frozen=True)
class Evaluation:
    per_indicator: dict[str, Metrics]
    overall: Metrics  # micro: the counts of all indicators summed
    unlabelled: int  # proposals nobody judged (not counted as right or wrong)

    @property
    def macro_f1(self) -> float | None:
        """The mean F1 over indicators where F1 is defined (each indicator weighs the same)."""
        values = [m.f1 for m in self.per_indicator.values() if m.f1 is not None]
        return sum(values) / len(values) if values else None


def evaluate(
    proposals: Iterable[Pair], gold: Mapping[Pair, bool] | Iterable[tuple[str, Hashable, bool]]
) -> Evaluation:
    """Precision, recall and F1 of proposals against labels, per indicator and overall.

    ``proposals``: the pairs the tool put forward as positive (evidence, or "covered").
    ``gold``: the labelled pairs, ``{(indicator, item): relevant}`` or
    ``[(indicator, item, relevant), ...]``; every labelled pair counts (also when not
    proposed: a miss, or a correct rejection).
    """
    labels = dict(gold) if isinstance(gold, Mapping) else {(i, x): r for i, x, r in gold}
    proposed = set(proposals)
    counts: dict[str, Counter] = defaultdict(Counter)
    for (indicator, item), relevant in labels.items():
        hit = (indicator, item) in proposed
        key = ("tp" if hit else "fn") if relevant else ("fp" if hit else "tn")
        counts[indicator][key] += 1
    per_indicator = {ind: Metrics(**dict(c)) for ind, c in sorted(counts.items())}
    overall = sum(per_indicator.values(), Metrics())
    return Evaluation(per_indicator, overall, len(proposed - labels.keys()))


def calibrate_thresholds(
    scored: Iterable[tuple[str, float, bool]],
    *,
    default: float | Mapping[str, float],
    min_relevant: int = 2,
    min_irrelevant: int = 2,
) -> dict[str, float]:
    """Per indicator, the score cut-off that maximises F1 on labelled, scored items.

    ``scored``: ``(indicator id, score, relevant)`` for every labelled item (a passage's
    score for that indicator, whether or not it was proposed). An item counts as proposed
    when its score is at or above the threshold. Candidate thresholds lie halfway between
    neighbouring scores; ties go to the higher precision, then the higher threshold.
    Indicators with fewer than ``min_relevant`` relevant or ``min_irrelevant`` irrelevant
    labels keep their default: a cut-off from one or two examples is noise.
    """
    by_indicator: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for indicator, score, relevant in scored:
        by_indicator[indicator].append((float(score), bool(relevant)))
    result = {}
    for indicator, items in by_indicator.items():
        fallback = default if isinstance(default, float | int) else default.get(indicator)
        positives = sum(r for _s, r in items)
        if positives < min_relevant or len(items) - positives < min_irrelevant:
            if fallback is not None:
                result[indicator] = float(fallback)
            continue
        result[indicator] = _best_cut(items)
    return result


def _best_cut(items: list[tuple[float, bool]]) -> float:
    scores = sorted({s for s, _r in items})
    candidates = [scores[0] - 1e-6] + [(a + b) / 2 for a, b in pairwise(scores)]
    candidates.append(scores[-1] + 1e-6)
    best, best_key = candidates[0], (-1.0, -1.0, 0.0)
    for cut in candidates:
        tp = sum(1 for s, r in items if s >= cut and r)
        fp = sum(1 for s, r in items if s >= cut and not r)
        fn = sum(1 for s, r in items if s < cut and r)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        precision = tp / (tp + fp) if tp + fp else 0.0
        key = (f1, precision, cut)
        if key > best_key:
            best, best_key = cut, key
    return round(best, 6)


def decision_proposals(
    results_by_document: Mapping[str, Iterable], *, partly_counts: bool = True
) -> set[Pair]:
    """``{(indicator, document)}`` the scorer calls covered ("deels" too, unless told not)."""
    positive = {"gedekt", "deels"} if partly_counts else {"gedekt"}
    return {
        (result.indicator_id, document)
        for document, results in results_by_document.items()
        for result in results
        if result.decision in positive
    }


def passage_proposals(
    results_by_document: Mapping[str, Iterable], thresholds: Mapping[str, float]
) -> set[Pair]:
    """``{(indicator, (document, passage index))}``: ranked passages at or above threshold."""
    return {
        (result.indicator_id, (document, scored.passage.index))
        for document, results in results_by_document.items()
        for result in results
        for scored in result.passages
        if scored.score >= thresholds[result.indicator_id]
    }


# -- a labelled pool of passages -------------------------------------------------------------


@dataclass(frozen=True)
class PassageLabel:
    """One person's judgement: is the passage starting at (page, line) evidence for the
    indicator? A label names the passage by where it starts, as a citation does."""

    document: str
    line: int
    indicator_id: str
    relevant: bool
    page: int | None = None


# Hand labels on seeds 004 and 001 (docs/plan-scan-evaluation.md); the demo codes plan 004
# from them, and the evaluation test recomputes the documented figures with them.
LABELS_FILE = Path(__file__).resolve().parent / "data" / "gelabelde_passages.csv"


def read_labels(path) -> list[PassageLabel]:
    """Labels from a CSV with columns document, regel, indicator, relevant (0/1), [pagina]."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        return [
            PassageLabel(
                document=row["document"],
                line=int(row["regel"]),
                indicator_id=row["indicator"],
                relevant=row["relevant"].strip() == "1",
                page=int(row["pagina"]) if row.get("pagina") else None,
            )
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class PoolScores:
    results: dict[str, list]  # document → IndicatorResult list (top k, decisions)
    scored: list[tuple[str, float, bool]]  # (indicator, score, relevant), one per label, in order
    gold: dict[Pair, bool]  # (indicator, (document, passage index)) → relevant


def score_pool(
    documents: Mapping[str, object],
    labels: Sequence[PassageLabel],
    scorer,
    indicators: Sequence,
    *,
    thresholds: Mapping[str, float],
    top_k: int = 5,
) -> PoolScores:
    """Score each labelled document once; every label gets its passage's score.

    The scorer must offer ``passage_scores(document, indicators)`` (all built-ins do).
    A label that does not point at the start of a passage raises ValueError: the labels
    were made on another version of the passage splitting and must be redone.
    """
    from regiotafel.plans.scoring import results_from_matrix

    positions = {spec.id: row for row, spec in enumerate(indicators)}
    cut = [thresholds[spec.id] for spec in indicators]
    results, matrices, starts = {}, {}, {}
    for name, document in documents.items():
        matrices[name] = scorer.passage_scores(document, list(indicators))
        results[name] = results_from_matrix(document, list(indicators), matrices[name], cut, top_k)
        starts[name] = {(p.page, p.line): p.index for p in document.passages}
    scored, gold = [], {}
    for label in labels:  # in the labels' order: scored[i] belongs to labels[i]
        index = starts[label.document].get((label.page, label.line))
        if index is None:
            raise ValueError(f"{label.document}: no passage starts at line {label.line}")
        score = float(matrices[label.document][positions[label.indicator_id], index])
        scored.append((label.indicator_id, score, label.relevant))
        gold[(label.indicator_id, (label.document, index))] = label.relevant
    return PoolScores(results, scored, gold)
