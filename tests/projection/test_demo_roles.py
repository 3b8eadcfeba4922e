"""Every gap-analysis page, download and API answer for every demo role: 200 for those who
may see the gap analysis, 403 for the others, never a server error. The demo is seeded once
for this module (``demo_once``): every database test here must use it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regiotafel.projection.models import ParameterSet

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("username", ["verwijzer", "triagist", "planner", "analist", "beheerder"])
def test_every_gap_analysis_page_answers_every_demo_role_without_a_server_error(
    demo_once, db, settings, projection_cache, username
):
    from django.test import Client

    from tests.conftest import DEMO_ONCE_PASSWORD

    settings.DATA_DIR = projection_cache
    browser = Client(raise_request_exception=True)
    assert browser.login(username=username, password=DEMO_ONCE_PASSWORD)
    first = ParameterSet.objects.first()
    urls = [
        reverse("projection:index"),
        reverse("projection:parameters"),
        reverse("projection:parameter-file", args=[first.pk]),
        f"/api/v1/zorgkloof/{first.region.slug}",
        *(reverse("projection:export", args=[fmt]) for fmt in ("csv", "xlsx", "html")),
    ]
    allowed = username in {"analist", "beheerder"}
    for url in urls:
        status = browser.get(url).status_code
        assert status == (200 if allowed else 403), (username, url, status)
