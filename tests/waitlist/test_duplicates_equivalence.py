"""Through the importer and the database, the rewritten duplicate search proposes exactly the
pairs (with the same scores and reasons) that the code before issue 14 proposed on the
benchmark's generated data — in a bulk load (one search at the end) and file by file.

``data/duplicates_before_issue14.json`` was written by running the code of commit c718f66
(per-file import, then a full search) on ``benchmarks/waitlist_import.py``'s ``make_files``
with 5,000 registrations for 20 providers (seed 7); each client is named by its
registrations ('AGB/klantnummer'), so ids do not matter.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
from pathlib import Path

import pytest

from regiotafel.waitlist import duplicates, registrations

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
BENCHMARK = HERE.parents[1] / "benchmarks" / "waitlist_import.py"
BEFORE = json.loads((HERE / "data" / "duplicates_before_issue14.json").read_text())


def _benchmark():
    spec = importlib.util.spec_from_file_location("waitlist_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def national(cast):
    bench = _benchmark()
    providers = bench.make_world(cast.region, BEFORE["providers"])
    codes = list(providers)
    files, planted = bench.make_files(
        BEFORE["registrations"],
        codes,
        bench.location_names(BEFORE["providers"]),
        random.Random(BEFORE["seed"]),
    )
    data = b"".join(files[code] for code in codes)
    assert hashlib.sha256(data).hexdigest() == BEFORE["files_sha256"]  # the same input
    assert len(planted) == BEFORE["planted"]
    return bench, providers, files


def test_a_bulk_load_proposes_exactly_what_the_old_code_proposed(national):
    bench, providers, files = national
    result = registrations.import_many(
        user=None, files=[(org, files[code], f"{code}.csv") for code, org in providers.items()]
    )
    assert not result.failed
    assert result.candidates == len(BEFORE["proposals"])
    assert bench.proposals() == BEFORE["proposals"]
    assert duplicates.refresh_candidates() == 0  # a full search finds nothing more


def test_file_by_file_uploads_propose_exactly_what_the_old_code_proposed(national):
    bench, providers, files = national
    for code, org in providers.items():
        registrations.import_registrations(
            user=None, provider=org, source=files[code], name=f"{code}.csv"
        )
    assert bench.proposals() == BEFORE["proposals"]
    assert duplicates.refresh_candidates() == 0
