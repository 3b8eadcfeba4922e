from __future__ import annotations

import pytest

from regiotafel.core.demo import DATA_DIR
from regiotafel.core.models import Region
from regiotafel.core.services import ensure_regions
from regiotafel.portfolio import imports

PROJECTS = DATA_DIR / "transitieprojecten_2020-10.csv"
PHASES = DATA_DIR / "regio_fasen_2020-10.csv"


def region_names() -> list[str]:
    import csv

    with PHASES.open(encoding="utf-8") as handle:
        return [row["zorgkantoorregio"] for row in csv.DictReader(handle)]


@pytest.fixture
def regions(db) -> None:
    ensure_regions(names=region_names())


@pytest.fixture
def shared_files(regions) -> None:
    """The two shared files imported as they are, as on a fresh install."""
    imports.import_projects(source=PROJECTS)
    imports.import_phases(source=PHASES)


def region(name: str) -> Region:
    return Region.objects.get(name=name)
