"""Starting Django, loading the URLs and ``regiotafel --help`` import neither pandas nor pyarrow.

They cost 0.4–0.7 s of CPU per start (every command, worker and server process) and only the
projection's computations need them (regiotafel/lazy.py). Each check runs in a fresh
interpreter, so nothing another test imported counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from regiotafel.lazy import LazyModule, lazy_module

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "pyarrow")
REPORT = f"import json, sys; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"


def imported_after(code: str) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "regiotafel.settings"}
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_django_setup_and_the_urls_do_not_import_pandas_or_pyarrow():
    code = "import django; django.setup(); import regiotafel.urls"
    assert imported_after(code) == []


def test_the_console_command_help_does_not_import_pandas_or_pyarrow():
    # The console script ``regiotafel`` is regiotafel.cli:main; its help goes to stdout,
    # which the last line (the report) follows.
    code = "from regiotafel import cli; cli.main(['--help'])"
    assert imported_after(code) == []


def test_a_lazy_module_imports_on_first_use_and_then_is_the_module():
    import json as real

    stand_in = LazyModule("json")
    assert "not yet imported" in repr(stand_in)
    assert stand_in.dumps([1]) == "[1]"
    assert stand_in.JSONDecoder is real.JSONDecoder
    assert "not yet imported" not in repr(stand_in)
    assert lazy_module("json") is real  # already imported: the module itself
