"""scripts/regenerate --check finds every kind of drift, and a clean tree passes."""

from __future__ import annotations

import importlib.util
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


def test_signatures_follow_the_schema_however_it_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Inline bodies and enums, nullable types, nested objects and required fields all become
    annotations: a spec written as Krea writes it types the same calls."""
    loaded = importlib.util.spec_from_file_location(
        "typed_signatures", ROOT / "scripts" / "py" / "typed_signatures.py"
    )
    assert loaded is not None
    assert loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    monkeypatch.setitem(sys.modules, "typed_signatures", module)
    loaded.loader.exec_module(module)
    body = {
        "type": "object",
        "required": ["prompt", "mode"],
        "properties": {
            "prompt": {"type": "string"},
            "mode": {"type": "string", "enum": ["fast", "fine"]},
            "seed": {"type": ["integer", "null"], "default": 3, "description": "Noise. More."},
            "box": {"type": "object", "properties": {"side": {"type": "number"}}},
            "tags": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
        },
    }
    document = {
        "paths": {
            "/generate/image/test/pixel": {
                "post": {
                    "operationId": "generate_pixel",
                    "x-krea-job-type": "pixel",
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                }
            }
        },
        "components": {"schemas": {"JobStatus": {"enum": ["queued", "completed"]}}},
    }
    source = module.render(document, frozenset({"Job", "GeneratePixelBodyMode"}))
    assert "ModelName = Literal['pixel']" in source
    assert "class PixelFields(TypedDict, total=False):" in source
    assert "    mode: Required[Literal['fast', 'fine'] | GeneratePixelBodyMode]" in source
    assert '    seed: int | None\n    """Noise. Default: 3."""' in source
    assert "    box: Mapping[str, Any]" in source
    assert "    tags: Sequence[str] | None" in source
    assert "prompt:" not in source.split("class PixelFields")[1].split("class ")[0]
    assert "model: Literal['pixel'] | None = None" in source  # the only model is the default
    compile(source, "signatures.py", "exec")
