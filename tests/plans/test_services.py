"""Plan analysis in the platform: frameworks, uploads processed without half results,
coding with evidence, agreement, and the results over plans."""

from __future__ import annotations

import pytest

from regiotafel import errors
from regiotafel.core.demo import DATA_DIR
from regiotafel.core.models import Role
from regiotafel.plans import jobs, services
from regiotafel.plans.models import (
    Coding,
    Framework,
    Indicator,
    Passage,
    Plan,
    PlanStatus,
    Proposal,
    ProposedPassage,
    Verdict,
)
from tests.conftest import make_user
from tests.plans.conftest import PARAGRAPHS
from tests.plans.fixtures.documents import encrypt_pdf, make_pdf, wrap

pytestmark = pytest.mark.integration

KENNEMERLAND = DATA_DIR / "seeds" / "001_c48e1087b87b02ba.txt"
ZHN_VISION = DATA_DIR / "seeds" / "000_91872e73b079777e.txt"


@pytest.fixture
def framework(db):
    return services.ensure_default_framework()


@pytest.fixture
def inline(monkeypatch, django_capture_on_commit_callbacks):
    """Process uploads on commit in this thread (a queued job runs at once in tests)."""
    def upload(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            plan = services.upload_plan(**kwargs)
        return Plan.objects.get(pk=plan.pk)

    return upload


@pytest.fixture
def plan(cast, framework, inline):
    return inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Regiovisie",
        version="2024",
        source=KENNEMERLAND.read_bytes(),
        file_name=KENNEMERLAND.name,
    )


def strongest(plan, n=1) -> list[Proposal]:
    return list(plan.proposals.order_by("-score", "pk")[:n])


# --- frameworks -------------------------------------------------------------------------------


def test_the_default_framework_holds_the_30_indicators_in_8_categories(framework):
    assert framework.indicators.count() == 30
    assert framework.categories.count() == 8
    prev = Indicator.objects.get(framework=framework, code="PREV-3")
    assert prev.question.endswith("?")


def test_loading_the_default_framework_twice_changes_nothing(framework):
    again = services.ensure_default_framework()
    assert again.pk == framework.pk
    assert Indicator.objects.count() == 30


FRAMEWORK_CSV = (
    "id,categorie,indicator,toetsvraag,synoniemen\n"
    "KK-1,Persoonsgerichte zorg,Wensen van de cliënt,Staat de cliënt centraal?,wensen|behoeften\n"
    "KK-2,Wonen en welzijn,Zinvolle dag,Is er aandacht voor dagbesteding?,\n"
)


def test_an_analyst_adds_a_new_framework_from_a_csv_without_code_changes(cast):
    created = services.import_framework(
        user=cast.analyst,
        name="Kwaliteitskader",
        source=FRAMEWORK_CSV.encode(),
        file_name="kader.csv",
    )
    assert [i.code for i in created.indicators.all()] == ["KK-1", "KK-2"]
    assert created.indicators.get(code="KK-1").synonyms == ["wensen", "behoeften"]
    assert created.categories.count() == 2


def test_a_framework_file_with_bad_rows_names_them_and_stores_nothing(cast):
    bad = FRAMEWORK_CSV + "KK-1,Wonen,Dubbel,Nog eens?,\n,Wonen,Zonder code,Waar?,\n"
    with pytest.raises(errors.InvalidInput) as caught:
        services.import_framework(
            user=cast.analyst, name="Kwaliteitskader", source=bad.encode(), file_name="kader.csv"
        )
    found = {(e.row, e.field) for e in caught.value.errors}
    assert (4, "id") in found and (5, "id") in found
    assert "kader.csv" in caught.value.detail
    assert not Framework.objects.filter(name="Kwaliteitskader").exists()


def test_a_framework_name_is_used_only_once(cast, framework):
    with pytest.raises(errors.Conflict):
        services.import_framework(
            user=cast.analyst,
            name=framework.name.upper(),
            source=FRAMEWORK_CSV.encode(),
            file_name="kader.csv",
        )


def test_a_provider_planner_may_not_add_a_framework(cast):
    with pytest.raises(errors.PermissionDenied):
        services.import_framework(
            user=cast.planner, name="X", source=FRAMEWORK_CSV.encode(), file_name="kader.csv"
        )


def test_synonyms_are_cleaned_and_kept_once(cast, framework):
    indicator = framework.indicators.get(code="PREV-3")
    services.update_vocabulary(
        user=cast.analyst,
        indicator=indicator,
        synonyms=["  valpreventie ", "Valpreventie", "", "vallen  voorkomen"],
        examples=["Wij voorkomen valincidenten thuis."],
    )
    indicator.refresh_from_db()
    assert indicator.synonyms == ["valpreventie", "vallen voorkomen"]
    assert indicator.examples == ["Wij voorkomen valincidenten thuis."]


def test_the_scorer_receives_the_calibrated_threshold_of_its_own_name(framework):
    framework.indicators.filter(code="PREV-3").update(thresholds={"lexicaal": 4.5})
    specs = {s.id: s for s in services.specs_for(framework, "lexicaal")}
    assert specs["PREV-3"].threshold == 4.5
    assert specs["CUL-1"].threshold is None
    assert {s.id: s for s in services.specs_for(framework, "semantisch")}[
        "PREV-3"
    ].threshold is None


# --- uploads and processing -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan.txt", "plan.html"])
def test_nul_characters_in_a_text_plan_are_dropped_so_any_database_stores_it(
    cast, framework, inline, name
):
    text = KENNEMERLAND.read_bytes().replace(b" de ", b" d\x00e ")
    if name.endswith(".html"):
        text = b"<html><body><p>" + text.replace(b"\n\n", b"</p><p>") + b"</p></body></html>"
    plan = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Regiovisie",
        source=text,
        file_name=name,
        scorer="lexicaal",
    )
    assert plan.status == PlanStatus.KLAAR
    assert plan.passages.filter(text__contains=" de ").exists()
    assert not any("\x00" in text for text in plan.passages.values_list("text", flat=True))


def test_an_uploaded_plan_is_read_and_scored_with_passages_that_cite_lines(plan):
    assert plan.status == PlanStatus.KLAAR and plan.progress == 100
    assert plan.kind == "txt" and plan.pages is None
    assert plan.passages.count() > 20
    assert plan.proposals.filter(scorer="lexicaal").count() == 30
    best = strongest(plan)[0]
    assert best.decision in Verdict.values
    ranked = list(best.ranked.select_related("passage"))
    assert 1 <= len(ranked) <= jobs.TOP_K
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert ranked[0].passage.page is None and ranked[0].passage.line >= 1
    assert ranked[0].passage.citation.startswith("r. ")


@pytest.mark.parametrize(
    "source, name, reason",
    [
        (b"%PDF-1.7\n this is not really a pdf", "kapot.pdf", "beschadigd"),
        (
            encrypt_pdf(make_pdf([wrap(" ".join(PARAGRAPHS))]), password="x"),
            "geheim.pdf",
            "versleuteld",
        ),
        (("melk brood kaas appels " * 60).encode(), "lijstje.txt", "geen regioplan"),
        (b"   \n\n  ", "leeg.txt", "leeg"),
    ],
)
def test_a_bad_file_is_refused_at_upload_with_its_reason_and_nothing_is_stored(
    cast, framework, source, name, reason
):
    with pytest.raises(errors.InvalidInput) as caught:
        services.upload_plan(
            user=cast.analyst,
            region=cast.region,
            framework=framework,
            title="x",
            source=source,
            file_name=name,
        )
    assert name in caught.value.detail and reason in caught.value.detail
    assert not Plan.objects.exists()


def test_a_large_encrypted_pdf_is_refused_at_upload_without_reading_its_text(
    cast, framework, monkeypatch
):
    monkeypatch.setattr(jobs, "INLINE_BYTES", 10)
    source = encrypt_pdf(make_pdf([wrap(" ".join(PARAGRAPHS))] * 3), password="x")
    with pytest.raises(errors.InvalidInput, match="versleuteld"):
        services.upload_plan(
            user=cast.analyst,
            region=cast.region,
            framework=framework,
            title="x",
            source=source,
            file_name="groot.pdf",
        )
    assert not Plan.objects.exists()


def test_a_large_file_found_unreadable_in_the_background_keeps_only_its_reason(
    cast, framework, inline, monkeypatch
):
    monkeypatch.setattr(jobs, "INLINE_BYTES", 10)  # not read at upload: 'large'
    plan = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Boodschappen",
        source=("melk brood kaas appels " * 60).encode(),
        file_name="lijstje.txt",
    )
    assert plan.status == PlanStatus.MISLUKT
    assert "lijstje.txt" in plan.error and "geen regioplan" in plan.error
    assert not plan.passages.exists() and not plan.proposals.exists()
    assert bytes(plan.source) == b""


def test_an_empty_or_unsupported_file_is_refused_at_upload(cast, framework):
    for source, name in [(b"", "leeg.txt"), (b"\x00\x01binary", "foto.jpg")]:
        with pytest.raises(errors.InvalidInput) as caught:
            services.upload_plan(
                user=cast.analyst,
                region=cast.region,
                framework=framework,
                title="x",
                source=source,
                file_name=name,
            )
        assert name in caught.value.detail
    assert not Plan.objects.exists()


def test_a_failure_while_storing_the_results_leaves_no_half_set(
    cast, framework, inline, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "store_proposals", broken)
    plan = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Regiovisie",
        source=KENNEMERLAND.read_bytes(),
        file_name=KENNEMERLAND.name,
    )
    assert plan.status == PlanStatus.MISLUKT
    assert "kon niet worden verwerkt" in plan.error
    assert "RuntimeError" not in plan.error and "disk full" not in plan.error
    assert not Passage.objects.exists() and not ProposedPassage.objects.exists()


def test_a_large_upload_is_queued_as_a_job_with_its_transaction(
    cast, framework, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(jobs, "INLINE_BYTES", 10)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        plan = services.upload_plan(
            user=cast.analyst,
            region=cast.region,
            framework=framework,
            title="Groot",
            source=KENNEMERLAND.read_bytes(),
            file_name=KENNEMERLAND.name,
        )
    job = DBTaskResult.objects.get()
    assert job.task_path == "regiotafel.plans.jobs.process_plan" and not callbacks
    assert job.args_kwargs == {"args": [plan.pk, None], "kwargs": {}}
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.WACHTEND


def test_an_upload_undone_by_its_transaction_leaves_no_job(cast, framework, monkeypatch, settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(jobs, "INLINE_BYTES", 10)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.upload_plan(
            user=cast.analyst,
            region=cast.region,
            framework=framework,
            title="Groot",
            source=KENNEMERLAND.read_bytes(),
            file_name=KENNEMERLAND.name,
        )
        raise RuntimeError("the request failed after the upload")
    assert not DBTaskResult.objects.exists() and not Plan.objects.exists()


def test_the_job_of_a_plan_already_stored_does_nothing(cast, plan):
    before = set(plan.proposals.values_list("pk", flat=True))
    message = jobs.process_plan.call(plan.pk, None)
    assert "niets te doen" in message
    assert set(plan.proposals.values_list("pk", flat=True)) == before


def test_the_progress_bar_moves_on_while_the_plan_is_scored(cast, framework, inline, monkeypatch):
    seen = []
    real = jobs._set_progress
    monkeypatch.setattr(
        jobs, "_set_progress", lambda plan, pct, **kw: (seen.append(pct), real(plan, pct, **kw))
    )
    plan = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Regiovisie",
        source=KENNEMERLAND.read_bytes(),
        file_name=KENNEMERLAND.name,
    )
    during_scoring = [p for p in seen if jobs.READ_SHARE < p < 100]
    assert len(set(during_scoring)) >= 10  # 30 indicators, each a step
    assert seen == sorted(seen)
    assert plan.status == PlanStatus.KLAAR and plan.progress == 100


def test_a_restart_processes_plans_left_waiting_or_busy(cast, framework):
    waiting = Plan.objects.create(
        region=cast.region,
        framework=framework,
        title="A",
        file_name=KENNEMERLAND.name,
        kind="txt",
        source=KENNEMERLAND.read_bytes(),
        scorer="lexicaal",
    )
    busy = Plan.objects.create(
        region=cast.region,
        framework=framework,
        title="B",
        file_name=ZHN_VISION.name,
        kind="txt",
        source=ZHN_VISION.read_bytes(),
        scorer="lexicaal",
        status=PlanStatus.BEZIG,
        progress=40,
    )
    assert jobs.process_pending() == [waiting.pk, busy.pk]
    assert set(Plan.objects.values_list("status", flat=True)) == {PlanStatus.KLAAR}


def test_a_plan_processed_by_two_workers_at_once_keeps_the_first_result(
    cast, framework, monkeypatch
):
    plan = Plan.objects.create(
        region=cast.region,
        framework=framework,
        title="A",
        file_name=KENNEMERLAND.name,
        kind="txt",
        source=KENNEMERLAND.read_bytes(),
        scorer="lexicaal",
    )
    real_read = jobs._read

    def read_while_another_worker_finishes(found):
        document = real_read(found)
        monkeypatch.setattr(jobs, "_read", real_read)
        jobs.process(found.pk)  # e.g. the server's thread, while `plannen verwerk` runs
        return document

    monkeypatch.setattr(jobs, "_read", read_while_another_worker_finishes)
    jobs.process(plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.KLAAR and bytes(plan.source) == KENNEMERLAND.read_bytes()
    assert plan.proposals.count() == 30 and plan.passages.exists()


def test_rescoring_replaces_that_scorers_proposals_and_keeps_the_codings(
    cast, plan, django_capture_on_commit_callbacks
):
    proposal = strongest(plan)[0]
    top = proposal.ranked.first().passage_id
    services.code_indicator(
        user=cast.analyst, plan=plan, indicator=proposal.indicator, verdict="gedekt", evidence=[top]
    )
    before = set(plan.proposals.values_list("pk", flat=True))
    passages = list(plan.passages.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.rescore(user=cast.analyst, plan=plan, scorer="lexicaal")
    plan.refresh_from_db()
    after = set(plan.proposals.values_list("pk", flat=True))
    assert plan.status == PlanStatus.KLAAR and len(after) == 30 and not before & after
    assert list(plan.passages.values_list("pk", flat=True)) == passages
    assert list(Coding.objects.get().evidence.values_list("pk", flat=True)) == [top]


def test_a_failed_rescore_keeps_the_earlier_proposals_and_says_why(
    cast, plan, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("model missing")

    monkeypatch.setattr(jobs, "score_document", broken)
    before = set(plan.proposals.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.rescore(user=cast.analyst, plan=plan, scorer="lexicaal")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.KLAAR and "kon niet worden verwerkt" in plan.error
    assert set(plan.proposals.values_list("pk", flat=True)) == before


def test_a_slow_scorer_rescores_as_a_queued_job(cast, plan, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.rescore(user=cast.analyst, plan=plan, scorer="semantisch")
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["args"] == [plan.pk, "semantisch"]
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.WACHTEND


def test_a_plan_left_busy_after_reading_keeps_its_passages_and_codings(cast, plan):
    proposal = strongest(plan)[0]
    top = proposal.ranked.first().passage_id
    services.code_indicator(
        user=cast.analyst, plan=plan, indicator=proposal.indicator, verdict="gedekt", evidence=[top]
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.BEZIG)
    assert jobs.process_pending() == [plan.pk]
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.KLAAR
    assert list(Coding.objects.get().evidence.values_list("pk", flat=True)) == [top]


def test_an_analyst_of_another_region_may_not_upload(cast, framework):
    elsewhere = make_user("ander", (cast.far, Role.REGIO_ANALIST))
    with pytest.raises(errors.PermissionDenied):
        services.upload_plan(
            user=elsewhere,
            region=cast.region,
            framework=framework,
            title="x",
            source=KENNEMERLAND.read_bytes(),
            file_name=KENNEMERLAND.name,
        )


# --- coding -----------------------------------------------------------------------------------


def test_an_analyst_codes_an_indicator_with_the_accepted_passage_as_evidence(cast, plan):
    proposal = strongest(plan)[0]
    top = proposal.ranked.first().passage
    services.judge_passage(
        user=cast.analyst,
        plan=plan,
        indicator=proposal.indicator,
        passage_id=top.pk,
        accepted=True,
        note="klopt",
    )
    coding = services.code_indicator(
        user=cast.analyst,
        plan=plan,
        indicator=proposal.indicator,
        verdict="gedekt",
        evidence=[top.pk],
    )
    assert list(coding.evidence.all()) == [top]
    found = services.review(user=cast.analyst, plan=plan, indicator=proposal.indicator)
    assert found.coding == coding and found.ranked[0]["judgement"].accepted
    assert found.ranked[0]["judgement"].note == "klopt"


def test_changing_a_verdict_updates_the_one_coding(cast, plan):
    indicator = strongest(plan)[0].indicator
    services.code_indicator(
        user=cast.analyst, plan=plan, indicator=indicator, verdict="niet gedekt"
    )
    services.code_indicator(
        user=cast.analyst,
        plan=plan,
        indicator=indicator,
        verdict="deels",
        evidence=[plan.passages.first().pk],
    )
    assert list(Coding.objects.values_list("verdict", flat=True)) == ["deels"]


def test_covered_without_evidence_is_refused(cast, plan):
    with pytest.raises(errors.InvalidInput):
        services.code_indicator(
            user=cast.analyst, plan=plan, indicator=strongest(plan)[0].indicator, verdict="gedekt"
        )


def test_evidence_from_another_plan_is_refused(cast, plan, framework, inline):
    other = inline(
        user=cast.analyst,
        region=cast.region,
        framework=framework,
        title="Ander",
        source=ZHN_VISION.read_bytes(),
        file_name=ZHN_VISION.name,
    )
    with pytest.raises(errors.NotFound):
        services.code_indicator(
            user=cast.analyst,
            plan=plan,
            indicator=strongest(plan)[0].indicator,
            verdict="gedekt",
            evidence=[other.passages.first().pk],
        )


def test_a_provider_planner_may_not_code_or_judge(cast, plan):
    indicator = strongest(plan)[0].indicator
    with pytest.raises(errors.PermissionDenied):
        services.code_indicator(user=cast.planner, plan=plan, indicator=indicator, verdict="deels")
    with pytest.raises(errors.PermissionDenied):
        services.judge_passage(
            user=cast.planner,
            plan=plan,
            indicator=indicator,
            passage_id=plan.passages.first().pk,
            accepted=True,
        )


def test_two_analysts_coding_the_same_plan_get_cohens_kappa(cast, plan):
    second = make_user("analist2", (cast.neighbour, Role.REGIO_ANALIST))
    evidence = [plan.passages.first().pk]
    first_verdicts = ["gedekt", "gedekt", "niet gedekt", "niet gedekt"]
    second_verdicts = ["gedekt", "niet gedekt", "niet gedekt", "niet gedekt"]
    for proposal, a, b in zip(strongest(plan, 4), first_verdicts, second_verdicts, strict=True):
        for user, verdict in ((cast.analyst, a), (second, b)):
            services.code_indicator(
                user=user,
                plan=plan,
                indicator=proposal.indicator,
                verdict=verdict,
                evidence=evidence if verdict != "niet gedekt" else [],
            )
    [found] = services.agreement(plan=plan)
    assert (found.indicators, found.same) == (4, 3)
    assert found.kappa == pytest.approx(0.5)  # po 0.75, pe 0.5


def test_calibration_sets_a_threshold_between_accepted_and_rejected_passages(cast, plan):
    proposal = strongest(plan)[0]
    ranked = list(proposal.ranked.order_by("rank"))
    lowest = plan.passages.exclude(pk__in=[r.passage_id for r in ranked])[:2]
    for r in ranked[:2]:
        services.judge_passage(
            user=cast.analyst,
            plan=plan,
            indicator=proposal.indicator,
            passage_id=r.passage_id,
            accepted=True,
        )
    for passage in lowest:
        services.judge_passage(
            user=cast.analyst,
            plan=plan,
            indicator=proposal.indicator,
            passage_id=passage.pk,
            accepted=False,
        )
    changed = services.calibrate(user=cast.analyst, framework=plan.framework, scorer="lexicaal")
    indicator = proposal.indicator
    indicator.refresh_from_db()
    cut = indicator.thresholds["lexicaal"]
    assert changed == {indicator.code: cut}
    assert ranked[1].score >= cut  # both accepted passages are at or above it


def test_calibration_leaves_indicators_with_too_few_labels_alone(cast, plan):
    assert services.calibrate(user=cast.analyst, framework=plan.framework, scorer="lexicaal") == {}
    assert not plan.framework.indicators.exclude(thresholds={}).exists()
