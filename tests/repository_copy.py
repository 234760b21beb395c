"""A copy of this repository's code and spec in a temporary folder, with an edited spec and
its regenerated client: how the spec-driven tests prove that a spec edit needs no hand edit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
COPIED = (
    "krea_nano_banana_spec",
    "krea_nano_banana",
    "mock_server",
    "contract_tests",
    "scripts/py",
)
SPEC_FILES = ("openapi.yaml", "openapi-python-client.yaml")
UPSTREAM = Path(__file__).with_name("data") / "krea-openapi.json"  # Krea's, byte for byte


def copy_with_edited_spec(destination: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """Copies the repository into `destination`, edits its openapi.yaml with `edit`, and
    regenerates its client there (as a maintainer would run ./scripts/regenerate)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in COPIED:
        shutil.copytree(ROOT / folder, destination / folder, ignore=ignore)
    for name in SPEC_FILES:
        shutil.copy(ROOT / name, destination / name)
    document = yaml.safe_load((destination / "openapi.yaml").read_text())
    edit(document)
    (destination / "openapi.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    regenerate = [sys.executable, str(destination / "scripts" / "py" / "regenerate.py")]
    subprocess.run(regenerate, check=True, capture_output=True, timeout=120)
    return destination


def run_in(copied: Path, command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Runs `command` in the copy, importing the copy's packages and client, not ours."""
    path = os.pathsep.join(
        str(copied / folder) for folder in ("", "generated", "mock_server", "contract_tests")
    )
    return subprocess.run(
        command,
        cwd=copied,
        env={**os.environ, "PYTHONPATH": path, **env},
        capture_output=True,
        text=True,
        timeout=600,  # the largest copy: every operation of Krea's document
        check=False,
    )


def run_contract_suite(
    copied: Path, selection: str, *pytest_args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """The copy's contract suite (`-k selection`), in-process against the copy's mock."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "contract_tests"]
    return run_in(
        copied, [*command, "-k", selection, *pytest_args], HYPOTHESIS_PROFILE="fast", **env
    )
