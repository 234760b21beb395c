"""scripts/regenerate --check finds every kind of drift, and a clean tree passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "generated" / "krea_api_client"


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


def test_committed_tree_is_up_to_date(copy_of_generated: Path) -> None:
    result = check(copy_of_generated)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stale_missing_and_extra_files_are_all_reported(copy_of_generated: Path) -> None:
    (copy_of_generated / "models" / "job.py").write_text("# edited by hand\n")
    (copy_of_generated / "errors.py").unlink()
    (copy_of_generated / "models" / "handmade.py").write_text("X = 1\n")
    result = check(copy_of_generated)
    assert result.returncode == 1
    assert "stale:   models/job.py" in result.stdout
    assert "missing: errors.py" in result.stdout
    assert "extra:   models/handmade.py" in result.stdout


def regenerate_from(spec: Path, target: Path) -> subprocess.CompletedProcess[str]:
    script = ROOT / "scripts" / "py" / "regenerate.py"
    return subprocess.run(
        [sys.executable, str(script), "--spec", str(spec), "--target", str(target),
         "--signatures", str(target.parent / "signatures.py")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (
            # used by two operations (get and cancel), whose modules the generator would drop
            ("#/components/parameters/JobId", "#/components/parameters/JobID"),
            "paths./jobs/{id}.parameters[0]: $ref '#/components/parameters/JobID' points at "
            "nothing (components/parameters has no 'JobID')",
        ),
        (
            ('"9:16"]\n      x-enum-varnames:', '"9:16", "2:1"]\n      x-enum-varnames:'),
            "components.schemas.AspectRatio: 11 enum values but 10 x-enum-varnames",
        ),
    ],
    ids=["mistyped-ref", "enum-value-without-varname"],
)
def test_a_broken_spec_is_refused_naming_the_place_and_nothing_changes(
    copy_of_generated: Path, tmp_path: Path, edit: tuple[str, str], named: str
) -> None:
    text = (ROOT / "openapi.yaml").read_text()
    assert text.count(edit[0]) >= 1
    broken = tmp_path / "openapi.yaml"
    broken.write_text(text.replace(edit[0], edit[1], 1))
    before = {p: p.read_bytes() for p in copy_of_generated.rglob("*") if p.is_file()}
    result = regenerate_from(broken, copy_of_generated)
    assert result.returncode == 2
    assert named in result.stderr
    assert "nothing was changed" in result.stderr
    after = {p: p.read_bytes() for p in copy_of_generated.rglob("*") if p.is_file()}
    assert after == before
    assert not (tmp_path / "signatures.py").exists()
