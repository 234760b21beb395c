"""The parts of an operation spec-sync brings in that are not schemas: the description, the
deprecated aliases (Krea's `x-krea-deprecated-field-aliases`, and ours kept in step), the price
table as `x-pricing`, and a result size for every tier (`x-result-images`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from spec_sync_import import BILLED, TIER_FIELD, tier_edge
from spec_sync_merge import ADDED, CHANGED, MAJOR, MINOR, PATCH, REMOVED, Change, Conflict
from spec_sync_yaml import literal, put

from krea_nano_banana_spec.pricing_tables import pricing_from

KREA_ALIASES = "x-krea-deprecated-field-aliases"


@dataclass
class Plan:
    """What a sync does: its changes, what needs a person, and what a reviewer should read."""

    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)  # equal values written once, anchored


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
    if _numbers_as_text(mine) != _numbers_as_text(wanted):
        ours["x-pricing"] = wanted


def _numbers_as_text(node: Any) -> Any:
    """A price table compared by value: 34.4, 34.40 and Decimal("34.4") alike."""
    if isinstance(node, Mapping):
        return {str(k): _numbers_as_text(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_numbers_as_text(v) for v in node]
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
