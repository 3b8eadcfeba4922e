"""`regiotafel projectie run|rapport` writes files; errors are one Dutch line."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from tests.projection.test_runner import BASE_COLUMNS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "projectie-zhn.yaml"


def test_run_writes_a_parquet_with_the_issues_columns_and_percentiles(tmp_path, capsys):
    out = tmp_path / "resultaten.parquet"
    call_command("projectie", "run", str(EXAMPLE), "--out", str(out), "--trekkingen", "20")
    result = pd.read_parquet(out)
    assert list(result.columns[: len(BASE_COLUMNS)]) == BASE_COLUMNS
    assert {"vraag_p10", "vraag_p50", "vraag_p90", "tekort_p10"} <= set(result.columns)
    assert set(result["gemeente"]) >= {"ZHN", "GM0546"}
    printed = capsys.readouterr().out
    assert "6174 rijen geschreven" in printed
    assert "DEMODATASET" in printed


def test_run_writes_csv_when_asked_and_draws_can_be_switched_off(tmp_path):
    out = tmp_path / "resultaten.csv"
    call_command("projectie", "run", str(EXAMPLE), "--out", str(out), "--trekkingen", "0")
    assert list(pd.read_csv(out).columns) == BASE_COLUMNS


def test_it_refuses_another_output_format_and_bad_parameters(tmp_path):
    with pytest.raises(CommandError, match=r"--out moet eindigen op \.parquet of \.csv"):
        call_command("projectie", "run", str(EXAMPLE), "--out", str(tmp_path / "x.txt"))
    bad = tmp_path / "fout.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("versie: 1", "versie: 1\nx: 2"))
    with pytest.raises(CommandError, match="fout.yaml bevat 1 fout"):
        call_command("projectie", "run", str(bad), "--out", str(tmp_path / "x.parquet"))


def test_the_console_command_runs_as_a_subprocess(tmp_path):
    out = tmp_path / "r.parquet"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "regiotafel",
            "projectie",
            "run",
            str(EXAMPLE),
            "--out",
            str(out),
            "--trekkingen",
            "0",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(pd.read_parquet(out)) == 6174


def test_rapport_writes_the_html_report_and_the_workbook(tmp_path):
    html, xlsx = tmp_path / "rapport.html", tmp_path / "tabellen.xlsx"
    call_command(
        "projectie",
        "rapport",
        str(EXAMPLE),
        "--html",
        str(html),
        "--xlsx",
        str(xlsx),
        "--trekkingen",
        "10",
    )
    assert "Zuid-Holland Noord" in html.read_text(encoding="utf-8")
    assert xlsx.stat().st_size > 0
    with pytest.raises(CommandError, match="Geef --html, --xlsx of allebei"):
        call_command("projectie", "rapport", str(EXAMPLE))
