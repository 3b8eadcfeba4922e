"""Claims tell people: the bed's planners of a new claim, the claimant of the outcome, both of
a claim about to expire unanswered. In-app at once, e-mail after the commit (mail outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from regiotafel.capacity import claims
from regiotafel.notifications import events, inbox, periodic
from regiotafel.notifications.models import ExpiryWarning, Notification

pytestmark = pytest.mark.integration


def bed_at(ward, location):
    return ward.beds(location, ward.elv_hoog).order_by("label").first()


def told(user, event=None):
    found = Notification.objects.filter(recipient=user)
    return list(found.filter(event=event) if event else found)


@pytest.fixture
def claimed(mailed, new_case, django_capture_on_commit_callbacks, mailoutbox):
    """A referrer of the GP post claims bed L1 of Rijnhof (provider) for a new case."""
    case = new_case()
    with django_capture_on_commit_callbacks(execute=True):
        claim = claims.reserve(
            user=mailed.referrer,
            organisation=mailed.gp,
            bed_id=bed_at(mailed, mailed.leiden).pk,
            case=case,
        )
    return claim


def test_a_new_claim_tells_the_planners_of_the_beds_provider_in_app_and_by_mail(
    mailed, claimed, mailoutbox
):
    [notification] = told(mailed.planner, events.CLAIM_NEW.slug)
    assert notification.organisation == mailed.provider
    assert str(claimed.pk) in notification.text and claimed.case.reference in notification.text
    assert "L1" in notification.text and notification.url == "/capaciteit/reserveringen/"
    assert notification.emailed_at is not None
    assert told(mailed.other_planner) == []  # another provider's planner: nothing
    assert told(mailed.referrer) == []  # the one who claimed is not told of their own claim
    [mail] = mailoutbox
    assert mail.to == [mailed.planner.email]
    assert "Nieuwe reservering" in mail.subject
    assert claimed.case.reference in mail.body
    assert "http://127.0.0.1:8000/capaciteit/reserveringen/" in mail.body
    # no personal data of the case in the text or the mail
    assert claimed.case.initials not in mail.body.split("Regiotafel")[0]
    assert str(claimed.case.birth_year) not in mail.body


def test_a_decline_tells_the_claimant_and_colleagues_with_the_reason(
    mailed, claimed, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        claims.decline(user=mailed.planner, claim_id=claimed.pk, reason="Geen verpleging vrij")
    [notification] = told(mailed.referrer, events.CLAIM_DECLINED.slug)
    assert "Geen verpleging vrij" in notification.text
    assert "geweigerd" in notification.text
    # the reason comes last, as typed (RAP review: it ran into the next sentence)
    assert notification.text.endswith("Reden: Geen verpleging vrij")
    assert notification.url == f"/capaciteit/casussen/{claimed.case.reference}/"
    assert told(mailed.planner, events.CLAIM_DECLINED.slug) == []
    assert told(mailed.other_referrer) == []  # another organisation's referrer
    [mail] = mailoutbox
    assert mail.to == [mailed.referrer.email] and "Geen verpleging vrij" in mail.body


def test_a_confirmation_tells_the_claimant(
    mailed, claimed, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claims.confirm(user=mailed.planner, claim_id=claimed.pk)
    [notification] = told(mailed.referrer, events.CLAIM_CONFIRMED.slug)
    assert "bevestigd" in notification.text


def test_periodic_expiry_tells_the_claimant_and_the_beds_planners(
    mailed, claimed, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        released = claims.release_expired(now=claimed.expires_at + timedelta(seconds=1))
    assert released == 1
    [notification] = told(mailed.referrer, events.CLAIM_EXPIRED.slug)
    assert "verlopen" in notification.text and claimed.case.reference in notification.text
    # the bed's planners too (RAP review: their claims page still offered to confirm it)
    [planners] = told(mailed.planner, events.CLAIM_EXPIRED.slug)
    assert "het bed is weer vrij" in planners.text and planners.url == "/capaciteit/reserveringen/"
    assert told(mailed.other_planner) == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [mailed.referrer.email, mailed.planner.email]
    )


def test_a_claim_about_to_expire_is_warned_once_to_planners_and_claimant(
    mailed, claimed, mailoutbox, django_capture_on_commit_callbacks
):
    term = claimed.expires_at - claimed.created_at
    assert periodic.warn_expiring(now=claimed.created_at + term / 2) == 0  # not yet
    near = claimed.expires_at - timedelta(minutes=2)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.warn_expiring(now=near) == 1
    assert periodic.warn_expiring(now=near + timedelta(seconds=30)) == 0  # once only
    assert ExpiryWarning.objects.filter(claim=claimed).count() == 1
    assert len(told(mailed.planner, events.CLAIM_EXPIRING.slug)) == 1
    assert len(told(mailed.referrer, events.CLAIM_EXPIRING.slug)) == 1
    assert told(mailed.other_planner) == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [mailed.planner.email, mailed.referrer.email]
    )


def test_the_warning_window_is_the_shorter_of_ten_minutes_and_a_quarter_of_the_term():
    now = timezone.now()

    class Claim:
        def __init__(self, minutes, left):
            self.created_at = now - timedelta(minutes=minutes) + timedelta(minutes=left)
            self.expires_at = now + timedelta(minutes=left)

    assert periodic.due(Claim(30, 7), now) and not periodic.due(Claim(30, 8), now)
    assert periodic.due(Claim(240, 10), now) and not periodic.due(Claim(240, 11), now)
    assert not periodic.due(Claim(30, 0), now)  # already over: expiry, not a warning


def test_e_mail_off_means_in_app_only(
    mailed, new_case, mailoutbox, django_capture_on_commit_callbacks
):
    inbox.set_preferences(mailed.planner, {events.CLAIM_NEW.slug: False})
    with django_capture_on_commit_callbacks(execute=True):
        claims.reserve(
            user=mailed.referrer,
            organisation=mailed.gp,
            bed_id=bed_at(mailed, mailed.leiden).pk,
            case=new_case(),
        )
    [notification] = told(mailed.planner, events.CLAIM_NEW.slug)
    assert notification.emailed_at is None
    assert mailoutbox == []


def test_a_user_without_an_address_gets_in_app_only(
    ward, new_case, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claims.reserve(
            user=ward.referrer,
            organisation=ward.gp,
            bed_id=bed_at(ward, ward.katwijk).pk,
            case=new_case(),
        )
    assert len(told(ward.other_planner, events.CLAIM_NEW.slug)) == 1
    assert told(ward.planner) == []
    assert mailoutbox == []


def test_a_refused_claim_tells_no_one(mailed, claimed, new_case, mailoutbox):
    from regiotafel import errors

    before = Notification.objects.count()
    with pytest.raises(errors.Conflict):
        claims.reserve(
            user=mailed.referrer, organisation=mailed.gp, bed_id=claimed.bed_id, case=new_case()
        )
    assert Notification.objects.count() == before


def test_a_hold_that_gets_its_case_tells_the_planners_again(
    mailed, new_case, django_capture_on_commit_callbacks
):
    hold = claims.reserve(
        user=mailed.referrer, organisation=mailed.gp, bed_id=bed_at(mailed, mailed.leiden).pk
    )
    [first] = told(mailed.planner, events.CLAIM_NEW.slug)
    assert "nog zonder casus" in first.text
    case = new_case()
    claims.link_case(user=mailed.referrer, claim_id=hold.pk, case=case)
    texts = [n.text for n in told(mailed.planner, events.CLAIM_NEW.slug)]
    assert any(f"nu voor casus {case.reference}" in text for text in texts)


def test_a_crisis_claim_by_the_registration_point_tells_the_referrer_of_its_outcome(
    mailed, new_case, django_capture_on_commit_callbacks, mailoutbox
):
    # Found in the RAP review walk-through: the triagist claimed a Wlz crisis bed for the GP
    # post's handed-over case; on confirmation only the RAP was told, the GP saw it on reload.
    from regiotafel.capacity import cases, triage
    from regiotafel.capacity.models import BedType, TargetGroup, TriageOutcome
    from tests.capacity.conftest import add_beds

    kind = BedType.objects.get(code="wlz-crisis", region=None)
    first, second = add_beds(mailed.leiden, kind, TargetGroup.SOMATISCH, 2, "C")
    case = new_case(beddentype="wlz-crisis")
    cases.hand_over(user=mailed.referrer, case=case)
    triage.assess(
        user=mailed.triagist,
        organisation=mailed.rap,
        case=case,
        answers={},
        outcome=TriageOutcome.CRISISOPNAME,
    )
    claim = claims.reserve(
        user=mailed.triagist, organisation=mailed.rap, bed_id=first.pk, case=case
    )
    claims.decline(user=mailed.planner, claim_id=claim.pk, reason="Geen plek op de afdeling")
    [declined] = told(mailed.referrer, events.CLAIM_DECLINED.slug)
    assert "Geen plek op de afdeling" in declined.text
    case.refresh_from_db()
    claim = claims.reserve(
        user=mailed.triagist, organisation=mailed.rap, bed_id=second.pk, case=case
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        claims.confirm(user=mailed.planner, claim_id=claim.pk)
    [confirmed] = told(mailed.referrer, events.CLAIM_CONFIRMED.slug)
    assert case.reference in confirmed.text and "bevestigd" in confirmed.text
    assert confirmed.url == f"/capaciteit/casussen/{case.reference}/"
    assert len(told(mailed.triagist, events.CLAIM_CONFIRMED.slug)) == 1  # the claimant too
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [mailed.referrer.email, mailed.triagist.email]
    )
