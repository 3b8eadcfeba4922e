"""The national benchmark keeps running (it broke once when capacity for municipalities
outside the population became an error): a small country, a few draws."""

import runpy
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "projection.py"


def test_the_benchmark_runs_a_small_synthetic_country(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), "--municipalities", "12", "--draws", "4"])
    runpy.run_path(str(SCRIPT), run_name="__main__")
    out = capsys.readouterr().out  # (12 municipalities + region) x 21 years x 3 x 7
    assert "rows in the long table: 5,733 (7 products, 3 scenarios)" in out
    assert "throughput ratio run / numpy matmul:" in out
    assert "throughput ratio engine / numpy matmul:" in out
