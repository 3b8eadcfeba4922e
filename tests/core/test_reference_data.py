"""The reference data shipped in the package is the data of shared/ (when it is beside us)."""

from pathlib import Path

import pytest

from regiotafel.core.demo import DATA_DIR

pytestmark = pytest.mark.unit

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.parametrize("name", ["zhn_municipalities.csv", "regio_fasen_2020-10.csv"])
def test_the_packaged_copy_equals_the_shared_original(name):
    original = SHARED / name
    if not original.exists():
        pytest.skip(f"{original} is not beside this checkout")
    assert (DATA_DIR / name).read_bytes() == original.read_bytes()
