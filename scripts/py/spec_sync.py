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
import hashlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import spec_diff
import yaml
from changelog import bump, changelog_entry, next_version, write_changelog, write_version
from price_tables import pricing_from
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from spec_sync_import import (
    BILLED,
    TAG_DESCRIPTIONS,
    TIER_FIELD,
    Refused,
    legacy_aliases_of,
    model_of,
    new_operation,
    normalise_operation,
    tier_edge,
)
from spec_sync_merge import (
    ADDED,
    CHANGED,
    MAJOR,
    MINOR,
    PATCH,
    REMOVED,
    Change,
    Conflict,
    Merger,
    Reviewed,
)

ROOT = Path(__file__).resolve().parents[2]
EXIT_SYNCED, EXIT_CONFLICT, EXIT_UNAVAILABLE = 0, 2, 3
KREA_ALIASES = "x-krea-deprecated-field-aliases"
OUR_ALIASES = "x-deprecated-aliases"  # ours, kept in step with Krea's while the spec has it
LOCK_NAME = "spec-sync.lock.json"
EPILOG = """\
exit codes:
  0  synced (or nothing to do): openapi.yaml, generated/, CHANGELOG.md and the version follow
  2  a conflict that needs a person (printed; nothing was written)
  3  the upstream document could not be read (no network, a bad URL or file)
"""


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)  # equal values written once, anchored


def put(mapping: MutableMapping[str, Any], key: str, value: Any, after: str) -> None:
    """Set `key`; a new key goes right after `after` (where readers look for it), not last."""
    if key in mapping or after not in mapping or not hasattr(mapping, "insert"):
        mapping[key] = value
        return
    mapping.insert(list(mapping).index(after) + 1, key, value)


def round_trip() -> YAML:
    loader = YAML()
    loader.preserve_quotes = True
    loader.width = 4096  # never re-wrap a line
    loader.indent(mapping=2, sequence=4, offset=2)
    loader.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return loader


# Plain scalars a YAML 1.1 reader (PyYAML, the spec package's) takes for something else:
# `2:1` is the sexagesimal 121, `no` is false. ruamel.yaml writes YAML 1.2, so they are quoted.
YAML_11_LOOKALIKES = re.compile(
    r"^([-+]?\d+(:[0-5]?\d)+(\.\d*)?|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$"
)


def literal(node: Any) -> Any:
    """Upstream values as YAML writes them readably and every reader reads them alike:
    multi-line text as a literal block, YAML 1.1 look-alikes quoted."""
    if isinstance(node, Mapping):
        return {k: literal(v) for k, v in node.items()}
    if isinstance(node, list):
        return [literal(v) for v in node]
    if isinstance(node, str) and "\n" in node:
        return LiteralScalarString("\n".join(line.rstrip() for line in node.split("\n")))
    if isinstance(node, str) and YAML_11_LOOKALIKES.match(node):
        return DoubleQuotedScalarString(node)
    return node


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


# -- reviewed differences and what upstream said at each ---------------------------------------


def reviewed_differences(
    ours: Mapping[str, Any], upstream: Mapping[str, Any], known_file: Path
) -> tuple[dict[str, Reviewed], dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Per operation: the locations a known difference covers, upstream's digest at each, and
    the reason reviewed for each."""
    differences = spec_diff.compare(ours, upstream)
    spec_diff.mark_known(differences, spec_diff.load_known(known_file))
    theirs = spec_diff.operations_of(upstream, spec_diff.our_operations(ours))
    locations: dict[str, set[str]] = {}
    digests: dict[str, dict[str, str]] = {}
    reasons: dict[str, dict[str, str]] = {}
    for difference in differences:
        if not difference.known or not difference.location:
            continue
        label, location = difference.operation, difference.location
        locations.setdefault(label, set()).add(location)
        found = theirs.get(label)
        value = node_at(found[1], location) if found else None
        digest = hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode())
        digests.setdefault(label, {})[location] = digest.hexdigest()[:16]
        reasons.setdefault(label, {})[location] = difference.known
    reviewed = {label: Reviewed(frozenset(found)) for label, found in locations.items()}
    return reviewed, digests, reasons


def node_at(tree: Any, location: str) -> Any:
    """The node at a spec-diff location; keys may hold a `/` (`application/json`)."""
    parts = location.split("/")
    while parts and tree is not None:
        if isinstance(tree, list):
            index = int(parts.pop(0)) if parts[0].isdigit() else len(tree)
            tree = tree[index] if index < len(tree) else None
            continue
        if not isinstance(tree, Mapping):
            return None
        for size in range(len(parts), 0, -1):
            key = "/".join(parts[:size])
            if key in tree:
                tree, parts = tree[key], parts[size:]
                break
        else:
            return None
    return tree


def lock_conflicts(
    lock: Mapping[str, Mapping[str, str]] | None,
    digests: Mapping[str, Mapping[str, str]],
    reasons: Mapping[str, Mapping[str, str]],
) -> list[Conflict]:
    """Where upstream changed at a location we keep as a reviewed difference."""
    if lock is None:
        return []  # the first sync records what upstream says
    conflicts = []
    for label, found in sorted(digests.items()):
        for location, digest in sorted(found.items()):
            if lock.get(label, {}).get(location) != digest:
                conflicts.append(
                    Conflict(
                        label,
                        location,
                        "upstream changed here, where we keep a reviewed difference "
                        f"({reasons[label][location][:90]}...): review the entry in "
                        "known-differences.yaml, then run spec-sync --accept-reviewed",
                    )
                )
    return conflicts


# -- the parts of an operation that are not schemas --------------------------------------------


def sync_description(
    subject: str, ours: MutableMapping[str, Any], theirs: Mapping[str, Any], plan: Plan
) -> None:
    text = theirs.get("description")
    if text is None or str(ours.get("description", "")).strip() == str(text).strip():
        return
    ours["description"] = literal(text)
    plan.changes.append(Change(subject, "description updated", CHANGED, PATCH))


def sync_aliases(
    subject: str,
    ours: MutableMapping[str, Any],
    theirs: Mapping[str, Any],
    plan: Plan,
) -> None:
    wanted = [dict(entry) for entry in theirs.get(KREA_ALIASES, [])]
    mine = {str(a["from"]): a for a in ours.get(KREA_ALIASES, []) or []}
    if OUR_ALIASES in ours and not mine:  # before the first sync: ours say what we knew
        mine = {
            str(a["alias"]): {
                "from": a["alias"],
                "to": a["replacement"],
                "sunset_date": str(a["sunset"]),
            }
            for a in ours[OUR_ALIASES]
        }
    for entry in wanted:
        before = mine.pop(str(entry["from"]), None)
        until = str(entry.get("sunset_date"))
        name = f"alias {entry['from']} -> {entry['to']}"
        if before is None:
            plan.changes.append(Change(subject, f"{name} added (until {until})", ADDED, MINOR))
        elif str(before.get("sunset_date")) != until:
            later = until > str(before.get("sunset_date"))
            text = f"{name}: sunset {before.get('sunset_date')} -> {until}"
            plan.changes.append(Change(subject, text, CHANGED, MINOR if later else MAJOR))
        elif str(before.get("to")) != str(entry["to"]):
            plan.changes.append(
                Change(subject, f"{name}: now renamed to {entry['to']}", CHANGED, MAJOR)
            )
    for gone in mine:
        plan.changes.append(Change(subject, f"alias {gone} removed", REMOVED, MAJOR))
    if json.dumps(ours.get(KREA_ALIASES), default=str) != json.dumps(wanted or None, default=str):
        if wanted:
            # Operations with the same aliases share one list: YAML writes it once, anchored.
            key = json.dumps(wanted, sort_keys=True, default=str)
            if key not in plan.shared:
                plan.shared[key] = CommentedSeq(wanted)
                plan.shared[key].yaml_set_anchor(f"aliases-{subject}", always_dump=False)
            put(ours, KREA_ALIASES, plan.shared[key], after="x-krea-job-type")
        else:
            ours.pop(KREA_ALIASES, None)
    if OUR_ALIASES in ours:
        legacy = legacy_aliases_of(wanted)
        if json.dumps(ours[OUR_ALIASES], default=str) != json.dumps(legacy, default=str):
            ours[OUR_ALIASES] = legacy  # a fresh list: the anchored one stays for the others


def _shown(entry: Mapping[str, Any] | None) -> str | None:
    if not entry:
        return None
    units = f"{Decimal(str(entry['compute_units'])).normalize():f}"
    approximate = "~" if entry.get("approximate") else ""
    return f"{'at most ' if entry.get('upper_bound') else ''}{approximate}{units}"


def _keep_usd(before: Mapping[str, Any] | None, after: dict[str, Any]) -> Any:
    """Krea's table has compute units only: our entry (dollars and all) stays while they do
    not move; a new one is written on one line, as ours are."""
    if before and _shown(before) == _shown(after):
        return before
    entry = CommentedMap(after)
    entry.fa.set_flow_style()
    return entry


def sync_pricing(
    subject: str, ours: MutableMapping[str, Any], fields: Mapping[str, Any], plan: Plan
) -> None:
    parsed = pricing_from(str(ours.get("description", "")), fields)
    if parsed is None:
        return
    mine = ours.get("x-pricing") or {}
    wanted: dict[str, Any] = {"billed": mine.get("billed", BILLED)}
    before: dict[str, Any]
    after: dict[str, Any]
    if "per_job" in parsed:
        wanted["per_job"] = _keep_usd(mine.get("per_job"), parsed["per_job"])
        before, after = {"": mine.get("per_job")}, {"": parsed["per_job"]}
    else:
        same_field = mine.get("by_field") == parsed["by_field"]
        before = dict(mine.get("by_value", {})) if same_field else {}
        after = parsed["by_value"]
        wanted["by_field"] = parsed["by_field"]
        wanted["by_value"] = {v: _keep_usd(before.get(v), e) for v, e in after.items()}
    for value in sorted(set(before) | set(after), key=str):
        was, now = _shown(before.get(value)), _shown(after.get(value))
        if was != now:
            what = f"price of {parsed['by_field']} {value}" if value else "price"
            text = f"{what}: {was or 'none'} -> {now or 'none'} compute units"
            plan.changes.append(Change(subject, text, CHANGED, PATCH))
    if spec_diff_plain(mine) != spec_diff_plain(wanted):
        ours["x-pricing"] = wanted


def spec_diff_plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): spec_diff_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [spec_diff_plain(v) for v in node]
    if isinstance(node, float | int | Decimal) and not isinstance(node, bool):
        return f"{Decimal(str(node)).normalize():f}"
    return node


def check_tiers(
    subject: str, ours: MutableMapping[str, Any], fields: Mapping[str, Any], plan: Plan
) -> None:
    """Every tier the model takes has a result size: by the documented rule, written into
    `x-result-images`, or refused, naming it."""
    tiers = fields.get(TIER_FIELD, {}).get("enum")
    if not tiers:
        return
    rules = ours.get("x-result-images")
    if rules is None:
        why = f"the mock has no result size rule (x-result-images) for its {TIER_FIELD} tiers"
        plan.conflicts.append(Conflict(subject, "x-result-images", why))
        return
    edges = rules.setdefault("tier_edges", {})
    for tier in tiers:
        if str(tier) in edges:
            continue
        edge = tier_edge(str(tier))
        if edge is None:
            plan.conflicts.append(
                Conflict(
                    subject,
                    "x-result-images",
                    f"the mock has no result size for {TIER_FIELD} {tier!r}: add it to tier_edges",
                )
            )
            continue
        edges[str(tier)] = edge
        rule = "the documented NK/Np rule"
        plan.notes.append(f"{subject}: {TIER_FIELD} {tier}: results get a {edge}px edge ({rule})")


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
        if "operationId" not in operation:
            continue
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
    taken = {
        op.get("operationId")
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, Mapping)
    }
    legacy = any(OUR_ALIASES in op for op in generations)
    try:
        operation, name, schema, notes = new_operation(
            path, theirs, generations[0] if generations else None, legacy
        )
    except Refused as refused:
        plan.conflicts.append(Conflict(model_of(path), "--add", str(refused)))
        return
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if operation["operationId"] in taken or name in schemas:
        plan.conflicts.append(
            Conflict(model_of(path), "--add", f"{operation['operationId']} or {name} is taken")
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


def dump(document: Any) -> str:
    buffer = io.StringIO()
    round_trip().dump(document, buffer)
    return buffer.getvalue()


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
