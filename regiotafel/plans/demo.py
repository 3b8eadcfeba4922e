"""Demo plans: the two Zuid-Holland Noord documents (seeds 000 and 004) and Kennemerland's
regional vision (seed 001), scanned with the default lexical scorer on first start, and a few
demo codings by the demo analyst and administrator on the ZHN plans, so the matrix shows
confirmed cells and the plan page an agreement figure. Idempotent: an existing demo plan is
left as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from regiotafel.core.demo import DATA_DIR
from regiotafel.core.models import Region, User
from regiotafel.plans import jobs, services
from regiotafel.plans.models import Plan, PlanStatus, Verdict

PLANS = [
    ("Zuid-Holland Noord", "000_91872e73b079777e.txt", "Regiovisie ouderenzorg", "regiovisie"),
    ("Zuid-Holland Noord", "004_4d2e3de32583dcaa.txt", "Regioplan IZA", "regioplan IZA"),
    ("Kennemerland", "001_c48e1087b87b02ba.txt", "Regiovisie ouderenzorg tot 2024", "regiovisie"),
]
CODED_REGION = "Zuid-Holland Noord"
CODED_PER_PLAN = 4  # the strongest proposals are confirmed, the weakest coded 'niet gedekt'


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


def _demo_codings(plan: Plan) -> None:
    analyst = User.objects.filter(username="analist").first()
    admin = User.objects.filter(username="beheerder").first()
    if analyst is None or plan.codings.exists():
        return
    proposals = list(plan.proposals.filter(scorer=plan.scorer).order_by("-score", "pk"))
    strong, weak = proposals[:CODED_PER_PLAN], proposals[-1:]
    for proposal in strong:
        top = proposal.ranked.order_by("rank").first()
        if top is None:
            continue
        services.judge_passage(
            user=analyst,
            plan=plan,
            indicator=proposal.indicator,
            passage_id=top.passage_id,
            accepted=True,
            note=_("Democodering"),
        )
        services.code_indicator(
            user=analyst,
            plan=plan,
            indicator=proposal.indicator,
            verdict=Verdict.GEDEKT,
            note=_("Democodering"),
            evidence=[top.passage_id],
            is_demo=True,
        )
        if admin is not None:  # a second analyst, who finds the last one only partly covered
            verdict = Verdict.DEELS if proposal is strong[-1] else Verdict.GEDEKT
            services.code_indicator(
                user=admin,
                plan=plan,
                indicator=proposal.indicator,
                verdict=verdict,
                note=_("Democodering"),
                evidence=[top.passage_id],
                is_demo=True,
            )
    for proposal, user in ((p, u) for p in weak for u in (analyst, admin) if u is not None):
        services.code_indicator(
            user=user,
            plan=plan,
            indicator=proposal.indicator,
            verdict=Verdict.NIET_GEDEKT,
            note=_("Democodering"),
            is_demo=True,
        )
