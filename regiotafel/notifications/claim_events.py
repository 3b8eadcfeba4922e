"""What the claims service tells people (called from ``capacity/claims.py``, inside the
transaction of the change). Texts name the claim number, the bed and the case reference —
never a name, BSN or birth date. A decline's reason is shown as the provider typed it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from regiotafel.core.models import Role
from regiotafel.notifications import events, notify

PLANNERS = (Role.CAPACITEITSBEHEERDER,)
CLAIMANT_COLLEAGUES = (Role.VERWIJZER, Role.TRIAGIST)


def _bed_text(claim) -> str:
    bed = claim.bed
    return _("bed %(bed)s van %(location)s") % {"bed": bed.label, "location": bed.location.name}


def _claimant_url(claim) -> str:
    if claim.case_id:
        return reverse("capacity:case", kwargs={"reference": claim.case.reference})
    return reverse("capacity:claims")


def _for_case(claim) -> str:
    if claim.case_id:
        return _(" voor casus %(ref)s") % {"ref": claim.case.reference}
    return _(" (nog zonder casus)")


def claimed(claim, *, actor=None) -> None:
    """A new claim on a bed: the planners of the bed's organisation."""
    notify.send(
        events.CLAIM_NEW.slug,
        subject=claim,
        text=_("Nieuwe reservering %(id)s op %(bed)s%(case)s, geldig tot %(until)s.")
        % {
            "id": claim.pk,
            "bed": _bed_text(claim),
            "case": _for_case(claim),
            "until": _time(claim.expires_at),
        },
        url=reverse("capacity:claims"),
        organisations=[claim.bed.location.organisation_id],
        roles=PLANNERS,
        actor=actor,
    )


def linked(claim, *, actor=None) -> None:
    """A hold got its case: the bed's planners can now confirm or decline the admission."""
    notify.send(
        events.CLAIM_NEW.slug,
        subject=claim,
        text=_(
            "Reservering %(id)s op %(bed)s is nu voor casus %(ref)s, geldig tot %(until)s. "
            "Bevestig of weiger de opname."
        )
        % {
            "id": claim.pk,
            "bed": _bed_text(claim),
            "ref": claim.case.reference,
            "until": _time(claim.expires_at),
        },
        url=reverse("capacity:claims"),
        organisations=[claim.bed.location.organisation_id],
        roles=PLANNERS,
        actor=actor,
    )


def _to_claimant(claim, event: str, text: str, *, actor=None) -> None:
    organisations = [claim.organisation_id]
    if claim.case_id and claim.case.referrer_organisation_id != claim.organisation_id:
        # The registration point claimed for a handed-over case (Wlz crisis): the referrer
        # who registered it is told too; otherwise the GP learns of the admission only by
        # reloading the case page.
        organisations.append(claim.case.referrer_organisation_id)
    notify.send(
        event,
        subject=claim,
        text=text,
        url=_claimant_url(claim),
        users=[claim.claimed_by_id],
        organisations=organisations,
        roles=CLAIMANT_COLLEAGUES,
        actor=actor,
    )


def confirmed(claim, *, actor=None) -> None:
    _to_claimant(
        claim,
        events.CLAIM_CONFIRMED.slug,
        _("Reservering %(id)s op %(bed)s%(case)s is bevestigd: de opname gaat door.")
        % {"id": claim.pk, "bed": _bed_text(claim), "case": _for_case(claim)},
        actor=actor,
    )


def released(claim, state: str, *, actor=None, reason: str = "") -> None:
    """A claim ended by the provider (declined) or by its deadline (expired)."""
    from regiotafel.capacity.models import ClaimState

    values = {"id": claim.pk, "bed": _bed_text(claim), "case": _for_case(claim)}
    if state == ClaimState.GEWEIGERD:
        text = _("Reservering %(id)s op %(bed)s%(case)s is geweigerd.") % values
        event = events.CLAIM_DECLINED.slug
    elif state == ClaimState.VERLOPEN:
        text = (
            _(
                "Reservering %(id)s op %(bed)s%(case)s is verlopen zonder antwoord; het bed is "
                "weer vrij. Zoek zo nodig opnieuw een plaats."
            )
            % values
        )
        event = events.CLAIM_EXPIRED.slug
    else:
        return
    if claim.case_id and state in (ClaimState.GEWEIGERD, ClaimState.VERLOPEN):
        text += " " + _("De casus staat weer op 'plaats gezocht'.")
    if state == ClaimState.GEWEIGERD:
        # the reason last, as typed: it often has no full stop of its own
        text += " " + _("Reden: %(reason)s") % {"reason": reason}
    _to_claimant(claim, event, text, actor=actor)
    if state == ClaimState.VERLOPEN and claim.case_id:
        # The planners were warned to answer; their open claims page still offers to
        # confirm. Tell them it lapsed and the bed is free again.
        notify.send(
            event,
            subject=claim,
            text=_(
                "Reservering %(id)s op %(bed)s%(case)s is verlopen zonder uw antwoord; het bed "
                "is weer vrij."
            )
            % values,
            url=reverse("capacity:claims"),
            organisations=[claim.bed.location.organisation_id],
            roles=PLANNERS,
            actor=actor,
        )


def expiring(claim) -> None:
    """A claim about to expire unanswered: the bed's planners and the claimant (a hold
    without a case only the claimant: the provider cannot answer it yet)."""
    values = {
        "id": claim.pk,
        "bed": _bed_text(claim),
        "case": _for_case(claim),
        "until": _time(claim.expires_at),
    }
    if not claim.case_id:
        notify.send(
            events.CLAIM_EXPIRING.slug,
            subject=claim,
            text=_(
                "Reservering %(id)s op %(bed)s%(case)s verloopt om %(until)s. Koppel een casus, "
                "verleng de reservering of laat het bed los."
            )
            % values,
            url=reverse("capacity:claims"),
            users=[claim.claimed_by_id],
            organisations=[claim.organisation_id],  # told as its member; no one else
        )
        return
    notify.send(
        events.CLAIM_EXPIRING.slug,
        subject=claim,
        text=_(
            "Reservering %(id)s op %(bed)s%(case)s verloopt om %(until)s en is nog niet "
            "beantwoord. Bevestig of weiger de opname."
        )
        % values,
        url=reverse("capacity:claims"),
        organisations=[claim.bed.location.organisation_id],
        roles=PLANNERS,
    )
    notify.send(
        events.CLAIM_EXPIRING.slug,
        subject=claim,
        text=_(
            "Reservering %(id)s op %(bed)s%(case)s verloopt om %(until)s; de aanbieder heeft "
            "nog niet geantwoord. Bel zo nodig de locatie."
        )
        % values,
        url=_claimant_url(claim),
        users=[claim.claimed_by_id],
        organisations=[claim.organisation_id],  # told as its member; no one else
    )


def _time(moment) -> str:
    """The local time; with the date when that is not today (a claim made in the evening
    runs past midnight: "geldig tot 00:46" read as tonight)."""
    from django.utils import timezone

    local = timezone.localtime(moment)
    if local.date() != timezone.localdate():
        return local.strftime("%d-%m %H:%M")
    return local.strftime("%H:%M")
