"""Who is told (recipient resolution), preferences and the registry."""

from __future__ import annotations

import pytest

from regiotafel import errors
from regiotafel.core.models import AuditEvent, Role
from regiotafel.notifications import events, inbox, notify
from regiotafel.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.integration

EVENT = events.CLAIM_NEW.slug


def names(recipients) -> set[str]:
    return {r.user.username for r in recipients}


def test_members_of_the_organisations_with_the_roles_and_the_explicit_users(ward):
    found = notify.resolve(
        users=[ward.referrer],
        organisations=[ward.provider],
        roles=[Role.CAPACITEITSBEHEERDER],
    )
    assert names(found) == {ward.referrer.username, ward.planner.username}
    planner = next(r for r in found if r.user == ward.planner)
    assert planner.organisation == ward.provider


def test_without_roles_the_organisation_only_names_the_explicit_users_organisation(ward):
    found = notify.resolve(users=[ward.referrer.pk], organisations=[ward.gp])
    assert names(found) == {ward.referrer.username}
    assert found[0].organisation == ward.gp


def test_the_actor_and_inactive_people_are_not_told_and_each_person_once(ward):
    ward.other_planner.is_active = False
    ward.other_planner.save(update_fields=["is_active"])
    found = notify.resolve(
        users=[ward.planner, ward.planner],
        organisations=[ward.provider, ward.other_provider],
        roles=[Role.CAPACITEITSBEHEERDER],
        actor=ward.referrer,
    )
    assert names(found) == {ward.planner.username}
    found = notify.resolve(
        organisations=[ward.provider], roles=[Role.CAPACITEITSBEHEERDER], actor=ward.planner
    )
    assert found == []


def test_a_region_with_roles_reaches_that_role_in_every_organisation_of_the_region(ward, cast):
    found = notify.resolve(region=cast.region, roles=[Role.TRIAGIST])
    assert names(found) == {ward.triagist.username, cast.triagist.username}
    assert notify.resolve(region=cast.other_region, roles=[Role.TRIAGIST]) == []


def test_e_mail_follows_the_default_of_the_kind_unless_the_user_chose(ward):
    quiet = events.register(events.EventKind("test-stil", "Stil", email=False))
    try:
        users = [ward.planner.pk, ward.referrer.pk]
        assert notify.email_wanted(users, EVENT) == set(users)
        assert notify.email_wanted(users, quiet.slug) == set()
        inbox.set_preferences(ward.planner, {EVENT: False, quiet.slug: True})
        assert notify.email_wanted(users, EVENT) == {ward.referrer.pk}
        assert notify.email_wanted(users, quiet.slug) == {ward.planner.pk}
    finally:
        events.REGISTRY.pop(quiet.slug)


def test_preferences_list_every_registered_kind_and_store_only_changes(ward):
    listed = inbox.preferences(ward.planner)
    assert [p.slug for p in listed] == [k.slug for k in events.all_kinds()]
    inbox.set_preferences(ward.planner, {EVENT: True})  # the default: nothing stored
    assert not NotificationPreference.objects.filter(user=ward.planner).exists()
    inbox.set_preferences(ward.planner, {EVENT: False})
    inbox.set_preferences(ward.planner, {EVENT: False})
    assert NotificationPreference.objects.get(user=ward.planner, event=EVENT).email is False
    assert AuditEvent.objects.filter(object_type="notifications.notificationpreference").exists()


def test_an_unknown_kind_is_refused_with_a_stable_code(ward):
    with pytest.raises(errors.InvalidInput) as refused:
        inbox.set_preferences(ward.planner, {"bestaat-niet": True})
    assert refused.value.code == "onbekende-meldingsoort"
    with pytest.raises(LookupError):
        notify.send("bestaat-niet", subject=None, text="x", users=[ward.planner])


def test_every_kind_has_a_dutch_label_and_a_unique_slug():
    kinds = events.all_kinds()
    assert len({k.slug for k in kinds}) == len(kinds)
    for kind in kinds:
        assert str(kind.label).strip(), kind.slug
    assert {events.CLAIM_NEW.slug, events.CLAIM_DECLINED.slug, events.CLAIM_EXPIRING.slug} <= {
        k.slug for k in kinds
    }


def test_send_writes_one_row_per_person_with_its_audit_event(ward):
    rows = notify.send(
        EVENT,
        subject=ward.leiden,
        text="  Nieuwe   reservering 12\n op bed L1  ",
        url="/capaciteit/reserveringen/",
        organisations=[ward.provider],
        roles=[Role.CAPACITEITSBEHEERDER],
    )
    assert [n.recipient for n in rows] == [ward.planner]
    stored = Notification.objects.get(recipient=ward.planner)
    assert stored.text == "Nieuwe reservering 12 op bed L1"
    assert (stored.subject_type, stored.subject_id) == ("core.location", str(ward.leiden.pk))
    assert stored.organisation == ward.provider and stored.read_at is None
    assert AuditEvent.objects.filter(
        object_type="notifications.notification", object_id=str(stored.pk), action="create"
    ).exists()
    assert notify.send(EVENT, subject=None, text="x", organisations=[ward.gp]) == []


def test_every_kind_sent_in_the_code_is_registered():
    """A literal kind in a notify.send(...) call anywhere in the package must be registered
    (an unknown kind would fail only when that change happens)."""
    import ast
    from pathlib import Path

    import regiotafel

    sent = set()
    for path in Path(regiotafel.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "send"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "notify"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                sent.add(node.args[0].value)
    assert sent, "no notify.send calls found"
    assert sent <= set(events.REGISTRY), sent - set(events.REGISTRY)
