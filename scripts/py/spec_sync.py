"""Sync openapi.yaml with Krea's published OpenAPI document, in one command.

For each of our operations, upstream's request schema, parameters, responses, description,
deprecated aliases and price table come in; our own extensions and every location a reviewed
known difference (known-differences.yaml) covers stay ours. `--add PATH` imports an upstream
operation as a new model. Then generated/ is regenerated, CHANGELOG.md gains an entry, the
version in pyproject.toml is bumped by semver, and what to review is printed.

Exit codes: 0 synced, or nothing to do; 2 a conflict that needs a person (nothing written);
3 the upstream document could not be read.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import spec_diff
import yaml
from changelog import bump, changelog_entry, next_version, write_changelog, write_version
from spec_sync_import import (
    TAG_DESCRIPTIONS,
    Refused,
    new_operation,
    normalise_operation,
)
from spec_sync_merge import ADDED, MAJOR, MINOR, PATCH, Change, Conflict, Merger, Reviewed
from spec_sync_parts import (
    Plan,
    check_tiers,
    sync_aliases,
    sync_description,
    sync_pricing,
)
from spec_sync_reviewed import lock_conflicts, reviewed_differences
from spec_sync_yaml import dump, literal, round_trip

from krea_nano_banana_spec.normalize import derived_operation_id, model_of

ROOT = Path(__file__).resolve().parents[2]
EXIT_SYNCED, EXIT_CONFLICT, EXIT_UNAVAILABLE = 0, 2, 3
LOCK_NAME = "spec-sync.lock.json"
EPILOG = """\
exit codes:
  0  synced (or nothing to do): openapi.yaml, generated/, CHANGELOG.md and the version follow
  2  a conflict that needs a person (printed; nothing was written)
  3  the upstream document could not be read (no network, a bad URL or file)
"""


def operations(document: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """`METHOD /path` -> (method, path) of every operation of a document."""
    return {
        f"{method.upper()} {path}": (method, path)
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if isinstance(operation, Mapping) and method != "parameters"
    }


def normalised_upstream(upstream: Mapping[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(dict(upstream))
    for item in document.get("paths", {}).values():
        for method, operation in list(item.items()):
            if isinstance(operation, Mapping) and "requestBody" in operation:
                item[method] = normalise_operation(operation)
    written: dict[str, Any] = literal(document)
    return written


# -- the run -----------------------------------------------------------------------------------


def request_fields(merger: Merger, operation: Mapping[str, Any]) -> dict[str, Any]:
    body = merger.resolved(operation.get("requestBody", {}))
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    fields: dict[str, Any] = schema.get("properties", {})
    return fields


def plan_sync(
    document: MutableMapping[str, Any],
    upstream: Mapping[str, Any],
    reviewed: Mapping[str, Reviewed],
    additions: list[str],
) -> Plan:
    plan = Plan()
    theirs_by_label = operations(upstream)
    ours: dict[str, tuple[str, MutableMapping[str, Any], Mapping[str, Any], Mapping[str, Any]]] = {}
    for label, (method, path) in operations(document).items():
        operation = document["paths"][path][method]
        subject = model_of(path) if "x-krea-job-type" in operation else label
        if label not in theirs_by_label:
            plan.conflicts.append(Conflict(subject, label, "the operation is gone upstream"))
            continue
        their_method, their_path = theirs_by_label[label]
        theirs = upstream["paths"][their_path][their_method]
        ours[label] = (subject, operation, document["paths"][path], theirs)
    sharing = {subject: (op, item, theirs) for subject, op, item, theirs in ours.values()}
    wishes = Merger(document, sharing)  # the first pass: what each operation wants, where
    for label, (subject, operation, path_item, theirs) in ours.items():
        checks = reviewed.get(label, Reviewed(frozenset()))
        wishes.merge_operation(subject, operation, path_item, theirs, checks)
    merger = Merger(document, sharing, wishes.wants)
    for label, (subject, operation, path_item, theirs) in ours.items():
        checks = reviewed.get(label, Reviewed(frozenset()))
        merger.merge_operation(subject, operation, path_item, theirs, checks)
        if "x-krea-job-type" in operation:
            sync_description(subject, operation, theirs, plan)
            sync_aliases(subject, operation, theirs, plan)
            fields = request_fields(merger, operation)
            sync_pricing(subject, operation, fields, plan)
            check_tiers(subject, operation, fields, plan)
    plan.changes.extend(merger.changes)
    plan.conflicts.extend(merger.conflicts)
    for path in additions:
        add_operation(document, upstream, path, plan)
    return plan


def add_operation(
    document: MutableMapping[str, Any], upstream: Mapping[str, Any], path: str, plan: Plan
) -> None:
    theirs = upstream.get("paths", {}).get(path, {}).get("post")
    if theirs is None:
        plan.conflicts.append(Conflict(path, "--add", "no POST operation at this path upstream"))
        return
    if path in document["paths"]:
        plan.notes.append(f"{path}: already ours, synced above")
        return
    generations = [
        op
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, Mapping) and "x-krea-job-type" in op
    ]
    try:
        operation, name, schema, notes = new_operation(
            path, theirs, generations[0] if generations else None
        )
    except Refused as refused:
        plan.conflicts.append(Conflict(model_of(path), "--add", str(refused)))
        return
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    taken = {
        op.get("operationId") or derived_operation_id(method, known)
        for known, item in document["paths"].items()
        for method, op in item.items()
        if isinstance(op, Mapping)
    }
    operation_id = derived_operation_id("post", path)  # what normalisation will give it
    if operation_id in taken or name in schemas:
        plan.conflicts.append(
            Conflict(model_of(path), "--add", f"{operation_id} or {name} is taken")
        )
        return
    tag = operation["tags"][0]
    tags = document.setdefault("tags", [])
    if tag not in {t.get("name") for t in tags}:
        tags.append({"name": tag, "description": TAG_DESCRIPTIONS[tag]})
    document["paths"][path] = {"post": literal(operation)}
    schemas[name] = literal(schema)
    plan.changes.append(
        Change(
            model_of(path),
            f"model added ({operation['x-krea-job-type']}, POST {path})",
            ADDED,
            MINOR,
        )
    )
    plan.notes.extend(notes)


def review(plan: Plan, version: str | None) -> str:
    lines = []
    if plan.conflicts:
        lines.append(f"needs a person ({len(plan.conflicts)}); nothing was written:")
        lines += [f"  [ ] {c.line()}" for c in plan.conflicts]
    if plan.changes:
        ordered = sorted(
            plan.changes, key=lambda c: ({MAJOR: 0, MINOR: 1, PATCH: 2}[c.level], c.subject, c.text)
        )
        lines.append(f"changes ({len(plan.changes)}):")
        lines += [f"  {c.level:5}  {c.line()}" for c in ordered]
    if plan.notes:
        lines.append("to review:")
        lines += [f"  [ ] {note}" for note in plan.notes]
    if version and plan.changes and not plan.conflicts:
        lines.append(f"version: {version}")
        lines.append(
            "next: git diff (openapi.yaml, CHANGELOG.md, pyproject.toml, generated/), "
            "./scripts/test, then the contract suite live against Krea"
        )
    return "\n".join(lines) or "Nothing to do: openapi.yaml follows upstream."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="spec-sync",
        description=__doc__.split("\n\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--upstream", default=spec_diff.DEFAULT_UPSTREAM, help="URL or file (default: Krea's)"
    )
    parser.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="PATH",
        help="import this upstream operation as a new model (repeatable)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    parser.add_argument(
        "--accept-reviewed",
        action="store_true",
        help="record upstream's side of every reviewed difference as reviewed",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root: Path = args.root
    try:
        upstream = normalised_upstream(spec_diff.load(args.upstream))
    except spec_diff.UpstreamUnavailable as exc:
        print(f"spec-sync: cannot read the upstream document ({exc})", file=sys.stderr)
        return EXIT_UNAVAILABLE
    spec_file, known_file, lock_file = (
        root / "openapi.yaml",
        root / "known-differences.yaml",
        root / LOCK_NAME,
    )
    text = spec_file.read_text()
    document = round_trip().load(text)
    reviewed, digests, reasons = reviewed_differences(yaml.safe_load(text), upstream, known_file)
    lock = json.loads(lock_file.read_text()) if lock_file.is_file() else None
    plan = plan_sync(document, upstream, reviewed, args.add)
    if not args.accept_reviewed:
        plan.conflicts[:0] = lock_conflicts(lock, digests, reasons)
    pyproject = root / "pyproject.toml"
    version = next_version(pyproject.read_text(), bump(plan.changes)) if plan.changes else None
    print(review(plan, version))
    not_ours = [p for _, p in operations(upstream).values() if p.startswith("/generate/")]
    not_ours = [path for path in not_ours if path not in document["paths"]]
    if not_ours:
        print(f"upstream has {len(not_ours)} generation operation(s) not ours: --add PATH")
    if plan.conflicts:
        return EXIT_CONFLICT
    written = dump(document)
    if yaml.safe_load(written) == yaml.safe_load(text):
        written = text  # nothing moved: the file stays byte for byte as it was
    if args.dry_run:
        print("(dry run: nothing written)")
        return EXIT_SYNCED
    if written != text:
        spec_file.write_text(written)
    # What upstream says at each reviewed difference, after this sync: the next one compares.
    _, digests_now, _ = reviewed_differences(yaml.safe_load(written), upstream, known_file)
    lock_text = json.dumps(digests_now, indent=2, sort_keys=True) + "\n"
    if not lock_file.is_file() or lock_file.read_text() != lock_text:
        lock_file.write_text(lock_text)
    if not plan.changes:
        return EXIT_SYNCED
    subprocess.run(
        [sys.executable, str(root / "scripts" / "py" / "regenerate.py")], check=True, cwd=root
    )
    assert version is not None
    source = args.upstream if args.upstream.startswith("http") else Path(args.upstream).name
    write_changelog(root / "CHANGELOG.md", changelog_entry(version, plan.changes, source))
    write_version(pyproject, version)
    return EXIT_SYNCED


if __name__ == "__main__":
    raise SystemExit(main())
