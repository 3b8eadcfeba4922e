"""What referrers, triagists and provider planners see first on their home page."""

from django.db.models import Count
from django.utils import timezone

from regiotafel.capacity import availability, cases, summary
from regiotafel.capacity.models import FINAL_STATES, Bed, Claim, ClaimState
from regiotafel.core.models import Role
from regiotafel.core.views import home_panel


@home_panel(Role.VERWIJZER)
def referrer_panel(request, organisation) -> dict:
    mine = cases.visible_cases(request.user).filter(referrer_organisation=organisation)
    return {
        "template": "capacity/home/verwijzer.html",
        "organisation": organisation,
        "open_cases": mine.exclude(state__in=FINAL_STATES).order_by("-registered_at")[:5],
        "free": _free_per_type(organisation),
    }


@home_panel(Role.TRIAGIST)
def triagist_panel(request, organisation) -> dict:
    queue = cases.triage_queue(user=request.user)
    return {
        "template": "capacity/home/triagist.html",
        "organisation": organisation,
        "queue": queue[:5],
        "queue_size": queue.count(),
        "free": _free_per_type(organisation),
    }


@home_panel(Role.CAPACITEITSBEHEERDER)
def planner_panel(request, organisation) -> dict:
    now = timezone.now()
    beds = Bed.objects.filter(location__organisation=organisation)
    per_location = (
        beds.values("location__name")
        .annotate(free=Count("pk", filter=availability.free_now(now)), total=Count("pk"))
        .order_by("location__name")
    )
    waiting = Claim.objects.filter(
        bed__location__organisation=organisation, state=ClaimState.ACTIEF, expires_at__gt=now
    ).count()
    return {
        "template": "capacity/home/capaciteitsbeheerder.html",
        "organisation": organisation,
        "per_location": per_location,
        "waiting_claims": waiting,
        "stale_warnings": _stale_warnings(organisation),
    }


def _stale_warnings(organisation) -> list:
    """The scheduler's open warnings of locations whose availability went stale (ops.stale)."""
    from regiotafel.ops import stale

    return list(stale.open_for(organisation.pk))


def _free_per_type(organisation) -> list[dict]:
    """The bed types with a bed free now in the organisation's region."""
    return [row for row in summary.free_per_type(organisation.region_id) if row["free"] > 0]
