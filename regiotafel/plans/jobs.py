"""Reading and scoring an uploaded plan, as a job on the task queue.

An upload is stored as 'wachtend' and :func:`start` enqueues :func:`process_plan` with the
upload's transaction (docs/operations.md), or, for a small file and the lexical scorer,
processes it right after the commit in the request (about a second). A worker runs the job;
progress is written to the plan row, which the plan page polls with htmx. Passages and
proposals are written in ONE transaction at the end, after locking the plan row and checking
it is still being processed: a failure at any point leaves the plan 'mislukt' with a Dutch
message and nothing half-stored, and a second run of the same job (a worker killed after
storing, its lease run out) stores nothing twice. ``regiotafel plannen verwerk`` processes
plans left 'wachtend' or 'bezig' without a job (:func:`process_pending`); the scheduler
enqueues again every plan left 'wachtend' without a job for five minutes (:func:`requeue_waiting`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from regiotafel import errors
from regiotafel.core import audit
from regiotafel.core.models import AuditAction
from regiotafel.plans.models import Passage, Plan, PlanStatus, Proposal, ProposedPassage

log = logging.getLogger(__name__)

REQUEUE_AFTER = timedelta(minutes=5)  # a plan waiting longer without a job is enqueued again
INLINE_BYTES = 200_000  # smaller files, lexical scorer: processed in the request (about 1 s)
TOP_K = 5
READ_SHARE = 60  # reading the file is the first 60 % of the progress bar, scoring the rest
# (the bar stops at 99 % until the results are stored)


class AlreadyProcessed(Exception):
    """Another run of this plan's job stored its results first."""


def start(plan_id: int, scorer: str | None = None) -> None:
    """Within the transaction that stored or reset the plan: process it (read and score it,
    or with ``scorer``: score its stored passages again) right after the commit when small
    and lexical, else enqueue the job with this transaction."""
    found = (
        Plan.objects.filter(pk=plan_id)
        .annotate(size=Length("source"))
        .values_list("size", "scorer", "status")
        .first()
    )
    if found is None or found[2] != PlanStatus.WACHTEND:
        return  # already processed (the demo does so inside its own transaction)
    if found[0] <= INLINE_BYTES and (scorer or found[1]) == "lexicaal":
        transaction.on_commit(lambda: process(plan_id, scorer))
        return
    from regiotafel.ops.queue import enqueue_on_commit

    enqueue_on_commit(process_plan, plan_id, scorer)


@task()
def process_plan(plan_id: int, scorer: str | None = None) -> str:
    """The queued job. Idempotent: a plan no longer waiting or busy was done by an earlier
    run (a worker killed after storing) and is left alone."""
    status = Plan.objects.filter(pk=plan_id).values_list("status", flat=True).first()
    if status not in (PlanStatus.WACHTEND, PlanStatus.BEZIG):
        return f"plan {plan_id}: {status or 'verwijderd'}, niets te doen"
    return f"plan {plan_id}: {process(plan_id, scorer).status}"


def requeue_waiting(*, older_than: timedelta = REQUEUE_AFTER) -> list[int]:
    """Enqueue the job again for every uploaded plan still 'wachtend' (never read) after
    ``older_than`` with no ready or running job: its enqueue was lost (on the Redis queue the
    job is enqueued after the upload's commit, so a process killed in between loses it; a
    request killed while it processed a small plan after its commit likewise). The scheduler
    runs this (``plannen-herstellen``); a job enqueued twice stores its plan once. A waiting
    rescore (passages stored) is left alone: the scorer it asked for is only in its job."""
    from regiotafel.ops import queue

    live = {
        entry["args"][0]
        for entry in queue.live_job_args(process_plan.module_path, backend=process_plan.backend)
        if entry.get("args")
    }
    waiting = (
        Plan.objects.filter(status=PlanStatus.WACHTEND, created_at__lt=timezone.now() - older_than)
        .exclude(pk__in=live)
        .exclude(passages__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    requeued = list(waiting)
    for plan_id in requeued:
        process_plan.enqueue(plan_id)
    if requeued:
        log.warning("plans %s were waiting without a job: enqueued again", requeued)
    return requeued


def process_pending() -> list[int]:
    """Process every plan still waiting, or left 'bezig' by a stopped server; their ids."""
    pending = list(
        Plan.objects.filter(status__in=[PlanStatus.WACHTEND, PlanStatus.BEZIG])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for plan_id in pending:
        process(plan_id)
    return pending


def process(plan_id: int, scorer: str | None = None) -> Plan:
    """Read (unless its passages are stored already), score and store one plan; never raises
    for a bad document: the plan says why. A plan that was read before keeps its passages, and
    with them its analysts' judgements and evidence; a failed rescore keeps the old proposals."""
    plan = Plan.objects.get(pk=plan_id)
    scorer = scorer or plan.scorer
    was_read = plan.passages.exists()
    _set_progress(plan, READ_SHARE if was_read else 1, status=PlanStatus.BEZIG)
    try:
        document = _stored_document(plan) if was_read else _read(plan)
        _set_progress(plan, READ_SHARE)
        _store(plan, document, score_document(plan, document, scorer), scorer, was_read)
    except AlreadyProcessed:
        log.info("plan %s was stored by another run of its job", plan_id)
    except Exception as exc:  # noqa: BLE001 - any failure must end as a clear message
        if not isinstance(exc, errors.RegiotafelError):
            log.exception("plan %s could not be processed", plan_id)
        # The cause is in the server log; a Python class name means nothing to the reader.
        message = getattr(exc, "detail", None) or _(
            "Bestand %(name)s kon niet worden verwerkt door een fout aan onze kant; "
            "probeer het later opnieuw."
        ) % {"name": plan.file_name}
        _fail(plan, message, keep=was_read)
    return Plan.objects.get(pk=plan_id)


def _read(plan: Plan):
    from regiotafel.plans import ingest

    return ingest.read_document(
        bytes(plan.source),
        name=plan.file_name,
        progress=lambda done, total: _set_progress(plan, READ_SHARE * done // max(total, 1)),
    )


def _stored_document(plan: Plan):
    from regiotafel.plans.services import document_of

    return document_of(plan)


def score_document(plan: Plan, document, scorer_name: str) -> list:
    from regiotafel.plans import scoring
    from regiotafel.plans.services import specs_for

    def progress(done: int, total: int) -> None:  # scoring fills the bar after reading
        _set_progress(plan, READ_SHARE + (100 - READ_SHARE) * done // max(total, 1))

    scorer = scoring.get_scorer(scorer_name)
    specs = specs_for(plan.framework, scorer_name)
    return scorer.score(document, specs, top_k=TOP_K, progress=progress)


def _set_progress(plan: Plan, percent: int, *, status: str | None = None) -> None:
    percent = max(0, min(99, int(percent)))
    if percent == plan.progress and status is None:
        return
    plan.progress = percent
    fields = {"progress": percent}
    if status:
        plan.status = fields["status"] = status
        audit.update(Plan.objects.filter(pk=plan.pk), **fields)
        return
    Plan.objects.filter(pk=plan.pk).update(**fields)  # progress only: bookkeeping, not audited


def _fail(plan: Plan, message: str, *, keep: bool = False) -> None:
    """'mislukt', without the unreadable file: only the row saying why remains, until it is
    deleted; or, for a plan read before, back to 'klaar' with its earlier proposals."""
    found = Plan.objects.filter(pk=plan.pk)
    if keep:
        fields = {"status": PlanStatus.KLAAR, "progress": 100}
    else:
        fields = {"status": PlanStatus.MISLUKT, "progress": plan.progress, "source": b""}
        # Another worker (the server's thread and `plannen verwerk` at once) may have
        # finished this plan meanwhile, which is why storing failed: leave its result alone.
        found = found.exclude(status=PlanStatus.KLAAR)
    audit.update(found, **fields, error=message, processed_at=timezone.now())


@transaction.atomic
def _store(plan: Plan, document, results: list, scorer: str, was_read: bool) -> None:
    status = Plan.objects.select_for_update().filter(pk=plan.pk).values_list("status", flat=True)
    if status.first() != PlanStatus.BEZIG:  # another run stored (or the plan was deleted)
        raise AlreadyProcessed(plan.pk)
    if not was_read:
        stored = Passage.objects.bulk_create(
            Passage(plan=plan, index=p.index, page=p.page, line=p.line, text=p.text)
            for p in document.passages
        )
        audit.record_bulk(AuditAction.CREATE, Passage, count=len(stored), parent=plan)
    store_proposals(plan, results, scorer)
    audit.update(
        Plan.objects.filter(pk=plan.pk),
        scorer=scorer,
        status=PlanStatus.KLAAR,
        progress=100,
        error="",
        pages=document.pages,
        scanned_pages=list(document.scanned_pages),
        warnings=list(document.warnings),
        processed_at=timezone.now(),
    )


@transaction.atomic
def store_proposals(plan: Plan, results: list, scorer_name: str) -> None:
    """Replace this scorer's proposals for the plan with the given IndicatorResults."""
    indicators = {i.code: i for i in plan.framework.indicators.all()}
    passages = {p.index: p for p in plan.passages.all()}
    plan.proposals.filter(scorer=scorer_name).delete()
    ranked = []
    for result in results:
        proposal = Proposal.objects.create(
            plan=plan,
            indicator=indicators[result.indicator_id],
            scorer=scorer_name,
            score=float(result.score),
            decision=result.decision,
        )
        ranked += [
            ProposedPassage(
                proposal=proposal,
                passage=passages[scored.passage.index],
                rank=rank,
                score=float(scored.score),
            )
            for rank, scored in enumerate(result.passages, start=1)
        ]
    ProposedPassage.objects.bulk_create(ranked)
    audit.record_bulk(AuditAction.CREATE, ProposedPassage, count=len(ranked), parent=plan)
