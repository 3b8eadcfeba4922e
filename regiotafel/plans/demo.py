"""Demo plans: the two Zuid-Holland Noord documents (seeds 000 and 004) and Kennemerland's
regional vision (seed 001), scanned with the default lexical scorer on first start.

The ZHN regional plan (004) carries demo codings taken from real hand labels
(``data/gelabelde_passages.csv``, docs/plan-scan-evaluation.md), so the reliability page shows
measured figures rather than made-up agreement: the demo analyst judges every labelled
passage and codes the ten labelled indicators from them; the demo administrator, a second
coder, read only the labels' random sample of passages and codes from those, which is where
the two disagree (Cohen's κ on the plan page). Idempotent: an existing demo plan, and a plan
with codings, is left as it is.
"""

from __future__ import annotations

import csv
from collections import defaultdict

from django.utils.translation import gettext as _

from regiotafel.core.demo import DATA_DIR
from regiotafel.core.models import Region, User
from regiotafel.plans import jobs, services
from regiotafel.plans.evaluation import LABELS_FILE
from regiotafel.plans.models import Plan, PlanStatus, Verdict

PLANS = [
    ("Zuid-Holland Noord", "000_91872e73b079777e.txt", "Regiovisie ouderenzorg", "regiovisie"),
    ("Zuid-Holland Noord", "004_4d2e3de32583dcaa.txt", "Regioplan IZA", "regioplan IZA"),
    ("Kennemerland", "001_c48e1087b87b02ba.txt", "Regiovisie ouderenzorg tot 2024", "regiovisie"),
]

CODED_REGION = "Zuid-Holland Noord"


def seed(*, region: Region, organisations: dict, **_ignored) -> None:
    framework = services.ensure_default_framework()
    for region_name, file_name, title, version in PLANS:
        owner = Region.objects.get(name=region_name)
        plan = Plan.objects.filter(region=owner, file_name=file_name, is_demo=True).first()
        if plan is None:
            plan = services.upload_plan(
                user=None,
                region=owner,
                framework=framework,
                title=title,
                version=version,
                source=(DATA_DIR / "seeds" / file_name).read_bytes(),
                file_name=file_name,
                is_demo=True,
            )
            plan = jobs.process(plan.pk)
        if region_name == CODED_REGION and plan.status == PlanStatus.KLAAR:
            _demo_codings(plan)


def hand_labels(file_name: str) -> dict[str, list[tuple[int, bool, bool]]]:
    """indicator code → [(starting line, relevant, in the random sample)] for one document."""
    found = defaultdict(list)
    with open(LABELS_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["document"] == file_name:
                found[row["indicator"]].append(
                    (int(row["regel"]), row["relevant"] == "1", row["steekproef"] == "1")
                )
    return dict(found)


def verdict_for(relevant: int) -> str:
    """The scan's own rule applied to labelled evidence: two passages cover, one partly."""
    return Verdict.GEDEKT if relevant >= 2 else Verdict.DEELS if relevant else Verdict.NIET_GEDEKT


def _demo_codings(plan: Plan) -> None:
    analyst = User.objects.filter(username="analist").first()
    admin = User.objects.filter(username="beheerder").first()
    labels = hand_labels(plan.file_name)
    if analyst is None or not labels or plan.codings.exists():
        return
    passages = dict(plan.passages.values_list("line", "pk"))
    indicators = {i.code: i for i in plan.framework.indicators.all()}
    note = _("Democodering uit de handlabels (docs/plan-scan-evaluation.md)")
    for code, rows in labels.items():
        rows = [
            (passages[line], relevant, sample)
            for line, relevant, sample in rows
            if line in passages
        ]
        indicator = indicators[code]
        for passage_id, relevant, _sample in rows:
            services.judge_passage(
                user=analyst,
                plan=plan,
                indicator=indicator,
                passage_id=passage_id,
                accepted=relevant,
                note=note,
            )
        # The analyst codes last: the matrix and the reliability page use the latest verdict.
        coders = [(admin, [r for r in rows if r[2]])] if admin is not None else []  # sample only
        coders.append((analyst, rows))
        for user, seen in coders:
            evidence = [passage_id for passage_id, relevant, _sample in seen if relevant]
            services.code_indicator(
                user=user,
                plan=plan,
                indicator=indicator,
                verdict=verdict_for(len(evidence)),
                note=note,
                evidence=evidence,
                is_demo=True,
            )
