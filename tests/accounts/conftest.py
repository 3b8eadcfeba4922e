import pytest


@pytest.fixture(autouse=True)
def _login_throttling_on(settings):
    """tests/conftest.py switches axes off for the rest of the suite; here it is what we test."""
    settings.AXES_ENABLED = True
