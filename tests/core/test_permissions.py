"""The permission matrix: every role × every foundation action × own / other organisation.

The expected table is written out by hand, so that a check removed from the policy (or a
role added by mistake) makes this test fail.
"""

import pytest

from regiotafel import errors
from regiotafel.core import permissions
from regiotafel.core.models import AuditEvent, Role

pytestmark = pytest.mark.integration

V, T, C, A, B = (
    Role.VERWIJZER,
    Role.TRIAGIST,
    Role.CAPACITEITSBEHEERDER,
    Role.REGIO_ANALIST,
    Role.BEHEERDER,
)

# action -> (roles allowed on their own organisation, on another organisation in their region,
#            on an organisation in another region)
EXPECTED = {
    "organisatie.bekijken": ({V, T, C, A, B}, {V, T, C, A, B}, {V, T, C, A, B}),
    "organisatie.wijzigen": ({B}, set(), set()),
    "medewerkers.bekijken": ({B}, set(), set()),
    "medewerkers.beheren": ({B}, set(), set()),
    "auditlog.bekijken": ({B}, set(), set()),
    "regio.bekijken": ({V, T, C, A, B}, {V, T, C, A, B}, {V, T, C, A, B}),
    "regio.analyseren": ({A, B}, {A, B}, set()),
    "gemeenten.importeren": ({B}, {B}, set()),
}
TARGETS = ["own", "neighbour", "far"]


def test_every_registered_foundation_action_is_in_the_matrix():
    foundation = {
        a
        for a in permissions.registered_actions()
        if a.split(".")[0] in {"organisatie", "medewerkers", "auditlog", "regio", "gemeenten"}
    }
    assert foundation == set(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("target", TARGETS)
def test_the_permission_matrix(cast, action, role, target):
    organisation = getattr(cast, target)
    allowed = role in EXPECTED[action][TARGETS.index(target)]
    assert permissions.can(cast.by_role(role), action, organisation) is allowed


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_someone_without_an_organisation_may_do_nothing(cast, action):
    assert permissions.can(cast.outsider, action, cast.own) is False


def test_a_region_counts_as_the_object_for_region_actions(cast):
    assert permissions.can(cast.analyst, "regio.analyseren", cast.region)
    assert not permissions.can(cast.analyst, "regio.analyseren", cast.other_region)


def test_a_role_at_one_organisation_gives_no_rights_at_another(cast):
    from regiotafel.core.models import Membership

    Membership.objects.create(user=cast.referrer, organisation=cast.neighbour, role=Role.BEHEERDER)
    assert permissions.can(cast.referrer, "organisatie.wijzigen", cast.neighbour)
    assert not permissions.can(cast.referrer, "organisatie.wijzigen", cast.own)


def test_an_inactive_account_may_do_nothing(cast):
    cast.admin.is_active = False
    cast.admin.save()
    assert not permissions.can(cast.admin, "organisatie.wijzigen", cast.own)


def test_check_names_what_was_refused_in_dutch(cast):
    with pytest.raises(errors.PermissionDenied, match="het auditlog van een organisatie inzien"):
        permissions.check(cast.referrer, "auditlog.bekijken", cast.own)


def test_loading_a_missing_object_is_not_found_before_it_is_forbidden(cast):
    from regiotafel.core.models import Organisation

    with pytest.raises(errors.NotFound, match="Organisatie niet gevonden"):
        permissions.get_for(cast.referrer, "organisatie.wijzigen", Organisation, pk=999_999)


def test_loading_personal_data_is_logged_as_a_read(cast):
    from regiotafel.core.models import Organisation

    permissions.get_for(cast.admin, "medewerkers.bekijken", Organisation, pk=cast.own.pk)
    read = AuditEvent.objects.get(action="read", object_id=str(cast.own.pk))
    assert read.actor == cast.admin


def test_an_unknown_action_is_a_programming_error_not_a_silent_no():
    with pytest.raises(LookupError):
        permissions.policy("bestaat.niet")


# ---------------------------------------------------------------- the acting organisation


@pytest.fixture
def two_hats(cast):
    """An administrator of the own organisation who is also a referrer far away."""
    from tests.conftest import make_user

    return make_user("twee-petten", (cast.own, B), (cast.far, V))


def test_a_user_acting_for_one_organisation_has_only_its_rights(cast, two_hats):
    from regiotafel.core import audit

    with audit.acting_as(two_hats, organisation=cast.own, channel="web"):
        assert permissions.can(two_hats, "organisatie.wijzigen", cast.own)
        assert permissions.roles_of(two_hats) == {B}
    with audit.acting_as(two_hats, organisation=cast.far, channel="web"):
        assert not permissions.can(two_hats, "organisatie.wijzigen", cast.own)
        assert not permissions.visible(two_hats, "organisatie.wijzigen", cast.own.__class__)
        assert permissions.roles_of(two_hats) == {V}


def test_acting_for_an_organisation_one_is_not_a_member_of_gives_no_rights(cast, two_hats):
    from regiotafel.core import audit

    with audit.acting_as(two_hats, organisation=cast.neighbour, channel="web"):
        assert not permissions.can(two_hats, "regio.bekijken")
        assert permissions.roles_of(two_hats) == set()


def test_switching_organisation_in_the_browser_switches_rights(cast, two_hats, client):
    client.force_login(two_hats)
    url = f"/api/v1/organisaties/{cast.own.pk}/auditregels"
    assert client.get(url).status_code == 200
    client.post("/organisatie/kiezen/", {"organisatie": cast.far.pk})
    assert client.get(url).status_code == 403
    client.post("/organisatie/kiezen/", {"organisatie": cast.own.pk})
    assert client.get(url).status_code == 200


def test_an_api_token_acts_for_the_organisation_it_was_issued_for(cast, two_hats, client):
    from regiotafel.core import services

    url = f"/api/v1/organisaties/{cast.own.pk}/auditregels"
    for organisation, expected in [(cast.own, 200), (cast.far, 403)]:
        raw = services.issue_token(user=two_hats, organisation=organisation)
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == expected


def test_a_token_for_an_organisation_the_user_has_left_gives_no_rights(cast, two_hats, client):
    from regiotafel.core import services
    from regiotafel.core.models import Membership

    raw = services.issue_token(user=two_hats, organisation=cast.far)
    Membership.objects.filter(user=two_hats, organisation=cast.far).delete()
    answer = client.get("/api/v1/organisaties", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 403


def test_a_read_is_logged_for_the_organisation_whose_membership_gave_access(cast, two_hats):
    from regiotafel.core import audit
    from regiotafel.core.models import Organisation

    with audit.acting_as(two_hats, organisation=cast.own, channel="web"):
        permissions.get_for(two_hats, "medewerkers.bekijken", Organisation, pk=cast.own.pk)
    event = AuditEvent.objects.filter(action="read").latest("pk")
    assert event.organisation_id == cast.own.pk


# ---------------------------------------------------------------- one definition, two answers


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_the_list_holds_exactly_the_objects_the_check_allows(cast, action):
    from regiotafel.core.models import Organisation

    organisations = list(Organisation.objects.all())
    for role in Role:
        user = cast.by_role(role)
        listed = set(permissions.visible(user, action, Organisation).values_list("pk", flat=True))
        allowed = {o.pk for o in organisations if permissions.can(user, action, o)}
        assert listed == allowed, (action, role)


def test_a_rule_beside_the_roles_must_be_a_grant_so_that_it_can_filter_a_list():
    with pytest.raises(TypeError):
        permissions.register(
            "test.ook",
            roles={B},
            scope=permissions.Scope.OWN,
            description="test",
            also=lambda user, obj: True,
        )


def test_a_model_without_declared_ownership_cannot_be_decided_silently(cast):
    from regiotafel.core.models import Subregion

    with pytest.raises(LookupError):
        permissions.visible(cast.admin, "organisatie.wijzigen", Subregion)
