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
