"""Every portfolio page for every demo role on the full demo data: an answer, never an error."""

import pytest
from django.test import Client
from django.urls import reverse

from regiotafel.core import demo
from regiotafel.portfolio.models import Project

pytestmark = pytest.mark.integration

PAGES = ["portfolio:index", "portfolio:import", "portfolio:report", "portfolio:vision"]


def test_every_portfolio_page_answers_every_demo_role(db):
    demo.seed(password="een-demo-wachtwoord")
    urls = [reverse(name) for name in PAGES]
    urls += [
        reverse("portfolio:kpis"),
        reverse("portfolio:dashboard", args=["zuid-holland-noord"]),
        reverse("portfolio:dashboard", args=["kennemerland"]),
        reverse(
            "portfolio:project", args=[Project.objects.filter(region__isnull=False).first().pk]
        ),
        reverse("portfolio:report-download", args=["xlsx"]) + "?peildatum=2020-11-01",
        reverse("portfolio:report") + "?peildatum=2021-03-31&vergelijk=2020-10-31&reikwijdte=regio",
        "/api/v1/portfolio/projecten",
        "/api/v1/portfolio/rapport?peildatum=2020-11-01",
        "/",
    ]
    for username in ["verwijzer", "triagist", "planner", "analist", "beheerder"]:
        browser = Client(raise_request_exception=True)
        browser.login(username=username, password="een-demo-wachtwoord")
        for url in urls:
            status = browser.get(url).status_code
            assert status in {200, 302, 403}, (username, url, status)
