"""Fixtures shared by the gap-analysis tests.

Computed projections go to the shared store (the cache framework, rolled back with each
test; the demo projection takes about a second); the in-process copies
(``services._memory``) are dropped before every test, so no test can pass or fail because of
what an earlier test left in memory.
"""

from __future__ import annotations

import re

import pytest

from regiotafel.projection import runner, services
from regiotafel.projection.models import ParameterSet


def demo_text(*, draws: int | None = None) -> str:
    """The documented example for the demo region (optionally with another number of draws)."""
    text = runner.demo_params_path().read_text(encoding="utf-8")
    if draws is None:
        return text
    changed = re.sub(r"(?m)^(\s*trekkingen:\s*)\d+", rf"\g<1>{draws}", text)
    assert changed != text
    return changed


@pytest.fixture(autouse=True)
def _fresh_memory():
    services.forget_memory()
    yield
    services.forget_memory()


@pytest.fixture(scope="session")
def projection_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("projectie-cache")


@pytest.fixture
def zhn(cast, settings, projection_cache) -> ParameterSet:
    """The demo region's parameters; projections are cached on disk for the whole session."""
    settings.DATA_DIR = projection_cache
    text = demo_text()
    name = services.parse_parameters(text, filename="projectie-zhn.yaml").name
    return ParameterSet.objects.create(
        region=cast.region, name=name, version=1, text=text, filename="projectie-zhn.yaml"
    )
