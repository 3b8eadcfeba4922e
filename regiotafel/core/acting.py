"""Whose memberships a user holds, and for which organisation they act right now.

A person may work for several organisations. In the browser they choose one (kept in the
session); a machine client acts for the organisation its token was issued for. Every audit
event records that organisation.
"""

from __future__ import annotations

from regiotafel.core.models import Membership, Organisation

SESSION_KEY = "regiotafel_organisatie_id"


def memberships_of(user) -> list[Membership]:
    """The user's memberships, cached on the user object for the length of a request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_regiotafel_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("organisation", "organisation__region")
            .order_by("pk")
        )
        user._regiotafel_memberships = cached
    return cached


def organisations_of(user) -> list[Organisation]:
    seen: dict[int, Organisation] = {}
    for membership in memberships_of(user):
        seen.setdefault(membership.organisation_id, membership.organisation)
    return list(seen.values())


def acting_organisation(request) -> Organisation | None:
    if hasattr(request, "_regiotafel_acting"):
        return request._regiotafel_acting
    user = getattr(request, "user", None)
    organisations = {org.pk: org for org in organisations_of(user)}
    token = getattr(request, "api_token", None)
    session = getattr(request, "session", None)
    wanted = token.organisation_id if token is not None else None
    if wanted is None and session is not None:
        wanted = session.get(SESSION_KEY)
    chosen = organisations.get(wanted) or next(iter(organisations.values()), None)
    if organisations:
        request._regiotafel_acting = chosen
    return chosen


def required_organisation(request) -> Organisation:
    """The organisation the user acts for; a Dutch PermissionDenied when there is none."""
    from django.utils.translation import gettext as _

    from regiotafel import errors

    organisation = acting_organisation(request)
    if organisation is None:
        raise errors.PermissionDenied(_("U werkt niet namens een organisatie."))
    return organisation


def choose_organisation(request, organisation_id: int) -> Organisation | None:
    """Switch the organisation a browser user acts for; None if they are not a member."""
    organisation = {org.pk: org for org in organisations_of(request.user)}.get(organisation_id)
    if organisation is not None:
        request.session[SESSION_KEY] = organisation.pk
        request._regiotafel_acting = organisation
    return organisation
