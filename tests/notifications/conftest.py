"""The capacity cast (tests/capacity/conftest.py) with e-mail addresses, for notifications."""

from __future__ import annotations

import pytest

from tests.capacity.conftest import CASE_DATA, Ward, new_case, ward  # noqa: F401,F811


@pytest.fixture
def mailed(ward):  # noqa: F811 - the imported fixture
    """Everyone in the ward has an e-mail address (the fixtures give none)."""
    for user in (
        ward.referrer,
        ward.other_referrer,
        ward.triagist,
        ward.planner,
        ward.other_planner,
    ):
        user.email = f"{user.username}@example.test"
        user.save(update_fields=["email"])
    return ward
