"""The cast shared by the tests: two organisations in one region, one in another region,
and a person for every role, plus an outsider who belongs to no organisation."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest

from regiotafel.core.models import (
    Membership,
    Municipality,
    Organisation,
    OrganisationType,
    Region,
    Role,
    User,
)

PASSWORD = "een-lang-testwachtwoord"


@dataclass
class Cast:
    region: Region
    other_region: Region
    own: Organisation  # the organisation the cast works for
    neighbour: Organisation  # another organisation in the same region
    far: Organisation  # an organisation in another region
    referrer: User
    triagist: User
    planner: User
    analyst: User
    admin: User
    outsider: User

    def by_role(self, role: Role) -> User:
        return {
            Role.VERWIJZER: self.referrer,
            Role.TRIAGIST: self.triagist,
            Role.CAPACITEITSBEHEERDER: self.planner,
            Role.REGIO_ANALIST: self.analyst,
            Role.BEHEERDER: self.admin,
        }[role]


def make_user(username: str, *memberships: tuple[Organisation, Role]) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.title()
    )
    for organisation, role in memberships:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def cast(db) -> Cast:
    if _DEMO_ONCE:
        pytest.fail("cast in a module whose demo_once is seeded: move the test to another module")
    region = Region.objects.create(name="Zuid-Holland Noord", slug="zuid-holland-noord")
    other_region = Region.objects.create(name="Kennemerland", slug="kennemerland")
    leiden = Municipality.objects.create(cbs_code="GM0546", name="Leiden", region=region)
    haarlem = Municipality.objects.create(cbs_code="GM0392", name="Haarlem", region=other_region)
    own = Organisation.objects.create(
        name="Rijnhof Ouderenzorg",
        type=OrganisationType.VVT,
        agb_code="73010001",
        region=region,
        municipality=leiden,
    )
    neighbour = Organisation.objects.create(
        name="Zorggroep Duinrand", type=OrganisationType.VVT, agb_code="73010002", region=region
    )
    far = Organisation.objects.create(
        name="Spaarne Zorg",
        type=OrganisationType.VVT,
        agb_code="73020001",
        region=other_region,
        municipality=haarlem,
    )
    return Cast(
        region=region,
        other_region=other_region,
        own=own,
        neighbour=neighbour,
        far=far,
        referrer=make_user("verwijzer", (own, Role.VERWIJZER)),
        triagist=make_user("triagist", (own, Role.TRIAGIST)),
        planner=make_user("planner", (own, Role.CAPACITEITSBEHEERDER)),
        analyst=make_user("analist", (own, Role.REGIO_ANALIST)),
        admin=make_user("beheerder", (own, Role.BEHEERDER)),
        outsider=make_user("buitenstaander"),
    )


@pytest.fixture(autouse=True)
def _account_protection_only_where_tested(settings):
    """Every deployment enforces TOTP and login throttling (axes, which also refuses Django's
    test-client ``login()`` without a request); tests/accounts switches them back on."""
    settings.TWO_FACTOR_ENFORCED = False
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _jobs_run_where_they_are_enqueued(settings):
    """A queued job runs at once in tests (django-tasks' ImmediateBackend); tests/ops use the
    database queue and real workers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests do not need that protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _every_change_is_audited(request, monkeypatch):
    """Fail a test whose application code writes an audited table without an audit event in
    the same transaction (tests/audit_guard.py). Transactional tests are not watched."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if "db" not in request.fixturenames or transactional:
        yield None
        return
    request.getfixturevalue("db")
    from tests import audit_guard

    guard = audit_guard.install(monkeypatch)
    if guard.base_depth == 0:
        guard.close()
        yield None
        return
    yield guard  # tests of the guard itself read and clear it
    guard.close()
    problems = guard.problems()
    if problems:
        pytest.fail("Writes without an audit event:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process copies (board versions and answers, resolved API tokens) never outlive a
    test: a rolled-back test's versions and tokens must not answer for the next one."""
    from regiotafel.capacity import board_cache
    from regiotafel.core import token_cache

    board_cache.forget_all()
    token_cache.forget_all()
    yield


# --- one computation per projection for the whole session ----------------------------------

_PROJECTIONS: dict[str, tuple] = {}  # cache key -> (results, indicators, decomposition)
_PROJECTION_KEY = re.compile(r"[0-9a-f]{32}")  # services.cache_key


@pytest.fixture(autouse=True)
def _one_computation_per_projection(monkeypatch):
    """The engine computes each projection (the demo region's above all: demo seeding, pages,
    API, uploads, jobs) once per session instead of once per test. The tables are kept by the
    projection's cache key, which hashes the engine's code and data, the parameter text and
    the platform's numbers, so one key means the same numbers. Every test still goes through
    the shared store exactly as before (saved, loaded, rolled back with the test) and gets its
    own copies of the frames. A test that replaces the engine (``runner.run``,
    ``runner.indicators`` or ``runner.decomposition``, to count or refuse computations) gets
    the real path, and so does every test with ``REGIOTAFEL_TEST_FRESH_PROJECTIONS=1``."""
    if os.environ.get("REGIOTAFEL_TEST_FRESH_PROJECTIONS"):
        yield
        return
    from regiotafel.projection import runner, store

    engine = (runner.run, runner.indicators, runner.decomposition)
    real_computed = store.computed

    def computed(key, compute):
        watched = (runner.run, runner.indicators, runner.decomposition) != engine
        if watched or not _PROJECTION_KEY.fullmatch(key):
            return real_computed(key, compute)

        def once():
            if key not in _PROJECTIONS:
                _PROJECTIONS[key] = tuple(compute())
            return tuple(None if frame is None else frame.copy() for frame in _PROJECTIONS[key])

        return real_computed(key, once)

    monkeypatch.setattr(store, "computed", computed)
    yield


# --- the whole demo, seeded once per module ------------------------------------------------

DEMO_ONCE_PASSWORD = "een-demo-wachtwoord"
_DEMO_ONCE: list[bool] = []  # set while a module's demo_once transaction is open


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo (``core.demo.seed``) seeded once for a whole test module instead of once per
    test: its rows are written inside one transaction around the module, every test runs in
    its own savepoint inside it (pytest-django's ``db``, as Django's ``setUpTestData``), and
    the module's transaction is rolled back at its end, so the next module starts from an
    empty database as before. The demo stays in the database until the module ends, so every
    database test of such a module must be one that expects it (``cast`` refuses). Use it as
    ``def test_x(demo_once, db, ...)``; the logins are returned, every demo user's password
    is ``DEMO_ONCE_PASSWORD``. Tests of seeding itself (idempotency, an empty database) keep
    seeding in the test."""
    from django.db import transaction
    from django.test.utils import override_settings

    from regiotafel.core import demo

    fast = override_settings(  # what the autouse fixtures above set for every test
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        TWO_FACTOR_ENFORCED=False,
        AXES_ENABLED=False,
    )
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            logins = demo.seed(password=DEMO_ONCE_PASSWORD)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    _DEMO_ONCE.append(True)
    yield logins
    _DEMO_ONCE.clear()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
