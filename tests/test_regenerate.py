"""scripts/regenerate --check finds every kind of drift, and a clean tree passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "generated" / "krea_api_client"

pytestmark = pytest.mark.slow


def check(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "py" / "regenerate.py"),
            "--check",
            "--target",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def copy_of_generated(tmp_path: Path) -> Path:
    target = tmp_path / "krea_api_client"
    shutil.copytree(COMMITTED, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.mark.slow(seconds=8)
def test_committed_tree_is_up_to_date(copy_of_generated: Path) -> None:
    result = check(copy_of_generated)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow(seconds=8)
def test_stale_missing_and_extra_files_are_all_reported(copy_of_generated: Path) -> None:
    (copy_of_generated / "models" / "job.py").write_text("# edited by hand\n")
    (copy_of_generated / "errors.py").unlink()
    (copy_of_generated / "models" / "handmade.py").write_text("X = 1\n")
    result = check(copy_of_generated)
    assert result.returncode == 1
    assert "stale:   models/job.py" in result.stdout
    assert "missing: errors.py" in result.stdout
    assert "extra:   models/handmade.py" in result.stdout
