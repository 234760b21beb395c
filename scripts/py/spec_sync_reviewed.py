"""The reviewed known differences (known-differences.yaml) as spec-sync keeps them: where each
lies in an operation, and what upstream said there at the last sync (spec-sync.lock.json), so
that an upstream change at such a place stops the sync for a person."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import spec_diff
from spec_sync_merge import Conflict, Reviewed


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
