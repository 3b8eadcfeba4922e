"""``regiotafel plannen scan``: one plan scanned from the command line, without a server."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.plans.conftest import PARAGRAPHS, SEEDS
from tests.plans.fixtures.documents import make_pdf, wrap

pytestmark = pytest.mark.unit


def scan(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("plannen", "scan", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_output_has_exactly_the_documented_shape(tmp_path, seed_004):
    found = json.loads(scan(str(seed_004), "--json"))
    assert set(found) == {"document", "indicatoren"}
    assert found["document"] == seed_004.name
    assert len(found["indicatoren"]) == 30
    first = found["indicatoren"][0]
    assert set(first) == {"id", "score", "beslissing", "passages"}
    assert first["id"] == "CUL-1"
    assert first["beslissing"] in {"gedekt", "deels", "niet gedekt"}
    assert len(first["passages"]) == 5
    passage = first["passages"][0]
    assert set(passage) == {"pagina", "regel", "tekst", "score"}
    assert passage["score"] == first["score"]


def test_plain_text_cites_the_line_and_has_no_page(seed_004):
    found = json.loads(scan(str(seed_004), "--json", "--top", "2"))
    lines = seed_004.read_text(encoding="utf-8").splitlines()
    for indicator in found["indicatoren"]:
        for passage in indicator["passages"]:
            assert passage["pagina"] is None
            assert passage["tekst"].startswith(lines[passage["regel"] - 1].strip())


def test_a_pdf_cites_the_page(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(make_pdf([wrap(p) for p in PARAGRAPHS]))
    found = json.loads(scan(str(path), "--json", "--top", "1"))
    mantelzorg = next(i for i in found["indicatoren"] if i["id"] == "WIJK-4")
    assert mantelzorg["passages"][0]["pagina"] == 1
    assert mantelzorg["passages"][0]["regel"] == 1


def test_pages_without_text_are_reported_on_stderr_not_in_the_json(tmp_path):
    from io import StringIO

    path = tmp_path / "deels-gescand.pdf"
    path.write_bytes(make_pdf([wrap(PARAGRAPHS[0] + " " + PARAGRAPHS[1]), [], wrap(PARAGRAPHS[2])]))
    out, err = StringIO(), StringIO()
    call_command("plannen", "scan", str(path), "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue())["document"] == "deels-gescand.pdf"
    assert "OCR" in err.getvalue() and "2" in err.getvalue()


def test_without_json_it_prints_a_dutch_table(seed_004):
    out = scan(str(seed_004))
    assert "Indicator" in out and "Beslissing" in out
    assert "PREV-3" in out and "regel " in out
    assert out.strip().splitlines()[-1].startswith("Gedekt:")
    prev_3 = next(line for line in out.splitlines() if line.startswith("PREV-3"))
    assert re.search(r"\s0,\d{3}\s", prev_3)  # a Dutch decimal comma


def test_a_bad_file_stops_with_one_dutch_line(tmp_path):
    empty = tmp_path / "leeg.pdf"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="Bestand leeg.pdf is leeg."):
        scan(str(empty), "--json")


def test_an_unknown_scorer_is_refused(seed_004):
    with pytest.raises(CommandError):
        scan(str(seed_004), "--scorer", "magisch")


def test_it_runs_as_the_regiotafel_command_without_a_database(tmp_path, seed_004):
    nowhere = "postgresql://niemand@127.0.0.1:9/geen"  # nothing listens: any query would fail
    environment = {
        **os.environ,
        "DATABASE_URL": nowhere,
        "SECRET_KEY": "k3Y-9fQz_Lw2pR7vT1xB8nM4cJ6hD0sA5eG",  # weak keys are refused at start
        "BSN_HASH_KEY": "Q7w-2eRt_Yu8iOp1aSd4fGh6jKl9zXc3vBn",
        "REGIOTAFEL_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "regiotafel", "plannen", "scan", str(seed_004), "--json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["indicatoren"]) == 30


@pytest.mark.integration
def test_verwerk_processes_the_plans_a_stopped_server_left_waiting(db, cast):
    from io import StringIO

    from regiotafel.plans import services
    from regiotafel.plans.models import Plan, PlanStatus

    framework = services.ensure_default_framework()
    seed = next(SEEDS.glob("001_*.txt"))
    common = {"region": cast.region, "framework": framework, "kind": "txt", "scorer": "lexicaal"}
    waiting = Plan.objects.create(
        title="Visie", file_name=seed.name, source=seed.read_bytes(), **common
    )
    broken = Plan.objects.create(
        title="Lijstje",
        file_name="lijstje.txt",
        source=("melk brood kaas " * 60).encode(),
        status=PlanStatus.BEZIG,
        **common,
    )
    out = StringIO()
    call_command("plannen", "verwerk", stdout=out)
    report = out.getvalue()
    assert f"Plan {waiting.pk} (Visie): klaar." in report
    assert (
        f"Plan {broken.pk} (Lijstje): mislukt: Bestand lijstje.txt lijkt geen regioplan" in report
    )
    assert "2 plan(nen) verwerkt, waarvan 1 mislukt." in report
    assert Plan.objects.get(pk=waiting.pk).proposals.count() == 30


@pytest.mark.integration
def test_verwerk_says_so_when_nothing_is_waiting(db):
    from io import StringIO

    out = StringIO()
    call_command("plannen", "verwerk", stdout=out)
    assert "Er wachten geen plannen op verwerking." in out.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_scan_on_a_terminal_shows_its_progress_on_stderr(seed_004, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    found = json.loads(scan(str(seed_004), "--json"))
    assert len(found["indicatoren"]) == 30  # stdout stays clean JSON
    shown = terminal.getvalue()
    assert "lezen" in shown and "scoren" in shown


def test_a_scan_off_a_terminal_shows_no_progress(seed_004, monkeypatch):
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    scan(str(seed_004), "--json")
    assert quiet.getvalue() == ""
