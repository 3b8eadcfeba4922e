"""Who may do what in the portfolio: analysts and administrators manage their region's
portfolio, every member views it (a provider's planner read-only), outsiders and other
regions see nothing of it; the national register is open to every member."""

from __future__ import annotations

import pytest

from regiotafel.core import permissions
from regiotafel.portfolio.models import Funder, Project, Theme
from tests.conftest import make_user

pytestmark = pytest.mark.integration


def project(region=None, code="T1") -> Project:
    return Project.objects.create(
        code=code,
        name="Valpreventie",
        region=region,
        theme=Theme.objects.get(name="Technologie"),
        funder=Funder.objects.get(name="Z&Z"),
        start_period="2020",
        start_year=2020,
        start_year_last=2020,
    )


@pytest.mark.parametrize(
    "who, view, manage",
    [
        ("analyst", True, True),
        ("admin", True, True),
        ("planner", True, False),
        ("referrer", True, False),
        ("outsider", False, False),
    ],
)
def test_the_matrix_for_a_project_of_the_own_region(cast, who, view, manage):
    user = getattr(cast, who)
    mine = project(cast.region)
    assert permissions.can(user, "portfolio.bekijken", mine) is view
    assert permissions.can(user, "portfolio.beheren", mine) is manage


def test_nobody_in_another_region_may_view_or_manage_it(cast):
    far_analyst = make_user("ver-weg", (cast.far, "regio_analist"))
    mine = project(cast.region)
    assert not permissions.can(far_analyst, "portfolio.bekijken", mine)
    assert not permissions.can(far_analyst, "portfolio.beheren", mine)


def test_the_national_register_is_open_to_members_only(cast):
    national = project(None)
    assert permissions.can(cast.planner, "portfolio.bekijken", national)
    assert not permissions.can(cast.outsider, "portfolio.bekijken", national)
    assert not permissions.can(cast.analyst, "portfolio.beheren", national)


def test_the_pages_follow_the_same_rules(cast, client):
    # Codes with a hyphen: a CSRF token on the page (letters and digits only) cannot hold them.
    mine, theirs = project(cast.region, "T-1"), project(cast.other_region, "T-2")
    client.force_login(cast.planner)
    assert client.get(f"/portfolio/projecten/{mine.pk}/").status_code == 200
    assert client.get(f"/portfolio/projecten/{theirs.pk}/").status_code == 403
    assert client.get("/portfolio/importeren/").status_code == 403
    assert client.get(f"/portfolio/regio/{cast.other_region.slug}/").status_code == 403
    listed = client.get("/portfolio/").content.decode()
    assert "T-1" in listed and "T-2" not in listed
    client.force_login(cast.analyst)
    assert client.get("/portfolio/importeren/").status_code == 200


def test_an_outsider_gets_no_page(cast, client):
    client.force_login(cast.outsider)
    assert client.get("/portfolio/").status_code == 403
    assert client.get("/portfolio/rapport/").status_code == 403


def test_the_project_list_holds_exactly_the_projects_the_check_allows(cast):
    from regiotafel.portfolio.services import visible_projects

    far_analyst = make_user("ver-weg", (cast.far, "regio_analist"))
    projects = [project(cast.region, "A"), project(cast.other_region, "B"), project(None, "C")]
    for user in (cast.planner, cast.analyst, far_analyst, cast.outsider):
        listed = set(visible_projects(user).values_list("code", flat=True))
        allowed = {p.code for p in projects if permissions.can(user, "portfolio.bekijken", p)}
        assert listed == allowed
    assert set(visible_projects(cast.planner).values_list("code", flat=True)) == {"A", "C"}
    assert set(visible_projects(far_analyst).values_list("code", flat=True)) == {"B", "C"}
    assert not visible_projects(cast.outsider).exists()
