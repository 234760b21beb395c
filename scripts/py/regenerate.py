"""Regenerate the typed client in generated/ from openapi.yaml, or check that it is up to date.

The generator always writes into a fresh temp dir; writing mode then swaps that tree in, and
--check compares it with the committed tree file by file (openapi-python-client's own
golden-record practice), so both modes run exactly the same generation.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import spec_integrity
import typed_signatures
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's spec package, not another installed one
from krea_nano_banana_spec.mock_rules import missing_mock_rules  # noqa: E402
from krea_nano_banana_spec.normalize import normalize  # noqa: E402

PACKAGE = "krea_api_client"
DEFAULT_TARGET = ROOT / "generated" / PACKAGE
SIGNATURES = ROOT / typed_signatures.MODULE


@dataclass
class Drift:
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stale or self.missing or self.extra)

    def lines(self) -> list[str]:
        return (
            [f"stale:   {p}" for p in self.stale]
            + [f"missing: {p}" for p in self.missing]
            + [f"extra:   {p}" for p in self.extra]
        )


def normalized_copy(spec: Path, directory: Path) -> Path:
    """The spec as the generator must read it: normalised (krea_nano_banana_spec.normalize),
    so that operations written the way Krea writes them generate cleanly."""
    document = normalize(yaml.safe_load(spec.read_text()))
    problems = missing_mock_rules(document)
    if problems:  # refused before generating: the mock would otherwise guess in silence
        raise SystemExit(
            f"{spec.name} lacks what the mock needs:\n" + "\n".join(f"  {p}" for p in problems)
        )
    written = directory / f"{spec.stem}.normalized.json"
    written.write_text(json.dumps(document, indent=1))
    return written


def generate_into(directory: Path, spec: Path, config: Path) -> Path:
    output = directory / PACKAGE
    spec = normalized_copy(spec, directory)
    bin_dir = Path(sys.executable).parent
    # The generator's post-hooks call ruff by name: make sure it is this venv's ruff.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    completed = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(output),
            "--overwrite",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0 or not output.is_dir():
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"openapi-python-client failed (exit {completed.returncode})")
    # The generator warns on stdout about constructs it could not map; such a warning means
    # the client silently lacks something the spec says, so it fails the run.
    if "Warning" in completed.stdout or "Error" in completed.stdout:
        sys.stderr.write(completed.stdout)
        raise SystemExit("openapi-python-client reported problems with openapi.yaml")
    (output / "py.typed").write_text("")  # PEP 561: type checkers read the client's types
    return output


def relative_files(tree: Path) -> set[str]:
    return {
        str(p.relative_to(tree))
        for p in tree.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def compare(expected: Path, actual: Path) -> Drift:
    want = relative_files(expected)
    have = relative_files(actual) if actual.is_dir() else set()
    drift = Drift(missing=sorted(want - have), extra=sorted(have - want))
    for name in sorted(want & have):
        if not filecmp.cmp(expected / name, actual / name, shallow=False):
            drift.stale.append(name)
    return drift


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="report drift; change nothing")
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi.yaml")
    parser.add_argument("--config", type=Path, default=ROOT / "openapi-python-client.yaml")
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET, help="the package dir")
    parser.add_argument("--signatures", type=Path, default=SIGNATURES, help="the SDK's module")
    args = parser.parse_args(argv)

    document = normalize(yaml.safe_load(args.spec.read_text()))  # as every reader sees it
    if broken := spec_integrity.problems(document):
        print(f"{args.spec.name} cannot be generated from; nothing was changed:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in broken), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="regenerate-") as tmp:
        fresh = generate_into(Path(tmp), args.spec.resolve(), args.config.resolve())
        signatures = typed_signatures.write(document, fresh, Path(tmp) / "signatures.py")
        drift = compare(fresh, args.target)
        if not args.signatures.is_file():
            drift.missing.append(str(args.signatures))
        elif not filecmp.cmp(signatures, args.signatures, shallow=False):
            drift.stale.append(str(args.signatures))
        if args.check:
            if drift:
                print(f"{args.target} is out of date with {args.spec.name}:")
                print("\n".join(f"  {line}" for line in drift.lines()))
                print("Run ./scripts/regenerate and commit the result.")
                return 1
            print(f"{args.target} is up to date.")
            return 0
        if args.target.exists():
            shutil.rmtree(args.target)
        args.target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, args.target)
        shutil.copyfile(signatures, args.signatures)
    changed = len(drift.lines())
    print(f"Regenerated {args.target}: {changed} file(s) changed." if changed else "No changes.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
