"""openapi.yaml, loaded once, and the read-only views of it that the SDK, the mock and the
tests use.

Everything they know about the API beyond the generated code (deprecated aliases, pricing, the
lifecycle graph, constraints, paths) comes from here, so a change to the spec changes them all.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

CREATE_OPERATION = "generate_nano_banana_2"
REQUEST_SCHEMA = "NanoBanana2Request"


def spec_path() -> Path:
    # A wheel carries the spec inside the package; a source checkout keeps it at the top.
    packaged = Path(__file__).with_name("openapi.yaml")
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "openapi.yaml"


@functools.cache
def document() -> Mapping[str, Any]:
    with spec_path().open("rb") as handle:
        loaded: dict[str, Any] = yaml.load(
            handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    return loaded


@functools.cache
def document_json() -> bytes:
    return json.dumps(document(), separators=(",", ":")).encode()


def _follow(ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, got {ref!r}")
    node: Any = document()
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline_refs(node: Any) -> Any:
    """A deep copy of `node` with every local `$ref` replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            return inline_refs(_follow(node["$ref"]))
        return {key: inline_refs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [inline_refs(item) for item in node]
    return copy.copy(node)


def component_schema(name: str) -> dict[str, Any]:
    resolved: dict[str, Any] = inline_refs(document()["components"]["schemas"][name])
    return resolved


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str
    path: str
    definition: Mapping[str, Any]

    def response(self, status: int) -> Mapping[str, Any] | None:
        responses = self.definition.get("responses", {})
        found = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        return inline_refs(found) if found is not None else None

    def parameter(self, name: str) -> dict[str, Any]:
        for param in self.parameters():
            if param["name"] == name:
                return param
        raise KeyError(name)

    def parameters(self) -> list[dict[str, Any]]:
        path_item = document()["paths"][self.path]
        params = [*path_item.get("parameters", []), *self.definition.get("parameters", [])]
        return [inline_refs(p) for p in params]


@functools.cache
def operations() -> Mapping[str, Operation]:
    found: dict[str, Operation] = {}
    for path, path_item in document()["paths"].items():
        for method, definition in path_item.items():
            if isinstance(definition, dict) and "operationId" in definition:
                found[definition["operationId"]] = Operation(
                    definition["operationId"], method.upper(), path, definition
                )
    return found


def operation(operation_id: str) -> Operation:
    return operations()[operation_id]


@functools.cache
def request_body_schema() -> dict[str, Any]:
    return component_schema(REQUEST_SCHEMA)


def enum_values(schema_name: str) -> tuple[str, ...]:
    return tuple(document()["components"]["schemas"][schema_name]["enum"])


def schema_default(schema_name: str) -> Any:
    return document()["components"]["schemas"][schema_name]["default"]


@dataclass(frozen=True, slots=True)
class DeprecatedAlias:
    alias: str
    replacement: str
    sunset: datetime
    migration_url: str

    @property
    def sunset_date(self) -> date:
        return self.sunset.date()


@functools.cache
def deprecated_aliases() -> tuple[DeprecatedAlias, ...]:
    entries = operation(CREATE_OPERATION).definition["x-deprecated-aliases"]
    return tuple(
        DeprecatedAlias(
            alias=entry["alias"],
            replacement=entry["replacement"],
            # Accepted until the date; enforced from its first instant, in UTC.
            sunset=datetime.combine(
                date.fromisoformat(str(entry["sunset"])), datetime.min.time(), UTC
            ),
            migration_url=entry["migration_url"],
        )
        for entry in entries
    )


@dataclass(frozen=True, slots=True)
class Price:
    usd: Decimal
    compute_units: Decimal


@functools.cache
def pricing() -> Mapping[str, Price]:
    table = operation(CREATE_OPERATION).definition["x-pricing"]["by_resolution"]
    return {
        str(tier): Price(Decimal(str(cost["usd"])), Decimal(str(cost["compute_units"])))
        for tier, cost in table.items()
    }


def job_type() -> str:
    value: str = operation(CREATE_OPERATION).definition["x-krea-job-type"]
    return value


@dataclass(frozen=True, slots=True)
class Lifecycle:
    statuses: tuple[str, ...]
    initial: frozenset[str]
    terminal: frozenset[str]
    user_cancellable: frozenset[str]
    transitions: Mapping[str, frozenset[str]]

    def allows(self, before: str, after: str) -> bool:
        return after in self.transitions.get(before, frozenset())

    def reachable(self, before: str, after: str) -> bool:
        """`after` can follow `before` through any number of transitions."""
        seen, frontier = set(), [before]
        while frontier:
            for following in self.transitions.get(frontier.pop(), frozenset()):
                if following == after:
                    return True
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        return False

    def is_path(self, statuses: tuple[str, ...]) -> bool:
        return all(self.allows(a, b) for a, b in itertools.pairwise(statuses))


@functools.cache
def lifecycle() -> Lifecycle:
    schema = document()["components"]["schemas"]["JobStatus"]
    graph = schema["x-lifecycle"]
    return Lifecycle(
        statuses=tuple(schema["enum"]),
        initial=frozenset(graph["initial"]),
        terminal=frozenset(graph["terminal"]),
        user_cancellable=frozenset(graph["user_cancellable"]),
        transitions={k: frozenset(v) for k, v in graph["transitions"].items()},
    )


def max_body_bytes() -> int:
    limit: int = document()["components"]["responses"]["PayloadTooLarge"]["x-limit-bytes"]
    return limit
