"""The one place that decides "may this user do this action to that object" — and "to which
objects may they do it".

An action is a name ("organisatie.wijzigen") with a :class:`Policy`: one or more
:class:`Grant` s, each the roles that may do it and the scope in which their role counts —
any object, objects of their own organisation, objects in the region of their organisation,
or objects of no region (the national register). A grant can be limited to memberships at
organisations of some types ("the care office of the object's region").

Both questions are answered from that one definition:

* :func:`visible` turns the grants into a queryset filter, using the model's
  :class:`Ownership` (how its rows are "owned by organisations X" / "in regions Y", as ORM
  lookups registered with :func:`ownership`);
* :func:`can` on an object is ``visible(...).filter(pk=obj.pk).exists()`` whenever the
  answer depends on the object, so a list can never show what the detail page refuses.

Only the memberships of the organisation the user acts for count (``core.acting``);
superusers may do everything. Every page, API endpoint and command asks :func:`can` /
:func:`check`, loads through :func:`get_for`, or lists through :func:`visible`.
Capabilities register their actions and their models' ownership in their ``policies.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from regiotafel import errors
from regiotafel.core import audit
from regiotafel.core.acting import memberships_of
from regiotafel.core.models import (
    ApiToken,
    AuditEvent,
    Location,
    Membership,
    Municipality,
    Organisation,
    OrganisationType,
    Region,
    Role,
    User,
)


class Scope(StrEnum):
    ANY = "any"  # the role counts for every object
    OWN = "own"  # only for objects owned by the organisation the role is held in
    REGION = "region"  # for objects in the region of that organisation
    NATIONAL = "national"  # for objects that belong to no region (the national register)


@dataclass(frozen=True)
class Grant:
    roles: frozenset[Role]
    scope: Scope
    # Only memberships at organisations of these types count (empty: every type).
    organisation_types: frozenset[OrganisationType] = frozenset()

    def holding(self, user) -> list[Membership]:
        return [
            m
            for m in memberships_of(user)
            if m.role in self.roles
            and (not self.organisation_types or m.organisation.type in self.organisation_types)
        ]


@dataclass(frozen=True)
class Policy:
    roles: frozenset[Role]
    scope: Scope
    description: str  # Dutch, lazily translated: "U heeft geen toestemming voor: …"
    personal_data: bool = False  # loading such an object for this action is logged as a read
    # Other ways to be allowed, for rules the main grant cannot say (e.g. "the care office
    # of the object's region"): extra grants, each also a queryset filter.
    also: tuple[Grant, ...] = ()

    @property
    def grants(self) -> tuple[Grant, ...]:
        return (Grant(self.roles, self.scope), *self.also)


# ---------------------------------------------------------------- ownership of models

Lookup = str | tuple[str, ...] | Callable[[set[int], str], Q] | None


@dataclass(frozen=True)
class Ownership:
    """How rows of a model belong to organisations and regions, as ORM lookups.

    ``organisation`` / ``region``: a lookup path to the owning organisation / region (or
    several, any of which owns the row), or a function ``(ids, prefix) -> Q`` for rules a
    path cannot say; None: rows of this model belong to no organisation / region.
    ``via``: the row belongs to whoever owns the related object(s) behind these fields.
    """

    organisation: Lookup = None
    region: Lookup = None
    via: tuple[str, ...] = ()
    model: type[models.Model] | None = field(default=None, compare=False)

    def organisation_q(self, ids: set[int], prefix: str = "") -> Q | None:
        return self._q("organisation", ids, prefix)

    def region_q(self, ids: set[int], prefix: str = "") -> Q | None:
        return self._q("region", ids, prefix)

    def national_q(self, prefix: str = "") -> Q:
        """Rows that belong to no region (a model without regions: every row)."""
        if self.via:
            return _any_of(
                _ownership_of_field(self.model, f).national_q(f"{prefix}{f}__") for f in self.via
            )
        if self.region is None:
            return Q()
        if not isinstance(self.region, str):
            raise TypeError("national scope needs a single region path")
        return Q(**{f"{prefix}{self.region}__isnull": True})

    def _q(self, kind: str, ids: set[int], prefix: str) -> Q | None:
        if self.via:
            parts = [
                _ownership_of_field(self.model, f)._q(kind, ids, f"{prefix}{f}__") for f in self.via
            ]
            parts = [p for p in parts if p is not None]
            return _any_of(parts) if parts else None
        spec = getattr(self, kind)
        if spec is None:
            return None
        if callable(spec):
            return spec(ids, prefix)
        paths = (spec,) if isinstance(spec, str) else spec
        return _any_of(Q(**{f"{prefix}{path}__in": ids}) for path in paths)


def _any_of(qs: Iterable[Q]) -> Q:
    result = None
    for q in qs:
        result = q if result is None else result | q
    return result if result is not None else Q(pk__in=[])


_ownerships: dict[type[models.Model], Ownership] = {}


def ownership(model: type[models.Model], **spec) -> None:
    """Register how a model's rows are owned (see :class:`Ownership`)."""
    _ownerships[model] = Ownership(**spec, model=model)


def ownership_of(model: type[models.Model]) -> Ownership:
    for klass in model.__mro__:
        if klass in _ownerships:
            return _ownerships[klass]
    raise LookupError(f"no ownership registered for {model.__name__}; register it first")


def _ownership_of_field(model, name: str) -> Ownership:
    return ownership_of(model._meta.get_field(name).related_model)


# ---------------------------------------------------------------- actions

_policies: dict[str, Policy] = {}

ALL_ROLES = frozenset(Role)


def register(
    action: str, *, roles, scope: Scope, description, personal_data=False, also=()
) -> None:
    if action in _policies:
        raise ValueError(f"action {action!r} is already registered")
    extra = (also,) if isinstance(also, Grant) else tuple(also or ())
    if not all(isinstance(g, Grant) for g in extra):
        raise TypeError("also= takes Grant objects, so that the rule is also a queryset filter")
    _policies[action] = Policy(frozenset(roles), Scope(scope), description, personal_data, extra)


def policy(action: str) -> Policy:
    try:
        return _policies[action]
    except KeyError:
        raise LookupError(f"unknown action {action!r}; register it first") from None


def registered_actions() -> dict[str, Policy]:
    return dict(_policies)


def roles_of(user) -> set[Role]:
    return {Role(m.role) for m in memberships_of(user)}


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can(user, action: str, obj: models.Model | None = None) -> bool:
    """May the user do the action (to this object)? Without an object: to some object."""
    rule = policy(action)
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    holding = [(grant, grant.holding(user)) for grant in rule.grants]
    holding = [(grant, ms) for grant, ms in holding if ms]
    if not holding:
        return False
    if obj is None or any(grant.scope is Scope.ANY for grant, _ms in holding):
        return True
    if obj.pk is None:
        raise ValueError("can() decides on stored objects; pass the owning object instead")
    found = _filter(type(obj)._base_manager.all(), holding)
    return found.filter(pk=obj.pk).exists()


def visible(user, action: str, queryset_or_model) -> models.QuerySet:
    """The objects the user may do the action to, as a queryset (same rule as :func:`can`)."""
    queryset = queryset_or_model
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    rule = policy(action)
    if not _signed_in(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    holding = [(grant, grant.holding(user)) for grant in rule.grants]
    holding = [(grant, ms) for grant, ms in holding if ms]
    if any(grant.scope is Scope.ANY for grant, _ms in holding):
        return queryset
    return _filter(queryset, holding)


def _filter(queryset, holding) -> models.QuerySet:
    spec = ownership_of(queryset.model)
    parts = []
    for grant, memberships in holding:
        if grant.scope is Scope.OWN:
            parts.append(spec.organisation_q({m.organisation_id for m in memberships}))
        elif grant.scope is Scope.REGION:
            parts.append(spec.region_q({m.organisation.region_id for m in memberships}))
        elif grant.scope is Scope.NATIONAL:
            parts.append(spec.national_q())
    parts = [p for p in parts if p is not None]
    if not parts:
        return queryset.none()
    condition = _any_of(parts)
    # Paths through one-to-many relations would repeat rows: select by primary key instead.
    inner = queryset.model._base_manager.filter(condition).values("pk")
    return queryset.filter(pk__in=inner)


def check(user, action: str, obj: models.Model | None = None) -> None:
    if not _signed_in(user):
        raise errors.NotAuthenticated(_("Log in om dit te doen."))
    if not can(user, action, obj):
        raise errors.PermissionDenied(
            _("U heeft geen toestemming voor: %(what)s.") % {"what": policy(action).description}
        )


def not_found(model: type[models.Model]) -> errors.NotFound:
    return errors.NotFound(
        _("%(what)s niet gevonden.") % {"what": model._meta.verbose_name.capitalize()}
    )


def get_for(user, action: str, queryset, *, hide: bool = False, **lookup) -> models.Model:
    """Load one object or raise NotFound, check the action, and log a read of personal data.

    ``hide=True``: an object the user may not see is "not found" too (404, not 403), so that
    sequential ids do not reveal which objects exist; someone without any role for the action
    gets 403 whatever the id.
    """
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    if hide:
        check(user, action)  # no role for it at all: 403, whether or not the object exists
        queryset = visible(user, action, queryset)
    try:
        obj = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise not_found(queryset.model) from None
    if not hide:
        check(user, action, obj)
    if policy(action).personal_data:
        audit.record_read(obj, data_subject=audit.data_subject_of(obj) or str(obj), actor=user)
    return obj


def organisations_for(user, action: str):
    """The organisations in which the user may do an action (for "own organisation" lists)."""
    return visible(user, action, Organisation)


# The foundation's models.
ownership(Region, region="pk")
ownership(Municipality, region="region")
ownership(Organisation, organisation="pk", region="region")
ownership(Location, organisation="organisation", region="municipality__region")
ownership(Membership, organisation="organisation", region="organisation__region")
ownership(User, organisation="memberships__organisation")
ownership(ApiToken, organisation="organisation", region="organisation__region")
ownership(AuditEvent, organisation="organisation")

# The foundation's own actions.
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
