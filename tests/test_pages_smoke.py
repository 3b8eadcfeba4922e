"""Every page, for every demo role, on the demo data: an answer, never a server error."""

import pytest
from django.test import Client
from django.urls import reverse

from regiotafel.capacity.models import Case
from regiotafel.core import demo
from regiotafel.waitlist.models import Client as WaitingClient

pytestmark = pytest.mark.integration

PAGES = [
    "home",
    "auditlog",
    "members",
    "capacity:board",
    "capacity:cases",
    "capacity:case-new",
    "capacity:claims",
    "capacity:beds",
    "capacity:report",
    "waitlist:list",
    "waitlist:import",
    "waitlist:duplicates",
    "waitlist:placement",
    "waitlist:figures",
]


@pytest.mark.parametrize("username", ["verwijzer", "triagist", "planner", "analist", "beheerder"])
def test_every_page_answers_every_role_without_a_server_error(db, username):
    demo.seed(password="een-demo-wachtwoord")
    browser = Client(raise_request_exception=True)
    browser.login(username=username, password="een-demo-wachtwoord")
    urls = [reverse(name) for name in PAGES]
    urls.append(reverse("capacity:case", args=[Case.objects.first().reference]))
    urls.append(reverse("waitlist:client", args=[WaitingClient.objects.first().pk]))
    urls.append(reverse("waitlist:figures-export", args=["xlsx"]))
    urls.append(reverse("capacity:report-export", args=["xlsx"]))
    for url in urls:
        status = browser.get(url).status_code
        # 404: an object the role may not see is hidden, as if it did not exist
        assert status in {200, 302, 403, 404}, (username, url, status)


def test_exports_exist_only_as_csv_and_xlsx(cast, client):
    client.force_login(cast.admin)
    assert client.get("/wachtlijst/cijfers/export.exe").status_code == 404
    assert client.get("/capaciteit/rapportage/export.exe").status_code == 404
