"""Every route and API operation, for every role of the cast, the outsider and an anonymous
visitor, on objects of the own organisation, the neighbouring one and another region.

(a) For every registered action and every object: ``can`` agrees with ``visible``.
(b) A refused request (401, 403, 404 or the login page) changed nothing in the database.
(c) Every route of the URL resolver and every operation of the OpenAPI document is declared
    in ``regiotafel.core.routes`` with registered actions (or explicitly public), and a route
    lets no one through whom every one of its actions refuses.
"""

from __future__ import annotations

import re
from itertools import zip_longest

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from regiotafel.core import permissions, routes
from tests.route_world import build

pytestmark = pytest.mark.integration

MARKERS = {routes.PUBLIC, routes.SIGNED_IN, routes.STAFF}


# ---------------------------------------------------------------- the routes


def _walk(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if inner:
                inner = f"{namespace}:{inner}" if namespace else inner
            yield from _walk(pattern, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def _is_api_operation(pattern) -> bool:
    return getattr(pattern.callback, "__module__", "") == "ninja.operation"


def _operations():
    from regiotafel.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation["operationId"]


def _declared_actions(rule) -> tuple[str, ...]:
    return () if rule in MARKERS else tuple(rule)


def test_every_route_is_declared_with_registered_actions():
    known = permissions.registered_actions()
    undeclared, unknown = [], []
    for route, name, pattern in _walk():
        if _is_api_operation(pattern):
            continue  # declared by operation id, below
        rule = routes.rule_for_route(name, route)
        if rule is None:
            undeclared.append(name or route)
            continue
        unknown += [a for a in _declared_actions(rule) if a not in known]
    assert not undeclared, f"routes without an access rule in core/routes.py: {undeclared}"
    assert not unknown, f"unregistered actions: {unknown}"
    stale = set(routes.ROUTES) - {name for _r, name, _p in _walk()}
    assert not stale, f"core/routes.py names routes that no longer exist: {stale}"


def test_every_api_operation_is_declared_with_registered_actions():
    known = permissions.registered_actions()
    ids = {op_id for _m, _p, op_id in _operations()}
    undeclared = sorted(ids - set(routes.OPERATIONS))
    assert not undeclared, f"API operations without an access rule: {undeclared}"
    assert not set(routes.OPERATIONS) - ids, "core/routes.py names operations that are gone"
    unknown = [
        a for rule in routes.OPERATIONS.values() for a in _declared_actions(rule) if a not in known
    ]
    assert not unknown, f"unregistered actions: {unknown}"


def test_a_route_added_without_a_rule_is_noticed():
    assert routes.rule_for_route("capacity:een-nieuwe-pagina", "capaciteit/nieuw/") is None
    assert routes.rule_for_route("admin:iets", "admin/iets/") == routes.STAFF


# ---------------------------------------------------------------- (a) can == visible


@pytest.fixture
def world(cast):
    return build(cast)


def test_can_and_visible_agree_for_every_action_role_and_object(world):
    from django.contrib.auth.models import AnonymousUser

    objects = [obj for kind in world.objects.values() for obj in kind]
    by_model: dict[type, list] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    disagreements = []
    for action in permissions.registered_actions():
        for label, user in world.users.items():
            user = user or AnonymousUser()
            for model, instances in by_model.items():
                listed = set(permissions.visible(user, action, model).values_list("pk", flat=True))
                for obj in instances:
                    if permissions.can(user, action, obj) != (obj.pk in listed):
                        disagreements.append((action, label, model.__name__, obj.pk))
    assert not disagreements, disagreements[:20]


def test_the_walk_covers_every_model_the_policies_own(world):
    owned = {m for m in apps.get_models() if _has_ownership(m)}
    covered = {type(o) for kind in world.objects.values() for o in kind}
    assert owned - covered == set(), owned - covered


def _has_ownership(model) -> bool:
    try:
        permissions.ownership_of(model)
    except LookupError:
        return False
    return model._meta.app_label != "core" or model.__name__ in {
        "Region",
        "Municipality",
        "Organisation",
        "Location",
    }


# ---------------------------------------------------------------- (b) refusals change nothing

IGNORED_TABLES = {"core_auditevent", "django_session"}
WRITE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _ignored(table: str) -> bool:
    cache_tables = {c.get("LOCATION") for c in settings.CACHES.values()}
    return table in IGNORED_TABLES or table in cache_tables or table.startswith("axes_")


def _tables() -> list[str]:
    names = [m._meta.db_table for m in apps.get_models() if m._meta.managed]
    return sorted(n for n in set(names) if not _ignored(n))


def _counts(tables) -> tuple:
    quoted = (connection.ops.quote_name(t) for t in tables)  # names from the model registry
    # One row of scalar subqueries: its columns keep their order (UNION ALL rows need not).
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in quoted)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _values(world, kwarg: str, route_name: str) -> list:
    o = world.objects
    ids = {
        "location_id": o["location"],
        "locatie_id": o["location"],
        "bed_id": o["bed"],
        "claim_id": o["claim"],
        "reservering_id": o["claim"],
        "client_id": o["client"],
        "candidate_id": o["duplicatecandidate"],
        "merge_id": o["merge"],
        "parameter_set_id": o["parameterset"],
        "project_id": o["project"],
        "plan_id": o["plan"],
        "framework_id": o["framework"],
        "indicator_id": o["indicator"],
        "organisatie_id": o["organisation"],
    }
    if kwarg in ids:
        return [x.pk for x in ids[kwarg]]
    if kwarg in {"reference", "kenmerk"}:
        return [c.reference for c in o["case"]]
    if kwarg in {"slug", "region_slug"}:
        return [r.slug for r in o["region"]]
    if kwarg == "cbs_code":
        return [m.cbs_code for m in o["municipality"]]
    if kwarg == "fmt":
        return ["csv"]
    if kwarg == "action":
        return {
            "capacity:claim-action": ["bevestig", "weiger", "trek-in", "verleng", "koppel"],
            "waitlist:duplicate-action": ["samenvoegen", "afwijzen"],
            "waitlist:placement-action": ["aanbieden", "accepteren", "weigeren"],
        }.get(route_name, ["x"])
    return [1]  # passage_id, report_id, …


def _variants(world, name: str, pattern) -> list[dict]:
    kwargs = list(pattern.pattern.converters) or re.findall(r"\(\?P<(\w+)>", str(pattern.pattern))
    if not kwargs:
        return [{}]
    columns = {k: _values(world, k, name) for k in kwargs}
    actions = columns.pop("action", None)
    rows = [
        {k: v for k, v in zip(columns, row, strict=True) if v is not None}
        for row in zip_longest(*columns.values())
    ] or [{}]
    rows = [{**r, **{k: columns[k][-1] for k in columns if k not in r}} for r in rows]
    return [{**r, "action": a} for r in rows for a in actions] if actions else rows


FORM_ID_ROUTES = {"waitlist:placement-action", "capacity:claim-action", "capacity:reserve"}


def _post_data(world, index: int) -> dict:
    o = world.objects
    pick = min(index, 2)
    return {
        "inschrijving": o["registration"][pick].pk,
        "locatie": o["location"][0].pk,
        "aanbod": o["placementoffer"][pick].pk,
        "casus": o["case"][pick].reference,
        "reden": "Toegangstest",
        "toelichting": "Toegangstest",
        "behoud": o["client"][pick].pk,
        "organisatie": o["organisation"][pick].pk,
        "status": "bezet",
    }


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return bool(location) and reverse("login") in location


class Walk:
    def __init__(self, world):
        self.world = world
        self.tables = _tables()
        self.changed: list = []
        self.wrote: list = []
        self.letthrough: list = []

    def send(self, browser, label, method, url, data, rule):
        before = _counts(self.tables)
        connection.queries_log.clear()  # the log keeps 9000 queries; capture needs room
        with CaptureQueriesContext(connection) as queries:
            if method in ("GET", "DELETE"):
                response = getattr(browser, method.lower())(url)
            elif url.startswith("/api/"):
                response = getattr(browser, method.lower())(
                    url, data={}, content_type="application/json"
                )
            else:
                response = browser.post(url, data)
        denied = self._denied(label, rule)
        if not _refused(response):
            if denied and 200 <= response.status_code < 300:
                self.letthrough.append((label, method, url, response.status_code))
            if not (denied and 300 <= response.status_code < 400):
                return  # allowed (or an error before any check): may change things
        after = _counts(self.tables)
        if after != before:
            moved = [t for t, b, a in zip(self.tables, before, after, strict=True) if a != b]
            self.changed.append((label, method, url, response.status_code, moved))
        writes = {
            m.group(1)
            for q in queries.captured_queries
            if (m := WRITE.match(q["sql"])) and not _ignored(m.group(1))
        }
        if writes:
            self.wrote.append((label, method, url, response.status_code, sorted(writes)))

    def _denied(self, label, rule) -> bool:
        """Every action of the route refuses this user (whatever the object)."""
        user = self.world.users[label]
        actions = _declared_actions(rule)
        return bool(actions) and (
            user is None or not any(permissions.can(user, a) for a in actions)
        )


def _browsers(world):
    for label, user in world.users.items():
        browser = Browser()
        if user is not None:
            browser.force_login(user)
        yield label, browser


def test_refused_page_requests_change_nothing(world):
    walk = Walk(world)
    targets = []
    for route, name, pattern in _walk():
        if _is_api_operation(pattern) or name in {"logout", "login"}:
            continue
        rule = routes.rule_for_route(name, route)
        if rule == routes.STAFF:
            if not pattern.pattern.converters and "(?P" not in route and name:
                targets.append((name, "GET", reverse(name), {}, rule))
            continue
        for index, kwargs in enumerate(_variants(world, name, pattern)):
            url = reverse(name, kwargs=kwargs)
            targets.append((name, "GET", url, {}, rule))
            # Routes that take object ids in the form: every side's ids at the own location.
            sides = range(3) if name in FORM_ID_ROUTES else (index,)
            for side in sides:
                targets.append((name, "POST", url, _post_data(world, side), rule))
    for label, browser in _browsers(world):
        for _name, method, url, data, rule in targets:
            walk.send(browser, label, method, url, data, rule)
    assert not walk.changed, walk.changed[:20]
    assert not walk.wrote, walk.wrote[:20]
    assert not walk.letthrough, "\n".join(map(str, walk.letthrough))


def test_refused_api_requests_change_nothing(world):
    walk = Walk(world)
    targets = []
    for method, path, op_id in _operations():
        kwargs = re.findall(r"{(\w+)}", path)
        columns = {k: _values(world, k, op_id) for k in kwargs}
        rows = list(zip_longest(*columns.values())) if columns else [()]
        for row in rows:
            url = path
            for k, v in zip(columns, row, strict=True):
                url = url.replace("{" + k + "}", str(v if v is not None else columns[k][-1]))
            targets.append((method, url, routes.OPERATIONS[op_id]))
    for label, browser in _browsers(world):
        for method, url, rule in targets:
            walk.send(browser, label, method, url, {}, rule)
    assert not walk.changed, walk.changed[:20]
    assert not walk.wrote, walk.wrote[:20]
    assert not walk.letthrough, "\n".join(map(str, walk.letthrough))
