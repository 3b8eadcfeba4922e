"""An installed (non-editable) Regiotafel carries every file it reads at run time."""

import subprocess
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "regiotafel"


def package_data_patterns() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]


def tracked_data_files() -> list[Path]:
    """The files git tracks under regiotafel/ that are not Python source."""
    listed = subprocess.run(
        ["git", "ls-files", "regiotafel"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if not name.endswith(".py")]


def shipped(path: Path, patterns: dict[str, list[str]]) -> bool:
    """Whether a package-data pattern of the package holding the file (or of "*") matches it."""
    relative = path.relative_to(PACKAGE)
    for owner in (Path(*relative.parts[:1]), Path()):
        package_dir = PACKAGE / owner
        if not (package_dir / "__init__.py").exists():
            continue
        key = "regiotafel" if owner == Path() else f"regiotafel.{owner}"
        for pattern in patterns.get(key, []) + patterns.get("*", []):
            if path in set(package_dir.glob(pattern)):
                return True
    return False


def test_every_data_file_and_template_of_every_app_is_in_the_package():
    patterns = package_data_patterns()
    try:
        files = tracked_data_files()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    missing = [str(f.relative_to(ROOT)) for f in files if not shipped(f, patterns)]
    assert not missing, missing
