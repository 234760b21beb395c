"""Compare our operations in openapi.yaml with Krea's published OpenAPI document.

Both documents are normalised (references resolved, prose and names dropped, parameters keyed
by location and name, OpenAPI 3.0 `nullable` turned into 3.1 type lists), deepdiff finds the
structural differences, and each difference is classified for the two things we ship: does it
break the generated client, does it break the mock's fidelity, or is it informational. Known,
reviewed differences (known-differences.yaml) are reported as such, not as drift.

Exit codes: 0 no drift, 1 informational drift only, 2 breaking drift, 3 upstream unavailable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import httpx
import yaml
from deepdiff import DeepDiff

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's spec package, not another installed one
from krea_nano_banana_spec.normalize import METHODS  # noqa: E402
from krea_nano_banana_spec.pricing_tables import parse_compute_unit_table, rows_of  # noqa: E402

# Krea's own extension: compared like any part of the contract. Every other `x-` key is ours
# (x-lifecycle, x-pricing, ...) and never drift: the prices of x-pricing are compared with
# Krea's description tables instead.
KREA_ALIASES = "x-krea-deprecated-field-aliases"
PRICES = "prices"
DEFAULT_UPSTREAM = "https://api.krea.ai/openapi.json"
KNOWN_FILE = ROOT / "known-differences.yaml"
PROSE = {
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
    "x-enum-varnames",
    "$comment",
}
CONSTRAINTS = {
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "const",
    "default",
}
EXIT_NONE, EXIT_INFO, EXIT_BREAKING, EXIT_UNAVAILABLE = 0, 1, 2, 3
NOT_ADOPTED = "not adopted (informational)"

EPILOG = """\
exit codes:
  0  no drift: openapi.yaml matches upstream (known differences aside)
  1  informational drift only: nothing we ship breaks
  2  breaking drift: the generated client or the mock no longer matches Krea
  3  the upstream document could not be read (no network, a bad URL or file)
"""
NEXT_STEPS = """\
Next, for each open item above:
  [ ] ./scripts/spec-sync           brings upstream in, regenerates, writes CHANGELOG.md and
                                    the version (--add PATH for a model not adopted yet)
  [ ] where upstream is wrong, a reviewed entry with its evidence in known-differences.yaml
  [ ] ./scripts/spec-diff           until nothing is open but what is not adopted
  [ ] ./scripts/test                the SDK, mock, CLI and contract suite follow the spec
  [ ] the contract suite live against Krea (README, "Contract testing")"""


@dataclass
class Difference:
    operation: str
    location: str
    change: str
    detail: str
    impacts: list[str] = field(default_factory=list)  # "client", "mock"; empty: informational
    known: str | None = None  # the reviewed reason, when this difference is expected

    @property
    def category(self) -> str:
        if self.known:
            return "known"
        if self.location == "operation" and self.change == "added":
            return NOT_ADOPTED
        if "client" in self.impacts:
            return "breaks the generated client"
        if "mock" in self.impacts:
            return "breaks the mock's fidelity"
        return "informational"


# -- loading and normalising -------------------------------------------------------------------


class UpstreamUnavailable(Exception):
    """The upstream document could not be fetched or read."""


def load(source: str) -> dict[str, Any]:
    try:
        if source.startswith(("http://", "https://")):
            response = httpx.get(source, timeout=20, follow_redirects=True)
            response.raise_for_status()
            text = response.text
        else:
            text = Path(source).read_text()
        document = yaml.safe_load(text)  # JSON is YAML
    except (httpx.HTTPError, OSError, yaml.YAMLError) as exc:
        raise UpstreamUnavailable(f"{source}: {type(exc).__name__}: {exc}") from None
    if not isinstance(document, dict) or "paths" not in document:
        raise UpstreamUnavailable(f"{source}: not an OpenAPI document")
    return document


def resolve(node: Any, document: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                return {"$recursive": ref}
            target: Any = document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return resolve(target, document, (*seen, ref))
        return {k: resolve(v, document, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(item, document, seen) for item in node]
    return node


def normalise_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [normalise_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    schema = {
        k: normalise_schema(v)
        for k, v in node.items()
        if k not in PROSE and not str(k).startswith("x-")
    }
    if schema.pop("nullable", False):  # OpenAPI 3.0 spelling of a null-accepting type
        kind = schema.get("type")
        if isinstance(kind, str):
            schema["type"] = [kind, "null"]
    if isinstance(schema.get("type"), list):
        schema["type"] = sorted(schema["type"])
    return schema


def normalise_operation(
    operation: Mapping[str, Any], path_item: Mapping[str, Any], ours: bool = True
) -> dict[str, Any]:
    parameters = {}
    for param in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
        name = param["name"].lower() if param["in"] == "header" else param["name"]
        parameters[f"{param['in']}:{name}"] = normalise_schema(
            {"required": param.get("required", False), "schema": param.get("schema", {})}
        )
    result: dict[str, Any] = {"parameters": parameters}
    body = operation.get("requestBody")
    if body:
        result["requestBody"] = {
            "required": body.get("required", False),
            "content": {
                mt: normalise_schema(c.get("schema", {}))
                for mt, c in body.get("content", {}).items()
            },
        }
    result["responses"] = {
        str(code): {
            "content": {
                mt: normalise_schema(c.get("schema", {}))
                for mt, c in response.get("content", {}).items()
            },
            "headers": sorted(name.lower() for name in response.get("headers", {})),
        }
        for code, response in operation.get("responses", {}).items()
    }
    result[KREA_ALIASES] = {
        str(a.get("from")): {
            "to": a.get("to"),
            "sunset_date": str(a.get("sunset_date")),
            "migration_url": a.get("migration_url"),
        }
        for a in operation.get(KREA_ALIASES, [])
    }
    prices = price_rows(operation, ours)
    if prices:
        result[PRICES] = prices
    return result


def _units(price: Mapping[str, Any]) -> str:
    """One price of `x-pricing` written as Krea's tables write it (`~3` when approximate)."""
    units = format(Decimal(str(price["compute_units"])).normalize(), "f")
    return f"~{units}" if price.get("approximate") else units


def price_rows(operation: Mapping[str, Any], ours: bool = False) -> dict[str, str]:
    """An operation's compute units per priced row ("1K", or "" for a single price). Ours come
    from `x-pricing` (what the SDK and the mock charge) where we keep one; upstream's only from
    the table in the description, the one place Krea states prices."""
    pricing = operation.get("x-pricing") if ours else None
    if pricing:
        if "per_job" in pricing:
            return {"": _units(pricing["per_job"])}
        return {str(value): _units(price) for value, price in pricing.get("by_value", {}).items()}
    table = parse_compute_unit_table(str(operation.get("description", "")))
    return {} if table is None else rows_of(table)


def prices_text(rows: Mapping[str, str]) -> str:
    """Price rows as a reader says them: `3 compute units`, `34.4 (1K), 57.8 (2K) compute units`."""
    if set(rows) == {""}:
        return f"{rows['']} compute units"
    return ", ".join(f"{units} ({row})" for row, units in rows.items()) + " compute units"


def our_operations(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(method, path) of every operation our spec defines: those are the ones we compare."""
    return [
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and method in METHODS
    ]


def operations_of(
    document: Mapping[str, Any], wanted: list[tuple[str, str]], ours: bool = True
) -> dict[str, tuple[str | None, dict[str, Any]] | None]:
    resolved = resolve(document, document)
    found: dict[str, tuple[str | None, dict[str, Any]] | None] = {}
    for method, path in wanted:
        path_item = resolved.get("paths", {}).get(path, {})
        operation = path_item.get(method)
        label = f"{method.upper()} {path}"
        if operation is None:
            found[label] = None
        else:
            found[label] = (
                operation.get("operationId"),
                normalise_operation(operation, path_item, ours),
            )
    return found


# -- classifying -------------------------------------------------------------------------------


def location_of(path: list[Any]) -> str:
    return "/".join(str(p) for p in path)


def field_name(path: list[Any]) -> str:
    """What a difference is about: a field of a body, a parameter, or a whole body."""
    if len(path) > 1 and path[0] == "parameters":
        where, _, name = str(path[1]).partition(":")
        return f"{where} parameter {name}"
    names = [str(path[i + 1]) for i, part in enumerate(path[:-1]) if part == "properties"]
    if names:
        return ".".join(names)
    if path and path[0] == "responses" and len(path) > 1:
        return f"the {path[1]} response body"
    return "the request body"


def node_at(tree: Any, path: list[Any]) -> Any:
    for part in path:
        in_dict = isinstance(tree, dict) and part in tree
        in_list = isinstance(tree, list) and isinstance(part, int) and part < len(tree)
        if in_dict or in_list:
            tree = tree[part]
        else:
            return None
    return tree


def accepts_any_string(schema: Any) -> bool:
    """True where our schema keeps the value open (an enum alongside a plain string)."""
    if not isinstance(schema, dict):
        return False
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    return any(
        isinstance(b, dict) and b.get("type") == "string" and "enum" not in b for b in branches
    )


def classify(
    label: str, path: list[Any], change: str, ours: Any, upstream: Any, our_operation: Any
) -> Difference:
    request = path[0] in ("parameters", "requestBody")
    response = path[0] == "responses"
    keys = [p for p in path if isinstance(p, str)]
    keyword = keys[-1] if keys else ""
    location = location_of(path)
    name = field_name(path)
    diff = Difference(label, location, change, "")

    if path[0] == KREA_ALIASES:
        diff.impacts = ["mock"]
        diff.detail = {
            "added": f"alias {path[1]!r} is new upstream ({_short(upstream)}); the mock refuses it",
            "removed": f"alias {path[1]!r} is gone upstream; the mock and the SDK still know it",
        }.get(change, f"alias {path[1]!r}: {'/'.join(map(str, path[2:]))} {ours!r} -> {upstream!r}")
        return diff
    if path[0] == PRICES:
        row = f"{path[1]!r}" if len(path) > 1 and path[1] else "the single price"
        diff.impacts = ["mock"]  # estimate_cost, `nano-banana cost` and the mock's credits
        if len(path) == 1:  # a whole table appeared or went
            gone = change == "removed"
            diff.detail = (
                f"prices gone upstream (ours: {prices_text(ours)})"
                if gone
                else f"prices new upstream: {prices_text(upstream)}"
            )
            return diff
        diff.detail = {
            "added": f"price of {row} is new upstream: {upstream} compute units",
            "removed": f"price of {row} is gone upstream (ours: {ours} compute units)",
        }.get(change, f"price of {row}: {ours} -> {upstream} compute units upstream")
        return diff
    if path[0] == "parameters" and len(path) == 2:
        required = isinstance(upstream, dict) and upstream.get("required")
        diff.impacts = (
            (["client", "mock"] if required else ["mock"]) if change == "added" else ["client"]
        )
        diff.detail = f"parameter {path[1]} {change} upstream: {_short(upstream or ours)}"
        return diff
    if response and len(path) >= 3 and path[2] == "headers":
        diff.impacts = ["mock"] if change == "added" else []
        diff.detail = (
            f"response {path[1]} header {upstream if change == 'added' else ours} {change} upstream"
        )
        return diff
    if response and len(path) == 2:
        diff.impacts = ["mock"] if change == "added" else []
        diff.detail = f"response {path[1]} {change} upstream"
        return diff
    if keyword == "enum":
        container = path[: path.index("enum")]
        value = upstream if change == "added" else ours
        if request:
            diff.impacts = ["mock"] if change == "added" else ["client", "mock"]
        elif change == "added":
            # Our schema may hold this enum inside an anyOf that also takes any string.
            ancestors = (
                node_at(our_operation, container[:depth]) for depth in range(len(container), 0, -1)
            )
            diff.impacts = ["mock"] if any(accepts_any_string(a) for a in ancestors) else ["client"]
        else:
            diff.impacts = ["mock"]
        diff.detail = f"{name}: enum value {value!r} {change} upstream"
        return diff
    if keyword == "required" and isinstance(path[-1], int):
        value = upstream if change == "added" else ours
        if request:
            diff.impacts = ["client", "mock"] if change == "added" else ["mock"]
        else:
            diff.impacts = [] if change == "added" else ["client"]
        diff.detail = (
            f"{name}: {value!r} {'now' if change == 'added' else 'no longer'} required upstream"
        )
        return diff
    if len(path) >= 2 and path[-2] == "properties":
        if change == "added":
            diff.impacts = ["mock"]
            diff.detail = f"field {name} added upstream: {_short(upstream)}"
        else:
            required_here = node_at(our_operation, [*path[:-2], "required"]) or []
            diff.impacts = ["client"] if (request or path[-1] in required_here) else []
            diff.detail = f"field {name} removed upstream (ours: {_short(ours)})"
        return diff
    if keyword == "type" or (keyword == "anyOf" and change == "changed"):
        diff.impacts = ["client", "mock"]
        diff.detail = f"{name}: type {ours!r} -> {upstream!r}"
        return diff
    if keyword in CONSTRAINTS or keyword == "additionalProperties":
        diff.impacts = ["mock"] if request else []
        diff.detail = f"{name}: {keyword} {ours!r} -> {upstream!r}"
        return diff
    diff.impacts = ["client", "mock"] if request else ["mock"]
    diff.detail = f"{name}: {keyword or 'structure'} {change}: {_short(ours)} -> {_short(upstream)}"
    return diff


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if value is not None else "absent"
    return text if len(text) <= 80 else text[:77] + "..."


def compare(ours: Mapping[str, Any], upstream: Mapping[str, Any]) -> list[Difference]:
    differences: list[Difference] = []
    wanted = our_operations(ours)
    our_ops, their_ops = operations_of(ours, wanted), operations_of(upstream, wanted, False)
    for label, mine in our_ops.items():
        theirs = their_ops.get(label)
        if mine is None:
            continue
        if theirs is None:
            differences.append(
                Difference(label, "", "removed", "operation missing upstream", ["client", "mock"])
            )
            continue
        (our_id, our_op), (their_id, their_op) = mine, theirs
        if their_id and their_id != our_id:
            differences.append(
                Difference(
                    label,
                    "operationId",
                    "changed",
                    f"operationId {our_id!r} upstream is {their_id!r}",
                )
            )
        differences.extend(_structural(label, our_op, their_op))
    differences.extend(not_adopted(wanted, upstream))
    return differences


def not_adopted(ours: list[tuple[str, str]], upstream: Mapping[str, Any]) -> list[Difference]:
    """Upstream operations we do not have (a new model, above all): informational, each with
    its price where Krea states one, so that a new model is never invisible."""
    found = []
    for path, item in upstream.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or (method, path) in ours:
                continue
            prices = price_rows(operation)
            priced = f"; {prices_text(prices)}" if prices else ""
            what = (
                f"model {path.rstrip('/').rsplit('/', 1)[-1]!r}"
                if "/generate/" in path
                else ("operation")
            )
            found.append(
                Difference(
                    f"{method.upper()} {path}",
                    "operation",
                    "added",
                    f"not adopted: {what} upstream, not in openapi.yaml{priced}",
                )
            )
    return found


CHANGE_NAMES = {
    "dictionary_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_added": "added",
    "iterable_item_removed": "removed",
    "values_changed": "changed",
    "type_changes": "changed",
}


def _structural(label: str, ours: dict[str, Any], theirs: dict[str, Any]) -> Iterable[Difference]:
    tree = DeepDiff(ours, theirs, ignore_order=True, view="tree")
    for kind, levels in tree.items():
        change = CHANGE_NAMES.get(kind)
        if change is None:
            continue
        for level in levels:
            path = level.path(output_format="list")
            before = None if change == "added" else level.t1
            after = None if change == "removed" else level.t2
            if change == "changed" and path and isinstance(path[-1], int):
                # A list item replaced (an enum value swapped): one removal, one addition.
                yield classify(label, path, "removed", before, None, ours)
                yield classify(label, path, "added", None, after, ours)
            else:
                yield classify(label, path, change, before, after, ours)


# -- known differences -------------------------------------------------------------------------


def load_known(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    entries: list[dict[str, str]] = yaml.safe_load(path.read_text()) or []
    for entry in entries:
        if not entry.get("reason"):
            raise SystemExit(f"{path}: every known difference needs a reason: {entry}")
    return entries


def mark_known(differences: list[Difference], known: list[dict[str, str]]) -> None:
    for difference in differences:
        for entry in known:
            if (
                fnmatch(difference.operation, entry.get("operation", "*"))
                and fnmatch(difference.location, entry.get("location", "*"))
                and fnmatch(difference.change, entry.get("change", "*"))
                and fnmatch(difference.detail, entry.get("detail", "*"))
            ):
                difference.known = entry["reason"]
                break


# -- output ------------------------------------------------------------------------------------


def exit_code(differences: list[Difference]) -> int:
    drift = [d for d in differences if not d.known]
    if any(d.impacts for d in drift):
        return EXIT_BREAKING
    return EXIT_INFO if drift else EXIT_NONE


def report(differences: list[Difference], every_known: bool = False) -> str:
    """A checklist: the open items by what they break, then the known differences counted by
    their reviewed reason (each reason written once; `every_known` lists them one by one), then
    what to do next."""
    if not differences:
        return "No differences: openapi.yaml matches upstream for our operations."
    lines = []
    categories = (
        "breaks the generated client",
        "breaks the mock's fidelity",
        "informational",
        NOT_ADOPTED,
    )
    for category in categories:
        group = [d for d in differences if d.category == category]
        if group:
            lines.append(f"{category} ({len(group)}):")
            ordered = sorted(group, key=lambda d: (d.operation, d.location, d.change))
            lines += [f"  [ ] {d.operation}: {d.detail}" for d in ordered]
    known = [d for d in differences if d.known]
    if known:
        reasons: dict[str, list[Difference]] = {}
        for d in sorted(known, key=lambda d: (d.operation, d.location, d.change)):
            reasons.setdefault(d.known or "", []).append(d)
        lines.append(
            f"known, reviewed in known-differences.yaml ({len(known)}, {len(reasons)} reasons):"
        )
        for number, (reason, group) in enumerate(reasons.items(), start=1):
            lines.append(f"  {number}. ({len(group)}x) {reason}")
            if every_known:
                lines += [f"       {d.operation}: {d.detail}" for d in group]
    if any(not d.known for d in differences):
        lines.append(NEXT_STEPS)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="spec-diff",
        description=__doc__.split("\n\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--upstream", default=DEFAULT_UPSTREAM, help="URL or file (default: Krea's)"
    )
    parser.add_argument("--ours", type=Path, default=ROOT / "openapi.yaml")
    parser.add_argument("--known", type=Path, default=KNOWN_FILE)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--all", action="store_true", help="list every known difference, not only their reasons"
    )
    args = parser.parse_args(argv)
    try:
        upstream = load(args.upstream)
    except UpstreamUnavailable as exc:
        print(f"spec-diff: cannot read the upstream document ({exc})", file=sys.stderr)
        return EXIT_UNAVAILABLE
    ours = yaml.safe_load(args.ours.read_text())  # our own spec: a failure here is a real error
    differences = compare(ours, upstream)
    mark_known(differences, load_known(args.known))
    code = exit_code(differences)
    if args.json:
        payload = {
            "exit_code": code,
            "differences": [asdict(d) | {"category": d.category} for d in differences],
        }
        print(json.dumps(payload, indent=2, default=str))
    else:
        print(report(differences, every_known=args.all))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
