"""The engine type-checks (mypy), nothing is dead that vulture can see, and import blocks are sorted with nothing
unused (ruff): each configured in pyproject.toml."""
import subprocess
import sys
from pathlib import Path

from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]


def test_the_engine_type_checks(monkeypatch):
    # From the repository root, so that mypy finds web/ and documents/ where the engine reaches them; the
    # incremental cache there (.mypy_cache, ignored by git) makes a second run take a few seconds.
    monkeypatch.chdir(ROOT)
    out, err, status = mypy_api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                     "--cache-dir", str(ROOT / ".mypy_cache"), "--no-error-summary",
                                     "--hide-error-context", "engine"])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 0 and not errors, f"mypy found:\n{out}{err}"


def test_nothing_is_dead_but_what_the_whitelist_explains():
    # vulture reads its paths, confidence and ignores from pyproject.toml; tools/vulture_whitelist.py says
    # why each thing it cannot see used is kept
    result = subprocess.run([sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout, f"vulture found:\n{result.stdout}{result.stderr}"


def test_imports_are_sorted_and_used():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "engine", "web", "documents"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"ruff found:\n{result.stdout}{result.stderr}"
