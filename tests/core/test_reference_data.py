"""The reference data shipped in the package is the data of shared/ (when it is beside us)."""

from pathlib import Path

import pytest

from regiotafel.core.demo import DATA_DIR

pytestmark = pytest.mark.unit

SHARED = Path(__file__).resolve().parents[3] / "shared"

COPIES = {
    "zhn_municipalities.csv": "data/zhn_municipalities.csv",
    "regio_fasen_2020-10.csv": "data/regio_fasen_2020-10.csv",
    "regio_fasen_totalen.csv": "data/regio_fasen_totalen.csv",
    "indicators.csv": "data/indicators.csv",
    "transitieprojecten_2020-10.csv": "data/transitieprojecten_2020-10.csv",
    "seeds/000_91872e73b079777e.txt": "seeds/000_91872e73b079777e.txt",
    "seeds/001_c48e1087b87b02ba.txt": "seeds/001_c48e1087b87b02ba.txt",
    "seeds/004_4d2e3de32583dcaa.txt": "seeds/004_4d2e3de32583dcaa.txt",
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_the_packaged_copy_equals_the_shared_original(name):
    original = SHARED / COPIES[name]
    if not original.exists():
        pytest.skip(f"{original} is not beside this checkout")
    assert (DATA_DIR / name).read_bytes() == original.read_bytes()
