"""The management figures on the demo data match a direct computation."""

import statistics
from collections import Counter

import pytest
from django.utils import timezone

from regiotafel.core import demo
from regiotafel.core.models import Region
from regiotafel.waitlist import reports
from regiotafel.waitlist.models import DuplicateCandidate, Registration

pytestmark = pytest.mark.integration


@pytest.mark.unit
def test_percentile_interpolates_between_ranks():
    assert reports.percentile([1, 2, 3, 4, 5], 50) == 3
    assert reports.percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
    assert reports.percentile([], 90) is None


@pytest.mark.unit
def test_small_counts_are_suppressed_for_analysts():
    assert reports.suppress(3, active=True) == "<5"
    assert reports.suppress(0, active=True) == 0
    assert reports.suppress(5, active=True) == 5
    assert reports.suppress(3, active=False) == 3


def test_the_demo_figures_match_a_direct_computation(db):
    demo.seed(password="een-demo-wachtwoord")
    region = Region.objects.get(name="Zuid-Holland Noord")
    today = timezone.localdate()
    figures = reports.figures(region=region, today=today)
    waiting = list(Registration.objects.filter(state="open"))
    assert figures.waiting == len(waiting) > 250
    assert figures.clients_waiting == len({r.client_id for r in waiting})
    assert figures.by_status == dict(Counter(r.status for r in waiting))
    assert figures.by_profile == dict(Counter(r.care_profile for r in waiting))
    days = [(today - r.indication_date).days for r in waiting]
    assert figures.median_days == statistics.median(days)
    assert figures.p90_days == pytest.approx(
        statistics.quantiles(days, n=10, method="inclusive")[-1]
    )
    closed = Registration.objects.exclude(state="open").count()
    assert sum(figures.outflow.values()) == closed > 0
    assert sum(figures.inflow.values()) == Registration.objects.count()
    assert figures.duplicates_found == DuplicateCandidate.objects.count() > 0
