"""The one place that decides "may this user do this action to that object".

Every page, API endpoint and command asks :func:`can` / :func:`check`, or loads through
:func:`get_for`, which also answers 404 before 403 and logs reads of personal data.

An action is a name ("organisatie.wijzigen") with a :class:`Policy`: the roles that may do it
and the scope in which their role counts — any object, objects of their own organisation, or
objects in the region of one of their organisations. Capabilities register their own actions
with :func:`register`, just as the built-in ones below do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from regiotafel import errors
from regiotafel.core import audit
from regiotafel.core.acting import memberships_of
from regiotafel.core.models import Role


class Scope(StrEnum):
    ANY = "any"  # the role counts for every object
    OWN = "own"  # only for objects owned by the organisation the role is held in
    REGION = "region"  # for objects in the region of that organisation


@dataclass(frozen=True)
class Policy:
    roles: frozenset[Role]
    scope: Scope
    description: str  # Dutch, lazily translated: "U heeft geen toestemming voor: …"
    personal_data: bool = False  # loading such an object for this action is logged as a read
    # Another way to be allowed, for rules a scope cannot say (e.g. "the care office of the
    # object's region"): called as also(user, obj) and only after the role check failed.
    also: Callable[..., bool] | None = None


_policies: dict[str, Policy] = {}

ALL_ROLES = frozenset(Role)


def register(
    action: str, *, roles, scope: Scope, description, personal_data=False, also=None
) -> None:
    if action in _policies:
        raise ValueError(f"action {action!r} is already registered")
    _policies[action] = Policy(frozenset(roles), scope, description, personal_data, also)


def policy(action: str) -> Policy:
    try:
        return _policies[action]
    except KeyError:
        raise LookupError(f"unknown action {action!r}; register it first") from None


def registered_actions() -> dict[str, Policy]:
    return dict(_policies)


def roles_of(user) -> set[Role]:
    return {Role(m.role) for m in memberships_of(user)}


def can(user, action: str, obj: models.Model | None = None) -> bool:
    rule = policy(action)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or _role_allows(user, rule, obj):
        return True
    return rule.also is not None and bool(rule.also(user, obj))


def _role_allows(user, rule: Policy, obj) -> bool:
    holding = [m for m in memberships_of(user) if m.role in rule.roles]
    if not holding:
        return False
    if obj is None or rule.scope is Scope.ANY:
        return True
    if rule.scope is Scope.OWN:
        owners = _owner_organisation_ids(obj)
        return any(m.organisation_id in owners for m in holding)
    region_id = getattr(obj, "owner_region_id", None)
    return region_id is not None and any(m.organisation.region_id == region_id for m in holding)


def check(user, action: str, obj: models.Model | None = None) -> None:
    if not user.is_authenticated:
        raise errors.NotAuthenticated(_("Log in om dit te doen."))
    if not can(user, action, obj):
        raise errors.PermissionDenied(
            _("U heeft geen toestemming voor: %(what)s.") % {"what": policy(action).description}
        )


def get_for(user, action: str, queryset, **lookup) -> models.Model:
    """Load one object or raise NotFound, check the action, and log a read of personal data."""
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    try:
        obj = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise errors.NotFound(
            _("%(what)s niet gevonden.") % {"what": queryset.model._meta.verbose_name.capitalize()}
        ) from None
    check(user, action, obj)
    if policy(action).personal_data:
        audit.record_read(obj, data_subject=audit.data_subject_of(obj) or str(obj), actor=user)
    return obj


def organisations_for(user, action: str):
    """The organisations in which the user may do an action (for "own organisation" lists)."""
    from regiotafel.core.models import Organisation

    if user.is_superuser:
        return Organisation.objects.all()
    rule = policy(action)
    ids = [m.organisation_id for m in memberships_of(user) if m.role in rule.roles]
    if rule.scope is Scope.ANY and ids:
        return Organisation.objects.all()
    if rule.scope is Scope.REGION:
        regions = [m.organisation.region_id for m in memberships_of(user) if m.role in rule.roles]
        return Organisation.objects.filter(region_id__in=regions)
    return Organisation.objects.filter(pk__in=ids)


def _owner_organisation_ids(obj) -> set[int]:
    many = getattr(obj, "owner_organisation_ids", None)
    if many is not None:
        return set(many)
    one = getattr(obj, "owner_organisation_id", None)
    return {one} if one is not None else set()


# The foundation's own actions. Capabilities register theirs in their AppConfig.ready().
register(
    "organisatie.bekijken",
    roles=ALL_ROLES,
    scope=Scope.ANY,
    description=_lazy("een organisatie bekijken"),
)
register(
    "organisatie.wijzigen",
    roles={Role.BEHEERDER},
    scope=Scope.OWN,
    description=_lazy("de gegevens van een organisatie wijzigen"),
)
register(
    "medewerkers.bekijken",
    roles={Role.BEHEERDER},
    scope=Scope.OWN,
    personal_data=True,
    description=_lazy("de medewerkers van een organisatie bekijken"),
)
register(
    "medewerkers.beheren",
    roles={Role.BEHEERDER},
    scope=Scope.OWN,
    description=_lazy("medewerkers en hun rollen beheren"),
)
register(
    "auditlog.bekijken",
    roles={Role.BEHEERDER},
    scope=Scope.OWN,
    description=_lazy("het auditlog van een organisatie inzien"),
)
register(
    "regio.bekijken",
    roles=ALL_ROLES,
    scope=Scope.ANY,
    description=_lazy("een regio en haar gemeenten bekijken"),
)
register(
    "regio.analyseren",
    roles={Role.REGIO_ANALIST, Role.BEHEERDER},
    scope=Scope.REGION,
    description=_lazy("de regiocijfers analyseren"),
)
register(
    "gemeenten.importeren",
    roles={Role.BEHEERDER},
    scope=Scope.REGION,
    description=_lazy("gemeenten van een regio importeren"),
)
