"""Whose memberships a user holds, and for which organisation they act right now.

A person may work for several organisations. In the browser they choose one (kept in the
session); a machine client acts for the organisation its token was issued for (a token
without organisation: the user's first organisation); a command or job acts for the
organisation given to ``audit.acting_as``. Only the memberships at the acting organisation
give rights (:func:`memberships_of`): switching organisation switches rights, and every
audit event names the organisation that gave the access. :func:`all_memberships_of` is for
the organisation switcher and the user's own profile.

Outside a request or an ``acting_as`` block for that user (the shell, a test calling a
service directly) there is no acting organisation and all memberships count.
"""

from __future__ import annotations

from regiotafel.core.models import Membership, Organisation

SESSION_KEY = "regiotafel_organisatie_id"
_NOBODY = 0  # "acting for no organisation": no membership counts


def all_memberships_of(user) -> list[Membership]:
    """Every membership of the user, cached on the user object for the length of a request."""
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


def memberships_of(user) -> list[Membership]:
    """The memberships that give the user rights now: those at the acting organisation."""
    memberships = all_memberships_of(user)
    acting = acting_organisation_id(user)
    if acting is None:
        return memberships
    return [m for m in memberships if m.organisation_id == acting]


def acting_organisation_id(user) -> int | None:
    """The organisation this user acts for in the current context; None: no context."""
    from regiotafel.core import audit

    ctx = audit.current()
    actor = ctx.actor()
    if actor is None or user is None or actor.pk != user.pk:
        return None
    if ctx.request is not None:
        organisation = acting_organisation(ctx.request)
    else:
        organisation = ctx.organisation or next(iter(organisations_of(user)), None)
    return organisation.pk if organisation is not None else _NOBODY


def organisations_of(user) -> list[Organisation]:
    """Every organisation the user is a member of (the switcher in the header)."""
    seen: dict[int, Organisation] = {}
    for membership in all_memberships_of(user):
        seen.setdefault(membership.organisation_id, membership.organisation)
    return list(seen.values())


def acting_organisation(request) -> Organisation | None:
    user = getattr(request, "user", None)
    cached = getattr(request, "_regiotafel_acting", None)
    if cached is not None and cached[0] == getattr(user, "pk", None):
        return cached[1]  # per user: API authentication replaces request.user
    organisations = {org.pk: org for org in organisations_of(user)}
    token = getattr(request, "api_token", None)
    session = getattr(request, "session", None)
    if token is not None and token.organisation_id is not None:
        # A token issued for an organisation the user has left acts for nobody.
        chosen = organisations.get(token.organisation_id)
    else:
        wanted = session.get(SESSION_KEY) if session is not None and token is None else None
        chosen = organisations.get(wanted) or next(iter(organisations.values()), None)
    if organisations:
        request._regiotafel_acting = (user.pk, chosen)
    return chosen


def required_organisation(request) -> Organisation:
    """The organisation the user acts for; a Dutch PermissionDenied when there is none."""
    from django.utils.translation import gettext as _

    from regiotafel import errors

    organisation = acting_organisation(request)
    if organisation is None:
        raise errors.PermissionDenied(
            _("U werkt niet namens een organisatie."), code="geen-organisatie"
        )
    return organisation


def choose_organisation(request, organisation_id: int) -> Organisation | None:
    """Switch the organisation a browser user acts for; None if they are not a member."""
    organisation = {org.pk: org for org in organisations_of(request.user)}.get(organisation_id)
    if organisation is not None:
        request.session[SESSION_KEY] = organisation.pk
        request._regiotafel_acting = (request.user.pk, organisation)
    return organisation
